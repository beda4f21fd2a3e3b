/*
 * cmd_check.c -- looking after an archive: zmm verify (read and check every
 * block), zmm info (what the header and directory say), zmm compact (drop
 * garbage).
 *
 * verify reads each member block by block itself, rather than stopping at
 * the first bad block as zmm_archive_verify_member() does, so that it can
 * report every damaged block: a whole block read makes the core check both
 * CRCs (stored bytes, then the inflated bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "sys.h"

/* Damaged blocks reported per member before "... and N more". */
#define MAX_REPORTED 10

static const cli_option common_options[] = {
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

/* Parses options that are only the common ones; ops gets the operands.
 * Returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, const char *command,
                 const char ***ops, int *n)
{
    cli_parser p;
    const char *value;
    int id, exit_now = -1;

    *n = 0;
    *ops = calloc((size_t)argc, sizeof **ops);
    if (*ops == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_parser_init(&p, argc, argv, 1, command);
    while ((id = cli_next_option(&p, common_options, &value)) != CLI_END) {
        if (id == CLI_OPERAND)
            (*ops)[(*n)++] = value;
        else if (id == CLI_BAD)
            return CLI_USAGE;
        else if (cli_common_option(id, command, &exit_now) && exit_now >= 0)
            return exit_now;
    }
    return -1;
}

/* An archive-only command's one operand. */
static int one_archive(const char *command, int n)
{
    if (n == 1)
        return CLI_OK;
    cli_usage_error(command, n ? "give one ARCHIVE" : "no ARCHIVE given");
    return CLI_USAGE;
}

/* ---- verify ------------------------------------------------------------- */

/* Reads every block of one member; returns the number of bad blocks, or -1
 * if the member could not be read at all. */
static long verify_member(zmm_archive *ar, const char *archive,
                          const zmm_member_info *mi, unsigned char *buf,
                          cli_progress *progress)
{
    zmm_stream *s = NULL;
    zmm_result r = zmm_stream_open(ar, mi->name, ZMM_STREAM_READ, NULL, &s);
    uint32_t b;
    long bad = 0;

    if (r != ZMM_OK) {
        cli_archive_error(archive, mi->name, "cannot open", r,
                          zmm_archive_os_error(ar));
        return -1;
    }
    for (b = 0; b < mi->block_count && !sys_interrupted(); b++) {
        uint64_t at = (uint64_t)b * mi->block_size;
        size_t got = 0;

        r = zmm_stream_seek(s, (int64_t)at, ZMM_SEEK_SET, NULL);
        if (r == ZMM_OK)
            r = zmm_stream_read(s, buf, mi->block_size, &got);
        if (r != ZMM_OK) {
            char text[512];

            if (bad < MAX_REPORTED)
                cli_error("%s: member '%s': block %lu at offset %llu: %s",
                          archive, mi->name, (unsigned long)b,
                          (unsigned long long)at,
                          cli_block_error_text(r, zmm_archive_os_error(ar),
                                               text, sizeof text));
            bad++;
        }
        cli_progress_add(progress, got);
    }
    if (bad > MAX_REPORTED)
        cli_error("%s: member '%s': ... and %ld more damaged blocks",
                  archive, mi->name, bad - MAX_REPORTED);
    zmm_stream_close(s);
    return bad;
}

/* A damaged header slot means a commit was torn by a crash or the file is
 * damaged: the state opened may be older than the last one written, so
 * members written since look missing. Bytes past the committed state are
 * normal after an interrupted commit. Both are worth a warning, not a
 * failure: the state opened is whole and checked. */
static int warn_trailing(zmm_archive *ar, const char *archive)
{
    zmm_archive_info info;
    uint64_t on_disk = 0;

    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (zmm_archive_get_info(ar, &info) != ZMM_OK)
        return CLI_OK;
    /* The newest commit is not readable (cli_open_archive said what was
     * opened instead): damage, whatever the blocks say. */
    if (info.flags & ZMM_ARCHIVE_NEWEST_LOST)
        return CLI_FAIL;
    if (info.flags & ZMM_ARCHIVE_SLOT_DAMAGED)
        cli_warning("%s: the newer header slot is damaged; opened the older "
                    "committed state (generation %llu), which may miss the "
                    "last changes",
                    archive, (unsigned long long)info.generation);
    if (sys_stat(archive, &on_disk) != SYS_FILE ||
        on_disk <= info.file_size)
        return CLI_OK;
    cli_warning("%s: %llu bytes past the committed state (generation "
                "%llu): left by an interrupted commit, or a newer header "
                "slot is damaged and an older state was opened; zmm compact "
                "drops them",
                archive, (unsigned long long)(on_disk - info.file_size),
                (unsigned long long)info.generation);
    return CLI_OK;
}

/* Verifies the archive ops[0] (ARCHIVE or ARCHIVE+MEMBER) and the MEMBER
 * operands after it. */
static int verify_one(const char **ops, int n)
{
    const char **members = NULL;
    cli_target t = {NULL, NULL};
    zmm_member_info *infos = NULL;
    zmm_archive *ar = NULL;
    unsigned char *buf = NULL;
    cli_progress progress;
    size_t i, count = 0, *index = NULL;
    int given = 0, damaged = 0, lost = 0, rc;
    long bad_blocks = 0;
    uint64_t total = 0, blocks = 0;
    char verb[300];

    rc = cli_archive_operands("zmm verify", ops, n, &t, &members, &given);
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
    if (rc != CLI_OK)
        goto done;
    infos = calloc(count + 1, sizeof *infos);
    buf = malloc(ZMM_MAX_BLOCK_SIZE);
    if (infos == NULL || buf == NULL) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    for (i = 0; i < count && rc == CLI_OK; i++) {
        infos[i].struct_size = sizeof infos[i];
        if (zmm_archive_member_info(ar, given ? index[i] : i, &infos[i]) !=
            ZMM_OK)
            rc = CLI_FAIL;
        total += infos[i].size;
        blocks += infos[i].block_count;
    }
    if (rc != CLI_OK)
        goto done;
    lost = warn_trailing(ar, t.archive) != CLI_OK;
    for (i = 0; i < count; i++)
        if (!zmm_name_is_portable_path(infos[i].name)) {
            char shown[CLI_NAME_TEXT];

            cli_warning("%s: member '%s': not a safe file name; zmm unpack "
                        "will refuse it", t.archive,
                        cli_name_text(infos[i].name, shown, sizeof shown));
        }
    snprintf(verb, sizeof verb, "verifying %s", cli_base_name(t.archive));
    cli_progress_start(&progress, verb, total);
    for (i = 0; i < count && !sys_interrupted(); i++) {
        long bad = verify_member(ar, t.archive, &infos[i], buf, &progress);

        if (bad != 0) {
            damaged++;
            bad_blocks += bad > 0 ? bad : 0;
        } else {
            cli_note("%s: OK (%lu block%s)", infos[i].name,
                     (unsigned long)infos[i].block_count,
                     infos[i].block_count == 1 ? "" : "s");
        }
    }
    cli_progress_end(&progress);
    if (sys_interrupted()) {
        rc = CLI_FAIL;
    } else if (damaged > 0) {
        cli_error("%s: %d of %lu members damaged (%ld bad block%s)%s",
                  t.archive, damaged, (unsigned long)count, bad_blocks,
                  bad_blocks == 1 ? "" : "s",
                  lost ? ", and the newest commit is lost" : "");
        rc = CLI_FAIL;
    } else if (lost) {
        cli_error("%s: damaged: the newest commit is lost; what was "
                  "checked is the older committed state", t.archive);
        rc = CLI_FAIL;
    } else if (cli_verbosity >= 1) {
        cli_out("%s: OK: %lu member%s, %llu bytes in %llu block%s\n",
                t.archive, (unsigned long)count, count == 1 ? "" : "s",
                (unsigned long long)total, (unsigned long long)blocks,
                blocks == 1 ? "" : "s");
    }

done:
    if (ar != NULL)
        zmm_archive_close(ar);
    free(buf);
    free(infos);
    free(index);
    free(members);
    cli_target_free(&t);
    return rc;
}

/* Runs `one` on each archive when every operand is one (cli_all_archives),
 * else once on them all (ARCHIVE MEMBER...); the worst status wins. */
static int each_archive(const char **ops, int n,
                        int (*one)(const char **ops, int n))
{
    int i, rc = CLI_OK;

    if (n < 2 || !cli_all_archives(ops, n))
        return one(ops, n);
    for (i = 0; i < n && !sys_interrupted(); i++) {
        int r = one(ops + i, 1);

        if (r > rc)
            rc = r;
    }
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    const char **ops = NULL;
    int n = 0, rc = parse(argc, argv, "zmm verify", &ops, &n);

    if (rc < 0)
        rc = each_archive(ops, n, verify_one);
    free(ops);
    return rc;
}

/* ---- info --------------------------------------------------------------- */

/* Shows one archive (info takes no MEMBER: every operand is one). */
static int info_one(const char *path)
{
    zmm_archive *ar = NULL;
    zmm_archive_info info;
    int rc = CLI_OK;
    size_t i;
    uint64_t on_disk = 0;
    zmm_result r;

    ar = cli_open_archive(path, ZMM_OPEN_READ);
    if (ar == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    r = zmm_archive_get_info(ar, &info);
    if (r != ZMM_OK) {
        cli_archive_error(path, NULL, "cannot read its state", r, 0);
        rc = CLI_FAIL;
        goto done;
    }
    sys_stat(path, &on_disk);
    cli_out("archive:         %s\n", path);
    cli_out("format version:  %u\n", info.format_version);
    cli_out("generation:      %llu\n", (unsigned long long)info.generation);
    cli_out("file size:       %llu bytes\n",
            (unsigned long long)info.file_size);
    if (on_disk > info.file_size)
        cli_out("                 (%llu on disk: %llu bytes past the "
                "committed state, left by an\n"
                "                 interrupted commit or after a damaged "
                "newer header slot)\n",
                (unsigned long long)on_disk,
                (unsigned long long)(on_disk - info.file_size));
    if (info.flags & ZMM_ARCHIVE_SLOT_DAMAGED)
        cli_out("                 (the other header slot is damaged: this "
                "may be an older state)\n");
    cli_out("live bytes:      %llu\n", (unsigned long long)info.live_bytes);
    cli_out("garbage bytes:   %llu (%.1f%%)%s\n",
            (unsigned long long)info.garbage_bytes,
            info.file_size ? 100.0 * (double)info.garbage_bytes /
                                 (double)info.file_size
                           : 0.0,
            info.garbage_bytes * 100 >= info.file_size
                ? "; zmm compact drops them"
                : "");
    cli_out("members:         %lu\n", (unsigned long)info.member_count);
    for (i = 0; i < info.member_count; i++) {
        zmm_member_info mi;
        char block[32], filter[160], shown[CLI_NAME_TEXT];

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        if (zmm_archive_member_info(ar, i, &mi) != ZMM_OK)
            continue;
        cli_filter_text(&mi, filter, sizeof filter);
        cli_out("  %c %s: block size %s, level %d, %lu block%s%s%s\n",
                (mi.flags & ZMM_MEMBER_DEFAULT) ? '*' : '-',
                cli_name_text(mi.name, shown, sizeof shown),
                cli_block_size_text(mi.block_size, block, sizeof block),
                mi.level, (unsigned long)mi.block_count,
                mi.block_count == 1 ? "" : "s", filter[0] ? ", " : "",
                filter);
    }

done:
    if (ar != NULL)
        zmm_archive_close(ar);
    return rc;
}

int cmd_info(int argc, char **argv)
{
    const char **ops = NULL;
    int n = 0, i, rc = parse(argc, argv, "zmm info", &ops, &n);

    if (rc < 0 && n == 0) {
        cli_usage_error("zmm info", "no ARCHIVE given");
        rc = CLI_USAGE;
    }
    if (rc < 0) {
        rc = CLI_OK;
        for (i = 0; i < n && !sys_interrupted(); i++) {
            int r;

            if (i > 0)
                cli_out("\n");
            r = info_one(ops[i]);
            if (r > rc)
                rc = r;
        }
    }
    free(ops);
    return rc;
}

/* ---- compact ------------------------------------------------------------ */

/* Ctrl+C stops a compaction between blocks; the archive stays as it was. */
static int compact_cancel(void *context)
{
    (void)context;
    return sys_interrupted();
}

int cmd_compact(int argc, char **argv)
{
    const char **ops = NULL;
    int n = 0, rc;
    uint64_t before = 0, after = 0;
    long os_error = 0;
    zmm_compact_options copt;
    zmm_result r;

    rc = parse(argc, argv, "zmm compact", &ops, &n);
    if (rc < 0)
        rc = one_archive("zmm compact", n);
    if (rc != CLI_OK)
        goto done;
    /* Open it first for the clear messages of cli_open_archive. */
    {
        zmm_archive *ar = cli_open_archive(ops[0], ZMM_OPEN_READ);

        if (ar == NULL) {
            rc = CLI_FAIL;
            goto done;
        }
        zmm_archive_close(ar);
    }
    sys_stat(ops[0], &before);
    memset(&copt, 0, sizeof copt);
    copt.struct_size = sizeof copt;
    copt.cancel = compact_cancel;
    r = zmm_compact_ex(ops[0], &copt, &os_error);
    if (r == ZMM_ERR_CANCELLED) { /* main says "interrupted" */
        rc = CLI_FAIL;
        goto done;
    }
    if (r != ZMM_OK) {
        if (r == ZMM_ERR_CORRUPT)
            cli_error("%s: cannot compact: a block is damaged (zmm verify "
                      "names it); the archive is unchanged", ops[0]);
        else if (r == ZMM_ERR_ACCESS)
            cli_archive_error(ops[0], NULL,
                              "cannot compact (it writes a new file beside "
                              "the archive with the archive's owner and "
                              "mode, then renames it over; the archive is "
                              "unchanged)",
                              r, os_error);
        else
            cli_archive_error(ops[0], NULL, "cannot compact", r, os_error);
        rc = CLI_FAIL;
        goto done;
    }
    sys_stat(ops[0], &after);
    cli_note("%s: %llu -> %llu bytes (%llu bytes dropped)", ops[0],
             (unsigned long long)before, (unsigned long long)after,
             (unsigned long long)(before > after ? before - after : 0));

done:
    free(ops);
    return rc;
}
