/*
 * filter.c -- --filter auto|pcm|none: a member's PCM layout, detected from
 * its input's first bytes before any block is stored, so every block of the
 * samples can be filtered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Enough for any WAV header with its LIST/JUNK chunks. */
#define HEAD_BYTES 65536u

int cli_parse_filter(const char *command, const char *text)
{
    if (strcmp(text, "auto") == 0)
        return CLI_FILTER_AUTO;
    if (strcmp(text, "pcm") == 0)
        return CLI_FILTER_PCM;
    if (strcmp(text, "none") == 0)
        return CLI_FILTER_NONE;
    cli_usage_error(command, "filter '%s': give auto, pcm or none", text);
    return -1;
}

void cli_filter_text(const zmm_member_info *mi, char *buf, size_t n)
{
    size_t used;

    if (n == 0)
        return;
    buf[0] = '\0';
    if (mi->flags & ZMM_MEMBER_PCM)
        snprintf(buf, n, "pcm %u-bit %uch @%llu+%llu", mi->pcm_bits,
                 mi->pcm_channels, (unsigned long long)mi->pcm_offset,
                 (unsigned long long)mi->pcm_length);
    used = strlen(buf);
    /* how many blocks the filter codes, and with linear predictors */
    if (mi->pcm_blocks > 0 && used < n)
        snprintf(buf + used, n - used, "%sfiltered %lu/%lu, lpc %lu",
                 used ? " " : "", (unsigned long)mi->pcm_blocks,
                 (unsigned long)mi->block_count,
                 (unsigned long)mi->lpc_blocks);
    used = strlen(buf);
    if ((mi->flags & ZMM_MEMBER_DICT) && used < n)
        snprintf(buf + used, n - used, "%sdict %lu", used ? ", " : "",
                 (unsigned long)mi->dict_length);
}

int cli_copy_in_filtered(zmm_stream *s, FILE *in, const char *in_name,
                         const char *archive, const char *member,
                         uint32_t block_size, uint64_t size, int filter,
                         int level, uint32_t threads, int use_dict,
                         cli_progress *progress)
{
    /* A whole number of blocks, so the copy stays block-aligned. */
    size_t want = block_size > HEAD_BYTES ? block_size : HEAD_BYTES, got;
    unsigned char *head;
    zmm_pcm_layout layout = {sizeof layout, 0, 0, 0, 0};
    zmm_result r;
    int rc = CLI_OK;

    if (filter == CLI_FILTER_NONE) {
        if (use_dict)
            rc = cli_choose_dictionary(s, in, in_name, archive, member,
                                       block_size, level, threads, size, 0);
        return rc != CLI_OK ? rc : cli_copy_in(s, in, in_name, archive,
                                               member, block_size, progress);
    }
    head = malloc(want);
    if (head == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    got = fread(head, 1, want, in);
    if (ferror(in)) {
        cli_error("%s: cannot read: %s", in_name, strerror(errno));
        free(head);
        return CLI_FAIL;
    }
    if (got < want)
        size = got; /* the whole input is here */
    r = zmm_detect_wav_layout(head, got, size, &layout);
    if (r == ZMM_OK) {
        r = zmm_stream_set_pcm_layout(s, &layout);
        if (r != ZMM_OK) {
            cli_archive_error(archive, member, "cannot set the PCM layout",
                              r, 0);
            rc = CLI_FAIL;
        } else {
            cli_note("%s: pcm filter, %u-bit, %u channel%s, samples at "
                     "%llu+%llu", member, layout.bits, layout.channels,
                     layout.channels == 1 ? "" : "s",
                     (unsigned long long)layout.offset,
                     (unsigned long long)layout.length);
        }
    } else if (filter == CLI_FILTER_PCM) {
        cli_error("%s: --filter pcm: %s", in_name,
                  r == ZMM_ERR_UNSUPPORTED
                      ? "a WAVE file, but not 8/16/24/32-bit integer PCM "
                        "of 1 to 32 channels (IEEE float, ADPCM, MP3... are "
                        "stored unfiltered)"
                      : "not a RIFF WAVE file with 'fmt ' and 'data' chunks "
                        "in its first 64 KiB");
        rc = CLI_FAIL;
    } else if (use_dict && got == want) {
        /* Not audio (samples gain nothing from it): maybe a dictionary. */
        rc = cli_choose_dictionary(s, in, in_name, archive, member,
                                   block_size, level, threads, size, got);
    }
    if (rc == CLI_OK && got > 0) {
        r = zmm_stream_write(s, head, got);
        if (r != ZMM_OK) {
            cli_archive_error(archive, member, "cannot write", r, 0);
            rc = CLI_FAIL;
        }
        cli_progress_add(progress, got);
    }
    free(head);
    if (rc == CLI_OK && got == want)
        rc = cli_copy_in(s, in, in_name, archive, member, block_size,
                         progress);
    return rc;
}
