/*
 * cli.h -- what the parts of the zmm tool share: exit statuses, messages,
 * names, output files, the progress display, member copying, and the
 * commands. The tool is an ordinary client of the core library: it includes
 * zmm.h and nothing from src/core.
 */
#ifndef ZMM_CLI_H
#define ZMM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zmm.h"

/* ---- exit statuses ------------------------------------------------------ */

#define CLI_OK 0
#define CLI_FAIL 1  /* damaged or unreadable data, an I/O failure */
#define CLI_USAGE 2 /* a bad command line */

#if defined(__GNUC__) && defined(__MINGW_PRINTF_FORMAT)
#define CLI_PRINTF(f, a) __attribute__((format(__MINGW_PRINTF_FORMAT, f, a)))
#elif defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* ---- report.c: messages ------------------------------------------------- */

/* 0 with -q (errors only), 1 normally, 2 with -v. */
extern int cli_verbosity;

/* "zmm: MESSAGE" on stderr, always. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);
/* "zmm: warning: MESSAGE" on stderr, unless -q. */
void cli_warning(const char *fmt, ...) CLI_PRINTF(1, 2);
/* "MESSAGE" on stderr with -v only. */
void cli_note(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Text on stdout (listings, reports). */
void cli_out(const char *fmt, ...) CLI_PRINTF(1, 2);
/* "zmm COMMAND: MESSAGE" and a pointer to the help, on stderr. */
void cli_usage_error(const char *command, const char *fmt, ...)
    CLI_PRINTF(2, 3);

/* A description of a core result with the OS error behind it, if any:
 * "access denied (Permission denied)". Returns buf. */
const char *cli_result_text(zmm_result rc, long os_error, char *buf,
                            size_t size);
/* The same for a failed block read: "damaged: a CRC or bound check
 * failed" for ZMM_ERR_CORRUPT. */
const char *cli_block_error_text(zmm_result rc, long os_error, char *buf,
                                 size_t size);
/* A description of an OS error code. Returns buf. */
const char *cli_os_text(long os_error, char *buf, size_t size);

/* Reports a failure on an archive, naming it and (when not NULL) the member:
 * "zmm: x.zmm: member 'a.wav': cannot read: archive is damaged". */
void cli_archive_error(const char *archive, const char *member,
                       const char *doing, zmm_result rc, long os_error);

/* ---- names.c: archive, member and file names ---------------------------- */

/* An ARCHIVE or ARCHIVE+MEMBER operand. An operand that names an existing
 * file is never split (archives whose names contain '+'). Else the split is
 * at the last '+' whose left part is an existing file, so that archive and
 * member names may both contain '+' ("c++.zmm+a+b.txt"); when no left part
 * exists (add making a new archive): nowhere if the operand ends in ".zmm",
 * else after the first ".zmm" followed by '+' (any case), else at the last
 * '+', as mmio splits. member is NULL when the
 * operand has none, "" for the default member ("x.zmm+"). */
typedef struct cli_target {
    char *archive;
    char *member;
} cli_target;

int cli_target_split(const char *operand, cli_target *t);
void cli_target_free(cli_target *t);

/* Nonzero if the `len` bytes at s end in ".zmm" (any case). */
int cli_is_zmm_name(const char *s, size_t len);

/* The last component of a path (after '/', and on Windows '\\' or a drive
 * "C:"): pack names members so. */
const char *cli_base_name(const char *path);

/* The member name a file or folder operand of pack and add gives: its path
 * made relative as tar does -- the root ('/', a drive) and every part up to
 * the last ".." removed (*stripped then set), "." and empty parts dropped,
 * separators made '/': "./sfx//a.wav" -> "sfx/a.wav", "/tmp/a" -> "tmp/a",
 * "../x/a" -> "x/a", "." -> "". A new string. */
char *cli_member_path(const char *path, int *stripped);

/* A MEMBER operand as a member name: where '\\' separates paths (Windows),
 * it becomes '/' ("sfx\\boom.wav" is member "sfx/boom.wav", as zmmio.dll
 * takes it); elsewhere unchanged. A new string. */
char *cli_member_spelling(const char *operand);

/* The member name for data read from stdin: the archive's base name without
 * its ".zmm" extension ("out/x.zmm" -> "x"). A new string. */
char *cli_stdin_member_name(const char *archive);

/* DIR/NAME as a new string; NAME alone when dir is NULL or ".". */
char *cli_path_join(const char *dir, const char *name);

/* Creates the directory `path` and its missing parents (mkdir -p), as the
 * user named it: links on the way are followed. Reports failures itself. */
int cli_make_dirs(const char *path);

/* Creates the directories between `dir` and the file `name` below it
 * (a '/'-separated portable path), refusing to follow a symbolic link that
 * sits in the way. Reports failures itself. */
int cli_make_parents(const char *dir, const char *name);

/* strdup, which C11 lacks; reports and returns NULL when out of memory. */
char *cli_strdup(const char *s);
/* Nonzero for the characters a terminal would not show as themselves: C1
 * controls and the bidirectional marks, embeddings, overrides and isolates
 * (which reorder what follows). */
int cli_is_hidden_control(uint32_t c);

/* `name` as it may be shown on a terminal, in buf: control bytes and bytes
 * that are not UTF-8 as \xNN, C1 and bidirectional controls as \uNNNN
 * (U+202E would show "evil\u202Etxt.exe" as "evilexe.txt"). Cut short when
 * buf is; CLI_NAME_TEXT bytes hold any member name. Returns buf. */
#define CLI_NAME_TEXT (ZMM_MAX_NAME_BYTES * 4 + 16)
const char *cli_name_text(const char *name, char *buf, size_t size);

/* ---- inputs.c: the files pack and add read ------------------------------ */

typedef struct cli_input {
    char *path; /* the file to read; "-" for standard input */
    char *name; /* the member it becomes */
    char *temp; /* add: the temporary member while writing, or NULL */
    uint64_t size;
    int size_known;
} cli_input;

typedef struct cli_inputs {
    cli_input *item;
    size_t count, cap;
} cli_inputs;

/* Expands the FILE operands of `command` (pack, add): a file is stored under
 * its relative path (cli_member_path), a folder as every file below it,
 * recursively, in byte order of their names; with `junk` (-j), under base
 * names. `as` (add --as) names the one operand, which must not be a folder;
 * "-" is standard input, named `as` or else `stdin_name`. Checks that the
 * files exist and the names are valid and unique, before anything is
 * written. CLI_OK, or CLI_USAGE / CLI_FAIL after reporting. */
int cli_inputs_collect(const char *command, const char *const *ops, int n,
                       int junk, const char *as, const char *stdin_name,
                       cli_inputs *in);
void cli_inputs_free(cli_inputs *in);

/* ---- options.c: option values ------------------------------------------ */

/* A -l level: one digit 0..9; -1 if invalid, after a usage error naming
 * `command`. */
int cli_parse_level(const char *command, const char *text);

/* A -b block size: a power of two from 4096 to 1048576, as a number or with
 * a k or m suffix ("64k", "1m", "65536", "64KiB"). 0 if invalid, after a
 * usage error naming `command`. */
uint32_t cli_parse_block_size(const char *command, const char *text);

/* A -T thread count: 1 to 64, or 0 for one per processor (returned as
 * ZMM_THREADS_ALL). 0 if invalid, after a usage error naming `command`. */
uint32_t cli_parse_threads(const char *command, const char *text);

/* "64 KiB", "1 MiB", "4096": a block size for display. */
const char *cli_block_size_text(uint32_t size, char *buf, size_t bufsize);

/* ---- output.c: files written whole or not at all ------------------------ */

/* An output file is written under a temporary name in its own directory and
 * renamed into place when complete; an existing file is replaced only with
 * force. path NULL or "-" writes to stdout instead. */
typedef struct cli_output {
    const char *path; /* the final name, NULL for stdout */
    char *temp;       /* the temporary name while writing */
    FILE *f;
    int force;
    /* A file (not stdout) where the OS keeps holes (sys_holes): every
     * aligned CLI_HOLE_BYTES of zeros is sought over, not written, so that
     * it takes no space; the file's size is set at the end. */
    int sparse;
    uint64_t pos;     /* bytes given so far */
    uint64_t at;      /* the stream's position: bytes written or sought */
    /* Given before cli_output_finish: the times and mode the file gets
     * (unpack restores a member's metadata so). */
    int has_meta;
    struct sys_meta *meta;
} cli_output;

#define CLI_HOLE_BYTES 4096u

int cli_output_open(cli_output *o, const char *path, int force);
int cli_output_write(cli_output *o, const void *buf, size_t len);
/* Closes and renames into place. Reports failures itself. */
int cli_output_finish(cli_output *o);
/* Closes and deletes the temporary file; nothing happens to `path`. */
void cli_output_abort(cli_output *o);

/* A temporary name beside `path`, unique to this process and `n`. */
char *cli_temp_name(const char *path, unsigned n);

/* Checks that `path` may be created: it does not exist, or `force` is set
 * and it is a file. Reports the problem itself. */
int cli_check_new_file(const char *path, int force);

/* ---- progress.c: a progress bar on stderr ------------------------------- */

/* Shown only when stderr is a terminal, not with -q, and only once the work
 * has taken more than about a second. Error messages clear it first. */
typedef struct cli_progress {
    const char *verb;
    uint64_t total; /* 0 if unknown */
    uint64_t done;
    uint64_t start_ms, drawn_ms;
    int enabled;
} cli_progress;

void cli_progress_start(cli_progress *p, const char *verb, uint64_t total);
void cli_progress_add(cli_progress *p, uint64_t bytes);
void cli_progress_end(cli_progress *p);
/* Erases the bar (if drawn) before another message goes to stderr. */
void cli_progress_clear(void);

/* ---- copy.c: bytes into and out of members ------------------------------ */

/* Copies `in` (named in_name in messages) into the stream `s` of member
 * `member` of `archive`, in whole blocks. Stops on Ctrl+C. */
int cli_copy_in(zmm_stream *s, FILE *in, const char *in_name,
                const char *archive, const char *member, uint32_t block_size,
                cli_progress *progress);

/* Copies member `member` (resolved: not "") of the open archive to `out`.
 * A damaged block stops the copy before any of its bytes are written, and
 * is reported with its index and logical offset. */
int cli_copy_out(zmm_archive *ar, const char *archive, const char *member,
                 cli_output *out, cli_progress *progress);

/* ---- filter.c: --filter auto|pcm|none ----------------------------------- */

enum { CLI_FILTER_AUTO, CLI_FILTER_PCM, CLI_FILTER_NONE };

/* CLI_FILTER_* for "auto", "pcm", "none"; -1 for anything else, after a
 * usage error naming `command`. */
int cli_parse_filter(const char *command, const char *text);

/* As cli_copy_in, after giving the member the PCM layout found in the
 * input's first bytes (auto: when there is one; pcm: failing when there is
 * none; none: never). `size` is the input's size, or UINT64_MAX. */
int cli_copy_in_filtered(zmm_stream *s, FILE *in, const char *in_name,
                         const char *archive, const char *member,
                         uint32_t block_size, uint64_t size, int filter,
                         int level, uint32_t threads, int use_dict,
                         cli_progress *progress);

/* ---- dict.c: preset dictionaries ----------------------------------------- */

/* Trains a dictionary on a sample of the seekable input (`size` bytes; not
 * for UINT64_MAX, a stream, nor under 256 KiB or at level 0) and gives it to
 * the empty member when a trial at `level` shows it saves at least 1%; on
 * `threads` threads (as -T), the same dictionary whatever their number.
 * Leaves the input at `resume_at`. CLI_OK when it decided either way. */
int cli_choose_dictionary(zmm_stream *s, FILE *in, const char *in_name,
                          const char *archive, const char *member,
                          uint32_t block_size, int level, uint32_t threads,
                          uint64_t size, uint64_t resume_at);

/* "pcm 16-bit 2ch @44+1411200" for a member with a PCM layout, "dict 32768"
 * for one with a preset dictionary of 32768 bytes, both joined by ", ",
 * else "". */
void cli_filter_text(const zmm_member_info *mi, char *buf, size_t n);

/* ---- meta.c: modification times and modes -------------------------------- */

/* Sets opt's metadata from the open input file f (its mtime and, on POSIX,
 * its mode); none when they cannot be read (stdin is given none). */
void cli_meta_from_file(FILE *f, zmm_member_options *opt);

/* Fills *m with what unpack gives the file of member mi: its mtime, and
 * its permission bits (0777: never set-user-ID, set-group-ID or sticky)
 * less the umask unless `same_permissions` (-p); out restores them. */
struct sys_meta;
void cli_meta_to_output(const zmm_member_info *mi, int same_permissions,
                        struct sys_meta *m, cli_output *out);

/* "-rw-r--r--" for a member with a mode (as ls, with s/S/t/T), else "-". */
const char *cli_mode_text(const zmm_member_info *mi, char *buf, size_t n);

/* "1969-07-20 20:17:40" (UTC) for a member with an mtime, else "-". */
const char *cli_time_text(const zmm_member_info *mi, char *buf, size_t n);

/* ---- archive.c: opening archives, finding members ----------------------- */

/* Opens an archive, reporting failures; NULL on failure. */
zmm_archive *cli_open_archive(const char *path, unsigned flags);

/* Closes (and so commits) an archive, reporting a failure. */
int cli_close_archive(zmm_archive *ar, const char *path);

/* The member `name` ("" or NULL: the default member); fills *info.
 * Reports "no such member" itself. */
int cli_find_member(zmm_archive *ar, const char *archive, const char *name,
                    zmm_member_info *info);

/* Splits a command's operands "ARCHIVE[+MEMBER] [MEMBER...]": *members (a
 * new array to free, pointing into ops and t) lists the members named, the
 * one after '+' first. A usage error when there is no operand. */
int cli_archive_operands(const char *command, const char **ops, int n,
                         cli_target *t, const char ***members, int *count);

/* ---- select.c: MEMBER operands, names and wildcards -------------------- */

/* Nonzero if `name` matches `pattern`: '*' any characters ('/' included),
 * '?' one character, "[...]" one of a set ("[!...]" or "[^...]": not). */
int cli_wildcard_match(const char *pattern, const char *name);

/* Nonzero if s has '*', '?' or '['. */
int cli_has_wildcards(const char *s);

/* Resolves the `n` MEMBER operands of `archive` into member indexes, each
 * member once, in the order first named: an operand that is a member's
 * exact name (NULL or "": the default member) is that member; one with
 * wildcards, every member it matches, in directory order. An operand that
 * names or matches nothing is reported ("no member matches '*.mid'") and
 * makes it fail. *index is a new array. */
int cli_select_members(zmm_archive *ar, const char *archive,
                       const char *const *ops, int n, size_t **index,
                       size_t *count);

/* Several archives in one command (list, verify, info): nonzero when every
 * one of the `n` operands names an existing file ending in ".zmm" (any
 * case). Otherwise list and verify take the operands after the first as
 * MEMBERs of the first. */
int cli_all_archives(const char *const *ops, int n);

/* ---- json.c: list --json ------------------------------------------------- */

/* Writes one archive's entry of `zmm list --json` to stdout: the members
 * `index` (count of them), after a comma when `comma`. */
void cli_json_archive(zmm_archive *ar, const char *path,
                      const size_t *index, size_t count, int comma);

/* ---- the commands ------------------------------------------------------- */

/* Each takes the command's arguments (argv[0] is the command's name) and
 * returns an exit status. */
int cmd_pack(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_default(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_compact(int argc, char **argv);

/* main.c: prints the help of one command (to stdout); 0 if it exists. */
int cli_help(const char *command);

/* Option ids every command accepts (options.h tables end with id 0). */
enum {
    OPT_HELP = 1000,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_KEEP,
    OPT_LEVEL_DIGIT /* + 1..9: -1 .. -9 */
};
#define CLI_COMMON_OPTIONS \
    {"help", 'h', 0, OPT_HELP}, {"quiet", 'q', 0, OPT_QUIET}, \
        {"verbose", 'v', 0, OPT_VERBOSE}

/* gzip's habits, for the commands that compress or extract: -k (keep the
 * inputs: zmm never deletes them, so it changes nothing) and -1 .. -9 (the
 * level, as -l N). */
#define CLI_KEEP_OPTION {"keep", 'k', 0, OPT_KEEP}
#define CLI_LEVEL_DIGITS \
    {NULL, '1', 0, OPT_LEVEL_DIGIT + 1}, {NULL, '2', 0, OPT_LEVEL_DIGIT + 2}, \
    {NULL, '3', 0, OPT_LEVEL_DIGIT + 3}, {NULL, '4', 0, OPT_LEVEL_DIGIT + 4}, \
    {NULL, '5', 0, OPT_LEVEL_DIGIT + 5}, {NULL, '6', 0, OPT_LEVEL_DIGIT + 6}, \
    {NULL, '7', 0, OPT_LEVEL_DIGIT + 7}, {NULL, '8', 0, OPT_LEVEL_DIGIT + 8}, \
    {NULL, '9', 0, OPT_LEVEL_DIGIT + 9}

/* The level of a -1 .. -9 option id, or -1 for another id. */
#define CLI_LEVEL_OF(id) \
    ((id) > OPT_LEVEL_DIGIT && (id) <= OPT_LEVEL_DIGIT + 9 \
         ? (id) - OPT_LEVEL_DIGIT : -1)

/* Applies a common option: 1 if `id` was one (set *exit_now to -1 to go
 * on, or an exit status after --help), 0 otherwise. */
int cli_common_option(int id, const char *command, int *exit_now);

#endif
