/*
 * inputs.c -- what pack and add read: FILE operands expanded into (file,
 * member name) pairs.
 *
 * A file is stored under its path as given, made relative as tar and zip do
 * (the root, a drive and everything up to the last ".." removed, "." parts
 * dropped, separators made '/'); a folder contributes every file below it,
 * recursively, named by the folder's path joined with theirs, in byte
 * order of those names, so the same tree always packs the same way. With
 * -j only base names are kept. Links to folders, devices and pipes found
 * inside a folder are skipped with a warning (a link loop or a pipe would
 * never end); links to files are read as the files.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

/* Appends an input that owns `path` and `name`; frees them on failure. */
static int push(cli_inputs *in, char *path, char *name)
{
    if (path != NULL && name != NULL && in->count == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 16;
        cli_input *grown = realloc(in->item, cap * sizeof *grown);

        if (grown != NULL) {
            in->item = grown;
            in->cap = cap;
        }
    }
    if (path == NULL || name == NULL || in->count == in->cap) {
        if (path != NULL && name != NULL)
            cli_error("out of memory");
        free(path);
        free(name);
        return CLI_FAIL;
    }
    memset(&in->item[in->count], 0, sizeof in->item[0]);
    in->item[in->count].path = path;
    in->item[in->count].name = name;
    in->count++;
    return CLI_OK;
}

/* PREFIX/NAME for member names ('/' always); NAME alone for "". */
static char *member_join(const char *prefix, const char *name)
{
    return prefix[0] ? cli_path_join(prefix, name) : cli_strdup(name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const cli_input *)a)->name, ((const cli_input *)b)->name);
}

/* Adds every file below folder `dir` as members under `prefix` ("" for
 * none; with junk, base names). */
static int walk(cli_inputs *in, const char *dir, const char *prefix,
                int junk)
{
    char **names = NULL;
    size_t count = 0, i;
    int rc = CLI_OK;
    char os[256];

    if (strlen(prefix) > ZMM_MAX_NAME_BYTES) {
        /* Every member below would be too long a name: stop descending. */
        cli_error("%s: too deep: member names below it would exceed %u "
                  "bytes", dir, ZMM_MAX_NAME_BYTES);
        return CLI_USAGE;
    }
    if (sys_list_dir(dir, &names, &count) != 0) {
        cli_error("%s: cannot read the folder: %s", dir,
                  cli_os_text(sys_last_error(), os, sizeof os));
        return CLI_FAIL;
    }
    for (i = 0; i < count && rc == CLI_OK; i++) {
        char *path = cli_path_join(dir, names[i]);
        char *name = path ? member_join(prefix, names[i]) : NULL;
        enum sys_file_type type = path ? sys_stat(path, NULL) : SYS_MISSING;

        if (name == NULL) {
            rc = CLI_FAIL;
        } else if (type == SYS_FILE) {
            if (junk) {
                free(name);
                name = cli_strdup(names[i]);
            }
            rc = push(in, path, name);
            path = name = NULL; /* owned by the list now */
        } else if (type == SYS_DIR && !sys_is_link(path)) {
            rc = walk(in, path, name, junk);
        } else {
            cli_warning("%s: skipped: %s", path,
                        type == SYS_DIR ? "a link to a folder (not followed)"
                        : type == SYS_MISSING ? "a broken link or unreadable"
                                              : "not a regular file");
        }
        free(path);
        free(name);
    }
    for (i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Adds one FILE operand: a file, a folder or "-". */
static int collect_one(cli_inputs *in, const char *command, const char *op,
                       int junk, const char *as, const char *stdin_name)
{
    int stripped = 0, rc;
    char *name;
    size_t first = in->count;

    if (strcmp(op, "-") == 0)
        return push(in, cli_strdup(op), cli_strdup(as ? as : stdin_name));
    switch (sys_stat(op, NULL)) {
    case SYS_DIR:
        if (as != NULL) {
            cli_usage_error(command, "%s: a folder: --as names one file; "
                            "a folder's files keep their paths", op);
            return CLI_USAGE;
        }
        name = junk ? cli_strdup("") : cli_member_path(op, &stripped);
        if (name == NULL)
            return CLI_FAIL;
        rc = walk(in, op, name, junk);
        if (rc == CLI_OK && in->count == first)
            cli_warning("%s: an empty folder: nothing to store", op);
        if (rc == CLI_OK && stripped)
            cli_warning("%s: its files are stored below '%s' (members are "
                        "relative paths; -j stores base names)", op,
                        name[0] ? name : ".");
        free(name);
        /* Sorted, so that the same tree always packs the same way. */
        if (rc == CLI_OK)
            qsort(in->item + first, in->count - first, sizeof in->item[0],
                  by_name);
        return rc;
    case SYS_MISSING: {
        char os[256];

        cli_error("%s: %s", op, cli_os_text(sys_last_error(), os, sizeof os));
        return CLI_FAIL;
    }
    default: /* a file, or a device or pipe read as a stream */
        if (as != NULL)
            name = cli_strdup(as);
        else if (junk)
            name = cli_strdup(cli_base_name(op));
        else
            name = cli_member_path(op, &stripped);
        if (name != NULL && stripped)
            cli_warning("%s: stored as '%s' (members are relative paths; "
                        "-j stores base names)", op, name);
        return push(in, cli_strdup(op), name);
    }
}

/* collect_one for an operand, or for each file its wildcards name when it
 * names none itself (Windows: sys_glob). */
static int expand(cli_inputs *in, const char *command, const char *op,
                  int junk, const char *as, const char *stdin_name)
{
    char **names = NULL;
    size_t count = 0, i;
    int rc = CLI_OK;

    if (cli_has_wildcards(op) && sys_stat(op, NULL) == SYS_MISSING &&
        sys_glob(op, &names, &count) == 0 && count > 0) {
        if (as != NULL && count > 1) {
            cli_usage_error(command, "--as names one file; '%s' names %lu",
                            op, (unsigned long)count);
            rc = CLI_USAGE;
        }
        for (i = 0; i < count && rc == CLI_OK; i++)
            rc = collect_one(in, command, names[i], junk, as, stdin_name);
        for (i = 0; i < count; i++)
            free(names[i]);
        free(names);
        return rc;
    }
    return collect_one(in, command, op, junk, as, stdin_name);
}

static int by_name_pointer(const void *a, const void *b)
{
    return strcmp((*(cli_input *const *)a)->name,
                  (*(cli_input *const *)b)->name);
}

/* Every name valid and unique; a warning for those unpack would refuse. */
static int check_names(const cli_inputs *in, const char *command)
{
    cli_input **sorted;
    size_t i;
    int rc = CLI_OK;
    char shown[CLI_NAME_TEXT], path[CLI_NAME_TEXT];

    for (i = 0; i < in->count; i++) {
        const cli_input *it = &in->item[i];

        if (!zmm_name_is_valid(it->name)) {
            cli_usage_error(command, "%s: '%s' cannot be a member name (1 to "
                            "%u bytes of UTF-8, no control or bidirectional "
                            "control characters)",
                            cli_name_text(it->path, path, sizeof path),
                            cli_name_text(it->name, shown, sizeof shown),
                            ZMM_MAX_NAME_BYTES);
            return CLI_USAGE;
        }
        if (!zmm_name_is_portable_path(it->name))
            cli_warning("member name '%s' is not portable: zmm unpack will "
                        "refuse it",
                        cli_name_text(it->name, shown, sizeof shown));
    }
    sorted = malloc((in->count + 1) * sizeof *sorted);
    if (sorted == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    for (i = 0; i < in->count; i++)
        sorted[i] = &in->item[i];
    qsort(sorted, in->count, sizeof *sorted, by_name_pointer);
    for (i = 1; i < in->count && rc == CLI_OK; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
            cli_usage_error(command, "%s and %s would both be member '%s'; "
                            "store them in separate archives or name one "
                            "with zmm add --as",
                            sorted[i - 1]->path, sorted[i]->path,
                            cli_name_text(sorted[i]->name, shown,
                                          sizeof shown));
            rc = CLI_USAGE;
        }
    free(sorted);
    return rc;
}

int cli_inputs_collect(const char *command, const char *const *ops, int n,
                       int junk, const char *as, const char *stdin_name,
                       cli_inputs *in)
{
    int i, stdin_seen = 0, rc = CLI_OK;

    memset(in, 0, sizeof *in);
    for (i = 0; i < n && rc == CLI_OK; i++) {
        if (strcmp(ops[i], "-") == 0 && stdin_seen++) {
            cli_usage_error(command, "standard input ('-') given twice");
            return CLI_USAGE;
        }
        rc = expand(in, command, ops[i], junk, as, stdin_name);
    }
    if (rc == CLI_OK)
        rc = check_names(in, command);
    /* Sizes, for the progress bar and the dictionary's sample. */
    for (i = 0; rc == CLI_OK && (size_t)i < in->count; i++)
        if (strcmp(in->item[i].path, "-") != 0)
            in->item[i].size_known =
                sys_stat(in->item[i].path, &in->item[i].size) == SYS_FILE;
    return rc;
}

void cli_inputs_free(cli_inputs *in)
{
    size_t i;

    for (i = 0; i < in->count; i++) {
        free(in->item[i].path);
        free(in->item[i].name);
        free(in->item[i].temp);
    }
    free(in->item);
    memset(in, 0, sizeof *in);
}
