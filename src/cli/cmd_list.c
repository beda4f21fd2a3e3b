/*
 * cmd_list.c -- zmm list: one line per member with its size, packed size,
 * space saved (as gzip -l reports it), block count and name; -v adds the
 * block size, the deflate level and the PCM filter.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

static const cli_option list_options[] = {
    CLI_COMMON_OPTIONS,
    {NULL, 0, 0, 0},
};

static int digits(uint64_t v)
{
    int n = 1;

    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* "43.6%": the space saved, or "-" for an empty member. */
static void saved_text(uint64_t size, uint64_t packed, char *buf, size_t n)
{
    if (size == 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f%%",
                 100.0 - 100.0 * (double)packed / (double)size);
}

/* "64k", "1m": a compact block size. */
static void block_text(uint32_t size, char *buf, size_t n)
{
    if (size >= 1048576u)
        snprintf(buf, n, "%um", (unsigned)(size >> 20));
    else
        snprintf(buf, n, "%uk", (unsigned)(size >> 10));
}

typedef struct widths {
    int size, packed, blocks, filter;
} widths;

static void print_row(const widths *w, uint64_t size, uint64_t packed,
                      uint64_t blocks, const zmm_member_info *mi,
                      const char *name)
{
    char saved[16], block[16] = "", level[8] = "", filter[80] = "";
    char shown[CLI_NAME_TEXT];

    saved_text(size, packed, saved, sizeof saved);
    if (cli_verbosity >= 2) {
        if (mi != NULL) {
            block_text(mi->block_size, block, sizeof block);
            snprintf(level, sizeof level, "%d", mi->level);
            cli_filter_text(mi, filter, sizeof filter);
            if (filter[0] == '\0')
                snprintf(filter, sizeof filter, "-");
        }
        cli_out("%*llu  %*llu  %6s  %*llu  %5s  %5s  %-*s  %c %s\n",
                w->size, (unsigned long long)size, w->packed,
                (unsigned long long)packed, saved, w->blocks,
                (unsigned long long)blocks, block, level, w->filter, filter,
                mi && (mi->flags & ZMM_MEMBER_DEFAULT) ? '*' : ' ',
                cli_name_text(name, shown, sizeof shown));
    } else {
        cli_out("%*llu  %*llu  %6s  %*llu  %c %s\n", w->size,
                (unsigned long long)size, w->packed,
                (unsigned long long)packed, saved, w->blocks,
                (unsigned long long)blocks,
                mi && (mi->flags & ZMM_MEMBER_DEFAULT) ? '*' : ' ',
                cli_name_text(name, shown, sizeof shown));
    }
}

int cmd_list(int argc, char **argv)
{
    const char **ops = calloc((size_t)argc, sizeof *ops);
    const char **members = NULL;
    zmm_member_info *infos = NULL;
    cli_target t = {NULL, NULL};
    zmm_archive *ar = NULL;
    cli_parser p;
    const char *value;
    int n = 0, count = 0, id, rc = CLI_OK, exit_now = -1, stop = 0;
    size_t i, shown = 0;
    uint64_t total_size = 0, total_packed = 0, total_blocks = 0;
    widths w = {4, 6, 6, 6};

    if (ops == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_parser_init(&p, argc, argv, 1, "zmm list");
    while (!stop &&
           (id = cli_next_option(&p, list_options, &value)) != CLI_END) {
        if (id == CLI_OPERAND) {
            ops[n++] = value;
        } else if (id == CLI_BAD) {
            rc = CLI_USAGE;
            stop = 1;
        } else if (cli_common_option(id, "zmm list", &exit_now) &&
                   exit_now >= 0) {
            rc = exit_now;
            stop = 1;
        }
    }
    if (!stop)
        rc = cli_archive_operands("zmm list", ops, n, &t, &members, &count);
    if (stop || rc != CLI_OK)
        goto done;
    ar = cli_open_archive(t.archive, ZMM_OPEN_READ);
    if (ar == NULL) {
        rc = CLI_FAIL;
        goto done;
    }
    shown = count ? (size_t)count : zmm_archive_member_count(ar);
    infos = calloc(shown + 1, sizeof *infos);
    if (infos == NULL) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    for (i = 0; i < shown && rc == CLI_OK; i++) {
        if (count) {
            rc = cli_find_member(ar, t.archive, members[i], &infos[i]);
        } else {
            zmm_result r;

            infos[i].struct_size = sizeof infos[i];
            r = zmm_archive_member_info(ar, i, &infos[i]);
            if (r != ZMM_OK) {
                cli_archive_error(t.archive, NULL, "cannot list", r, 0);
                rc = CLI_FAIL;
            }
        }
        total_size += infos[i].size;
        total_packed += infos[i].packed_size;
        total_blocks += infos[i].block_count;
        if (rc == CLI_OK) {
            char filter[80];

            cli_filter_text(&infos[i], filter, sizeof filter);
            if ((int)strlen(filter) > w.filter)
                w.filter = (int)strlen(filter);
        }
    }
    if (rc != CLI_OK)
        goto done;
    if (digits(total_size) > w.size)
        w.size = digits(total_size);
    if (digits(total_packed) > w.packed)
        w.packed = digits(total_packed);
    if (digits(total_blocks) > w.blocks)
        w.blocks = digits(total_blocks);
    if (cli_verbosity >= 2)
        cli_out("%*s  %*s  %6s  %*s  %5s  %5s  %-*s    %s\n", w.size, "size",
                w.packed, "packed", "ratio", w.blocks, "blocks", "block",
                "level", w.filter, "filter", "name");
    else
        cli_out("%*s  %*s  %6s  %*s    %s\n", w.size, "size", w.packed,
                "packed", "ratio", w.blocks, "blocks", "name");
    for (i = 0; i < shown; i++)
        print_row(&w, infos[i].size, infos[i].packed_size,
                  infos[i].block_count, &infos[i], infos[i].name);
    if (shown != 1) {
        char label[48];

        snprintf(label, sizeof label, "(%lu members)", (unsigned long)shown);
        print_row(&w, total_size, total_packed, total_blocks, NULL, label);
    }
    if (cli_verbosity >= 2)
        cli_out("ratio: space saved; *: the default member (ARCHIVE+)\n");

done:
    if (ar != NULL)
        zmm_archive_close(ar);
    free(infos);
    free(members);
    free(ops);
    cli_target_free(&t);
    return rc;
}
