/*
 * options.c -- the option parser (options.h), and the parsers of option
 * values that several commands take. Long options may be shortened to any
 * unambiguous prefix, as with getopt_long.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"

void cli_parser_init(cli_parser *p, int argc, char **argv, int first,
                     const char *command)
{
    p->argc = argc;
    p->argv = argv;
    p->index = first;
    p->cluster = NULL;
    p->options_done = 0;
    p->command = command;
}

/* The argument of an option that takes one: the next argv element. */
static int take_next(cli_parser *p, const char *shown, int id,
                     const char **value)
{
    if (p->index >= p->argc) {
        cli_usage_error(p->command, "option '%s' needs an argument", shown);
        return CLI_BAD;
    }
    *value = p->argv[p->index++];
    return id;
}

static int long_option(cli_parser *p, const cli_option *table,
                       const char *arg, const char **value)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cli_option *found = NULL;
    int matches = 0;

    for (; table->id != 0; table++) {
        if (table->long_name == NULL || strncmp(table->long_name, name, len))
            continue;
        if (table->long_name[len] == '\0') { /* exact: wins over prefixes */
            found = table;
            matches = 1;
            break;
        }
        found = table;
        matches++;
    }
    if (matches != 1) {
        cli_usage_error(p->command, "%s option '--%.*s'",
                        matches ? "ambiguous" : "unknown", (int)len, name);
        return CLI_BAD;
    }
    if (!found->has_arg) {
        if (eq != NULL) {
            cli_usage_error(p->command, "option '--%s' takes no argument",
                            found->long_name);
            return CLI_BAD;
        }
        return found->id;
    }
    if (eq != NULL) {
        *value = eq + 1;
        return found->id;
    }
    return take_next(p, arg, found->id, value);
}

static int short_option(cli_parser *p, const cli_option *table,
                        const char **value)
{
    char c = *p->cluster++;
    char shown[3] = {'-', c, '\0'};

    for (; table->id != 0; table++)
        if (table->short_name == c && c != 0)
            break;
    if (table->id == 0) {
        p->cluster = NULL;
        if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
            cli_usage_error(p->command, "unknown option character 0x%02x",
                            (unsigned char)c);
        else
            cli_usage_error(p->command, "unknown option '%s'", shown);
        return CLI_BAD;
    }
    if (*p->cluster == '\0')
        p->cluster = NULL;
    if (!table->has_arg)
        return table->id;
    if (p->cluster != NULL) { /* -l9 */
        *value = p->cluster;
        p->cluster = NULL;
        return table->id;
    }
    return take_next(p, shown, table->id, value);
}

int cli_next_option(cli_parser *p, const cli_option *table,
                    const char **value)
{
    const char *arg;

    *value = NULL;
    if (p->cluster != NULL)
        return short_option(p, table, value);
    if (p->index >= p->argc)
        return CLI_END;
    arg = p->argv[p->index++];
    if (p->options_done || arg[0] != '-' || arg[1] == '\0') {
        *value = arg; /* an operand, or "-" */
        return CLI_OPERAND;
    }
    if (arg[1] == '-') {
        if (arg[2] == '\0') {
            p->options_done = 1;
            return cli_next_option(p, table, value);
        }
        return long_option(p, table, arg, value);
    }
    p->cluster = arg + 1;
    return short_option(p, table, value);
}

int cli_parse_level(const char *command, const char *text)
{
    if (text[0] >= '0' && text[0] <= '9' && text[1] == '\0')
        return text[0] - '0';
    cli_usage_error(command, "level '%s': give 0 to 9", text);
    return -1;
}

uint32_t cli_parse_threads(const char *command, const char *text)
{
    uint32_t value = 0;
    const char *p = text;

    for (; *p >= '0' && *p <= '9' && value <= 64; p++)
        value = value * 10 + (uint32_t)(*p - '0');
    if (p == text || *p != '\0' || value > 64) {
        cli_usage_error(command, "threads '%s': give 1 to 64, or 0 for one "
                                 "per processor", text);
        return 0;
    }
    return value == 0 ? ZMM_THREADS_ALL : value;
}

static uint32_t block_size_value(const char *text)
{
    uint64_t value = 0;
    const char *p = text;

    if (*p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        value = value * 10 + (uint64_t)(*p - '0');
        if (value > ZMM_MAX_BLOCK_SIZE)
            return 0;
    }
    if (*p == 'k' || *p == 'K') {
        value <<= 10;
        p++;
    } else if (*p == 'm' || *p == 'M') {
        value <<= 20;
        p++;
    }
    if (p > text && (p[-1] == 'k' || p[-1] == 'K' || p[-1] == 'm' ||
                     p[-1] == 'M')) {
        if (p[0] == 'i' && (p[1] == 'B' || p[1] == 'b'))
            p += 2;
        else if (p[0] == 'B' || p[0] == 'b')
            p++;
    }
    if (*p != '\0' || value < ZMM_MIN_BLOCK_SIZE ||
        value > ZMM_MAX_BLOCK_SIZE || (value & (value - 1)) != 0)
        return 0;
    return (uint32_t)value;
}

uint32_t cli_parse_block_size(const char *command, const char *text)
{
    uint32_t size = block_size_value(text);

    if (size == 0)
        cli_usage_error(command, "block size '%s': give a power of two from "
                        "4k to 1m (4096 to 1048576)", text);
    return size;
}

const char *cli_block_size_text(uint32_t size, char *buf, size_t bufsize)
{
    if (size >= 1048576u && size % 1048576u == 0)
        snprintf(buf, bufsize, "%u MiB", (unsigned)(size >> 20));
    else if (size >= 1024u && size % 1024u == 0)
        snprintf(buf, bufsize, "%u KiB", (unsigned)(size >> 10));
    else
        snprintf(buf, bufsize, "%u", (unsigned)size);
    return buf;
}
