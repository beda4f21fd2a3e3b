/*
 * json.c -- zmm list --json: one JSON document (RFC 8259) on stdout,
 *
 *   {"archives": [
 *   {"archive": "s.zmm", "members": [
 *     {"name": "sfx/boom.wav", "size": 529244, "packed": 198105,
 *      "blocks": 9, "block_size": 65536, "level": 6, "default": true,
 *      "pcm": {"offset": 44, "length": 529200, "bits": 16, "channels": 2,
 *              "filtered_blocks": 9, "lpc_blocks": 8},
 *      "dict": 0}]}]}
 *
 * "pcm" is null for a member without a PCM layout; its filtered_blocks are
 * the blocks the PCM filter codes, lpc_blocks those of them with linear
 * predictors (block kinds 3-6 and 5-6). "dict" the bytes of its
 * preset dictionary (0: none). Names are escaped as JSON requires ('"',
 * '\\', control characters as \u00XX) and C1 and bidirectional controls
 * too, as the tool prints them. A name that is not UTF-8 (written before
 * zmmio checked names) has each byte outside a valid sequence shown as
 * U+FFFD, and gets a "name_hex" member with its bytes in hexadecimal, so a
 * program can still tell such names apart and name the member exactly.
 */
#include <string.h>

#include "cli.h"

/* A JSON string of `s`, with its quotes. Returns nonzero if s is not
 * UTF-8 (some byte was written as U+FFFD). */
static int json_string(const char *s)
{
    int lossy = 0;
    size_t n;
    uint32_t c;

    cli_out("\"");
    while (*s != '\0') {
        n = zmm_utf8_char(s, &c);
        if (n == 0) {
            cli_out("\\ufffd");
            lossy = 1;
            s++;
            continue;
        }
        if (c == '"' || c == '\\')
            cli_out("\\%c", (int)c);
        else if (c < 0x20 || c == 0x7f || cli_is_hidden_control(c))
            cli_out("\\u%04lx", (unsigned long)c);
        else
            cli_out("%.*s", (int)n, s);
        s += n;
    }
    cli_out("\"");
    return lossy;
}

void cli_json_archive(zmm_archive *ar, const char *path,
                      const size_t *index, size_t count, int comma)
{
    size_t i;

    cli_out("%s\n{\"archive\": ", comma ? "," : "");
    json_string(path);
    cli_out(", \"members\": [");
    for (i = 0; i < count; i++) {
        zmm_member_info mi;

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        if (zmm_archive_member_info(ar, index[i], &mi) != ZMM_OK)
            continue;
        cli_out("%s\n  {\"name\": ", i ? "," : "");
        if (json_string(mi.name)) {
            const unsigned char *p = (const unsigned char *)mi.name;

            cli_out(", \"name_hex\": \"");
            for (; *p != '\0'; p++)
                cli_out("%02x", *p);
            cli_out("\"");
        }
        cli_out(", \"size\": %llu, \"packed\": %llu, \"blocks\": %lu, "
                "\"block_size\": %lu, \"level\": %d, \"default\": %s, ",
                (unsigned long long)mi.size,
                (unsigned long long)mi.packed_size,
                (unsigned long)mi.block_count, (unsigned long)mi.block_size,
                mi.level, (mi.flags & ZMM_MEMBER_DEFAULT) ? "true" : "false");
        if (mi.flags & ZMM_MEMBER_PCM)
            cli_out("\"pcm\": {\"offset\": %llu, \"length\": %llu, "
                    "\"bits\": %u, \"channels\": %u, \"filtered_blocks\": "
                    "%lu, \"lpc_blocks\": %lu}, ",
                    (unsigned long long)mi.pcm_offset,
                    (unsigned long long)mi.pcm_length, mi.pcm_bits,
                    mi.pcm_channels, (unsigned long)mi.pcm_blocks,
                    (unsigned long)mi.lpc_blocks);
        else
            cli_out("\"pcm\": null, ");
        cli_out("\"dict\": %lu", (unsigned long)mi.dict_length);
        /* Only when present (FORMAT.md, "Metadata"): seconds since 1970
         * UTC and nanoseconds, as stat gives them; the mode in octal, as
         * chmod takes it. */
        if (mi.meta & ZMM_META_MTIME)
            cli_out(", \"mtime\": %lld, \"mtime_nsec\": %lu",
                    (long long)mi.mtime, (unsigned long)mi.mtime_nsec);
        if (mi.meta & ZMM_META_MODE)
            cli_out(", \"mode\": \"%04o\"", mi.mode);
        cli_out("}");
    }
    cli_out("]}");
}
