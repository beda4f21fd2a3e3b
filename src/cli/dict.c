/*
 * dict.c -- a preset dictionary for a member packed from a file
 * (zmm_stream_set_dictionary): trained on a sample of the file, kept only
 * when a trial says it saves at least 1% of the member, the dictionary's
 * own stored bytes counted. Text gains a few percent; audio, images and
 * already compressed data gain nothing and get none.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

#define MIN_INPUT (256u << 10)  /* smaller members cannot repay it */
#define SAMPLE_BYTES (8u << 20) /* what the trainer looks at, at most */
#define TRIAL_BYTES (1u << 20)  /* coded both ways to decide: 16 blocks */

/* Reads `len` bytes at `offset` of the file. */
static int read_at(FILE *in, const char *in_name, uint64_t offset,
                   unsigned char *buf, size_t len)
{
    char os[256];

    if (sys_fseek(in, offset) != 0) {
        cli_error("%s: cannot seek: %s", in_name,
                  cli_os_text(sys_last_error(), os, sizeof os));
        return CLI_FAIL;
    }
    if (fread(buf, 1, len, in) != len) {
        cli_error("%s: cannot read: %s", in_name,
                  ferror(in) ? "read error" : "the file got shorter");
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* The sample: whole blocks spread evenly over the file (all of a small
 * file), so that trial blocks can be taken from it as they are. */
static unsigned char *read_sample(FILE *in, const char *in_name,
                                  uint64_t size, uint32_t block_size,
                                  size_t *len, int *rc)
{
    uint64_t blocks = size / block_size, want, i;
    unsigned char *sample;

    want = size <= SAMPLE_BYTES ? blocks : SAMPLE_BYTES / block_size;
    if (want == 0)
        want = 1;
    *len = (size_t)(size <= SAMPLE_BYTES ? size : want * block_size);
    sample = malloc(*len);
    if (sample == NULL) {
        cli_error("out of memory");
        *rc = CLI_FAIL;
        return NULL;
    }
    if (size <= SAMPLE_BYTES) {
        *rc = read_at(in, in_name, 0, sample, *len);
    } else {
        for (i = 0, *rc = CLI_OK; i < want && *rc == CLI_OK; i++)
            *rc = read_at(in, in_name, blocks * i / want * block_size,
                          sample + i * block_size, block_size);
    }
    if (*rc != CLI_OK) {
        free(sample);
        return NULL;
    }
    return sample;
}

int cli_choose_dictionary(zmm_stream *s, FILE *in, const char *in_name,
                          const char *archive, const char *member,
                          uint32_t block_size, int level, uint64_t size,
                          uint64_t resume_at)
{
    unsigned char dict[ZMM_MAX_DICTIONARY], *sample, *trial = NULL;
    size_t sample_len, dict_len = 0, blocks, trials, step, i, trial_len = 0;
    uint64_t plain = 0, with = 0, cost = 0;
    double scale, saved;
    zmm_result r;
    int rc = CLI_OK;
    char os[256];

    if (size == UINT64_MAX || size < MIN_INPUT || level == 0)
        return CLI_OK; /* a stream we cannot sample, or too small */
    sample = read_sample(in, in_name, size, block_size, &sample_len, &rc);
    if (sample == NULL)
        return rc;
    r = zmm_train_dictionary(sample, sample_len, dict, sizeof dict,
                             &dict_len);
    /* The trial: about TRIAL_BYTES of whole blocks of the sample, evenly
     * spread, and at least 16 blocks. */
    blocks = sample_len / block_size;
    trials = TRIAL_BYTES / block_size > 16 ? TRIAL_BYTES / block_size : 16;
    step = blocks > trials ? blocks / trials : 1;
    if (r == ZMM_OK)
        trial = malloc((blocks / step + 1) * (size_t)block_size);
    for (i = 0; trial != NULL && i < blocks; i += step) {
        memcpy(trial + trial_len, sample + i * block_size, block_size);
        trial_len += block_size;
    }
    if (trial != NULL && trial_len > 0)
        r = zmm_measure_dictionary(trial, trial_len, block_size, level, dict,
                                   dict_len, &plain, &with, &cost);
    /* Kept if the blocks, scaled to the member, save 1% net of its cost. */
    scale = trial_len ? (double)size / (double)trial_len : 0.0;
    saved = ((double)plain - (double)with) * scale - (double)cost;
    if (r == ZMM_OK && trial_len > 0 && plain > 0 &&
        saved >= 0.01 * (double)plain * scale) {
        r = zmm_stream_set_dictionary(s, dict, dict_len);
        if (r != ZMM_OK) {
            cli_archive_error(archive, member, "cannot set the dictionary",
                              r, 0);
            rc = CLI_FAIL;
        } else {
            cli_note("%s: preset dictionary of %lu bytes: about %.1f%% "
                     "smaller", member, (unsigned long)dict_len,
                     100.0 * saved / ((double)plain * scale));
        }
    } else if (trial_len > 0 && plain > 0) {
        cli_note("%s: no dictionary (it would save %.1f%%)", member,
                 100.0 * saved / ((double)plain * scale));
    }
    free(trial);
    free(sample);
    if (rc == CLI_OK && sys_fseek(in, resume_at) != 0) {
        cli_error("%s: cannot seek: %s", in_name,
                  cli_os_text(sys_last_error(), os, sizeof os));
        rc = CLI_FAIL;
    }
    return rc;
}
