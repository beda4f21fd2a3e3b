/*
 * options.h -- a small command-line option parser, the same on every
 * platform (no getopt on Windows, and getopt_long is not POSIX).
 *
 * Options and operands may be mixed (`zmm unpack x.zmm -C out a.wav`);
 * `--` ends the options; a lone `-` is an operand (stdin or stdout).
 * Short options cluster (`-fv`) and take their argument attached or next
 * (`-l9`, `-l 9`); long ones take it after '=' or next (`--level=9`).
 */
#ifndef ZMM_CLI_OPTIONS_H
#define ZMM_CLI_OPTIONS_H

typedef struct cli_option {
    const char *long_name; /* without "--"; NULL for none */
    char short_name;       /* 0 for none */
    int has_arg;
    int id;                /* returned by cli_next_option; > 0 */
} cli_option;

/* The option table ends with an entry whose id is 0. */

typedef struct cli_parser {
    int argc;
    char **argv;
    int index;           /* the next argv element to look at */
    const char *cluster; /* the rest of a short-option cluster, or NULL */
    int options_done;    /* `--` seen */
    const char *command; /* for messages: "zmm pack" */
} cli_parser;

/* cli_next_option results other than an option id. */
#define CLI_END 0       /* no more arguments */
#define CLI_OPERAND (-1) /* *value is an operand */
#define CLI_BAD (-2)    /* a usage error, already reported */

void cli_parser_init(cli_parser *p, int argc, char **argv, int first,
                     const char *command);

/* The next option (its id, with its argument in *value) or operand. */
int cli_next_option(cli_parser *p, const cli_option *table,
                    const char **value);

#endif
