/*
 * cmd_edit.c -- commands that change an archive in place: add, rm, rename,
 * default.
 *
 * They go through the core's copy-on-write commit, which makes every change
 * of one command durable at once when the archive is closed: a crash leaves
 * the archive as it was before or as it is after, never in between.
 *
 * add writes each file into a temporary member first; only when every file
 * has been stored does it remove the members being replaced and rename the
 * temporary ones, and then commit once. A failure or Ctrl+C midway commits
 * nothing: zmm_archive_abandon cuts off what was appended, so the archive
 * is byte for byte as it was (and a full disk gets its space back).
 *
 * add --checkpoint writes each file straight into its member instead and
 * lets the core checkpoint every 4 MiB or 2 s (zmm_archive_set_checkpoints):
 * a long add (a large file, standard input) interrupted or killed keeps what
 * was committed, as a recording does.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "sys.h"

/* Parses options that are only the common ones, collecting the operands
 * into ops (argc entries). Returns -1 to go on, else an exit status. */
static int common_only(int argc, char **argv, const char *command,
                       const char **ops, int *n)
{
    static const cli_option table[] = {CLI_COMMON_OPTIONS, {NULL, 0, 0, 0}};
    cli_parser p;
    const char *value;
    int id, exit_now = -1;

    *n = 0;
    cli_parser_init(&p, argc, argv, 1, command);
    while ((id = cli_next_option(&p, table, &value)) != CLI_END) {
        if (id == CLI_OPERAND)
            ops[(*n)++] = value;
        else if (id == CLI_BAD)
            return CLI_USAGE;
        else if (cli_common_option(id, command, &exit_now) && exit_now >= 0)
            return exit_now;
    }
    return -1;
}

/* ---- add ---------------------------------------------------------------- */

enum { OPT_AS = 1, OPT_LEVEL, OPT_BLOCK, OPT_FILTER, OPT_NO_DICT,
       OPT_CHECKPOINT, OPT_THREADS, OPT_JUNK };

/* add --checkpoint: zmmio.dll's recording policy (src/ioproc/ioproc.c). */
#define ADD_CHECKPOINT_BYTES ((uint64_t)4 << 20)
#define ADD_CHECKPOINT_MS 2000u

static const cli_option add_options[] = {
    {"as", 0, 1, OPT_AS},
    {"level", 'l', 1, OPT_LEVEL},
    {"block-size", 'b', 1, OPT_BLOCK},
    {"filter", 0, 1, OPT_FILTER},
    {"no-dict", 0, 0, OPT_NO_DICT},
    {"checkpoint", 0, 0, OPT_CHECKPOINT},
    {"threads", 'T', 1, OPT_THREADS},
    {"junk-paths", 'j', 0, OPT_JUNK},
    CLI_KEEP_OPTION,
    CLI_LEVEL_DIGITS,
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

/* Writes one input into a new temporary member, or (in_place) straight
 * into its member. */
static int add_one(zmm_archive *ar, const char *archive, cli_input *in,
                   size_t index, const zmm_member_options *given,
                   int filter, int use_dict, int in_place,
                   cli_progress *progress)
{
    zmm_member_options opt = *given;
    zmm_member_info old;
    size_t at;
    zmm_stream *s = NULL;
    zmm_result r = ZMM_ERR_EXISTS;
    int is_stdin = strcmp(in->path, "-") == 0, rc, k;
    FILE *f;
    char os[256];

    /* A replaced member keeps its settings unless the command line says. */
    memset(&old, 0, sizeof old);
    old.struct_size = sizeof old;
    if (zmm_archive_find(ar, in->name, &at) == ZMM_OK &&
        zmm_archive_member_info(ar, at, &old) == ZMM_OK) {
        if (opt.block_size == 0)
            opt.block_size = old.block_size;
        if (opt.level == -1)
            opt.level = old.level;
    }
    if (opt.block_size == 0)
        opt.block_size = ZMM_DEFAULT_BLOCK_SIZE;
    /* The input first: its mtime and mode go with the new member. */
    f = is_stdin ? stdin : sys_fopen(in->path, "rb");
    if (f == NULL) {
        cli_error("%s: cannot open: %s", in->path,
                  cli_os_text(sys_last_error(), os, sizeof os));
        return CLI_FAIL;
    }
    if (!is_stdin)
        cli_meta_from_file(f, &opt);

    /* In place (--checkpoint): its checkpoints publish the member itself. */
    if (in_place)
        r = zmm_stream_open(ar, in->name,
                            ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                ZMM_STREAM_TRUNCATE,
                            &opt, &s);
    for (k = 0; k < 1000 && r == ZMM_ERR_EXISTS; k++) {
        char temp[64];

        snprintf(temp, sizeof temp, ".zmm-add-%lu-%d", (unsigned long)index,
                 k);
        r = zmm_stream_open(ar, temp,
                            ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                ZMM_STREAM_EXCLUSIVE,
                            &opt, &s);
        if (r == ZMM_OK && (in->temp = cli_strdup(temp)) == NULL) {
            zmm_stream_close(s);
            zmm_archive_remove(ar, temp);
            if (!is_stdin)
                fclose(f);
            return CLI_FAIL;
        }
    }
    if (r != ZMM_OK) {
        cli_archive_error(archive, in->name, "cannot create", r,
                          zmm_archive_os_error(ar));
        if (!is_stdin)
            fclose(f);
        return CLI_FAIL;
    }
    if (sys_same_file(archive, f)) {
        /* Reading what we append to would never reach the end. */
        cli_error("%s: is the archive itself; cannot add it to itself",
                  is_stdin ? "standard input" : in->path);
        rc = CLI_FAIL;
    } else {
        rc = cli_copy_in_filtered(
            s, f, is_stdin ? "standard input" : in->path, archive, in->name,
            opt.block_size, in->size_known ? in->size : UINT64_MAX, filter,
            opt.level == -1 ? ZMM_DEFAULT_LEVEL : opt.level, opt.threads,
            use_dict, progress);
    }
    if (!is_stdin)
        fclose(f);
    r = zmm_stream_close(s);
    if (rc == CLI_OK && r != ZMM_OK) {
        cli_archive_error(archive, in->name, "cannot write", r,
                          zmm_archive_os_error(ar));
        rc = CLI_FAIL;
    }
    return rc;
}

/* Puts the temporary members in place of the ones they replace. */
static int install(zmm_archive *ar, const char *archive, cli_input *in)
{
    size_t at;
    zmm_member_info old;
    int was_default = 0;
    zmm_result r = ZMM_OK;

    if (in->temp == NULL) { /* written in place (--checkpoint) */
        cli_note("%s: written", in->name);
        return CLI_OK;
    }
    memset(&old, 0, sizeof old);
    old.struct_size = sizeof old;
    if (zmm_archive_find(ar, in->name, &at) == ZMM_OK) {
        if (zmm_archive_member_info(ar, at, &old) == ZMM_OK)
            was_default = (old.flags & ZMM_MEMBER_DEFAULT) != 0;
        r = zmm_archive_remove(ar, in->name);
        cli_note("%s: replaced", in->name);
    } else {
        cli_note("%s: added", in->name);
    }
    if (r == ZMM_OK)
        r = zmm_archive_rename(ar, in->temp, in->name);
    if (r == ZMM_OK && was_default)
        r = zmm_archive_set_default(ar, in->name);
    if (r != ZMM_OK) {
        cli_archive_error(archive, in->name, "cannot put in place", r, 0);
        return CLI_FAIL;
    }
    free(in->temp);
    in->temp = NULL;
    return CLI_OK;
}

int cmd_add(int argc, char **argv)
{
    const char *as_name = NULL, *value;
    const char **ops = calloc((size_t)argc, sizeof *ops);
    cli_inputs in = {NULL, 0, 0};
    int n = 0, id, i, rc = CLI_OK, exit_now = -1, stop = 0, junk = 0;
    int created = 0;
    char *spelled = NULL;
    int filter = CLI_FILTER_AUTO, use_dict = 1, checkpoint = 0;
    size_t k;
    zmm_member_options opt;
    zmm_archive *ar = NULL;
    cli_target t = {NULL, NULL};
    cli_parser p;
    cli_progress progress;
    uint64_t total = 0;
    char verb[300];

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.block_size = 0; /* 0 and -1: keep a replaced member's settings */
    opt.level = -1;
    opt.threads = ZMM_THREADS_ALL;
    if (ops == NULL) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    cli_parser_init(&p, argc, argv, 1, "zmm add");
    while (rc == CLI_OK && !stop &&
           (id = cli_next_option(&p, add_options, &value)) != CLI_END) {
        switch (id) {
        case CLI_OPERAND:
            ops[n++] = value;
            break;
        case OPT_AS:
            as_name = value;
            break;
        case OPT_LEVEL:
            opt.level = cli_parse_level("zmm add", value);
            if (opt.level < 0)
                rc = CLI_USAGE;
            break;
        case OPT_BLOCK:
            opt.block_size = cli_parse_block_size("zmm add", value);
            if (opt.block_size == 0)
                rc = CLI_USAGE;
            break;
        case OPT_FILTER:
            filter = cli_parse_filter("zmm add", value);
            if (filter < 0)
                rc = CLI_USAGE;
            break;
        case OPT_NO_DICT:
            use_dict = 0;
            break;
        case OPT_CHECKPOINT:
            checkpoint = 1;
            break;
        case OPT_JUNK:
            junk = 1;
            break;
        case OPT_THREADS:
            opt.threads = cli_parse_threads("zmm add", value);
            if (opt.threads == 0)
                rc = CLI_USAGE;
            break;
        case CLI_BAD:
            rc = CLI_USAGE;
            break;
        case OPT_KEEP: /* inputs are always kept */
            break;
        default:
            if (CLI_LEVEL_OF(id) > 0)
                opt.level = CLI_LEVEL_OF(id);
            else if (cli_common_option(id, "zmm add", &exit_now) &&
                exit_now >= 0) {
                rc = exit_now;
                stop = 1;
            }
        }
    }
    if (rc != CLI_OK || stop)
        goto done;
    if (n < 2) {
        cli_usage_error("zmm add", n == 0 ? "no ARCHIVE given"
                                          : "no FILE to add");
        rc = CLI_USAGE;
        goto done;
    }
    if ((rc = cli_target_split(ops[0], &t)) != CLI_OK)
        goto done;
    if (t.member != NULL) {
        if (as_name != NULL) {
            cli_usage_error("zmm add", "give the member name either after "
                                       "'+' or with --as, not both");
            rc = CLI_USAGE;
            goto done;
        }
        as_name = t.member;
    }
    if (as_name != NULL) { /* "sub\\a.wav" on Windows: "sub/a.wav" */
        if ((spelled = cli_member_spelling(as_name)) == NULL) {
            rc = CLI_FAIL;
            goto done;
        }
        as_name = spelled;
    }
    if (as_name != NULL && n > 2) {
        cli_usage_error("zmm add", "--as names one member: give one FILE");
        rc = CLI_USAGE;
        goto done;
    }
    for (i = 1; i < n; i++)
        if (strcmp(ops[i], "-") == 0 && as_name == NULL) {
            /* A name made from the archive's would silently replace that
             * member (issue 14): standard input has no name of its own. */
            cli_usage_error("zmm add", "'-' (standard input) needs a member "
                            "name: --as NAME or %s+NAME", t.archive);
            rc = CLI_USAGE;
            goto done;
        }

    /* A missing archive is made, as zip and tar -r do; if the add fails,
     * it is deleted again, so a failed add leaves nothing behind. */
    if (sys_stat(t.archive, NULL) == SYS_MISSING) {
        long os_error = 0;
        zmm_result r = zmm_archive_open(t.archive,
                                        ZMM_OPEN_WRITE | ZMM_OPEN_CREATE |
                                            ZMM_OPEN_EXCLUSIVE,
                                        &ar, &os_error);

        if (r != ZMM_OK) {
            cli_archive_error(t.archive, NULL, "cannot create", r, os_error);
            rc = CLI_FAIL;
            goto done;
        }
        created = 1;
        cli_note("%s: a new archive", t.archive);
    } else if ((ar = cli_open_archive(t.archive, ZMM_OPEN_WRITE)) == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    if (as_name != NULL && as_name[0] == '\0') { /* "x.zmm+": the default */
        zmm_member_info mi;

        if (cli_find_member(ar, t.archive, NULL, &mi) != CLI_OK) {
            rc = CLI_FAIL;
            goto close;
        }
        free(t.member);
        if ((t.member = cli_strdup(mi.name)) == NULL) {
            rc = CLI_FAIL;
            goto close;
        }
        as_name = t.member;
    }
    rc = cli_inputs_collect("zmm add", ops + 1, n - 1, junk, as_name, NULL,
                            &in);
    if (rc != CLI_OK)
        goto close;
    if (checkpoint) {
        zmm_checkpoint_policy policy;
        zmm_result r;

        memset(&policy, 0, sizeof policy);
        policy.struct_size = sizeof policy;
        policy.bytes = ADD_CHECKPOINT_BYTES;
        policy.interval_ms = ADD_CHECKPOINT_MS;
        r = zmm_archive_set_checkpoints(ar, &policy);
        if (r != ZMM_OK) {
            cli_archive_error(t.archive, NULL, "cannot checkpoint", r, 0);
            rc = CLI_FAIL;
            goto close;
        }
    }
    for (k = 0; k < in.count && total != UINT64_MAX; k++)
        total = in.item[k].size_known ? total + in.item[k].size : UINT64_MAX;
    snprintf(verb, sizeof verb, "adding to %s", cli_base_name(t.archive));
    cli_progress_start(&progress, verb, total == UINT64_MAX ? 0 : total);
    for (k = 0; k < in.count && rc == CLI_OK; k++)
        rc = add_one(ar, t.archive, &in.item[k], k, &opt, filter, use_dict,
                     checkpoint, &progress);
    cli_progress_end(&progress);
    if (sys_interrupted())
        rc = CLI_FAIL;
    for (k = 0; k < in.count && rc == CLI_OK; k++)
        rc = install(ar, t.archive, &in.item[k]);

close:
    /* After a failure or Ctrl+C, give up without committing: the core cuts
     * off what was appended, so the archive is byte for byte as it was.
     * --checkpoint keeps what its checkpoints published (and, on Ctrl+C,
     * commits what was written: the member is a prefix, as a recording). */
    if (rc != CLI_OK && !checkpoint) {
        if (zmm_archive_abandon(ar) != ZMM_OK)
            rc = CLI_FAIL;
    } else if (cli_close_archive(ar, t.archive) != CLI_OK) {
        rc = CLI_FAIL;
    }
    if (rc != CLI_OK && created && !checkpoint)
        sys_remove(t.archive);

done:
    cli_inputs_free(&in);
    free(spelled);
    free(ops);
    cli_target_free(&t);
    return rc;
}

/* ---- rm ----------------------------------------------------------------- */

int cmd_rm(int argc, char **argv)
{
    const char **ops = calloc((size_t)argc, sizeof *ops);
    const char **members = NULL;
    char **names = NULL;
    int n = 0, count = 0, rc, removed_default = 0;
    size_t *index = NULL, selected = 0, k;
    zmm_archive *ar;
    cli_target t = {NULL, NULL};

    if (ops == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    rc = common_only(argc, argv, "zmm rm", ops, &n);
    if (rc < 0)
        rc = cli_archive_operands("zmm rm", ops, n, &t, &members, &count);
    if (rc == CLI_OK && count == 0) {
        cli_usage_error("zmm rm", "no MEMBER to remove");
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK)
        goto done;
    ar = cli_open_archive(t.archive, ZMM_OPEN_WRITE);
    if (ar == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    /* All or nothing: look every member up before removing any. */
    rc = cli_select_members(ar, t.archive, members, count, &index,
                            &selected);
    names = rc == CLI_OK ? calloc(selected + 1, sizeof *names) : NULL;
    if (rc == CLI_OK && names == NULL) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    }
    for (k = 0; k < selected && rc == CLI_OK; k++) {
        zmm_member_info mi;

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        if (zmm_archive_member_info(ar, index[k], &mi) != ZMM_OK ||
            (names[k] = cli_strdup(mi.name)) == NULL)
            rc = CLI_FAIL;
        if (mi.flags & ZMM_MEMBER_DEFAULT)
            removed_default = 1;
    }
    /* Removing cannot fail now (only for a member open in a stream, and
     * none is), so the commit below never publishes half the removals. */
    for (k = 0; k < selected && rc == CLI_OK; k++) {
        zmm_result r = zmm_archive_remove(ar, names[k]);

        if (r != ZMM_OK) {
            cli_archive_error(t.archive, names[k], "cannot remove", r, 0);
            rc = CLI_FAIL;
        } else {
            cli_note("%s: removed", names[k]);
        }
    }
    if (cli_close_archive(ar, t.archive) != CLI_OK)
        rc = CLI_FAIL;
    if (rc == CLI_OK && removed_default &&
        (ar = cli_open_archive(t.archive, ZMM_OPEN_READ)) != NULL) {
        if (zmm_archive_member_count(ar) > 0)
            cli_warning("%s: the default member was removed; choose another "
                        "with zmm default", t.archive);
        zmm_archive_close(ar);
    }

done:
    if (names != NULL)
        for (k = 0; k < selected; k++)
            free(names[k]);
    free(names);
    free(index);
    free(members);
    free(ops);
    cli_target_free(&t);
    return rc;
}

/* ---- rename and default ------------------------------------------------- */

/* Opens ARCHIVE for writing and resolves its one named member (ARCHIVE+M
 * or ARCHIVE M), after which `extra` operands must follow. */
static int edit_operands(int argc, char **argv, const char *command,
                         int extra, cli_target *t, char **member,
                         const char ***rest, zmm_archive **ar)
{
    const char **ops = calloc((size_t)argc, sizeof *ops);
    const char **members = NULL;
    int n = 0, count = 0, rc;
    zmm_member_info mi;

    *member = NULL;
    *rest = ops;
    *ar = NULL;
    if (ops == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    rc = common_only(argc, argv, command, ops, &n);
    if (rc < 0)
        rc = cli_archive_operands(command, ops, n, t, &members, &count);
    if (rc == CLI_OK && count != 1 + extra) {
        cli_usage_error(command, "give ARCHIVE %s", extra ? "OLD NEW"
                                                          : "MEMBER");
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && (*ar = cli_open_archive(t->archive,
                                                ZMM_OPEN_WRITE)) == NULL)
        rc = CLI_FAIL;
    if (rc == CLI_OK &&
        (rc = cli_find_member(*ar, t->archive, members[0], &mi)) == CLI_OK &&
        (*member = cli_strdup(mi.name)) == NULL)
        rc = CLI_FAIL;
    if (rc == CLI_OK && extra)
        ops[0] = members[1]; /* NEW */
    free(members);
    return rc;
}

int cmd_rename(int argc, char **argv)
{
    cli_target t = {NULL, NULL};
    char *old = NULL;
    const char **rest = NULL;
    zmm_archive *ar = NULL;
    int rc = edit_operands(argc, argv, "zmm rename", 1, &t, &old, &rest, &ar);

    if (rc == CLI_OK) {
        const char *new_name = rest[0];
        zmm_result r = ZMM_ERR_BAD_NAME;

        if (zmm_name_is_valid(new_name))
            r = zmm_archive_rename(ar, old, new_name);
        if (r == ZMM_ERR_EXISTS) {
            cli_error("%s: member '%s' already exists", t.archive, new_name);
            rc = CLI_FAIL;
        } else if (r == ZMM_ERR_BAD_NAME) {
            cli_usage_error("zmm rename", "'%s' cannot be a member name "
                            "(1 to %u bytes, no control characters)",
                            new_name, ZMM_MAX_NAME_BYTES);
            rc = CLI_USAGE;
        } else if (r != ZMM_OK) {
            cli_archive_error(t.archive, old, "cannot rename", r, 0);
            rc = CLI_FAIL;
        } else if (!zmm_name_is_portable_path(new_name)) {
            cli_warning("member name '%s' is not portable: zmm unpack will "
                        "refuse it", new_name);
        }
    }
    if (ar != NULL && cli_close_archive(ar, t.archive) != CLI_OK)
        rc = CLI_FAIL;
    free(old);
    free(rest);
    cli_target_free(&t);
    return rc;
}

int cmd_default(int argc, char **argv)
{
    cli_target t = {NULL, NULL};
    char *name = NULL;
    const char **rest = NULL;
    zmm_archive *ar = NULL;
    int rc = edit_operands(argc, argv, "zmm default", 0, &t, &name, &rest,
                           &ar);

    if (rc == CLI_OK) {
        zmm_result r = zmm_archive_set_default(ar, name);

        if (r != ZMM_OK) {
            cli_archive_error(t.archive, name, "cannot make it the default",
                              r, 0);
            rc = CLI_FAIL;
        }
    }
    if (ar != NULL && cli_close_archive(ar, t.archive) != CLI_OK)
        rc = CLI_FAIL;
    free(name);
    free(rest);
    cli_target_free(&t);
    return rc;
}
