/*
 * test_dict.c -- members with a preset dictionary (docs/FORMAT.md, "Preset
 * dictionary"): round trips with random access to every block, appends
 * after a reopen, truncation, compaction, the rules of
 * zmm_stream_set_dictionary, and zmm_train_dictionary. Every archive is
 * also decoded by the independent reader (tu_fmt_parse), so writer and
 * reader cannot agree on a wrong format.
 */
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "test_util.h"

#define BS 4096u

static zmm_archive *open_mem(zmm_file *mem, unsigned flags)
{
    zmm_archive *ar = NULL;

    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), flags, &ar));
    return ar;
}

static zmm_stream *create(zmm_archive *ar, const char *name)
{
    zmm_member_options opt;
    zmm_stream *s = NULL;

    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.block_size = BS;
    opt.level = 6;
    CHECK_OK(zmm_stream_open(ar, name,
                             ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                 ZMM_STREAM_TRUNCATE,
                             &opt, &s));
    return s;
}

static zmm_member_info info_of(zmm_archive *ar, const char *name)
{
    zmm_member_info mi;
    size_t index = 0;

    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    CHECK_OK(zmm_archive_find(ar, name, &index));
    CHECK_OK(zmm_archive_member_info(ar, index, &mi));
    return mi;
}

/* The independent reader decodes the file and finds `want` in member 0. */
static uint32_t check_format(zmm_file *mem, const unsigned char *want,
                             size_t len, uint32_t incompat)
{
    size_t flen;
    unsigned char *file = tu_memfile_copy(mem, &flen), *bytes;
    tu_fmt_archive a;
    const char *err = tu_fmt_parse(file, flen, 1, &a);
    uint32_t dict_length;

    CHECKF(err == NULL, "the archive breaks FORMAT.md: %s", err);
    CHECK_U64(a.incompat_features, incompat);
    CHECK_U64(a.members[0].length, len);
    bytes = tu_fmt_member_bytes(file, &a.members[0]);
    CHECK_MEM(bytes, want, len);
    dict_length = a.members[0].dict_length;
    free(bytes);
    tu_fmt_free(&a);
    free(file);
    return dict_length;
}

/* Reads every block alone, last first, in a fresh stream each time (so the
 * dictionary is loaded for it), then odd pieces across block edges. */
static void check_random_reads(zmm_archive *ar, const char *name,
                               const unsigned char *want, size_t len)
{
    unsigned char *buf = tu_xmalloc(3 * BS);
    size_t blocks = (len + BS - 1) / BS, b, got;
    zmm_stream *s = NULL;
    tu_rng r;
    int k;

    for (b = blocks; b-- > 0;) {
        size_t n = len - b * BS < BS ? len - b * BS : BS;

        tu_set_context("reading block %lu of %s alone", (unsigned long)b,
                       name);
        CHECK_OK(zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s));
        CHECK_OK(zmm_stream_seek(s, (int64_t)(b * BS), ZMM_SEEK_SET, NULL));
        CHECK_OK(zmm_stream_read(s, buf, BS, &got));
        CHECK_U64(got, n);
        CHECK_MEM(buf, want + b * BS, n);
        CHECK_OK(zmm_stream_close(s));
    }
    tu_rng_seed(&r, 5);
    CHECK_OK(zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s));
    for (k = 0; k < 200; k++) {
        uint64_t at = tu_rng_below(&r, len);
        size_t n = (size_t)tu_rng_range(&r, 1, 3 * BS);

        tu_set_context("reading %lu bytes at %llu of %s", (unsigned long)n,
                       (unsigned long long)at, name);
        if (n > len - at)
            n = (size_t)(len - at);
        CHECK_OK(zmm_stream_seek(s, (int64_t)at, ZMM_SEEK_SET, NULL));
        CHECK_OK(zmm_stream_read(s, buf, n, &got));
        CHECK_U64(got, n);
        CHECK_MEM(buf, want + at, n);
    }
    CHECK_OK(zmm_stream_close(s));
    free(buf);
}

static uint64_t packed_with(const unsigned char *data, size_t len,
                            const unsigned char *dict, size_t dict_len)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = open_mem(mem, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE);
    zmm_stream *s = create(ar, "m");
    uint64_t packed;

    CHECK_OK(zmm_stream_set_dictionary(s, dict, dict_len));
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
    packed = info_of(ar, "m").packed_size;
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
    return packed;
}

static void test_roundtrip_append_truncate(void)
{
    size_t len = 40 * BS + 1234, more = 3 * BS + 77, dict_len = 0;
    unsigned char *data = tu_xmalloc(len + more);
    unsigned char dict[ZMM_MAX_DICTIONARY];
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar;
    zmm_stream *s;
    zmm_member_info mi;
    uint64_t plain, with;
    tu_rng r;

    tu_set_context("round trip");
    tu_rng_seed(&r, 11);
    tu_fill(&r, TU_DATA_TEXT, data, len + more);
    CHECK_OK(zmm_train_dictionary(data, len, dict, sizeof dict, &dict_len));
    CHECK(dict_len > 0 && dict_len <= sizeof dict);

    ar = open_mem(mem, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE);
    s = create(ar, "text");
    CHECK_OK(zmm_stream_set_dictionary(s, dict, dict_len));
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
    mi = info_of(ar, "text");
    CHECK(mi.flags & ZMM_MEMBER_DICT);
    CHECK_U64(mi.dict_length, dict_len);
    CHECK_OK(zmm_archive_close(ar));
    CHECK_U64(check_format(mem, data, len, 0x2), dict_len);

    ar = open_mem(mem, ZMM_OPEN_READ);
    check_random_reads(ar, "text", data, len);
    CHECK_OK(zmm_archive_verify_member(ar, "text", NULL));
    CHECK_OK(zmm_archive_close(ar));

    /* A writer opened later (as the DLL would) keeps the dictionary. */
    tu_set_context("append after reopen");
    ar = open_mem(mem, ZMM_OPEN_WRITE);
    CHECK_OK(zmm_stream_open(ar, "text", ZMM_STREAM_WRITE, NULL, &s));
    CHECK_RES(zmm_stream_set_dictionary(s, dict, dict_len),
              ZMM_ERR_INVALID_ARG); /* not empty */
    CHECK_OK(zmm_stream_seek(s, 0, ZMM_SEEK_END, NULL));
    CHECK_OK(zmm_stream_write(s, data + len, more));
    CHECK_OK(zmm_stream_seek(s, 5 * BS + 3, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_write(s, "patched", 7)); /* a block in the middle */
    memcpy(data + 5 * BS + 3, "patched", 7);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    CHECK_U64(check_format(mem, data, len + more, 0x2), dict_len);
    ar = open_mem(mem, ZMM_OPEN_READ);
    check_random_reads(ar, "text", data, len + more);
    CHECK_OK(zmm_archive_close(ar));

    /* The dictionary pays on text: a few percent at 4 KiB blocks. */
    plain = packed_with(data, len, NULL, 0);
    with = packed_with(data, len, dict, dict_len);
    printf("%s: %lu bytes of text: %llu packed, %llu with a %lu-byte "
           "dictionary (counted in)\n",
           tu_test_name, (unsigned long)len, (unsigned long long)plain,
           (unsigned long long)with, (unsigned long)dict_len);
    CHECK(with < plain);

    /* Truncation drops it, and the incompat bit with it. */
    tu_set_context("truncate");
    ar = open_mem(mem, ZMM_OPEN_WRITE);
    s = create(ar, "text");
    mi = info_of(ar, "text");
    CHECK(!(mi.flags & ZMM_MEMBER_DICT));
    CHECK_U64(mi.dict_length, 0);
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    CHECK_U64(check_format(mem, data, len, 0), 0);
    mem->methods->close(mem);
    free(data);
}

static void test_set_rules(void)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = open_mem(mem, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE);
    unsigned char *big = tu_xcalloc(ZMM_MAX_DICTIONARY + 1);
    unsigned char *data = tu_xmalloc(5 * BS);
    zmm_stream *s = create(ar, "m"), *rd = NULL;
    tu_rng r;

    tu_set_context("zmm_stream_set_dictionary rules");
    tu_rng_seed(&r, 3);
    tu_fill(&r, TU_DATA_TEXT, data, 5 * BS);
    CHECK_RES(zmm_stream_set_dictionary(s, big, ZMM_MAX_DICTIONARY + 1),
              ZMM_ERR_LIMIT);
    /* all zeros: stored raw (a zero block is not allowed for it) */
    CHECK_OK(zmm_stream_set_dictionary(s, big, ZMM_MAX_DICTIONARY));
    CHECK_U64(info_of(ar, "m").dict_length, ZMM_MAX_DICTIONARY);
    CHECK_OK(zmm_stream_set_dictionary(s, NULL, 100)); /* removes */
    CHECK(!(info_of(ar, "m").flags & ZMM_MEMBER_DICT));
    CHECK_OK(zmm_stream_set_dictionary(s, data, 1));
    CHECK_OK(zmm_stream_set_dictionary(s, data, 0)); /* removes too */
    CHECK(!(info_of(ar, "m").flags & ZMM_MEMBER_DICT));
    CHECK_OK(zmm_stream_set_dictionary(s, big, 1000)); /* zeros, then */
    CHECK_OK(zmm_stream_set_dictionary(s, data + BS, 2000)); /* replaced */
    CHECK_OK(zmm_stream_write(s, data, 5 * BS));
    CHECK_RES(zmm_stream_set_dictionary(s, data, 100), ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_stream_set_dictionary(s, NULL, 0), ZMM_ERR_INVALID_ARG);
    /* emptied again, it may change: nothing stored refers to it */
    CHECK_OK(zmm_stream_truncate(s, 0));
    CHECK_OK(zmm_stream_seek(s, 0, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_set_dictionary(s, big, 3000));
    CHECK_OK(zmm_stream_write(s, data, 5 * BS));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_READ, NULL, &rd));
    CHECK_RES(zmm_stream_set_dictionary(rd, data, 100), ZMM_ERR_READ_ONLY);
    CHECK_OK(zmm_stream_close(rd));
    CHECK_U64(info_of(ar, "m").dict_length, 3000);
    CHECK_OK(zmm_archive_close(ar));
    CHECK_U64(check_format(mem, data, 5 * BS, 0x2), 3000);
    ar = open_mem(mem, ZMM_OPEN_READ);
    check_random_reads(ar, "m", data, 5 * BS);
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
    free(big);
    free(data);
}

static void test_compact(void)
{
    char path[256];
    size_t len = 12 * BS + 5, dict_len = 0, flen;
    unsigned char *data = tu_xmalloc(len), *file;
    unsigned char dict[ZMM_MAX_DICTIONARY];
    zmm_archive *ar = NULL;
    zmm_stream *s;
    tu_fmt_archive a;
    const char *err;
    tu_rng r;

    tu_set_context("compact");
    tu_rng_seed(&r, 9);
    tu_fill(&r, TU_DATA_TEXT, data, len);
    CHECK_OK(zmm_train_dictionary(data, len, dict, 8192, &dict_len));
    CHECK(dict_len > 0 && dict_len <= 8192);
    tu_temp_path(path, sizeof path, "compact.zmm");
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    s = create(ar, "plain"); /* garbage for compaction to drop */
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
    s = create(ar, "dict");
    CHECK_OK(zmm_stream_set_dictionary(s, dict, dict_len));
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_commit(ar));
    CHECK_OK(zmm_archive_remove(ar, "plain"));
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_compact(path, NULL));
    file = tu_read_file(path, &flen);
    CHECK(file != NULL);
    err = tu_fmt_parse(file, flen, 1, &a);
    CHECKF(err == NULL, "the compacted archive breaks FORMAT.md: %s", err);
    CHECK_U64(a.member_count, 1);
    CHECK_U64(a.members[0].dict_length, dict_len);
    tu_fmt_free(&a);
    free(file);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL));
    check_random_reads(ar, "dict", data, len);
    CHECK_OK(zmm_archive_close(ar));
    remove(path);
    free(data);
}

static void test_train(void)
{
    size_t len = 300000, a_len = 0, b_len = 0;
    unsigned char *data = tu_xmalloc(len);
    unsigned char *a = tu_xmalloc(ZMM_MAX_DICTIONARY);
    unsigned char *b = tu_xmalloc(ZMM_MAX_DICTIONARY);
    tu_rng r;

    tu_set_context("zmm_train_dictionary");
    tu_rng_seed(&r, 1);
    tu_fill(&r, TU_DATA_MIXED, data, len);
    CHECK_RES(zmm_train_dictionary(NULL, len, a, 100, &a_len),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_train_dictionary(data, len, NULL, 100, &a_len),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_train_dictionary(data, 1023, a, 4096, &a_len),
              ZMM_ERR_INVALID_ARG);
    CHECK_U64(a_len, 0);
    CHECK_RES(zmm_train_dictionary(data, len, a, 255, &a_len),
              ZMM_ERR_INVALID_ARG);
    /* deterministic, within the capacity, at most 32 KiB */
    CHECK_OK(zmm_train_dictionary(data, len, a, ZMM_MAX_DICTIONARY, &a_len));
    CHECK_OK(zmm_train_dictionary(data, len, b, 1u << 30, &b_len));
    CHECK_U64(a_len, ZMM_MAX_DICTIONARY);
    CHECK_U64(b_len, a_len);
    CHECK_MEM(a, b, a_len);
    CHECK_OK(zmm_train_dictionary(data, len, a, 1000, &a_len));
    CHECK(a_len > 0 && a_len <= 1000);
    CHECK_OK(zmm_train_dictionary(data, 1024, a, 32768, &a_len));
    CHECK(a_len > 0 && a_len <= 1024);

    /* zmm_measure_dictionary: what the archive would store, both ways. */
    {
        uint64_t plain = 0, with = 0, cost = 0;
        tu_fill(&r, TU_DATA_TEXT, data, len);
        CHECK_OK(zmm_train_dictionary(data, len, a, ZMM_MAX_DICTIONARY,
                                      &a_len));
        CHECK_OK(zmm_measure_dictionary(data, len, 65536, 6, a, a_len,
                                        &plain, &with, &cost));
        CHECK(with < plain && plain < len && cost > 0 && cost <= a_len);
        /* Blocks are coded from a copy of a deflater preset with the
         * dictionary, made in an arena; when that cannot be allocated, the
         * codec presets its own deflater: the same sizes either way. */
        {
            uint64_t p2, w2, c2;
            long n;
            zmm_result rc;

            for (n = 0;; n++) {
                tu_alloc_fail_after(n);
                rc = zmm_measure_dictionary(data, len, 65536, 6, a, a_len,
                                            &p2, &w2, &c2);
                tu_alloc_fail_after(-1);
                if (rc == ZMM_OK) {
                    CHECK(p2 == plain && w2 == with && c2 == cost);
                    if (n > 12)
                        break;
                } else {
                    CHECK_RES(rc, ZMM_ERR_NOMEM);
                }
            }
        }
        CHECK_OK(zmm_measure_dictionary(data, len, 4096, 0, a, a_len,
                                        &plain, &with, &cost));
        CHECK_U64(plain, len); /* level 0: raw */
        CHECK_U64(with, len);
        CHECK_RES(zmm_measure_dictionary(data, len, 5000, 6, a, a_len,
                                         &plain, &with, &cost),
                  ZMM_ERR_INVALID_ARG);
        CHECK_RES(zmm_measure_dictionary(data, len, 4096, 6, a, 0, &plain,
                                         &with, &cost),
                  ZMM_ERR_INVALID_ARG);
        CHECK_RES(zmm_measure_dictionary(data, len, 4096, 6, a,
                                         ZMM_MAX_DICTIONARY + 1, &plain,
                                         &with, &cost),
                  ZMM_ERR_INVALID_ARG);
        CHECK_RES(zmm_measure_dictionary(data, len, 4096, 10, a, a_len,
                                         &plain, &with, &cost),
                  ZMM_ERR_INVALID_ARG);
    }
    free(data);
    free(a);
    free(b);
}

/* zmm_choose_dictionary keeps a dictionary for text, none for random bytes,
 * a small member or level 0. */
static void test_choose(void)
{
    size_t len = 1u << 20, d_len = 1, i;
    unsigned char *data = tu_xmalloc(len);
    unsigned char *d = tu_xmalloc(ZMM_MAX_DICTIONARY);
    uint64_t plain = 0, with = 0, cost = 0;
    double saving = 1.0;
    tu_rng r;

    tu_set_context("zmm_choose_dictionary");
    tu_rng_seed(&r, 7);
    tu_fill(&r, TU_DATA_TEXT, data, len);
    CHECK_OK(zmm_choose_dictionary(data, len, len, 65536, 6, d,
                                   ZMM_MAX_DICTIONARY, &d_len, &saving));
    CHECK(d_len > 0 && d_len <= ZMM_MAX_DICTIONARY && saving >= 0.01);
    /* what it promised is what the dictionary it gave saves */
    CHECK_OK(zmm_measure_dictionary(data, len, 65536, 6, d, d_len, &plain,
                                    &with, &cost));
    CHECK((double)(plain - with - cost) >= 0.005 * (double)plain);
    CHECK_OK(zmm_choose_dictionary(data, len, len, 65536, 0, d,
                                   ZMM_MAX_DICTIONARY, &d_len, &saving));
    CHECK_U64(d_len, 0); /* stored: nothing to gain */
    CHECK_OK(zmm_choose_dictionary(data, ZMM_DICT_MIN_MEMBER - 1,
                                   ZMM_DICT_MIN_MEMBER - 1, 65536, 6, d,
                                   ZMM_MAX_DICTIONARY, &d_len, &saving));
    CHECK_U64(d_len, 0); /* too small to repay it */
    tu_fill(&r, TU_DATA_RANDOM, data, len);
    CHECK_OK(zmm_choose_dictionary(data, len, len, 65536, 6, d,
                                   ZMM_MAX_DICTIONARY, &d_len, &saving));
    CHECK_U64(d_len, 0);
    CHECK(saving < 0.01);
    /* Audio-like: 16-bit samples of a random walk. They shrink (the high
     * bytes) but distant parts share no strings, so the probe skips the
     * training and the trial, and says so by a saving of exactly 0; a
     * trial gives an estimate of its own. */
    {
        unsigned walk = 32768;

        for (i = 0; i + 1 < len; i += 2) {
            walk = (walk + tu_rng_below(&r, 257) - 128) & 0xffffu;
            data[i] = (unsigned char)walk;
            data[i + 1] = (unsigned char)(walk >> 8);
        }
    }
    CHECK_OK(zmm_choose_dictionary(data, len, len, 65536, 6, d,
                                   ZMM_MAX_DICTIONARY, &d_len, &saving));
    CHECK_U64(d_len, 0);
    CHECKF(saving == 0.0, "audio-like data: trained and tried (%g)", saving);
    CHECK_RES(zmm_choose_dictionary(data, len, len, 5000, 6, d,
                                    ZMM_MAX_DICTIONARY, &d_len, &saving),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_choose_dictionary(NULL, len, len, 65536, 6, d,
                                    ZMM_MAX_DICTIONARY, &d_len, &saving),
              ZMM_ERR_INVALID_ARG);
    free(data);
    free(d);
}

/* The probe that skips incompressible data must not skip data whose blocks
 * do not shrink alone but repeat each other: 4 KiB blocks, each one of
 * eight random records, in random order. A dictionary holds the records. */
static void test_choose_repeats(void)
{
    size_t len = 2u << 20, i, d_len = 0;
    unsigned char *data = tu_xmalloc(len);
    unsigned char *records = tu_xmalloc(8 * 4096);
    unsigned char *d = tu_xmalloc(ZMM_MAX_DICTIONARY);
    double saving = 0.0;
    tu_rng r;

    tu_set_context("zmm_choose_dictionary, repeated random records");
    tu_rng_seed(&r, 5);
    tu_fill(&r, TU_DATA_RANDOM, records, 8 * 4096);
    for (i = 0; i < len; i += 4096)
        memcpy(data + i, records + tu_rng_next(&r) % 8 * 4096, 4096);
    CHECK_OK(zmm_choose_dictionary_mt(data, len, len, 4096, 6, d,
                                      ZMM_MAX_DICTIONARY, &d_len, &saving,
                                      2));
    CHECK(d_len > 0 && saving >= 0.01);
    free(data);
    free(records);
    free(d);
}

/* zmm_choose_dictionary_mt: the same dictionary and saving on 1, 2, 3, 8
 * threads and one per processor (the counts and the trial are split by
 * documents and blocks, then summed), over samples of one document, five
 * and 24; each allocation failing in turn gives ZMM_ERR_NOMEM or the same
 * answer, never another. */
static void test_choose_threads(void)
{
    static const size_t lens[] = {70000, 300000, 3u << 19};
    static const uint32_t counts[] = {2, 3, 8, ZMM_THREADS_ALL};
    unsigned char *data = tu_xmalloc(3u << 19);
    unsigned char *want = tu_xmalloc(ZMM_MAX_DICTIONARY);
    unsigned char *got = tu_xmalloc(ZMM_MAX_DICTIONARY);
    size_t i, k, want_len, got_len;
    double want_saving, got_saving;
    long n;
    tu_rng r;

    tu_rng_seed(&r, 11);
    tu_fill(&r, TU_DATA_TEXT, data, 3u << 19);
    for (i = 0; i < sizeof lens / sizeof *lens; i++) {
        tu_set_context("zmm_choose_dictionary_mt, %lu bytes",
                       (unsigned long)lens[i]);
        CHECK_OK(zmm_choose_dictionary(data, lens[i], 1u << 20, 4096, 6,
                                       want, ZMM_MAX_DICTIONARY, &want_len,
                                       &want_saving));
        CHECK(want_len > 0); /* text: one is worth it, so one to compare */
        for (k = 0; k < sizeof counts / sizeof *counts; k++) {
            memset(got, 0, ZMM_MAX_DICTIONARY);
            CHECK_OK(zmm_choose_dictionary_mt(
                data, lens[i], 1u << 20, 4096, 6, got, ZMM_MAX_DICTIONARY,
                &got_len, &got_saving, counts[k]));
            CHECKF(got_len == want_len && got_saving == want_saving &&
                       memcmp(got, want, want_len) == 0,
                   "%u threads: another dictionary", (unsigned)counts[k]);
        }
    }
    for (n = 0;; n++) {
        zmm_result rc;

        tu_set_context("zmm_choose_dictionary_mt, allocation %ld failing",
                       n);
        tu_alloc_fail_after(n);
        rc = zmm_choose_dictionary_mt(data, 300000, 1u << 20, 4096, 6, got,
                                      ZMM_MAX_DICTIONARY, &got_len,
                                      &got_saving, 3);
        tu_alloc_fail_after(-1);
        if (rc == ZMM_OK) {
            CHECK_OK(zmm_choose_dictionary(data, 300000, 1u << 20, 4096, 6,
                                           want, ZMM_MAX_DICTIONARY,
                                           &want_len, &want_saving));
            CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
            break;
        }
        CHECK_RES(rc, ZMM_ERR_NOMEM);
    }
    CHECK(n > 3); /* the failures reached the threads' allocations */
    CHECK_RES(zmm_choose_dictionary_mt(data, 300000, 1u << 20, 4096, 6, got,
                                       ZMM_MAX_DICTIONARY, &got_len,
                                       &got_saving, 0),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_choose_dictionary_mt(data, 300000, 1u << 20, 4096, 6, got,
                                       ZMM_MAX_DICTIONARY, &got_len,
                                       &got_saving, 65),
              ZMM_ERR_INVALID_ARG);
    free(data);
    free(want);
    free(got);
}

int main(void)
{
    tu_init("test_dict");
    test_roundtrip_append_truncate();
    test_set_rules();
    test_compact();
    test_train();
    test_choose();
    test_choose_repeats();
    test_choose_threads();
    printf("test_dict: OK\n");
    return 0;
}
