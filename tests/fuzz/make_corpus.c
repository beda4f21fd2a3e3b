/*
 * make_corpus.c -- writes the seed corpus of fuzz_archive (small valid
 * archives and a few damaged ones) into a directory.
 *
 * usage: make_fuzz_corpus DIR
 *        make_fuzz_corpus --check DIR
 * The files in tests/fuzz/corpus/archive/ were made by this program; rerun
 * it there after a format change. Deterministic: the same bytes every run
 * (with the same zlib).
 *
 * --check (the test fuzz_archive_seeds) writes nothing: each seed made again
 * must equal DIR's file byte for byte (a corpus that went stale no longer
 * seeds what this program says), and every valid seed in DIR must open and
 * read back exactly the members put in it, no more. Exits 1 on any
 * difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "crc32.h"
#include "platform.h"
#include "zmm.h"

static const char *out_dir;
static int checking;        /* --check: compare with out_dir, write nothing */
static unsigned long checks, failures;

/* `seed` (or its member `member`) is not as it should be. */
static void check_failed(const char *seed, const char *member,
                         const char *what)
{
    failures++;
    fprintf(stderr, "make_fuzz_corpus: FAIL: %s%s%s: %s\n", seed,
            member ? "+" : "", member ? member : "", what);
}

/* The whole of out_dir/name (NULL if it cannot be read); *len its size. */
static unsigned char *load(const char *name, size_t *len)
{
    char path[1024];
    unsigned char *data;
    long n;
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    data = malloc((size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return data;
}

static void die(const char *what, zmm_result r)
{
    fprintf(stderr, "make_fuzz_corpus: %s: %s\n", what, zmm_strerror(r));
    exit(1);
}

#define TRY(call)                                                            \
    do {                                                                     \
        zmm_result r_ = (call);                                              \
        if (r_ != ZMM_OK)                                                    \
            die(#call, r_);                                                  \
    } while (0)

static void save(const char *name, const unsigned char *data, size_t len)
{
    char path[1024];
    FILE *f;
    if (checking) {
        size_t have = 0;
        unsigned char *old = load(name, &have);
        checks++;
        if (!old || have != len || memcmp(old, data, len) != 0)
            check_failed(name, NULL,
                         old ? "not the bytes make_fuzz_corpus makes now: "
                               "rerun it on the corpus directory"
                             : "missing");
        free(old);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "make_fuzz_corpus: cannot write %s\n", path);
        exit(1);
    }
    printf("%s: %lu bytes\n", path, (unsigned long)len);
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void wr32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* After an edit of the directory: its CRC in the newest slot, and that
 * slot's own (docs/FORMAT.md, "Header slot"). */
static void reseal(unsigned char *a, size_t len)
{
    size_t slot = rd32(a + 4096 + 24) > rd32(a + 24) ? 4096 : 0;
    size_t dir = rd32(a + slot + 32), dir_len = rd32(a + slot + 40);

    if (dir + dir_len > len)
        exit(1);
    wr32(a + slot + 44, zmm_crc32(0, a + dir, dir_len));
    wr32(a + slot + 60, zmm_crc32(0, a + slot, 60));
}

static void put(zmm_archive *ar, const char *name, uint32_t block_size,
                int level, uint64_t at, const void *data, size_t len)
{
    zmm_member_options o;
    zmm_stream *s = NULL;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = block_size;
    o.level = level;
    TRY(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, &o,
                        &s));
    TRY(zmm_stream_seek(s, (int64_t)at, ZMM_SEEK_SET, NULL));
    TRY(zmm_stream_write(s, data, len));
    TRY(zmm_stream_close(s));
}

/* --check: the committed seed `seed` opens and holds exactly `count`
 * members, and the member `name` reads back as data[0, len). Without
 * --check, nothing. */
static void expect(const char *seed, size_t count, const char *name,
                   const void *data, size_t len)
{
    size_t have = 0, got = 0;
    unsigned char *bytes, *back = NULL;
    zmm_file *f;
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_result r;

    if (!checking)
        return;
    checks++;
    bytes = load(seed, &have);
    f = bytes ? zmm_memfile_new(bytes, have) : NULL;
    if (!f) {
        check_failed(seed, NULL, "cannot be read");
        free(bytes);
        return;
    }
    r = zmm_archive_open_file(f, ZMM_OPEN_READ, &ar);
    if (r != ZMM_OK) {
        check_failed(seed, NULL, zmm_strerror(r));
        free(bytes);
        return;
    }
    if (zmm_archive_member_count(ar) != count)
        check_failed(seed, NULL, "not the number of members put in it");
    if (name) {
        back = malloc(len + 1);
        r = back ? zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s)
                 : ZMM_ERR_NOMEM;
        if (r == ZMM_OK && zmm_stream_size(s) != len)
            check_failed(seed, name, "not the size put in it");
        /* One byte more than put: the read must stop at the end. */
        if (r == ZMM_OK)
            r = zmm_stream_read(s, back, len + 1, &got);
        if (r != ZMM_OK)
            check_failed(seed, name, zmm_strerror(r));
        else if (got != len || memcmp(back, data, len) != 0)
            check_failed(seed, name, "does not read back what was put in it");
        if (s)
            zmm_stream_close(s);
    }
    free(back);
    zmm_archive_close(ar);
    free(bytes);
}

/* --check: member `name` of the committed seed has the metadata of `o`. */
static void expect_meta(const char *seed, const char *name,
                        const zmm_member_options *o)
{
    size_t have = 0, at = 0;
    unsigned char *bytes;
    zmm_file *f;
    zmm_archive *ar = NULL;
    zmm_member_info mi;

    if (!checking)
        return;
    checks++;
    bytes = load(seed, &have);
    f = bytes ? zmm_memfile_new(bytes, have) : NULL;
    if (!f || zmm_archive_open_file(f, ZMM_OPEN_READ, &ar) != ZMM_OK) {
        check_failed(seed, name, "cannot be opened");
        free(bytes);
        return;
    }
    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    if (zmm_archive_find(ar, name, &at) != ZMM_OK ||
        zmm_archive_member_info(ar, at, &mi) != ZMM_OK ||
        mi.meta != o->meta || mi.mtime != o->mtime ||
        mi.mtime_nsec != o->mtime_nsec || mi.mode != o->mode)
        check_failed(seed, name, "not the metadata put in it");
    zmm_archive_close(ar);
    free(bytes);
}

/* Opens a new archive in memory; the caller ends with finish(). */
static zmm_archive *start(zmm_file **mem)
{
    zmm_archive *ar = NULL;
    *mem = zmm_memfile_new(NULL, 0);
    if (!*mem)
        die("zmm_memfile_new", ZMM_ERR_NOMEM);
    TRY(zmm_archive_open_file(*mem, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    return ar;
}

/* Commits, copies the bytes out (before close frees the memfile). */
/* Writes member `name` (n bytes of data) with the PCM layout of samples
 * `length` bytes at `offset`, of `bits` bits and `channels` channels. */
static void put_pcm(zmm_archive *ar, const zmm_member_options *o,
                    const char *name, const unsigned char *data, size_t n,
                    uint64_t offset, uint64_t length, unsigned bits,
                    unsigned channels)
{
    zmm_pcm_layout l;
    zmm_stream *s = NULL;

    memset(&l, 0, sizeof l);
    l.struct_size = sizeof l;
    l.offset = offset;
    l.length = length;
    l.bits = bits;
    l.channels = channels;
    TRY(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, o,
                        &s));
    TRY(zmm_stream_set_pcm_layout(s, &l));
    TRY(zmm_stream_write(s, data, n));
    TRY(zmm_stream_close(s));
}

static unsigned char *finish(zmm_archive *ar, zmm_file *mem, size_t *len)
{
    const unsigned char *d;
    unsigned char *copy;
    TRY(zmm_archive_commit(ar));
    d = zmm_memfile_data(mem, len);
    copy = malloc(*len);
    if (!copy)
        exit(1);
    memcpy(copy, d, *len);
    TRY(zmm_archive_close(ar));
    return copy;
}

static void text(unsigned char *buf, size_t len)
{
    static const char words[] =
        "the quick brown fox jumps over the lazy dog; a wave of samples "
        "fills the buffer, block by block.\n";
    size_t i;
    for (i = 0; i < len; i++)
        buf[i] = (unsigned char)words[(i * 7 + i / 97) % (sizeof words - 1)];
}

/* A WAV-like member: a 44-byte header, then a triangle wave of 16-bit
 * stereo samples, which the PCM filter stores as PCM blocks. */
static void samples(unsigned char *buf, size_t len)
{
    size_t i;
    memset(buf, 0, 44);
    memcpy(buf, "RIFF", 4);
    memcpy(buf + 8, "WAVEfmt ", 8);
    for (i = 44; i + 1 < len; i += 2) {
        size_t n = (i - 44) / 4, c = (i - 44) / 2 % 2;
        int v = (int)((n * (3 + c)) % 400) - 200;
        v = (v < 0 ? -v : v) * 60 - 6000 + (int)(n % 7);
        buf[i] = (unsigned char)v;
        buf[i + 1] = (unsigned char)((unsigned)v >> 8);
    }
}

static void noise(unsigned char *buf, size_t len)
{
    uint32_t x = 2463534242u;
    size_t i;
    for (i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
}

int main(int argc, char **argv)
{
    zmm_file *mem;
    zmm_archive *ar;
    unsigned char buf[20000], *bytes, *mixed, *want;
    size_t len, mixed_len;
    unsigned lpc_kind;

    if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        checking = 1;
        out_dir = argv[2];
    } else if (argc == 2) {
        out_dir = argv[1];
    } else {
        fprintf(stderr, "usage: make_fuzz_corpus [--check] DIR\n");
        return 2;
    }

    /* An empty archive: generation 1, slot 1 empty. */
    ar = start(&mem);
    bytes = finish(ar, mem, &len);
    save("empty.zmm", bytes, len);
    expect("empty.zmm", 0, NULL, NULL, 0);
    free(bytes);

    /* One text member: deflate blocks and a short last block. */
    ar = start(&mem);
    text(buf, 3 * 4096 + 123);
    put(ar, "hi.txt", 4096, 6, 0, buf, 3 * 4096 + 123);
    bytes = finish(ar, mem, &len);
    save("text.zmm", bytes, len);
    expect("text.zmm", 1, "hi.txt", buf, 3 * 4096 + 123);
    /* The same member named "hi\xE9txt", not UTF-8, as an archive written
     * before the UTF-8 rule may name it: readers still read it. The name
     * is patched in the directory and its CRCs made right. */
    {
        unsigned char *legacy = malloc(len);
        size_t at;

        if (!legacy)
            exit(1);
        memcpy(legacy, bytes, len);
        for (at = len - 6; at > 8192; at--)
            if (memcmp(legacy + at, "hi.txt", 6) == 0)
                break;
        legacy[at + 2] = 0xe9;
        reseal(legacy, len);
        save("legacy-name.zmm", legacy, len);
        expect("legacy-name.zmm", 1, "hi\xe9txt", buf, 3 * 4096 + 123);
        free(legacy);
    }
    /* The same with one bit of block 1 flipped. */
    bytes[8192 + 300] ^= 0x08;
    save("text-bitflip.zmm", bytes, len);
    free(bytes);

    /* Three members, raw, zero and deflate blocks, two commits (both slots
     * valid), garbage from an overwrite, a default that moved. */
    ar = start(&mem);
    noise(buf, 4096 + 100);
    put(ar, "noise.raw", 4096, 1, 0, buf, 4096 + 100);
    text(buf, 3000);
    put(ar, "dir/song.wav", 8192, 9, 8192 * 2, buf, 3000);
    TRY(zmm_archive_commit(ar));
    put(ar, "dir/song.wav", 8192, 9, 8192 * 2 + 10, "overwritten", 11);
    put(ar, "empty", 4096, 0, 0, "", 0);
    TRY(zmm_archive_set_default(ar, "dir/song.wav"));
    mixed = finish(ar, mem, &mixed_len);
    save("mixed.zmm", mixed, mixed_len);
    noise(buf, 4096 + 100);
    expect("mixed.zmm", 3, "noise.raw", buf, 4096 + 100);
    want = calloc(8192 * 2 + 3000, 1);
    if (!want)
        exit(1);
    text(want + 8192 * 2, 3000);
    memcpy(want + 8192 * 2 + 10, "overwritten", 11);
    expect("mixed.zmm", 3, "dir/song.wav", want, 8192 * 2 + 3000);
    free(want);
    expect("mixed.zmm", 3, "empty", "", 0);

    /* A sparse member with 1 MiB blocks: zero blocks, then 10 bytes. */
    ar = start(&mem);
    put(ar, "sparse", 1u << 20, 6, 2u << 20, "0123456789", 10);
    bytes = finish(ar, mem, &len);
    save("sparse.zmm", bytes, len);
    want = calloc((2u << 20) + 10, 1);
    if (!want)
        exit(1);
    memcpy(want + (2u << 20), "0123456789", 10);
    expect("sparse.zmm", 1, "sparse", want, (2u << 20) + 10);
    free(want);
    free(bytes);

    /* PCM layouts and PCM blocks of kind 3: 16-bit stereo after a 44-byte
     * header in 4 KiB blocks, and an 8-bit layout at an odd offset (the
     * incompat feature bit 0x1 is set). */
    ar = start(&mem);
    samples(buf, 3 * 4096 + 1000);
    {
        zmm_member_options o;

        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = 4096;
        o.level = 6;
        o.pcm_max_kind = 4;
        put_pcm(ar, &o, "song.wav", buf, 3 * 4096 + 1000, 44,
                3 * 4096 + 1000 - 44, 16, 2);
        put_pcm(ar, &o, "mono8.wav", buf, 6000, 45, 5000, 8, 1);
    }
    bytes = finish(ar, mem, &len);
    save("pcm.zmm", bytes, len);
    expect("pcm.zmm", 2, "song.wav", buf, 3 * 4096 + 1000);
    expect("pcm.zmm", 2, "mono8.wav", buf, 6000);
    free(bytes);

    /* Preset dictionaries (incompat bit 0x2): a text member whose deflate
     * blocks refer into a deflated dictionary, and a member with a raw one
     * (noise); then the same archive with a bit of the first dictionary's
     * stored bytes flipped. */
    ar = start(&mem);
    {
        zmm_member_options o;
        zmm_stream *s = NULL;
        unsigned char dict[3000];
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = 4096;
        o.level = 6;
        text(dict, sizeof dict);
        text(buf, 3 * 4096 + 500);
        TRY(zmm_stream_open(ar, "dict.txt", ZMM_STREAM_WRITE |
                                ZMM_STREAM_CREATE, &o, &s));
        TRY(zmm_stream_set_dictionary(s, dict + 1000, 2000));
        TRY(zmm_stream_write(s, buf, 3 * 4096 + 500));
        TRY(zmm_stream_close(s));
        noise(dict, 300);
        TRY(zmm_stream_open(ar, "rawdict.bin", ZMM_STREAM_WRITE |
                                ZMM_STREAM_CREATE, &o, &s));
        TRY(zmm_stream_set_dictionary(s, dict, 300));
        TRY(zmm_stream_write(s, buf, 5000));
        TRY(zmm_stream_close(s));
    }
    bytes = finish(ar, mem, &len);
    save("dict.zmm", bytes, len);
    expect("dict.zmm", 2, "dict.txt", buf, 3 * 4096 + 500);
    expect("dict.zmm", 2, "rawdict.bin", buf, 5000);
    /* the first dictionary comes first, after the empty directory */
    bytes[8192 + 16 + 5] ^= 0x10;
    save("dict-bitflip.zmm", bytes, len);
    free(bytes);

    /* Delta records (incompat bit 0x4): a recording checkpointed every
     * 4 KiB beside an untouched member, copied before its close: a
     * directory, then a chain of four delta records. */
    ar = start(&mem);
    text(buf, 5000);
    put(ar, "other.txt", 4096, 6, 0, buf, 5000);
    TRY(zmm_archive_commit(ar));
    {
        zmm_checkpoint_policy p;
        zmm_member_options o;
        zmm_stream *s = NULL;
        int i;
        memset(&p, 0, sizeof p);
        p.struct_size = sizeof p;
        p.bytes = 4096;
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = 4096;
        o.level = 6;
        TRY(zmm_archive_set_checkpoints(ar, &p));
        TRY(zmm_stream_open(ar, "rec.bin", ZMM_STREAM_WRITE |
                                ZMM_STREAM_CREATE, &o, &s));
        samples(buf, 4 * 4096 + 100);
        for (i = 0; i < 5; i++) /* the fifth block repeats the first */
            TRY(zmm_stream_write(s, buf + (i % 4) * 4096, 4096));
        TRY(zmm_stream_write(s, buf + 4 * 4096, 100));
        if (zmm_archive_checkpoints(ar) != 5)
            die("five checkpoints", ZMM_ERR_STATE);
        {
            const unsigned char *d = zmm_memfile_data(mem, &len);
            save("delta.zmm", d, len);
        }
        TRY(zmm_stream_close(s));
    }
    TRY(zmm_archive_close(ar));

    /* PCM blocks of the wider layouts: 24-bit stereo and 32-bit in six
     * channels, triangle waves (integers only: the same bytes from every C
     * library), the frames straddling 4 KiB block edges. */
    ar = start(&mem);
    {
        static const struct {
            const char *name;
            unsigned bits, channels;
        } wide[] = {{"s24.wav", 24, 2}, {"s32x6.wav", 32, 6}};
        zmm_member_options o;
        size_t w, i, n = 3 * 4096 + 700;
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = 4096;
        o.level = 6;
        for (w = 0; w < 2; w++) {
            unsigned b = wide[w].bits / 8;

            memset(buf, 0, 44);
            for (i = 44; i + b <= n; i += b) {
                size_t k = (i - 44) / b;
                long v = (long)((k * 37) % 2000) - 1000;
                unsigned long u;
                unsigned q;

                v = (v < 0 ? -v : v) * 3000 - 1500000 + (long)(k % 5);
                u = (unsigned long)v;
                for (q = 0; q < b; q++)
                    buf[i + q] = (unsigned char)(u >> (8 * q));
            }
            put_pcm(ar, &o, wide[w].name, buf, n, 44, n - 44, wide[w].bits,
                    wide[w].channels);
        }
        bytes = finish(ar, mem, &len);
        save("pcm-wide.zmm", bytes, len);
        expect("pcm-wide.zmm", 2, "s32x6.wav", buf, n);
        free(bytes);
    }

    /* Inter-channel prediction (kind 4, incompat bit 0x8): 16-bit stereo
     * and 4-channel members whose channels differ by a few units, so
     * channels 1.. are coded from the previous one (the SSE2 decoder's
     * layouts, in 4 KiB blocks). */
    ar = start(&mem);
    {
        static const struct {
            const char *name;
            unsigned channels;
        } chans[] = {{"st.wav", 2}, {"quad.wav", 4}};
        zmm_member_options o;
        size_t w, i, n = 3 * 4096 + 700;
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = 4096;
        o.level = 6;
        o.pcm_max_kind = 4;
        for (w = 0; w < 2; w++) {
            uint32_t x = 2463534242u;

            memset(buf, 0, 44);
            for (i = 44; i + 2 <= n; i += 2) {
                size_t k = (i - 44) / 2, c = k % chans[w].channels;
                int v;

                if (c == 0) { /* a new frame: a shared noisy value */
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                }
                v = (int)(x % 20000) - 10000 + (int)((k * 7 + c) % 5);
                buf[i] = (unsigned char)v;
                buf[i + 1] = (unsigned char)((unsigned)v >> 8);
            }
            put_pcm(ar, &o, chans[w].name, buf, n, 44, n - 44, 16,
                    chans[w].channels);
        }
        bytes = finish(ar, mem, &len);
        save("pcm-chan.zmm", bytes, len);
        expect("pcm-chan.zmm", 2, "quad.wav", buf, n);
        free(bytes);
    }

    /* Metadata (compat bit 0x1, FORMAT.md "Metadata"): "a.txt" with a time
     * before 1970 and a mode, "b.bin" without, then a checkpoint of b.bin
     * (a delta record whose slot points at the same table), copied before
     * the close; and a copy with a bit of the table flipped. */
    ar = start(&mem);
    {
        zmm_checkpoint_policy p;
        zmm_member_options o;
        zmm_stream *s = NULL;
        const unsigned char *d;
        unsigned char *flipped;

        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = 4096;
        o.level = 6;
        o.meta = ZMM_META_MTIME | ZMM_META_MODE;
        o.mtime = -14182940;
        o.mtime_nsec = 500000000;
        o.mode = 04755;
        text(buf, 5000);
        TRY(zmm_stream_open(ar, "a.txt", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                            &o, &s));
        TRY(zmm_stream_write(s, buf, 5000));
        TRY(zmm_stream_close(s));
        put(ar, "b.bin", 4096, 6, 0, buf, 100);
        TRY(zmm_archive_commit(ar));
        memset(&p, 0, sizeof p);
        p.struct_size = sizeof p;
        p.bytes = 1;
        TRY(zmm_archive_set_checkpoints(ar, &p));
        TRY(zmm_stream_open(ar, "b.bin", ZMM_STREAM_WRITE, NULL, &s));
        TRY(zmm_stream_seek(s, 100, ZMM_SEEK_SET, NULL));
        TRY(zmm_stream_write(s, buf + 100, 4000));
        if (zmm_archive_checkpoints(ar) != 1)
            die("one checkpoint", ZMM_ERR_STATE);
        d = zmm_memfile_data(mem, &len);
        save("meta.zmm", d, len);
        expect("meta.zmm", 2, "a.txt", buf, 5000);
        expect("meta.zmm", 2, "b.bin", buf, 4100);
        expect_meta("meta.zmm", "a.txt", &o);
        /* One bit of the table's first record flipped: both states share
         * the table, so neither opens (damage, never metadata). */
        flipped = malloc(len);
        if (!flipped)
            exit(1);
        memcpy(flipped, d, len);
        {
            size_t slot = rd32(flipped + 4096 + 24) > rd32(flipped + 24)
                              ? 4096 : 0;

            flipped[rd32(flipped + slot + 48) + 16 + 3] ^= 0x10;
        }
        save("meta-bitflip.zmm", flipped, len);
        free(flipped);
        TRY(zmm_stream_close(s));
    }
    TRY(zmm_archive_close(ar));

    /* Linear prediction (kind 5, incompat bit 0x10; kind 6 with planes
     * channel by channel, bit 0x20): smooth tones, 16-bit stereo (the right
     * channel the left a little apart: coded from it) and 24-bit mono, in
     * 4 KiB blocks, so each channel gets a predictor of order 4 or more;
     * one archive with kinds up to 5, one with any (the stereo member's
     * blocks of kind 6). */
    for (lpc_kind = 5; lpc_kind <= 6; lpc_kind++) {
        zmm_member_options o;
        size_t i, n = 3 * 4096 + 900;
        uint32_t x = 88675123u;
        unsigned w;

        ar = start(&mem);
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = 4096;
        o.level = 6;
        o.pcm_max_kind = lpc_kind;
        for (w = 0; w < 2; w++) {
            unsigned width = w == 0 ? 2 : 3, ch = w == 0 ? 2 : 1;

            memset(buf, 0, 44);
            for (i = 44; i + width <= n; i += width) {
                size_t k = (i - 44) / width, f = k / ch;
                /* a parabola wave of period 300 frames, and a little
                 * noise */
                long ph = (long)(f % 300), v;
                unsigned q;

                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                v = (ph < 150 ? ph * (150 - ph) : -(ph - 150) * (300 - ph)) *
                        (w == 0 ? 4 : 1000) +
                    (long)(x % 7) - 3 + (long)(k % ch) * 5;
                for (q = 0; q < width; q++)
                    buf[i + q] = (unsigned char)((unsigned long)v >> (8 * q));
            }
            put_pcm(ar, &o, w == 0 ? "tone.wav" : "tone24.wav", buf, n, 44,
                    n - 44, 8 * width, ch);
        }
        bytes = finish(ar, mem, &len);
        save(lpc_kind == 5 ? "pcm-lpc.zmm" : "pcm-planar.zmm", bytes, len);
        expect(lpc_kind == 5 ? "pcm-lpc.zmm" : "pcm-planar.zmm", 2,
               "tone24.wav", buf, n);
        free(bytes);
    }

    /* mixed.zmm cut inside its directory. */
    save("mixed-truncated.zmm", mixed, mixed_len - 30);
    free(mixed);
    if (checking) {
        printf("make_fuzz_corpus --check %s: %lu checks, %lu failed\n",
               out_dir, checks, failures);
        return failures ? 1 : 0;
    }
    return 0;
}
