/*
 * dict_train.c -- a preset dictionary for a member from its own bytes.
 *
 * Deflate reaches 32 KiB back, so a dictionary is the 32 KiB of earlier
 * text that most blocks would like to have seen. Segment scoring, after
 * zstd's COVER: count in how many 64 KiB stretches (blocks) of a bounded
 * sample every 8-byte string occurs, then, for each of 128 equal ranges
 * ("epochs") of the sample, take the 256-byte segment whose strings are the
 * most widespread, and forget the strings it covers so that later epochs
 * bring something new. Counting a string once per block matters: strings
 * repeated inside one block are found by deflate there anyway.
 * The segments go in order of score, the best LAST, since deflate codes near
 * matches cheaper than far ones.
 *
 * Measured on the 64 MiB text benchmark (64 KiB blocks, level 6, 32 KiB):
 * no dictionary 18,682,580 bytes; even sampling (128 chunks of 256 bytes
 * spread evenly) 3.78% smaller; scoring with every occurrence counted
 * 3.44%; scoring once per block 4.42% (zstd's trained ceiling: 4.4%).
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "codec.h"
#include "thread.h"
#include "zmm.h"

#define SEGMENT 256u          /* bytes a dictionary piece */
#define DMER 8u               /* the strings scored */
#define HASH_BITS 20u         /* 1M strings counted: a 2 MiB table */
#define SAMPLE_CHUNK 16384u   /* the sample is spread over the input */
#define SAMPLE_MAX (8u << 20) /* bytes scored at most: bounds the time */
#define DOCUMENT 65536u       /* strings count once per 64 KiB: a block */
#define ZMM_DICT_MAX_THREADS 64u /* as the CLI's -T */

static uint32_t hash8(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v); /* the value only feeds a hash: any endian */
    return (uint32_t)((v * 0x9E3779B185EBCA87ull) >> (64 - HASH_BITS));
}

/* At most SAMPLE_MAX bytes of the input, in evenly spread chunks copied
 * into *copy; the input itself when it is small enough (copying 8 MiB cost
 * 8 ms on the serial path). NULL when out of memory. */
static const unsigned char *take_sample(const unsigned char *in, size_t len,
                                        size_t *sample_len,
                                        unsigned char **copy)
{
    size_t chunks, i, step;
    unsigned char *s;

    *copy = NULL;
    if (len <= SAMPLE_MAX) {
        *sample_len = len;
        return in;
    }
    chunks = SAMPLE_MAX / SAMPLE_CHUNK;
    step = len / chunks;
    s = zmm_malloc(SAMPLE_MAX);
    if (s == NULL)
        return NULL;
    for (i = 0; i < chunks; i++)
        memcpy(s + i * SAMPLE_CHUNK, in + i * step, SAMPLE_CHUNK);
    *sample_len = SAMPLE_MAX;
    *copy = s;
    return s;
}

typedef struct segment {
    size_t at;      /* in the sample */
    uint64_t score;
} segment;

static int by_score(const void *a, const void *b)
{
    const segment *x = a, *y = b;

    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at; /* deterministic */
}

/*
 * Counting, split by documents over threads: part k counts the strings of
 * its own documents, each once per document, in its own table. Summed, the
 * parts give exactly what one pass over the sample gives, whatever the
 * number of parts. A string's count and the last document it was seen in
 * sit side by side, so that counting takes one cache miss a position (the
 * table is larger than a core's cache: counting is bound by these misses);
 * bytes suffice, as a sample holds at most MAX_DOCUMENTS documents.
 */
#define MAX_DOCUMENTS (SAMPLE_MAX / DOCUMENT + 1)

typedef struct string_count {
    uint8_t seen;  /* the last document (1-based) it was counted in */
    uint8_t count; /* documents it occurs in */
} string_count;

typedef struct count_part {
    const unsigned char *sample;
    size_t from, to; /* positions: document boundaries, or the sample's end */
    string_count *table; /* 1 << HASH_BITS, zeroed */
} count_part;

static void count_strings(void *arg)
{
    count_part *part = arg;
    size_t p;

    for (p = part->from; p < part->to; p++) {
        string_count *c = &part->table[hash8(part->sample + p)];
        uint8_t id = (uint8_t)(p / DOCUMENT + 1); /* <= MAX_DOCUMENTS */

        if (c->seen != id) {
            c->seen = id;
            c->count++;
        }
    }
}

/* The once-per-document counts of the sample's strings (at most
 * MAX_DOCUMENTS), on up to `threads` threads; NULL when out of memory. */
static uint8_t *count_sample(const unsigned char *sample, size_t sample_len,
                             unsigned threads)
{
    count_part part[ZMM_DICT_MAX_THREADS];
    zmm_thread *thread[ZMM_DICT_MAX_THREADS];
    size_t positions = sample_len >= DMER ? sample_len - DMER + 1 : 0;
    size_t documents = (positions + DOCUMENT - 1) / DOCUMENT, h;
    uint8_t *counts = zmm_malloc((size_t)1 << HASH_BITS);
    unsigned k, n;
    int ok = counts != NULL;

    _Static_assert(MAX_DOCUMENTS <= 255, "a count is a byte");
    n = threads < documents ? threads : (unsigned)documents;
    if (n == 0)
        n = 1;
    for (k = 0; k < n; k++) {
        size_t from = documents * k / n * DOCUMENT;
        size_t to = documents * (k + 1) / n * DOCUMENT;

        part[k].sample = sample;
        part[k].from = from < positions ? from : positions;
        part[k].to = to < positions ? to : positions;
        part[k].table = zmm_calloc((size_t)1 << HASH_BITS,
                                   sizeof *part[k].table);
        thread[k] = NULL;
        ok = ok && part[k].table != NULL;
    }
    /* part 0 on this thread; a thread that cannot start runs here too */
    for (k = 1; ok && k < n; k++)
        thread[k] = zmm_thread_start(count_strings, &part[k]);
    if (ok)
        count_strings(&part[0]);
    for (k = 1; ok && k < n; k++) {
        if (thread[k] != NULL)
            zmm_thread_join(thread[k]);
        else
            count_strings(&part[k]);
    }
    for (h = 0; ok && h < ((size_t)1 << HASH_BITS); h++) {
        unsigned sum = 0;

        for (k = 0; k < n; k++)
            sum += part[k].table[h].count;
        counts[h] = (uint8_t)sum; /* parts hold distinct documents */
    }
    for (k = 0; k < n; k++)
        zmm_free(part[k].table);
    if (!ok) {
        zmm_free(counts);
        return NULL;
    }
    return counts;
}

/* Segment scoring into out (count segments); 0 when out of memory. */
static size_t train_scored(const unsigned char *in, size_t len,
                           unsigned char *out, size_t count,
                           unsigned threads)
{
    size_t sample_len, epoch, e, p, i;
    unsigned char *copy;
    const unsigned char *sample = take_sample(in, len, &sample_len, &copy);
    uint8_t *counts =
        sample != NULL ? count_sample(sample, sample_len, threads) : NULL;
    segment *seg = zmm_calloc(count, sizeof *seg);

    if (sample == NULL || counts == NULL || seg == NULL) {
        zmm_free(copy);
        zmm_free(counts);
        zmm_free(seg);
        return 0;
    }
    epoch = sample_len / count; /* >= SEGMENT: checked by the caller */
    for (e = 0; e < count; e++) {
        size_t from = e * epoch, last = from + epoch - SEGMENT;
        uint64_t sum = 0;

        /* A window's score: the counts of its 8-byte strings, rolled. */
        for (i = 0; i + DMER <= SEGMENT; i++)
            sum += counts[hash8(sample + from + i)];
        seg[e].at = from;
        seg[e].score = sum;
        for (p = from + 1; p <= last; p++) {
            sum -= counts[hash8(sample + p - 1)];
            sum += counts[hash8(sample + p + SEGMENT - DMER)];
            if (sum > seg[e].score) {
                seg[e].score = sum;
                seg[e].at = p;
            }
        }
        /* What it covers is in the dictionary now. */
        for (i = 0; i + DMER <= SEGMENT; i++)
            counts[hash8(sample + seg[e].at + i)] = 0;
    }
    qsort(seg, count, sizeof *seg, by_score);
    for (e = 0; e < count; e++)
        memcpy(out + e * SEGMENT, sample + seg[e].at, SEGMENT);
    zmm_free(copy);
    zmm_free(counts);
    zmm_free(seg);
    return count * SEGMENT;
}

static zmm_result train(const void *samples, size_t len, void *dict,
                        size_t capacity, size_t *dict_len, unsigned threads)
{
    size_t count;

    if (dict_len != NULL)
        *dict_len = 0;
    if (samples == NULL || dict == NULL || dict_len == NULL)
        return ZMM_ERR_INVALID_ARG;
    if (capacity > ZMM_MAX_DICTIONARY)
        capacity = ZMM_MAX_DICTIONARY;
    count = capacity / SEGMENT;
    if (len < 1024 || count == 0)
        return ZMM_ERR_INVALID_ARG;
    if (len / count < 2 * SEGMENT) /* an epoch holds two segments or more */
        count = len / (2 * SEGMENT);
    *dict_len = train_scored(samples, len, dict, count, threads);
    return *dict_len != 0 ? ZMM_OK : ZMM_ERR_NOMEM;
}

zmm_result zmm_train_dictionary(const void *samples, size_t len, void *dict,
                                size_t capacity, size_t *dict_len)
{
    return train(samples, len, dict, capacity, dict_len, 1);
}

/* The stored size of n bytes coded by c (its dictionary set) at level. */
static zmm_result stored_size(zmm_codec *c, int level, const unsigned char *in,
                              uint32_t n, unsigned char *scratch,
                              uint64_t *total)
{
    zmm_block_ref ref;
    const unsigned char *stored;
    zmm_result rc = zmm_codec_encode(c, level, in, n, NULL, 0, 0, scratch, &ref,
                                     &stored);

    *total += ref.stored_size;
    return rc;
}

/* Adds to *total the stored sizes of len bytes coded as blocks of
 * block_size at level, with `dict` (NULL: none); the last may be short. */
static zmm_result code_blocks(const unsigned char *in, size_t len,
                              uint32_t block_size, int level,
                              const void *dict, size_t dict_len,
                              uint64_t *total)
{
    zmm_codec *c = zmm_codec_new();
    unsigned char *scratch = zmm_malloc(block_size);
    size_t at;
    zmm_result rc = ZMM_OK;

    if (c == NULL || scratch == NULL) {
        zmm_codec_free(c);
        zmm_free(scratch);
        return ZMM_ERR_NOMEM;
    }
    zmm_codec_use_dictionary(c, dict, (uint32_t)dict_len);
    for (at = 0; rc == ZMM_OK && at < len; at += block_size) {
        uint32_t n = len - at < block_size ? (uint32_t)(len - at)
                                           : block_size;

        rc = stored_size(c, level, in + at, n, scratch, total);
    }
    zmm_codec_free(c);
    zmm_free(scratch);
    return rc;
}

/* The dictionary's stored size as stream_dict.c stores it: level 9, no
 * dictionary, raw when it does not shrink (zeros: stored raw too). */
static zmm_result dictionary_cost(const void *dict, size_t dict_len,
                                  uint64_t *cost)
{
    zmm_result rc;

    *cost = 0;
    rc = code_blocks(dict, dict_len, ZMM_MAX_DICTIONARY, 9, NULL, 0, cost);
    if (rc == ZMM_OK && *cost == 0)
        *cost = dict_len;
    return rc;
}

zmm_result zmm_measure_dictionary(const void *samples, size_t len,
                                  uint32_t block_size, int level,
                                  const void *dict, size_t dict_len,
                                  uint64_t *plain, uint64_t *with,
                                  uint64_t *dict_cost)
{
    zmm_result rc;

    if (samples == NULL || dict == NULL || plain == NULL || with == NULL ||
        dict_cost == NULL || dict_len == 0 || dict_len > ZMM_MAX_DICTIONARY ||
        block_size < ZMM_MIN_BLOCK_SIZE || block_size > ZMM_MAX_BLOCK_SIZE ||
        (block_size & (block_size - 1)) != 0 || level < 0 || level > 9)
        return ZMM_ERR_INVALID_ARG;
    *plain = *with = 0;
    rc = dictionary_cost(dict, dict_len, dict_cost);
    if (rc == ZMM_OK)
        rc = code_blocks(samples, len, block_size, level, NULL, 0, plain);
    if (rc == ZMM_OK)
        rc = code_blocks(samples, len, block_size, level, dict, dict_len,
                         with);
    return rc;
}

/* The trial's blocks coded with a dictionary or without (dict NULL): a
 * part of them, on a thread. */
typedef struct trial_part {
    const unsigned char *in;
    size_t len;
    uint32_t block_size;
    int level;
    const void *dict;
    size_t dict_len;
    uint64_t size; /* their stored bytes */
    zmm_result rc;
} trial_part;

static void code_part(void *arg)
{
    trial_part *t = arg;

    t->size = 0;
    t->rc = code_blocks(t->in, t->len, t->block_size, t->level, t->dict,
                        t->dict_len, &t->size);
}

static void set_part(trial_part *t, const unsigned char *in, size_t len,
                     uint32_t block_size, int level, const void *dict,
                     size_t dict_len)
{
    memset(t, 0, sizeof *t);
    t->in = in;
    t->len = len;
    t->block_size = block_size;
    t->level = level;
    t->dict = dict;
    t->dict_len = dict_len;
}

/* The stored size of the trial's whole blocks, split by blocks over
 * threads: a sum, the same whatever the split. */
static zmm_result measure_trial(const unsigned char *trial, size_t len,
                                uint32_t block_size, int level,
                                const void *dict, size_t dict_len,
                                unsigned threads, uint64_t *size)
{
    trial_part part[ZMM_DICT_MAX_THREADS];
    zmm_thread *thread[ZMM_DICT_MAX_THREADS];
    size_t blocks = len / block_size;
    unsigned k, n = threads < blocks ? threads : (unsigned)blocks;
    zmm_result rc = ZMM_OK;

    if (n == 0)
        n = 1;
    for (k = 0; k < n; k++) {
        size_t from = blocks * k / n, to = blocks * (k + 1) / n;

        set_part(&part[k], trial + from * block_size,
                 (to - from) * block_size, block_size, level, dict,
                 dict_len);
        thread[k] = k > 0 ? zmm_thread_start(code_part, &part[k]) : NULL;
    }
    code_part(&part[0]);
    *size = 0;
    for (k = 0; k < n; k++) {
        if (k > 0 && thread[k] != NULL)
            zmm_thread_join(thread[k]);
        else if (k > 0)
            code_part(&part[k]); /* no thread: here */
        if (rc == ZMM_OK)
            rc = part[k].rc;
        *size += part[k].size;
    }
    return rc;
}

/*
 * The probe: PROBE_PIECES pieces of the sample, spread over it, deflated at
 * level 1 as one stream, so that deflate's window holds pieces from distant
 * parts of the member, as a dictionary would, and each piece alone. A
 * dictionary is worth training only when both hold:
 * - the stream shrinks by 1%. Random, compressed or encrypted data does not,
 *   and a dictionary of strings from the same sample cannot save the 1% it
 *   must either.
 * - the stream is 0.5% smaller than the pieces alone: distant parts share
 *   strings. Audio shrinks but shares none (the stream comes out 2% larger
 *   on the benchmark's); where a dictionary saved 1% to 9% (ELF binaries,
 *   C headers, text, HTML) the stream was 2% to 18% smaller, about twice
 *   what the dictionary then saved.
 * Otherwise the training and the trial (0.1 to 0.2 s of CPU for an 8 MiB
 * sample, much of it on one thread) are skipped. The probe costs a few ms.
 */
#define PROBE_PIECE 4096u
#define PROBE_PIECES 64u

static zmm_result probe_worth_training(const unsigned char *sample,
                                       size_t len, int *worth)
{
    size_t n = len < PROBE_PIECE * PROBE_PIECES ? len
                                                : PROBE_PIECE * PROBE_PIECES;
    unsigned char *pieces = n < len ? zmm_malloc(n) : NULL;
    unsigned char *scratch = zmm_malloc(n);
    zmm_codec *c = zmm_codec_new();
    const unsigned char *probe = pieces != NULL ? pieces : sample;
    uint64_t stream = 0, alone = 0;
    zmm_block_ref ref;
    const unsigned char *stored;
    zmm_result rc = ZMM_ERR_NOMEM;
    size_t i;

    *worth = 1;
    if ((pieces != NULL || n == len) && scratch != NULL && c != NULL) {
        for (i = 0; pieces != NULL && i < PROBE_PIECES; i++)
            memcpy(pieces + i * PROBE_PIECE,
                   sample + (len - PROBE_PIECE) / (PROBE_PIECES - 1) * i,
                   PROBE_PIECE);
        /* a small sample is its own probe */
        rc = zmm_codec_encode(c, 1, probe, (uint32_t)n, NULL, 0, 0, scratch,
                              &ref, &stored);
        stream = ref.stored_size;
        for (i = 0; rc == ZMM_OK && i < n; i += PROBE_PIECE) {
            uint32_t piece = n - i < PROBE_PIECE ? (uint32_t)(n - i)
                                                 : PROBE_PIECE;

            rc = zmm_codec_encode(c, 1, probe + i, piece, NULL, 0, 0, scratch,
                                  &ref, &stored);
            alone += ref.stored_size;
        }
        if (rc == ZMM_OK)
            *worth = stream * 100 < (uint64_t)n * 99 &&
                     stream * 1000 < alone * 995;
    }
    zmm_codec_free(c);
    zmm_free(pieces);
    zmm_free(scratch);
    return rc;
}

/* What a dictionary saves of the member, net of its cost, as a fraction,
 * from a trial of trial_len bytes scaled to the member. */
static double net_saving(uint64_t plain, uint64_t with, uint64_t cost,
                         uint64_t member_size, size_t trial_len)
{
    double scale = (double)member_size / (double)trial_len;
    double saved = ((double)plain - (double)with) * scale - (double)cost;

    return saved / ((double)plain * scale);
}

zmm_result zmm_choose_dictionary(const void *sample, size_t len,
                                 uint64_t member_size, uint32_t block_size,
                                 int level, void *dict, size_t capacity,
                                 size_t *dict_len, double *saving)
{
    return zmm_choose_dictionary_mt(sample, len, member_size, block_size,
                                    level, dict, capacity, dict_len, saving,
                                    1);
}

zmm_result zmm_choose_dictionary_mt(const void *sample, size_t len,
                                    uint64_t member_size,
                                    uint32_t block_size, int level,
                                    void *dict, size_t capacity,
                                    size_t *dict_len, double *saving,
                                    uint32_t threads)
{
    const unsigned char *in = sample;
    size_t blocks, trials, step, count, first, i, k, trained = 0;
    uint64_t plain = 0, with = 0, cost = 0;
    unsigned char *trial;
    trial_part plain_part;
    zmm_thread *helper;
    int worth;
    zmm_result rc;

    if (dict_len == NULL || saving == NULL)
        return ZMM_ERR_INVALID_ARG;
    *dict_len = 0;
    *saving = 0.0;
    if (sample == NULL || dict == NULL || block_size < ZMM_MIN_BLOCK_SIZE ||
        block_size > ZMM_MAX_BLOCK_SIZE || (block_size & (block_size - 1)) ||
        level < 0 || level > 9 ||
        ((threads == 0 || threads > ZMM_DICT_MAX_THREADS) &&
         threads != ZMM_THREADS_ALL))
        return ZMM_ERR_INVALID_ARG;
    if (threads == ZMM_THREADS_ALL)
        threads = zmm_cpu_count() < ZMM_DICT_MAX_THREADS
                      ? zmm_cpu_count()
                      : ZMM_DICT_MAX_THREADS;
    blocks = len / block_size;
    if (level == 0 || blocks == 0 || member_size < ZMM_DICT_MIN_MEMBER)
        return ZMM_OK; /* stored, or too small to repay a dictionary */
    rc = probe_worth_training(in, len, &worth);
    if (rc != ZMM_OK || !worth)
        return rc;
    /* The trial: about 1 MiB of whole blocks spread over the sample, and at
     * least 16 of them, in two rounds: every other one, then the rest only
     * when the first round's estimate is near the 1% (from 0 to 3%). Each
     * round is spread over the whole sample; text saves 4-5% and is decided
     * by the first, which halves the trial's 60 ms of CPU (issue 15). */
    trials = (1u << 20) / block_size > 16 ? (1u << 20) / block_size : 16;
    step = blocks > trials ? blocks / trials : 1;
    count = (blocks + step - 1) / step;
    first = (count + 1) / 2;
    trial = zmm_malloc(count * (size_t)block_size);
    if (trial == NULL)
        return ZMM_ERR_NOMEM;
    for (i = 0, k = 0; k < count; i += step, k++) {
        size_t at = k % 2 == 0 ? k / 2 : first + k / 2; /* evens first */

        memcpy(trial + at * block_size, in + i * block_size, block_size);
    }
    /* The first round's plain sizes need no dictionary: another thread
     * codes them while this one trains (the trainer's greedy pass is
     * serial: about 15 ms with the other core idle). */
    set_part(&plain_part, trial, first * block_size, block_size, level, NULL,
             0);
    helper = threads > 1 ? zmm_thread_start(code_part, &plain_part) : NULL;
    rc = train(sample, len, dict, capacity, &trained, threads);
    if (helper != NULL)
        zmm_thread_join(helper);
    else if (rc == ZMM_OK)
        code_part(&plain_part);
    if (rc == ZMM_OK)
        rc = plain_part.rc;
    plain = plain_part.size;
    if (rc == ZMM_OK)
        rc = dictionary_cost(dict, trained, &cost);
    if (rc == ZMM_OK)
        rc = measure_trial(trial, first * block_size, block_size, level,
                           dict, trained, threads, &with);
    if (rc == ZMM_OK && plain != 0) {
        *saving = net_saving(plain, with, cost, member_size,
                             first * block_size);
        if (*saving >= 0.0 && *saving < 0.03 && count > first) {
            const unsigned char *rest = trial + first * block_size;
            size_t rest_len = (count - first) * block_size;
            uint64_t more = 0;

            rc = measure_trial(rest, rest_len, block_size, level, NULL, 0,
                               threads, &more);
            plain += more;
            if (rc == ZMM_OK)
                rc = measure_trial(rest, rest_len, block_size, level, dict,
                                   trained, threads, &more);
            with += more;
            *saving = net_saving(plain, with, cost, member_size,
                                 count * block_size);
        }
    }
    zmm_free(trial);
    if (rc == ZMM_ERR_INVALID_ARG) { /* from train: too little to train on */
        *saving = 0.0;
        return ZMM_OK;
    }
    if (rc != ZMM_OK) {
        *saving = 0.0;
        return rc;
    }
    if (*saving >= 0.01)
        *dict_len = trained;
    return ZMM_OK;
}
