/*
 * dict.c -- a preset dictionary for a member packed from a file: a sample
 * of whole blocks spread over the file goes to zmm_choose_dictionary, which
 * keeps a dictionary only when it saves at least 1% of the member. Text
 * gains a few percent; audio, images and compressed data get none.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

#define SAMPLE_BYTES (8u << 20) /* what the trainer looks at, at most */

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
                          uint32_t block_size, int level, uint32_t threads,
                          uint64_t size, uint64_t resume_at)
{
    unsigned char dict[ZMM_MAX_DICTIONARY], *sample;
    size_t sample_len, dict_len = 0;
    double saving = 0.0;
    zmm_result r;
    int rc = CLI_OK;
    char os[256];

    if (size == UINT64_MAX || size < ZMM_DICT_MIN_MEMBER || level == 0)
        return CLI_OK; /* a stream we cannot sample, or too small */
    sample = read_sample(in, in_name, size, block_size, &sample_len, &rc);
    if (sample == NULL)
        return rc;
    r = zmm_choose_dictionary_mt(sample, sample_len, size, block_size,
                                 level, dict, sizeof dict, &dict_len,
                                 &saving, threads);
    free(sample);
    if (r == ZMM_OK && dict_len > 0) {
        r = zmm_stream_set_dictionary(s, dict, dict_len);
        if (r != ZMM_OK) {
            cli_archive_error(archive, member, "cannot set the dictionary",
                              r, 0);
            rc = CLI_FAIL;
        } else {
            cli_note("%s: preset dictionary of %lu bytes: about %.1f%% "
                     "smaller", member, (unsigned long)dict_len,
                     100.0 * saving);
        }
    } else if (r == ZMM_OK && saving != 0.0) {
        cli_note("%s: no dictionary (it would save %.1f%%)", member,
                 100.0 * saving);
    }
    if (rc == CLI_OK && sys_fseek(in, resume_at) != 0) {
        cli_error("%s: cannot seek: %s", in_name,
                  cli_os_text(sys_last_error(), os, sizeof os));
        rc = CLI_FAIL;
    }
    return rc;
}
