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

enum {
    OPT_OUTPUT = 1, OPT_DIRECTORY, OPT_FORCE, OPT_KEEP_GOING, OPT_SAME_PERMS
};

static const cli_option cat_options[] = {
    {"output", 'o', 1, OPT_OUTPUT},
    {"force", 'f', 0, OPT_FORCE},
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

static const cli_option unpack_options[] = {
    {"directory", 'C', 1, OPT_DIRECTORY},
    {"force", 'f', 0, OPT_FORCE},
    {"keep-going", 0, 0, OPT_KEEP_GOING},
    {"same-permissions", 'p', 0, OPT_SAME_PERMS},
    CLI_KEEP_OPTION,
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

typedef struct extract_args {
    const char **ops;
    int n;
    const char *path; /* -o FILE or -C DIR */
    int force;
    int keep_going;   /* unpack --keep-going */
    int same_perms;   /* unpack -p: the modes without the umask */
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
        case OPT_KEEP_GOING:
            a->keep_going = 1;
            break;
        case OPT_SAME_PERMS:
            a->same_perms = 1;
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

/* Writes member `name` (described by mi) to DIR/name, with its mtime and
 * mode (cli_meta_to_output). */
static int unpack_one(zmm_archive *ar, const char *archive, const char *name,
                      const zmm_member_info *mi, const extract_args *a,
                      cli_progress *progress)
{
    const char *dir = a->path;
    cli_output out;
    sys_meta meta;
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
        rc = cli_output_open(&out, path, a->force);
    if (rc == CLI_OK) {
        cli_meta_to_output(mi, a->same_perms, &meta, &out);
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

/* unpack --keep-going: cli_select_members operand by operand, so that one
 * naming or matching nothing (reported) does not stop the others. Returns
 * the number of such operands; *index gets the members of the rest. */
static int select_each(zmm_archive *ar, const char *archive,
                       const char **ops, int n, size_t **index,
                       size_t *count)
{
    size_t members = zmm_archive_member_count(ar), m, j;
    unsigned char *seen = calloc(members + 1, 1);
    int k, missing = 0;

    *count = 0;
    *index = malloc((members + 1) * sizeof **index);
    if (seen == NULL || *index == NULL) {
        cli_error("out of memory");
        free(seen);
        return n;
    }
    for (k = 0; k < n; k++) {
        size_t *one = NULL;

        if (cli_select_members(ar, archive, ops + k, 1, &one, &m) !=
            CLI_OK) {
            missing++;
            continue;
        }
        for (j = 0; j < m; j++)
            if (!seen[one[j]]) {
                seen[one[j]] = 1;
                (*index)[(*count)++] = one[j];
            }
        free(one);
    }
    free(seen);
    return missing;
}

/* --keep-going's last word: the members not unpacked, by name. */
static void name_failed(const char *archive, char **names,
                        const unsigned char *bad, size_t count)
{
    char shown[CLI_NAME_TEXT];
    size_t i;

    cli_progress_clear();
    fprintf(stderr, "zmm: %s: not unpacked:", archive);
    for (i = 0; i < count; i++)
        if (bad[i]) {
            fprintf(stderr, " '");
            sys_write_text(stderr, cli_name_text(names[i], shown,
                                                 sizeof shown));
            fprintf(stderr, "'");
        }
    fprintf(stderr, "\n");
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
    int failed = 0, missing = 0;
    unsigned char *bad = NULL;
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
    if (given && a.keep_going)
        missing = select_each(ar, t.archive, members, given, &index, &count);
    else if (given)
        rc = cli_select_members(ar, t.archive, members, given, &index,
                                &count);
    else
        count = zmm_archive_member_count(ar);
    names = rc == CLI_OK ? calloc(count + 1, sizeof *names) : NULL;
    bad = rc == CLI_OK ? calloc(count + 1, 1) : NULL;
    if (rc == CLI_OK && (names == NULL || bad == NULL)) {
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
    /* A refused or damaged member does not stop the others (its file is
     * never left half-written: cli_output). */
    for (i = 0; i < count && !sys_interrupted(); i++)
        if (unpack_one(ar, t.archive, names[i],
                       member_at(ar, given ? index[i] : i), &a,
                       &progress) != CLI_OK) {
            bad[i] = 1;
            failed++;
        }
    cli_progress_end(&progress);
    if (failed > 0 && count > 1)
        cli_error("%s: %d of %lu members not unpacked", t.archive, failed,
                  (unsigned long)count);
    if (failed > 0 && a.keep_going)
        name_failed(t.archive, names, bad, count);
    if (failed > 0 || missing > 0)
        rc = CLI_FAIL;

done:
    if (ar != NULL)
        zmm_archive_close(ar);
    if (names != NULL)
        for (i = 0; i < count; i++)
            free(names[i]);
    free(names);
    free(bad);
    free(index);
    free(members);
    free(a.ops);
    cli_target_free(&t);
    return rc;
}
