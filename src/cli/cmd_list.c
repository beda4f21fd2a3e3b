/*
 * cmd_list.c -- zmm list: one line per member with its size, packed size,
 * space saved (as gzip -l reports it), block count and name; -v adds the
 * block size, the deflate level and the PCM filter; -l shows mode, size,
 * modification time and name instead, as tar -tv; --json writes one JSON
 * document instead (json.c). Several archives: one listing each.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

enum { OPT_JSON = 1, OPT_LONG };

static const cli_option list_options[] = {
    {"json", 0, 0, OPT_JSON},
    {"long", 'l', 0, OPT_LONG},
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
    char saved[16], block[16] = "", level[8] = "", filter[160] = "";
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

/* The members `index` of one archive, as a table. */
static void print_table(zmm_archive *ar, const size_t *index, size_t shown)
{
    zmm_member_info mi;
    uint64_t total_size = 0, total_packed = 0, total_blocks = 0;
    widths w = {4, 6, 6, 6};
    size_t i;

    for (i = 0; i < shown; i++) {
        char filter[160];

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        zmm_archive_member_info(ar, index[i], &mi);
        total_size += mi.size;
        total_packed += mi.packed_size;
        total_blocks += mi.block_count;
        cli_filter_text(&mi, filter, sizeof filter);
        if ((int)strlen(filter) > w.filter)
            w.filter = (int)strlen(filter);
    }
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
    for (i = 0; i < shown; i++) {
        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        zmm_archive_member_info(ar, index[i], &mi);
        print_row(&w, mi.size, mi.packed_size, mi.block_count, &mi, mi.name);
    }
    if (shown != 1) {
        char label[48];

        snprintf(label, sizeof label, "(%lu members)", (unsigned long)shown);
        print_row(&w, total_size, total_packed, total_blocks, NULL, label);
    }
    if (cli_verbosity >= 2)
        cli_out("ratio: space saved; *: the default member (ARCHIVE+)\n");
}

/* The members `index` of one archive as tar -tv and ls -l show files:
 * mode, size, modification time (UTC), name; "-" where a member has no
 * such metadata. */
static void print_long(zmm_archive *ar, const size_t *index, size_t shown)
{
    zmm_member_info mi;
    int size_width = 4;
    size_t i;

    for (i = 0; i < shown; i++) {
        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        zmm_archive_member_info(ar, index[i], &mi);
        if (digits(mi.size) > size_width)
            size_width = digits(mi.size);
    }
    cli_out("%-10s  %*s  %-19s    %s\n", "mode", size_width, "size",
            "modified (UTC)", "name");
    for (i = 0; i < shown; i++) {
        char mode[16], when[48], name[CLI_NAME_TEXT];

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        zmm_archive_member_info(ar, index[i], &mi);
        cli_out("%-10s  %*llu  %-19s  %c %s\n",
                cli_mode_text(&mi, mode, sizeof mode), size_width,
                (unsigned long long)mi.size,
                cli_time_text(&mi, when, sizeof when),
                (mi.flags & ZMM_MEMBER_DEFAULT) ? '*' : ' ',
                cli_name_text(mi.name, name, sizeof name));
    }
}

/* Lists the archive ops[0] (ARCHIVE or ARCHIVE+MEMBER) and the MEMBER
 * operands after it; `json_items` counts the archives already written. */
static int list_one(const char **ops, int n, int json, int long_format,
                    int *json_items)
{
    cli_target t = {NULL, NULL};
    const char **members = NULL;
    zmm_archive *ar = NULL;
    size_t *index = NULL, count = 0;
    int given = 0, rc = cli_archive_operands("zmm list", ops, n, &t,
                                             &members, &given);

    if (rc == CLI_OK && (ar = cli_open_archive(t.archive,
                                               ZMM_OPEN_READ)) == NULL)
        rc = CLI_FAIL;
    if (rc == CLI_OK && given > 0) {
        rc = cli_select_members(ar, t.archive, members, given, &index,
                                &count);
    } else if (rc == CLI_OK) {
        index = malloc((zmm_archive_member_count(ar) + 1) * sizeof *index);
        if (index == NULL) {
            cli_error("out of memory");
            rc = CLI_FAIL;
        }
        for (; index != NULL && count < zmm_archive_member_count(ar); count++)
            index[count] = count;
    }
    if (rc == CLI_OK && json) {
        cli_json_archive(ar, t.archive, index, count, *json_items > 0);
        ++*json_items;
    } else if (rc == CLI_OK && long_format) {
        print_long(ar, index, count);
    } else if (rc == CLI_OK) {
        print_table(ar, index, count);
    }
    free(index);
    zmm_archive_close(ar);
    free(members);
    cli_target_free(&t);
    return rc;
}

int cmd_list(int argc, char **argv)
{
    const char **ops = calloc((size_t)argc, sizeof *ops);
    cli_parser p;
    const char *value;
    int n = 0, id, rc = CLI_OK, exit_now = -1, stop = 0, json = 0;
    int long_format = 0;
    int json_items = 0, i;

    if (ops == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_parser_init(&p, argc, argv, 1, "zmm list");
    while (!stop &&
           (id = cli_next_option(&p, list_options, &value)) != CLI_END) {
        if (id == CLI_OPERAND) {
            ops[n++] = value;
        } else if (id == OPT_JSON) {
            json = 1;
        } else if (id == OPT_LONG) {
            long_format = 1;
        } else if (id == CLI_BAD) {
            rc = CLI_USAGE;
            stop = 1;
        } else if (cli_common_option(id, "zmm list", &exit_now) &&
                   exit_now >= 0) {
            rc = exit_now;
            stop = 1;
        }
    }
    if (!stop && n == 0) {
        cli_usage_error("zmm list", "no ARCHIVE given");
        rc = CLI_USAGE;
    }
    if (stop || rc != CLI_OK)
        goto done;
    if (json)
        cli_out("{\"archives\": [");
    if (n > 1 && cli_all_archives(ops, n)) {
        /* Several archives: each listing under its name, as ls does. */
        for (i = 0; i < n; i++) {
            if (!json)
                cli_out("%s%s:\n", i ? "\n" : "", ops[i]);
            if (list_one(ops + i, 1, json, long_format, &json_items) != CLI_OK)
                rc = CLI_FAIL;
        }
    } else {
        rc = list_one(ops, n, json, long_format, &json_items);
    }
    if (json)
        cli_out("%s]}\n", json_items ? "\n" : "");

done:
    free(ops);
    return rc;
}
