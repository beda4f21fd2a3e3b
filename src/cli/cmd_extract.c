/*
 * cmd_extract.c -- members out of an archive: zmm cat (to standard output
 * or one file) and zmm unpack (each member to a file of its name).
 *
 * unpack writes only below its directory: a member name is used as a path
 * only when zmm_name_is_portable_path() accepts it (no "..", no absolute
 * path, drive letter, backslash, device name...), and directories on the
 * way that are symbolic links are not followed (cli_make_parents).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "sys.h"

enum { OPT_OUTPUT = 1, OPT_DIRECTORY, OPT_FORCE };

static const cli_option cat_options[] = {
    {"output", 'o', 1, OPT_OUTPUT},
    {"force", 'f', 0, OPT_FORCE},
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

static const cli_option unpack_options[] = {
    {"directory", 'C', 1, OPT_DIRECTORY},
    {"force", 'f', 0, OPT_FORCE},
    CLI_KEEP_OPTION,
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

typedef struct extract_args {
    const char **ops;
    int n;
    const char *path; /* -o FILE or -C DIR */
    int force;
} extract_args;

/* Parses the options of cat or unpack. Returns -1 to go on, else an exit
 * status. */
static int parse(int argc, char **argv, const char *command,
                 const cli_option *table, extract_args *a)
{
    cli_parser p;
    const char *value;
    int id, exit_now = -1;

    memset(a, 0, sizeof *a);
    a->ops = calloc((size_t)argc, sizeof *a->ops);
    if (a->ops == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_parser_init(&p, argc, argv, 1, command);
    while ((id = cli_next_option(&p, table, &value)) != CLI_END) {
        switch (id) {
        case CLI_OPERAND:
            a->ops[a->n++] = value;
            break;
        case OPT_OUTPUT:
        case OPT_DIRECTORY:
            a->path = value;
            break;
        case OPT_FORCE:
            a->force = 1;
            break;
        case OPT_KEEP: /* the archive is always kept */
            break;
        case CLI_BAD:
            return CLI_USAGE;
        default:
            if (cli_common_option(id, command, &exit_now) && exit_now >= 0)
                return exit_now;
        }
    }
    return -1;
}

/* ---- cat ---------------------------------------------------------------- */

/* Member `index`'s info; valid until the next call (read-only archives). */
static const zmm_member_info *member_at(zmm_archive *ar, size_t index)
{
    static zmm_member_info mi;

    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    if (zmm_archive_member_info(ar, index, &mi) != ZMM_OK)
        mi.name = "";
    return &mi;
}

int cmd_cat(int argc, char **argv)
{
    extract_args a;
    cli_target t = {NULL, NULL};
    const char **members = NULL;
    const char *none = NULL; /* no MEMBER: the default member */
    zmm_archive *ar = NULL;
    cli_output out;
    cli_progress progress;
    int count = 0, rc = parse(argc, argv, "zmm cat", cat_options, &a);
    size_t *index = NULL, selected = 0, i;
    uint64_t total = 0;
    char verb[300];

    if (rc < 0)
        rc = cli_archive_operands("zmm cat", a.ops, a.n, &t, &members,
                                  &count);
    if (rc != CLI_OK)
        goto done;
    if (count == 0) {
        members[0] = none;
        count = 1;
    }
    ar = cli_open_archive(t.archive, ZMM_OPEN_READ);
    if (ar == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    /* Look every member up first: a wrong name fails before any output. */
    rc = cli_select_members(ar, t.archive, members, count, &index,
                            &selected);
    for (i = 0; i < selected; i++)
        total += member_at(ar, index[i])->size;
    if (rc != CLI_OK || (rc = cli_output_open(&out, a.path, a.force)) != 0)
        goto done;
    snprintf(verb, sizeof verb, "reading %s", cli_base_name(t.archive));
    cli_progress_start(&progress, verb, total);
    for (i = 0; i < selected && rc == CLI_OK; i++)
        rc = cli_copy_out(ar, t.archive, member_at(ar, index[i])->name, &out,
                          &progress);
    cli_progress_end(&progress);
    if (rc == CLI_OK)
        rc = cli_output_finish(&out);
    else
        cli_output_abort(&out);

done:
    if (ar != NULL)
        zmm_archive_close(ar);
    free(index);
    free(members);
    free(a.ops);
    cli_target_free(&t);
    return rc;
}

/* ---- unpack ------------------------------------------------------------- */

/* Writes member `name` to DIR/name. */
static int unpack_one(zmm_archive *ar, const char *archive, const char *name,
                      const char *dir, int force, cli_progress *progress)
{
    cli_output out;
    char *path;
    int rc;

    if (!zmm_name_is_portable_path(name)) {
        char shown[CLI_NAME_TEXT];

        cli_error("%s: member '%s': refused: not a safe file name (it is "
                  "empty, absolute or has '..', a drive letter, '\\', ':', a "
                  "device name such as CON or NUL, or a trailing dot or "
                  "space; or it is not UTF-8 or has a bidirectional "
                  "control); zmm cat can still read it",
                  archive, cli_name_text(name, shown, sizeof shown));
        return CLI_FAIL;
    }
    path = cli_path_join(dir, name);
    if (path == NULL)
        return CLI_FAIL;
    rc = cli_make_parents(dir, name);
    if (rc == CLI_OK)
        rc = cli_output_open(&out, path, force);
    if (rc == CLI_OK) {
        rc = cli_copy_out(ar, archive, name, &out, progress);
        if (rc == CLI_OK)
            rc = cli_output_finish(&out);
        else
            cli_output_abort(&out);
    }
    if (rc == CLI_OK)
        cli_note("%s", path);
    free(path);
    return rc;
}

int cmd_unpack(int argc, char **argv)
{
    extract_args a;
    cli_target t = {NULL, NULL};
    const char **members = NULL;
    char **names = NULL;
    zmm_archive *ar = NULL;
    cli_progress progress;
    size_t i, count = 0, *index = NULL;
    int given = 0, rc = parse(argc, argv, "zmm unpack", unpack_options, &a);
    int failed = 0;
    uint64_t total = 0;
    char verb[300];

    if (rc < 0)
        rc = cli_archive_operands("zmm unpack", a.ops, a.n, &t, &members,
                                  &given);
    if (rc != CLI_OK)
        goto done;
    ar = cli_open_archive(t.archive, ZMM_OPEN_READ);
    if (ar == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    if (given)
        rc = cli_select_members(ar, t.archive, members, given, &index,
                                &count);
    else
        count = zmm_archive_member_count(ar);
    names = rc == CLI_OK ? calloc(count + 1, sizeof *names) : NULL;
    if (rc == CLI_OK && names == NULL) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    }
    for (i = 0; i < count && rc == CLI_OK; i++) {
        const zmm_member_info *mi = member_at(ar, given ? index[i] : i);

        if ((names[i] = cli_strdup(mi->name)) == NULL)
            rc = CLI_FAIL;
        total += mi->size;
    }
    if (rc != CLI_OK)
        goto done;
    if (a.path != NULL && cli_make_dirs(a.path) != CLI_OK) {
        rc = CLI_FAIL;
        goto done;
    }
    snprintf(verb, sizeof verb, "unpacking %s", cli_base_name(t.archive));
    cli_progress_start(&progress, verb, total);
    /* A refused or failed member does not stop the others. */
    for (i = 0; i < count && !sys_interrupted(); i++)
        if (unpack_one(ar, t.archive, names[i], a.path, a.force,
                       &progress) != CLI_OK)
            failed++;
    cli_progress_end(&progress);
    if (failed > 0) {
        if (count > 1)
            cli_error("%s: %d of %lu members not unpacked", t.archive,
                      failed, (unsigned long)count);
        rc = CLI_FAIL;
    }

done:
    if (ar != NULL)
        zmm_archive_close(ar);
    if (names != NULL)
        for (i = 0; i < count; i++)
            free(names[i]);
    free(names);
    free(index);
    free(members);
    free(a.ops);
    cli_target_free(&t);
    return rc;
}
