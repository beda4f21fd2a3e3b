/*
 * cmd_pack.c -- zmm pack: a new archive from files.
 *
 * Everything that can be checked is checked before any byte is written
 * (options, member names, duplicates, that every input exists, that the
 * archive may be created). The archive is then built under a temporary name
 * beside the target and renamed into place once closed (closing commits and
 * syncs it); on any failure or Ctrl+C the temporary file is deleted, so an
 * archive is never left half-written.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "sys.h"

enum {
    OPT_OUTPUT = 1, OPT_LEVEL, OPT_BLOCK, OPT_FORCE, OPT_FILTER, OPT_NO_DICT,
    OPT_THREADS, OPT_JUNK, OPT_NO_LPC
};

static const cli_option pack_options[] = {
    {"output", 'o', 1, OPT_OUTPUT},
    {"level", 'l', 1, OPT_LEVEL},
    {"block-size", 'b', 1, OPT_BLOCK},
    {"force", 'f', 0, OPT_FORCE},
    {"filter", 0, 1, OPT_FILTER},
    {"no-dict", 0, 0, OPT_NO_DICT},
    {"no-lpc", 0, 0, OPT_NO_LPC},
    {"threads", 'T', 1, OPT_THREADS},
    {"junk-paths", 'j', 0, OPT_JUNK},
    CLI_KEEP_OPTION,
    CLI_LEVEL_DIGITS,
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

/* Packs one input into a new member. */
static int pack_one(zmm_archive *ar, const char *archive,
                    const cli_input *in, const zmm_member_options *opt,
                    int filter, int use_dict, cli_progress *progress)
{
    int is_stdin = strcmp(in->path, "-") == 0;
    FILE *f = is_stdin ? stdin : sys_fopen(in->path, "rb");
    zmm_member_options with_meta = *opt;
    zmm_stream *s = NULL;
    zmm_result r;
    int rc;
    char os[256];

    if (f == NULL) {
        cli_error("%s: cannot open: %s", in->path,
                  cli_os_text(sys_last_error(), os, sizeof os));
        return CLI_FAIL;
    }
    if (!is_stdin) /* the file's mtime and mode go with it, as in tar */
        cli_meta_from_file(f, &with_meta);
    r = zmm_stream_open(ar, in->name,
                        ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                            ZMM_STREAM_EXCLUSIVE,
                        &with_meta, &s);
    if (r != ZMM_OK) {
        cli_archive_error(archive, in->name, "cannot create", r,
                          zmm_archive_os_error(ar));
        rc = CLI_FAIL;
    } else {
        rc = cli_copy_in_filtered(
            s, f, is_stdin ? "standard input" : in->path, archive, in->name,
            opt->block_size, in->size_known ? in->size : UINT64_MAX, filter,
            opt->level, opt->threads, use_dict, progress);
        r = zmm_stream_close(s);
        if (rc == CLI_OK && r != ZMM_OK) {
            cli_archive_error(archive, in->name, "cannot write", r,
                              zmm_archive_os_error(ar));
            rc = CLI_FAIL;
        }
    }
    if (!is_stdin)
        fclose(f);
    return rc;
}

/* Verbose report: each member's sizes once the archive is complete. */
static void report_members(zmm_archive *ar)
{
    size_t i, count = zmm_archive_member_count(ar);

    for (i = 0; i < count; i++) {
        zmm_member_info mi;

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        if (zmm_archive_member_info(ar, i, &mi) != ZMM_OK)
            continue;
        cli_note("%s: %llu -> %llu bytes (%.1f%% saved)", mi.name,
                 (unsigned long long)mi.size,
                 (unsigned long long)mi.packed_size,
                 mi.size ? 100.0 - 100.0 * (double)mi.packed_size /
                                       (double)mi.size
                         : 0.0);
    }
}

/* Creates the temporary archive beside `archive`. */
static zmm_archive *create_temp(const char *archive, char **temp)
{
    unsigned n;
    zmm_archive *ar = NULL;
    long os_error = 0;
    zmm_result r = ZMM_ERR_EXISTS;

    for (n = 0; n < 1000 && r == ZMM_ERR_EXISTS; n++) {
        *temp = cli_temp_name(archive, n);
        if (*temp == NULL)
            return NULL;
        r = zmm_archive_open(*temp, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE |
                                        ZMM_OPEN_EXCLUSIVE,
                             &ar, &os_error);
        if (r != ZMM_OK) {
            if (r != ZMM_ERR_EXISTS)
                cli_archive_error(archive, NULL,
                                  "cannot create a temporary archive", r,
                                  os_error);
            free(*temp);
            *temp = NULL;
        }
    }
    return ar;
}

int cmd_pack(int argc, char **argv)
{
    const char *output = NULL, *value;
    const char **ops = NULL;
    char *archive = NULL, *temp = NULL, *stdin_name = NULL;
    cli_inputs in = {NULL, 0, 0};
    int count = 0, force = 0, id, rc, exit_now = -1, junk = 0;
    int filter = CLI_FILTER_AUTO, use_dict = 1;
    size_t i;
    zmm_member_options opt;
    zmm_archive *ar;
    cli_parser p;
    cli_progress progress;
    uint64_t total = 0;
    char verb[300];

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.block_size = ZMM_DEFAULT_BLOCK_SIZE;
    opt.level = ZMM_DEFAULT_LEVEL;
    opt.threads = ZMM_THREADS_ALL; /* as pigz, bgzip -@, zstd -T0 */
    ops = calloc((size_t)argc, sizeof *ops);
    if (ops == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_parser_init(&p, argc, argv, 1, "zmm pack");
    while ((id = cli_next_option(&p, pack_options, &value)) != CLI_END) {
        switch (id) {
        case CLI_OPERAND:
            ops[count++] = value;
            break;
        case OPT_JUNK:
            junk = 1;
            break;
        case OPT_OUTPUT:
            output = value;
            break;
        case OPT_LEVEL:
            opt.level = cli_parse_level("zmm pack", value);
            if (opt.level < 0) {
                rc = CLI_USAGE;
                goto done;
            }
            break;
        case OPT_BLOCK:
            opt.block_size = cli_parse_block_size("zmm pack", value);
            if (opt.block_size == 0) {
                rc = CLI_USAGE;
                goto done;
            }
            break;
        case OPT_FORCE:
            force = 1;
            break;
        case OPT_FILTER:
            filter = cli_parse_filter("zmm pack", value);
            if (filter < 0) {
                rc = CLI_USAGE;
                goto done;
            }
            break;
        case OPT_NO_DICT:
            use_dict = 0;
            break;
        case OPT_NO_LPC:
            opt.pcm_max_kind = 4; /* kinds 3 and 4: zmmio 0.4.0's filter */
            break;
        case OPT_THREADS:
            opt.threads = cli_parse_threads("zmm pack", value);
            if (opt.threads == 0) {
                rc = CLI_USAGE;
                goto done;
            }
            break;
        case CLI_BAD:
            rc = CLI_USAGE;
            goto done;
        case OPT_KEEP: /* inputs are always kept */
            break;
        default:
            if (CLI_LEVEL_OF(id) > 0)
                opt.level = CLI_LEVEL_OF(id);
            else if (cli_common_option(id, "zmm pack", &exit_now) &&
                exit_now >= 0) {
                rc = exit_now;
                goto done;
            }
        }
    }
    if (count == 0) {
        cli_usage_error("zmm pack", "no FILE to pack");
        rc = CLI_USAGE;
        goto done;
    }
    if (output == NULL) {
        /* FILE.zmm, or for a folder "sfx/" the archive beside it, sfx.zmm */
        size_t n = count == 1 ? strlen(ops[0]) : 0, len;
        const char *base;

        while (n > 0 && sys_is_separator(ops[0][n - 1]))
            n--;
        base = ops[0] + n;
        while (base > ops[0] && !sys_is_separator(base[-1]))
            base--;
        len = (size_t)(ops[0] + n - base); /* of the last part */
        if (count > 1 || strcmp(ops[0], "-") == 0 || len == 0 ||
            (len == 1 && base[0] == '.') ||
            (len == 2 && base[0] == '.' && base[1] == '.')) {
            cli_usage_error("zmm pack", "name the archive with -o ARCHIVE");
            rc = CLI_USAGE;
            goto done;
        }
        archive = malloc(n + 5);
        if (archive == NULL) {
            cli_error("out of memory");
            rc = CLI_FAIL;
            goto done;
        }
        memcpy(archive, ops[0], n);
        memcpy(archive + n, ".zmm", 5);
    } else if (strcmp(output, "-") == 0) {
        cli_usage_error("zmm pack", "an archive cannot be written to "
                                    "standard output (it is updated in "
                                    "place); give a file name");
        rc = CLI_USAGE;
        goto done;
    } else if ((archive = cli_strdup(output)) == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    stdin_name = cli_stdin_member_name(archive);
    rc = stdin_name ? cli_inputs_collect("zmm pack", ops, count, junk, NULL,
                                         stdin_name, &in)
                    : CLI_FAIL;
    if (rc == CLI_OK && in.count == 0) {
        cli_error("nothing to pack: the folders hold no files");
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK)
        rc = cli_check_new_file(archive, force);
    if (rc != CLI_OK)
        goto done;

    ar = create_temp(archive, &temp);
    if (ar == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    for (i = 0; i < in.count && total != UINT64_MAX; i++)
        total = in.item[i].size_known ? total + in.item[i].size : UINT64_MAX;
    if (total == UINT64_MAX)
        total = 0; /* unknown: the bar shows bytes only */
    snprintf(verb, sizeof verb, "packing %s", cli_base_name(archive));
    cli_progress_start(&progress, verb, total);
    for (i = 0; i < in.count && rc == CLI_OK; i++)
        rc = pack_one(ar, archive, &in.item[i], &opt, filter, use_dict,
                      &progress);
    cli_progress_end(&progress);
    if (rc == CLI_OK && cli_verbosity >= 2)
        report_members(ar);
    /* Closing commits (and syncs) the new archive; even after a failure it
     * must be closed before its file can be deleted. */
    if (cli_close_archive(ar, archive) != CLI_OK)
        rc = CLI_FAIL;
    if (rc == CLI_OK && !sys_interrupted()) {
        if (sys_rename(temp, archive, force) != 0) {
            long e = sys_last_error();
            char os[256];

            if (sys_error_is_exists(e))
                cli_error("%s: already exists (use -f to overwrite it)",
                          archive);
            else
                cli_error("%s: cannot rename %s into place: %s", archive,
                          temp, cli_os_text(e, os, sizeof os));
            rc = CLI_FAIL;
        }
    }
    if (rc != CLI_OK || sys_interrupted())
        sys_remove(temp);

done:
    cli_inputs_free(&in);
    free(ops);
    free(stdin_name);
    free(archive);
    free(temp);
    return rc;
}
