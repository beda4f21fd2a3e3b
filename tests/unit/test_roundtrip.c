/*
 * test_roundtrip.c -- bytes written to a member read back identical.
 *
 * Without arguments: a matrix of block sizes (4 KiB, 64 KiB, 1 MiB), member
 * sizes (0, 1, B-1, B, B+1, 5.5 B), data (random, zeros, text, mixed) and
 * levels (0, 1, 6, 9), written in one call or in odd chunks, read back whole,
 * in odd chunks and at random offsets, through an in-memory file and through
 * a real file. Every archive is also decoded by the test's own reader of
 * docs/FORMAT.md (test_util.c), which checks every field and block.
 *
 * With "--files LABEL FILE...": concatenates the files into one member,
 * round-trips it at several block sizes and prints the archive/original size
 * ratio (the numbers quoted for real WAV audio and text).
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "archive_file.h"
#include "test_util.h"

static const uint32_t block_sizes[] = {4096, 65536, 1048576};
static const int levels[] = {0, 1, 6, 9};

enum storage { IN_MEMORY, REAL_FILE };

typedef struct rt_case {
    uint32_t block_size;
    size_t size;
    tu_data_kind kind;
    int level;
    int chunked_write;
    enum storage storage;
    uint64_t seed;
} rt_case;

/* Odd chunk lengths: primes and block-straddling sizes. */
static size_t odd_chunk(tu_rng *r, uint32_t block_size)
{
    static const size_t fixed[] = {1, 3, 7, 13, 251, 4093, 4099, 65521, 65537};
    if (tu_rng_chance(r, 1, 4))
        return (size_t)tu_rng_range(r, 1, 3 * (uint64_t)block_size / 2);
    return fixed[tu_rng_below(r, sizeof fixed / sizeof fixed[0])];
}

static zmm_archive *open_archive(const rt_case *c, zmm_file *mem,
                                 const char *path, unsigned flags)
{
    zmm_archive *ar = NULL;
    if (c->storage == IN_MEMORY)
        CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), flags, &ar));
    else
        CHECK_OK(zmm_archive_open(path, flags, &ar, NULL));
    CHECK(ar != NULL);
    return ar;
}

static void write_member(zmm_archive *ar, const rt_case *c,
                         const unsigned char *data, tu_rng *r)
{
    zmm_member_options opt;
    zmm_stream *s = NULL;
    size_t done = 0;
    memset(&opt, 0, sizeof opt);
    opt.struct_size = sizeof opt;
    opt.block_size = c->block_size;
    opt.level = c->level;
    CHECK_OK(zmm_stream_open(ar, "member.bin",
                             ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                 ZMM_STREAM_EXCLUSIVE,
                             &opt, &s));
    if (!c->chunked_write) {
        CHECK_OK(zmm_stream_write(s, data, c->size));
    } else {
        while (done < c->size) {
            size_t n = odd_chunk(r, c->block_size);
            if (n > c->size - done)
                n = c->size - done;
            CHECK_OK(zmm_stream_write(s, data + done, n));
            done += n;
            CHECK_U64(zmm_stream_tell(s), done);
        }
    }
    CHECK_U64(zmm_stream_tell(s), c->size);
    CHECK_U64(zmm_stream_size(s), c->size);
    CHECK_OK(zmm_stream_close(s));
}

/* Reads the member back three ways and compares with `data`. */
static void check_member(zmm_archive *ar, const rt_case *c,
                         const unsigned char *data, tu_rng *r)
{
    zmm_stream *s = NULL;
    unsigned char *buf = tu_xmalloc(c->size + 16);
    size_t got = 0, done = 0;
    int i;
    CHECK_OK(zmm_stream_open(ar, "member.bin", ZMM_STREAM_READ, NULL, &s));
    CHECK_U64(zmm_stream_size(s), c->size);

    /* Whole, asking for more than there is. */
    CHECK_OK(zmm_stream_read(s, buf, c->size + 16, &got));
    CHECK_U64(got, c->size);
    CHECK_MEM(buf, data, c->size);
    CHECK_OK(zmm_stream_read(s, buf, 16, &got));
    CHECK_U64(got, 0);

    /* In odd chunks. */
    memset(buf, 0xAA, c->size + 16);
    CHECK_OK(zmm_stream_seek(s, 0, ZMM_SEEK_SET, NULL));
    while (done < c->size) {
        size_t n = odd_chunk(r, c->block_size);
        size_t want = n > c->size - done ? c->size - done : n;
        CHECK_OK(zmm_stream_read(s, buf + done, n, &got));
        CHECK_U64(got, want);
        done += got;
    }
    CHECK_MEM(buf, data, c->size);

    /* Random offsets (the block cache and partial inflates). */
    for (i = 0; i < 24 && c->size > 0; i++) {
        uint64_t off = tu_rng_below(r, c->size);
        size_t n = (size_t)tu_rng_range(r, 1, 9000);
        size_t want = n > c->size - off ? (size_t)(c->size - off) : n;
        uint64_t pos = 0;
        CHECK_OK(zmm_stream_seek(s, (int64_t)off, ZMM_SEEK_SET, &pos));
        CHECK_U64(pos, off);
        CHECK_OK(zmm_stream_read(s, buf, n, &got));
        CHECK_U64(got, want);
        CHECK_MEM(buf, data + off, want);
        CHECK_U64(zmm_stream_tell(s), off + want);
    }
    CHECK_OK(zmm_stream_close(s));
    free(buf);
}

static void check_info(zmm_archive *ar, const rt_case *c)
{
    zmm_member_info info;
    size_t index = 99;
    uint32_t bad = 12345;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_U64(zmm_archive_member_count(ar), 1);
    CHECK_OK(zmm_archive_find(ar, "member.bin", &index));
    CHECK_U64(index, 0);
    CHECK_OK(zmm_archive_find(ar, "", &index)); /* the first is the default */
    CHECK_U64(index, 0);
    CHECK_OK(zmm_archive_member_info(ar, 0, &info));
    CHECK(info.name && strcmp(info.name, "member.bin") == 0);
    CHECK_U64(info.size, c->size);
    CHECK_U64(info.block_size, c->block_size);
    CHECK_U64(info.block_count,
              (c->size + c->block_size - 1) / c->block_size);
    CHECK_U64(info.level, c->level);
    CHECK(info.flags & ZMM_MEMBER_DEFAULT);
    CHECKF(info.packed_size <= info.size,
           "packed_size %llu > size %llu: raw storage bounds every block",
           (unsigned long long)info.packed_size,
           (unsigned long long)info.size);
    if (c->kind == TU_DATA_ZEROS)
        CHECK_U64(info.packed_size, 0);
    if (c->kind == TU_DATA_RANDOM ||
        (c->level == 0 && c->kind == TU_DATA_TEXT))
        CHECK_U64(info.packed_size, c->size);
    if (c->kind == TU_DATA_TEXT && c->level > 0 && c->size >= 4096)
        CHECK(info.packed_size < c->size / 2);
    CHECK_OK(zmm_archive_verify_member(ar, "member.bin", &bad));
}

/* The test's own decoder must read the same bytes from the file. */
static void check_format(const unsigned char *file, size_t len,
                         const rt_case *c, const unsigned char *data)
{
    tu_fmt_archive a;
    const char *err = tu_fmt_parse(file, len, 1, &a);
    unsigned char *bytes;
    CHECKF(err == NULL, "the archive breaks docs/FORMAT.md: %s", err);
    CHECK_U64(a.member_count, 1);
    CHECK(strcmp(a.members[0].name, "member.bin") == 0);
    CHECK_U64((uint64_t)1 << a.members[0].block_shift, c->block_size);
    CHECK_U64(a.members[0].level, c->level);
    CHECK_U64(a.members[0].flags, 1);
    CHECK_U64(a.members[0].length, c->size);
    CHECK_U64(a.directory_offset + a.directory_length, len);
    bytes = tu_fmt_member_bytes(file, &a.members[0]);
    CHECK_MEM(bytes, data, c->size);
    free(bytes);
    tu_fmt_free(&a);
}

static void run_case(const rt_case *c)
{
    char path[256];
    zmm_file *mem = NULL;
    zmm_archive *ar;
    unsigned char *data = tu_xmalloc(c->size + 1);
    unsigned char *file;
    size_t file_len = 0;
    zmm_archive_info ai;
    tu_rng r;

    tu_set_context("block %u, size %llu, %s data, level %d, %s write, %s",
                   (unsigned)c->block_size, (unsigned long long)c->size,
                   tu_data_kind_name(c->kind), c->level,
                   c->chunked_write ? "chunked" : "one",
                   c->storage == IN_MEMORY ? "memfile" : "real file");
    tu_rng_seed(&r, c->seed);
    tu_fill(&r, c->kind, data, c->size);

    if (c->storage == IN_MEMORY) {
        mem = zmm_memfile_new(NULL, 0);
        CHECK(mem != NULL);
    } else {
        tu_temp_path(path, sizeof path, "archive.zmm");
    }
    ar = open_archive(c, mem, path,
                      ZMM_OPEN_WRITE | ZMM_OPEN_CREATE | ZMM_OPEN_EXCLUSIVE);
    write_member(ar, c, data, &r);
    /* Flushed but not committed: the archive already reads the new bytes. */
    if (c->chunked_write)
        check_member(ar, c, data, &r);
    CHECK_OK(zmm_archive_commit(ar));
    memset(&ai, 0, sizeof ai);
    ai.struct_size = sizeof ai;
    CHECK_OK(zmm_archive_get_info(ar, &ai));
    CHECK_U64(ai.generation, 2);
    CHECK_U64(ai.garbage_bytes, ai.file_size - ai.live_bytes);
    CHECK_OK(zmm_archive_close(ar));

    ar = open_archive(c, mem, path, ZMM_OPEN_READ);
    check_info(ar, c);
    check_member(ar, c, data, &r);
    memset(&ai, 0, sizeof ai);
    ai.struct_size = sizeof ai;
    CHECK_OK(zmm_archive_get_info(ar, &ai));
    CHECK_U64(ai.format_version, 1);
    CHECK_U64(ai.member_count, 1);
    CHECK_OK(zmm_archive_close(ar));

    if (c->storage == IN_MEMORY) {
        file = tu_memfile_copy(mem, &file_len);
        mem->methods->close(mem);
    } else {
        file = tu_read_file(path, &file_len);
        CHECKF(file != NULL, "cannot read back %s", path);
        remove(path);
    }
    CHECK_U64(ai.file_size, file_len);
    check_format(file, file_len, c, data);
    free(file);
    free(data);
}

static int run_matrix(void)
{
    unsigned bi, si, ki, cases = 0;
    double t0 = tu_seconds();
    for (bi = 0; bi < 3; bi++) {
        uint32_t b = block_sizes[bi];
        size_t sizes[6];
        sizes[0] = 0;
        sizes[1] = 1;
        sizes[2] = b - 1;
        sizes[3] = b;
        sizes[4] = (size_t)b + 1;
        sizes[5] = (size_t)b * 11 / 2;
        for (si = 0; si < 6; si++)
            for (ki = 0; ki < TU_DATA_KINDS; ki++) {
                rt_case c;
                c.block_size = b;
                c.size = sizes[si];
                c.kind = (tu_data_kind)ki;
                /* Every level meets every kind of data across the sizes;
                 * the write mode and the storage alternate. */
                c.level = levels[(si + ki) % 4];
                c.chunked_write = (int)((si + bi) % 2);
                c.storage = ((ki + bi + si / 2) % 2) ? REAL_FILE : IN_MEMORY;
                c.seed = 1000 * bi + 10 * si + ki;
                run_case(&c);
                cases++;
            }
    }
    /* All four levels on each kind at once, at the default block size. */
    for (si = 0; si < 4; si++)
        for (ki = 0; ki < TU_DATA_KINDS; ki++) {
            rt_case c;
            c.block_size = 65536;
            c.size = 65536 * 3 + 777;
            c.kind = (tu_data_kind)ki;
            c.level = levels[si];
            c.chunked_write = (int)(ki % 2);
            c.storage = (si % 2) ? REAL_FILE : IN_MEMORY;
            c.seed = 5000 + si * 10 + ki;
            run_case(&c);
            cases++;
        }
    printf("%s: %u round-trip cases passed in %.2f s\n", tu_test_name, cases,
           tu_seconds() - t0);
    return 0;
}

/* Round-trips real files (concatenated) and prints the size ratios. */
static int run_files(const char *label, int nfiles, char **files)
{
    unsigned char *data = NULL;
    size_t size = 0;
    int i;
    unsigned bi;
    for (i = 0; i < nfiles; i++) {
        size_t n = 0;
        unsigned char *f = tu_read_file(files[i], &n);
        CHECKF(f != NULL, "cannot read %s", files[i]);
        data = tu_xrealloc(data, size + n);
        memcpy(data + size, f, n);
        size += n;
        free(f);
    }
    CHECKF(size > 0, "%s: no data in the given files", label);

    {
        /* The reference: one whole zlib stream at level 6. */
        uLongf zlen = compressBound((uLong)size);
        unsigned char *z = tu_xmalloc(zlen);
        CHECK(compress2(z, &zlen, data, (uLong)size, 6) == Z_OK);
        printf("%s: %d file(s), %llu bytes; one zlib stream (level 6): ratio "
               "%.4f\n", label, nfiles, (unsigned long long)size,
               (double)zlen / (double)size);
        free(z);
    }
    for (bi = 0; bi < 3; bi++) {
        rt_case c;
        char path[256];
        zmm_archive *ar;
        zmm_member_info info;
        zmm_archive_info ai;
        tu_rng r;
        c.block_size = block_sizes[bi];
        c.size = size;
        c.kind = TU_DATA_MIXED;
        c.level = 6;
        c.chunked_write = (int)(bi % 2);
        c.storage = REAL_FILE;
        c.seed = bi;
        tu_rng_seed(&r, c.seed);
        tu_set_context("%s, block size %u", label, (unsigned)c.block_size);
        {
            char suffix[128];
            snprintf(suffix, sizeof suffix, "%s.zmm", label);
            tu_temp_path(path, sizeof path, suffix);
        }
        ar = open_archive(&c, NULL, path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE);
        write_member(ar, &c, data, &r);
        CHECK_OK(zmm_archive_close(ar));
        ar = open_archive(&c, NULL, path, ZMM_OPEN_READ);
        check_member(ar, &c, data, &r);
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        memset(&ai, 0, sizeof ai);
        ai.struct_size = sizeof ai;
        CHECK_OK(zmm_archive_member_info(ar, 0, &info));
        CHECK_OK(zmm_archive_get_info(ar, &ai));
        CHECK_OK(zmm_archive_close(ar));
        printf("%s: block size %7u: packed %llu, archive file %llu bytes; "
               "ratio archive/original %.4f (blocks only %.4f)\n",
               label, (unsigned)c.block_size,
               (unsigned long long)info.packed_size,
               (unsigned long long)ai.file_size,
               (double)ai.file_size / (double)size,
               (double)info.packed_size / (double)size);
        remove(path);
    }
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    tu_init("test_roundtrip");
    if (argc >= 4 && strcmp(argv[1], "--files") == 0)
        return run_files(argv[2], argc - 3, argv + 3);
    if (argc != 1) {
        fprintf(stderr, "usage: test_roundtrip [--files LABEL FILE...]\n");
        return 2;
    }
    return run_matrix();
}
