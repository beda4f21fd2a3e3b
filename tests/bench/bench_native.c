/*
 * bench_native.c -- the core library side by side with the plain file, BGZF
 * (htslib), zlib's gzseek/gzread and zlib's raw inflate, on the same bytes in
 * the same run; and the command-line packers for size and time.
 *
 *   bench_native --quick [--work DIR]
 *       small synthetic data, one repetition, every byte checked, no CLI
 *       packers: a correctness run of every code path (CTest's bench_quick).
 *   bench_native --out DIR [--work DIR] [--reps N] [--pack-reps N]
 *                [--rand N] [--local N] [--gz-reads N] NAME=PATH...
 *       the full run over the data sets (tests/bench/make-data.sh makes
 *       them); writes DIR/native.csv, DIR/native-targets.csv, DIR/native.md.
 *
 *   bench_native --profile seq64k|rand4k|local4k|pack [--work DIR] ...
 *       one workload only, for a profiler: the core library's reads, or
 *       (pack) issue 15's packers in rounds, every time printed.
 *
 * Each read workload (bench_common.h) runs once with every byte compared
 * with the plain file, then N timed repetitions whose sampled checksum must
 * match; the tables give medians. Files are read from the page cache (just
 * written): the benchmark measures CPU cost, not the disk.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#ifdef ZMM_BENCH_HTSLIB
#include <htslib/bgzf.h>
#endif
#ifdef ZMM_BENCH_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "bench_common.h"
#include "bench_crc_check.h"
#include "zmm.h"

#define BLOCK 65536u

static struct {
    int quick;
    int reps;
    int pack_reps;
    size_t nrand;
    size_t nlocal;
    size_t gz_reads;
    const char *out;
    const char *work;
    const char *profile; /* run only the core library on this workload */
    unsigned profile_flags; /* --no-readahead: ZMM_STREAM_NO_READAHEAD */
} opt = {0, 5, 3, 20000, 200000, 12, NULL, ".", NULL, ZMM_STREAM_READ};

static bench_results results;
static bench_targets targets;
static int failures;

static void die(const char *what)
{
    fprintf(stderr, "bench_native: %s\n", what);
    exit(2);
}

static void path_in(char *out, size_t cap, const char *dir, const char *name,
                    const char *ext)
{
    snprintf(out, cap, "%s/%s%s", dir, name, ext);
}

static uint64_t file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* ---- readers ---------------------------------------------------------------- */

typedef struct plain_ctx {
    int fd;
    uint64_t pos;
} plain_ctx;

static int plain_seek(void *c, uint64_t off)
{
    ((plain_ctx *)c)->pos = off;
    return 0;
}

static long long plain_read(void *c, void *buf, size_t len)
{
    plain_ctx *p = c;
    ssize_t n = pread(p->fd, buf, len, (off_t)p->pos);

    if (n < 0)
        return -1;
    p->pos += (uint64_t)n;
    return n;
}

static int zmm_seek_(void *c, uint64_t off)
{
    return zmm_stream_seek(c, (int64_t)off, ZMM_SEEK_SET, NULL) == ZMM_OK ? 0
                                                                           : -1;
}

static long long zmm_read_(void *c, void *buf, size_t len)
{
    size_t got = 0;

    if (zmm_stream_read(c, buf, len, &got) != ZMM_OK)
        return -1;
    return (long long)got;
}

static int gz_seek_(void *c, uint64_t off)
{
    return gzseek(c, (z_off_t)off, SEEK_SET) == (z_off_t)off ? 0 : -1;
}

static long long gz_read_(void *c, void *buf, size_t len)
{
    return gzread(c, buf, (unsigned)len);
}

#ifdef ZMM_BENCH_HTSLIB
static int bgzf_seek_(void *c, uint64_t off)
{
    return bgzf_useek(c, (off_t)off, SEEK_SET) == 0 ? 0 : -1;
}

static long long bgzf_read_(void *c, void *buf, size_t len)
{
    return bgzf_read(c, buf, len);
}
#endif

/* ---- packing ------------------------------------------------------------------ */

/* Threads the core library's pack rows compress with (issue 15), and
 * choose their dictionary on, as zmm pack -T does. */
static uint32_t pack_threads = 1;

/* What `zmm pack` does for a member that is not filtered audio (src/cli/
 * dict.c): zmm_choose_dictionary on 8 MiB of whole blocks spread over the
 * data (all of it when smaller). Timed with the packing. */
static int choose_dictionary(zmm_stream *s, const unsigned char *data,
                             uint64_t size, uint32_t bs, int level)
{
    static unsigned char dict[ZMM_MAX_DICTIONARY];
    uint64_t want, i, blocks = size / bs, most = (8u << 20) / bs;
    size_t len, dict_len = 0;
    unsigned char *sample;
    double saving;
    int ok = 1;

    want = blocks < most ? blocks : most;
    len = (size_t)(blocks <= most ? size : want * bs);
    sample = malloc(len ? len : 1);
    if (sample == NULL)
        return 0;
    if (blocks <= most)
        memcpy(sample, data, len);
    else
        for (i = 0; i < want; i++)
            memcpy(sample + i * bs, data + blocks * i / want * bs, bs);
    if (zmm_choose_dictionary_mt(sample, len, size, bs, level, dict,
                                 sizeof dict, &dict_len, &saving,
                                 pack_threads) != ZMM_OK)
        ok = 0;
    else if (dict_len > 0)
        ok = zmm_stream_set_dictionary(s, dict, dict_len) == ZMM_OK;
    free(sample);
    return ok;
}

/* With `pcm`, the member gets the layout zmm_detect_wav_layout finds in the
 * first 64 KiB, set right after opening (before any write); without, maybe a
 * dictionary, as zmm pack gives it. */

static int pack_zmm(const char *path, const unsigned char *data, uint64_t size,
                    int level, int pcm, uint32_t block_size)
{
    zmm_member_options o = {sizeof o, block_size, level, pack_threads,
                            0, 0, 0, 0, 0};
    zmm_pcm_layout lay = {sizeof lay, 0, 0, 0, 0};
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    uint64_t off;
    int ok = 1;

    remove(path);
    if (zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar, NULL) !=
        ZMM_OK)
        return -1;
    if (zmm_stream_open(ar, "data",
                        ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                            ZMM_STREAM_TRUNCATE,
                        &o, &s) != ZMM_OK)
        ok = 0;
    if (ok && pcm)
        ok = zmm_detect_wav_layout(data, size < 65536 ? (size_t)size : 65536,
                                   size, &lay) == ZMM_OK &&
             zmm_stream_set_pcm_layout(s, &lay) == ZMM_OK;
    else if (ok)
        ok = choose_dictionary(s, data, size, block_size, level);
    for (off = 0; ok && off < size; off += 1u << 20) {
        size_t n = size - off < (1u << 20) ? (size_t)(size - off) : 1u << 20;

        ok = zmm_stream_write(s, data + off, n) == ZMM_OK;
    }
    if (s != NULL && zmm_stream_close(s) != ZMM_OK)
        ok = 0;
    if (zmm_archive_close(ar) != ZMM_OK)
        ok = 0;
    return ok ? 0 : -1;
}

static int pack_gz(const char *path, const unsigned char *data, uint64_t size)
{
    gzFile f = gzopen(path, "wb6");
    uint64_t off;
    int ok = f != NULL;

    for (off = 0; ok && off < size; off += 1u << 20) {
        unsigned n = size - off < (1u << 20) ? (unsigned)(size - off) : 1u << 20;

        ok = gzwrite(f, data + off, n) == (int)n;
    }
    if (f != NULL && gzclose(f) != Z_OK)
        ok = 0;
    return ok ? 0 : -1;
}

#ifdef ZMM_BENCH_HTSLIB
/* BGZF with a .gzi index, through htslib in this process, one thread, its
 * default level: what `bgzip -i` writes. */
static int pack_bgzf(const char *path, const unsigned char *data,
                     uint64_t size)
{
    BGZF *f = bgzf_open(path, "w");
    uint64_t off;
    int ok = f != NULL;

    if (ok && bgzf_index_build_init(f) != 0)
        ok = 0;
    for (off = 0; ok && off < size; off += 1u << 20) {
        size_t n = size - off < (1u << 20) ? (size_t)(size - off) : 1u << 20;

        ok = bgzf_write(f, data + off, n) == (ssize_t)n;
    }
    if (ok && bgzf_flush(f) != 0)
        ok = 0;
    if (ok && bgzf_index_dump(f, path, ".gzi") != 0)
        ok = 0;
    if (f != NULL && bgzf_close(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}
#endif

/* zlib's raw deflate of every 64 KiB block at level 6 (the core's settings),
 * in memory: what the raw-inflate reference inflates. */
typedef struct zblocks {
    unsigned char *bytes;
    size_t *start, *len;
    size_t count;
} zblocks;

static void make_zblocks(zblocks *zb, const unsigned char *data, uint64_t size)
{
    z_stream zs;
    size_t i, cap = (size_t)size + size / 100 + 1024 * ((size / BLOCK) + 1),
              pos = 0;

    zb->count = (size_t)((size + BLOCK - 1) / BLOCK);
    zb->bytes = malloc(cap);
    zb->start = calloc(zb->count + 1, sizeof *zb->start);
    zb->len = calloc(zb->count + 1, sizeof *zb->len);
    if (!zb->bytes || !zb->start || !zb->len)
        die("out of memory");
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2");
    for (i = 0; i < zb->count; i++) {
        uint64_t off = (uint64_t)i * BLOCK;
        uInt n = size - off < BLOCK ? (uInt)(size - off) : BLOCK;

        deflateReset(&zs);
        zs.next_in = (Bytef *)(uintptr_t)(data + off);
        zs.avail_in = n;
        zs.next_out = zb->bytes + pos;
        zs.avail_out = (uInt)(cap - pos);
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
            die("deflate");
        zb->start[i] = pos;
        zb->len[i] = (size_t)zs.total_out;
        pos += zb->len[i];
    }
    deflateEnd(&zs);
}

static void free_zblocks(zblocks *zb)
{
    free(zb->bytes);
    free(zb->start);
    free(zb->len);
}

/* Inflates every block into one 64 KiB buffer, as a sequential reader would
 * get them; with `ref`, checks every byte. Seconds, or -1. */
static double inflate_zblocks(const zblocks *zb, const unsigned char *ref,
                              uint64_t size)
{
    static unsigned char out[BLOCK];
    z_stream zs;
    double t0, t;
    size_t i;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK)
        return -1;
    t0 = bench_now();
    for (i = 0; i < zb->count; i++) {
        uint64_t off = (uint64_t)i * BLOCK;
        size_t n = size - off < BLOCK ? (size_t)(size - off) : BLOCK;

        inflateReset(&zs);
        zs.next_in = zb->bytes + zb->start[i];
        zs.avail_in = (uInt)zb->len[i];
        zs.next_out = out;
        zs.avail_out = BLOCK;
        if (inflate(&zs, Z_FINISH) != Z_STREAM_END ||
            zs.total_out != n ||
            (ref != NULL && memcmp(out, ref + off, n) != 0)) {
            inflateEnd(&zs);
            fprintf(stderr, "bench_native: zlib reference block %zu wrong\n",
                    i);
            return -1;
        }
    }
    t = bench_now() - t0;
    inflateEnd(&zs);
    return t;
}

#ifdef ZMM_BENCH_LIBDEFLATE
/* The same 64 KiB blocks deflated by libdeflate at level 6 (what BGZF's
 * blocks hold, htslib using libdeflate) and inflated by it: the reference
 * that explains BGZF's speed and size. */
static void make_ldblocks(zblocks *zb, const unsigned char *data,
                          uint64_t size)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    size_t i, cap, pos = 0;

    zb->count = (size_t)((size + BLOCK - 1) / BLOCK);
    cap = zb->count * libdeflate_deflate_compress_bound(c, BLOCK);
    zb->bytes = malloc(cap);
    zb->start = calloc(zb->count + 1, sizeof *zb->start);
    zb->len = calloc(zb->count + 1, sizeof *zb->len);
    if (!c || !zb->bytes || !zb->start || !zb->len)
        die("out of memory");
    for (i = 0; i < zb->count; i++) {
        uint64_t off = (uint64_t)i * BLOCK;
        size_t n = size - off < BLOCK ? (size_t)(size - off) : BLOCK;

        zb->start[i] = pos;
        zb->len[i] = libdeflate_deflate_compress(c, data + off, n,
                                                 zb->bytes + pos, cap - pos);
        if (zb->len[i] == 0)
            die("libdeflate_deflate_compress");
        pos += zb->len[i];
    }
    libdeflate_free_compressor(c);
}

static double inflate_ldblocks(const zblocks *zb, const unsigned char *ref,
                               uint64_t size)
{
    static unsigned char out[BLOCK];
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    double t0, t;
    size_t i;

    if (d == NULL)
        return -1;
    t0 = bench_now();
    for (i = 0; i < zb->count; i++) {
        uint64_t off = (uint64_t)i * BLOCK;
        size_t n = size - off < BLOCK ? (size_t)(size - off) : BLOCK;

        if (libdeflate_deflate_decompress(d, zb->bytes + zb->start[i],
                                          zb->len[i], out, n, NULL) !=
                LIBDEFLATE_SUCCESS ||
            (ref != NULL && memcmp(out, ref + off, n) != 0)) {
            libdeflate_free_decompressor(d);
            fprintf(stderr, "bench_native: libdeflate block %zu wrong\n", i);
            return -1;
        }
    }
    t = bench_now() - t0;
    libdeflate_free_decompressor(d);
    return t;
}
#endif

static uint64_t zblocks_bytes(const zblocks *zb)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < zb->count; i++)
        sum += zb->len[i];
    return sum;
}

/* ---- two streams on two threads ----------------------------------------------- */

typedef struct half_job {
    const char *archive;
    const unsigned char *ref;
    uint64_t from, to;
    int check;
    int failed;
} half_job;

static void *read_half(void *arg)
{
    half_job *j = arg;
    static _Thread_local unsigned char buf[BLOCK];
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    uint64_t pos = j->from;

    j->failed = 1;
    if (zmm_archive_open(j->archive, ZMM_OPEN_READ, &ar, NULL) != ZMM_OK)
        return NULL;
    if (zmm_stream_open(ar, NULL, ZMM_STREAM_READ, NULL, &s) == ZMM_OK &&
        zmm_stream_seek(s, (int64_t)pos, ZMM_SEEK_SET, NULL) == ZMM_OK) {
        j->failed = 0;
        while (pos < j->to) {
            size_t want = j->to - pos < BLOCK ? (size_t)(j->to - pos) : BLOCK,
                   got = 0;

            if (zmm_stream_read(s, buf, want, &got) != ZMM_OK || got != want ||
                (j->check && memcmp(buf, j->ref + pos, want) != 0) ||
                (!j->check && buf[0] != j->ref[pos])) {
                j->failed = 1;
                break;
            }
            pos += want;
        }
    }
    zmm_stream_close(s);
    zmm_archive_close(ar);
    return NULL;
}

/* Reads the member as two halves, each by its own archive handle on its own
 * thread: what two cores can give a sequential reader (an upper bound for
 * read-ahead). Seconds, or -1. */
static double two_threads(const char *archive, const unsigned char *ref,
                          uint64_t size, int check)
{
    uint64_t half = (size / 2) & ~(uint64_t)(BLOCK - 1);
    half_job a = {archive, ref, 0, half, check, 0};
    half_job b = {archive, ref, half, size, check, 0};
    pthread_t ta, tb;
    double t0 = bench_now(), t;

    if (pthread_create(&ta, NULL, read_half, &a) != 0)
        return -1;
    if (pthread_create(&tb, NULL, read_half, &b) != 0) {
        pthread_join(ta, NULL);
        return -1;
    }
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    t = bench_now() - t0;
    return a.failed || b.failed ? -1 : t;
}

/* ---- measuring ------------------------------------------------------------------ */

/* One verified pass, then opt.reps timed ones. Adds the result (MB/s for a
 * sequential workload, reads/s else) and returns it, or NULL. */
static bench_result *measure(const char *dataset, const bench_reader *r,
                             const bench_workload *w,
                             const unsigned char *ref, uint64_t size,
                             size_t max_ops, int reps)
{
    size_t n = max_ops && max_ops < w->count ? max_ops : w->count;
    uint64_t expect = bench_expected_sample(w, ref, size, max_ops), got = 0;
    double samples[64];
    int i;

    if (reps > 64)
        reps = 64;
    if (bench_run(r, w, ref, size, max_ops, &got) < 0 || got != expect) {
        fprintf(stderr, "bench_native: %s %s %s: verification FAILED\n",
                dataset, w->name, r->name);
        failures++;
        return NULL;
    }
    for (i = 0; i < reps; i++) {
        double t = bench_run(r, w, NULL, size, max_ops, &got);

        if (t <= 0 || got != expect) {
            fprintf(stderr, "bench_native: %s %s %s: checksum FAILED\n",
                    dataset, w->name, r->name);
            failures++;
            return NULL;
        }
        samples[i] = w->sequential ? (double)w->bytes / t / 1e6 : (double)n / t;
    }
    return bench_add(&results, dataset, w->name, r->name,
                     w->sequential ? "MB/s" : "reads/s", samples, reps);
}

static bench_result *add_size(const char *dataset, const char *system,
                              uint64_t bytes, uint64_t original)
{
    double v = (double)bytes;
    bench_result *r = bench_add(&results, dataset, "size", system, "bytes", &v, 1);

    snprintf(r->vs, sizeof r->vs, "input");
    r->ratio = original ? (double)bytes / (double)original : 0;
    return r;
}

static void add_pack(const char *dataset, const char *system, double *secs,
                     int reps, uint64_t size)
{
    double mbs[64];
    int i;

    for (i = 0; i < reps && i < 64; i++)
        mbs[i] = (double)size / secs[i] / 1e6;
    bench_add(&results, dataset, "pack", system, "MB/s", mbs, reps);
}

/* Whether `program` is on the PATH; noted when it is not. */
static int have_program(const char *program)
{
    char probe[256];

    snprintf(probe, sizeof probe, "command -v %s >/dev/null 2>&1", program);
    if (system(probe) == 0)
        return 1;
    fprintf(stderr, "bench_native: %s not found: skipped\n", program);
    return 0;
}

/* A command-line packer: `cmd` with IN and OUT substituted, timed over reps
 * (wall clock); its size. Skipped (noted) when the program is missing. */
static void cli_packer(const char *dataset, const char *sysname,
                       const char *program, const char *args,
                       const char *in, const char *out, int reps,
                       uint64_t size)
{
    char cmd[2048];
    double secs[64];
    int i;

    if (!have_program(program))
        return;
    snprintf(cmd, sizeof cmd, "%s %s < '%s' > '%s'", program, args, in, out);
    for (i = 0; i < reps && i < 64; i++) {
        double t0;

        remove(out); /* as for the library's rows: not timed */
        t0 = bench_now();
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_native: '%s' failed\n", cmd);
            failures++;
            return;
        }
        secs[i] = bench_now() - t0;
    }
    add_pack(dataset, sysname, secs, reps, size);
    add_size(dataset, sysname, file_size(out), size);
    remove(out);
}

static void pack_timed(const char *dataset, const char *sysname,
                       int (*fn)(const char *, const unsigned char *, uint64_t),
                       const char *path, const unsigned char *data,
                       uint64_t size, int reps)
{
    double secs[64];
    int i;

    for (i = 0; i < reps && i < 64; i++) {
        double t0;

        remove(path); /* deleting the last output is not packing */
        t0 = bench_now();
        if (fn(path, data, size) != 0) {
            fprintf(stderr, "bench_native: %s: packing %s failed\n", dataset,
                    sysname);
            failures++;
            return;
        }
        secs[i] = bench_now() - t0;
    }
    add_pack(dataset, sysname, secs, reps, size);
    add_size(dataset, sysname, file_size(path), size);
}

static int pack_zmm6(const char *p, const unsigned char *d, uint64_t n)
{
    return pack_zmm(p, d, n, 6, 0, ZMM_DEFAULT_BLOCK_SIZE);
}

static int pack_zmm_pcm(const char *p, const unsigned char *d, uint64_t n)
{
    return pack_zmm(p, d, n, 6, 1, ZMM_DEFAULT_BLOCK_SIZE);
}

static int pack_zmm9(const char *p, const unsigned char *d, uint64_t n)
{
    return pack_zmm(p, d, n, 9, 0, ZMM_DEFAULT_BLOCK_SIZE);
}

/* Smaller blocks: random reads inflate half as much; the dictionary keeps
 * the size down. The trade-off a user makes with `zmm pack -b 32k`. */
static int pack_zmm32k(const char *p, const unsigned char *d, uint64_t n)
{
    return pack_zmm(p, d, n, 6, 0, 32768);
}

/* ---- one data set ---------------------------------------------------------------- */

static const char *SYS_PLAIN = "plain file (pread)";
static const char *SYS_ZMM = "zmm (core library)"; /* read-ahead on */
static const char *SYS_ZMM_NORA = "zmm (no read-ahead)"; /* no comma: CSV */
static const char *SYS_ZMM32K = "zmm -b 32k (core library)"; /* text only */
/* the CSV turns a comma into a semicolon: the name is stored so */
static const char *SYS_PCM = "zmm pcm (core library; PCM filter)";
static const char *SYS_ZMM2 = "zmm: 2 streams on 2 threads";
/* issue 15: packing on 2 threads; "zmm -6 (core library)" is -T 1 */
static const char *SYS_ZMM6 = "zmm -6 (core library)";
static const char *SYS_ZMM_T2 = "zmm -6 -T 2 (core library)";
static const char *SYS_PCM_T2 = "zmm pcm -T 2 (core library; PCM filter)";
static const char *SYS_PCM_DECODE = "zmm pcm (core library; 1 thread)";
static const char *SYS_FLAC_DECODE = "flac -d";
static const char *SYS_BGZF = "BGZF (htslib with .gzi)";
static const char *SYS_GZ = "gzseek/gzread (.gz)";
static const char *SYS_ZLIB = "zlib raw inflate (64 KiB blocks in memory)";

/* --profile WORKLOAD: only the core library, on the archive packed earlier
 * (packed now if missing), for a profiler to watch. */
static void profile_dataset(const char *name, const unsigned char *data,
                            uint64_t size)
{
    char zmm_path[1024];
    bench_workload w;
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    bench_reader rd = {SYS_ZMM, NULL, zmm_seek_, zmm_read_};
    bench_result *r;

    path_in(zmm_path, sizeof zmm_path, opt.work, name, ".zmm");
    if (file_size(zmm_path) == 0 && pack_zmm(zmm_path, data, size, 6, 0, ZMM_DEFAULT_BLOCK_SIZE) != 0)
        die("cannot pack");
    if (strcmp(opt.profile, "seq64k") == 0)
        bench_make_seq(&w, size);
    else if (strcmp(opt.profile, "rand4k") == 0)
        bench_make_rand(&w, size, opt.nrand, 0x5eed0001u);
    else
        bench_make_local(&w, size, opt.nlocal, 0x5eed0002u);
    if (zmm_archive_open(zmm_path, ZMM_OPEN_READ, &ar, NULL) != ZMM_OK ||
        zmm_stream_open(ar, NULL, opt.profile_flags, NULL, &s) != ZMM_OK)
        die("cannot open the archive");
    rd.ctx = s;
    r = measure(name, &rd, &w, data, size, 0, opt.reps);
    if (r != NULL)
        printf("%s %s zmm%s: %.1f %s (min %.1f max %.1f)\n", name, w.name,
               opt.profile_flags ? " (no read-ahead)" : "", r->value,
               r->unit, r->min, r->max);
    zmm_stream_close(s);
    zmm_archive_close(ar);
    bench_free_workload(&w);
}

/* The three read workloads through a fresh stream each (no worker and a
 * cold cache for each) of the archive at `path`. */
static void read_archive(const char *name, const char *sys, const char *path,
                         unsigned flags, const bench_workload *const ws[3],
                         const unsigned char *data, uint64_t size, int reps)
{
    bench_reader rd = {sys, NULL, zmm_seek_, zmm_read_};
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    int k;

    if (zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL) != ZMM_OK)
        die("cannot open the archive");
    for (k = 0; k < 3; k++) {
        if (zmm_stream_open(ar, NULL, flags, NULL, &s) != ZMM_OK)
            die("cannot open the archive's stream");
        rd.ctx = s;
        measure(name, &rd, ws[k], data, size, 0, reps);
        zmm_stream_close(s);
    }
    zmm_archive_close(ar);
}

/* 1 if the two files hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ca = 0, cb = 0, same = fa != NULL && fb != NULL;

    while (same && ca != EOF) {
        ca = getc(fa);
        cb = getc(fb);
        same = ca == cb;
    }
    if (fa != NULL)
        fclose(fa);
    if (fb != NULL)
        fclose(fb);
    return same;
}

/* Issue 15's packers, timed in interleaved rounds (each round: zmm -T 1
 * and -T 2, the same with the PCM filter on a WAV, gzip -6, pigz -p 2), so
 * that a change in the machine's speed during the run (a 2-core VM's host
 * takes its time back in steal, /proc/stat) weighs on every row alike and
 * the ratios between them hold. */
typedef struct round_packer {
    const char *sys;
    int (*fn)(const char *, const unsigned char *, uint64_t); /* or NULL */
    uint32_t threads;
    const char *program, *args; /* a command-line packer, when fn is NULL */
    char out[1024];
    double secs[64];
    int skip; /* its program is missing */
} round_packer;

/* CPU steal so far, in seconds (0 where /proc/stat has none). */
static double steal_seconds(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    long hz = sysconf(_SC_CLK_TCK);

    if (f == NULL)
        return 0.0;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
               &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
        v[7] = 0;
    fclose(f);
    return hz > 0 ? (double)v[7] / (double)hz : 0.0;
}

/* A fixed piece of busy work (about 50 ms on this VM): its time. The sum
 * lives on the thread's own stack: a shared one would bounce its cache line
 * between the two cores and measure that instead (3.7x, not 1.0x). */
struct busy_result {
    double seconds;
    uint64_t sum; /* kept: a sum never read fails clang's -Wunused-but-set */
};

static void *busy_work(void *arg)
{
    struct busy_result *r = arg;
    double t0 = bench_now();
    volatile uint64_t sum = 0; /* volatile: the loop is not folded away */
    uint64_t i;

    for (i = 0; i < 150000000u; i++)
        sum += i * i;
    r->seconds = bench_now() - t0;
    r->sum = sum;
    return NULL;
}

/* What the machine gives two threads now: the busy work's time on two
 * threads at once over its time alone (1.0: two whole cores). A VM's
 * host may not run both its vCPUs at once: on this 2-core VM the factor
 * ranged from 1.05 to 1.75 within minutes. */
static double two_core_factor(void)
{
    struct busy_result alone, a, b;
    pthread_t t;

    busy_work(&alone);
    if (pthread_create(&t, NULL, busy_work, &b) != 0)
        return 1.0;
    busy_work(&a);
    pthread_join(t, NULL);
    return (a.seconds > b.seconds ? a.seconds : b.seconds) / alone.seconds;
}

/* Waits (up to 5 minutes) until the machine gives two threads two cores
 * (factor under 1.10 twice in a row), so that a round measures packing,
 * not the host's other guests; returns the last factor. */
static double wait_for_two_cores(void)
{
    double f = two_core_factor(), t0 = bench_now();
    int calm = 0;

    while (bench_now() - t0 < 300.0) {
        calm = f < 1.10 ? calm + 1 : 0;
        if (calm == 2)
            break;
        if (calm == 0) {
            fprintf(stderr, "bench_native: two threads at %.2fx one: "
                            "waiting for the host\n", f);
            sleep(2);
        }
        f = two_core_factor();
    }
    return f;
}

static int run_round_packer(round_packer *k, const char *in,
                            const unsigned char *data, uint64_t size,
                            double *secs)
{
    char cmd[2048];
    double t0;
    int rc;

    remove(k->out); /* deleting the last output is not packing */
    snprintf(cmd, sizeof cmd, "%s %s < '%s' > '%s'", k->program, k->args, in,
             k->out);
    pack_threads = k->threads;
    t0 = bench_now();
    rc = k->fn != NULL ? k->fn(k->out, data, size) : system(cmd);
    *secs = bench_now() - t0;
    pack_threads = 1;
    return rc;
}

/* Times the n packers in interleaved rounds; with `verbose` every time is
 * printed as it is taken. */
static void pack_rounds_run(const char *name, const char *in,
                            round_packer *k, int n,
                            const unsigned char *data, uint64_t size,
                            int reps, int verbose)
{
    double steal0 = steal_seconds(), t0 = bench_now(), factors[64] = {0};
    int i, r;
    char d[160];

    for (i = 0; i < n; i++)
        k[i].skip = k[i].program != NULL && !have_program(k[i].program);
    for (r = 0; r < reps && r < 64; r++)
        for (i = 0; i < n; i++) {
            if (k[i].skip)
                continue;
            if (!opt.quick) { /* each packer starts on a calm host */
                double f = wait_for_two_cores();

                factors[r] = f > factors[r] ? f : factors[r];
            }
            if (run_round_packer(&k[i], in, data, size, &k[i].secs[r]) != 0) {
                fprintf(stderr, "bench_native: %s: packing %s failed\n",
                        name, k[i].sys);
                failures++;
                return;
            }
            if (verbose)
                printf("%s round %d %-42s %6.1f MB/s\n", name, r, k[i].sys,
                       (double)size / k[i].secs[r] / 1e6);
            fflush(stdout);
        }
    printf("%s: packing rounds %.1f s, CPU steal %.2f s; two threads at",
           name, bench_now() - t0, steal_seconds() - steal0);
    for (r = 0; r < reps && r < 64; r++)
        printf(" %.2f", factors[r]);
    printf("x one (the worst before a packer of each round)\n");
    for (i = 0; i < n; i++) {
        if (k[i].skip)
            continue;
        add_pack(name, k[i].sys, k[i].secs, reps, size);
        add_size(name, k[i].sys, file_size(k[i].out), size);
        if (k[i].fn == NULL)
            remove(k[i].out);
    }
    /* -T 2 and -T 8 write the bytes of -T 1 (the row before) */
    for (i = 1; i < n; i++) {
        int same;

        if (k[i].fn == NULL || k[i].threads != 2)
            continue;
        same = same_file(k[i - 1].out, k[i].out);

        k[i].threads = 8;
        same = same && run_round_packer(&k[i], in, data, size, &t0) == 0 &&
               same_file(k[i - 1].out, k[i].out);
        remove(k[i].out);
        snprintf(d, sizeof d, "%s: -T 2 and -T 8 %s", k[i].sys,
                 same ? "wrote the -T 1 bytes" : "DIFFER from -T 1");
        bench_target_add(&targets, "archives byte-identical for -T 1, 2, 8",
                         name, same, 1, 0, d);
    }
}

/* Issue 15's rows: zmm -T 1 and -T 2, the same with the PCM filter on a
 * WAV, and (`cli`) gzip -6 and pigz -p 2. Rows and sizes go to the
 * results; the archives of -T 1 stay at zmm_path and pcm_path for the read
 * workloads. */
static void pack_rounds(const char *name, const char *in, const char *zmm_path,
                        const char *pcm_path, const unsigned char *data,
                        uint64_t size, int wav, int cli, int reps, int verbose)
{
    round_packer k[6];
    int n = 0;

    memset(k, 0, sizeof k);
    k[n].sys = SYS_ZMM6, k[n].fn = pack_zmm6, k[n].threads = 1;
    snprintf(k[n++].out, sizeof k->out, "%s", zmm_path);
    k[n].sys = SYS_ZMM_T2, k[n].fn = pack_zmm6, k[n].threads = 2;
    path_in(k[n++].out, sizeof k->out, opt.work, name, ".t.zmm");
    if (wav) { /* issue 7: the PCM filter, on WAV data sets only */
        k[n].sys = SYS_PCM, k[n].fn = pack_zmm_pcm, k[n].threads = 1;
        snprintf(k[n++].out, sizeof k->out, "%s", pcm_path);
        k[n].sys = SYS_PCM_T2, k[n].fn = pack_zmm_pcm, k[n].threads = 2;
        path_in(k[n++].out, sizeof k->out, opt.work, name, ".tpcm.zmm");
    }
    if (cli) {
        k[n].sys = "gzip -6", k[n].program = "gzip", k[n].args = "-6 -c";
        path_in(k[n++].out, sizeof k->out, opt.work, name, ".gzip.gz");
        k[n].sys = "pigz -p 2", k[n].program = "pigz";
        k[n].args = "-6 -p 2 -c";
        path_in(k[n++].out, sizeof k->out, opt.work, name, ".pigz.gz");
    }
    pack_rounds_run(name, in, k, n, data, size, reps, verbose);
}

/* --profile pack: issue 15's rows in rounds, every time printed. */
static void profile_pack(const char *name, const char *path,
                         const unsigned char *data, uint64_t size)
{
    zmm_pcm_layout lay = {sizeof lay, 0, 0, 0, 0};
    int wav = zmm_detect_wav_layout(data, size < 65536 ? (size_t)size : 65536,
                                    size, &lay) == ZMM_OK;
    char zmm_path[1024], pcm_path[1024];

    path_in(zmm_path, sizeof zmm_path, opt.work, name, ".prof.zmm");
    path_in(pcm_path, sizeof pcm_path, opt.work, name, ".prof.pcm.zmm");
    pack_rounds(name, path, zmm_path, pcm_path, data, size, wav, 1, opt.reps,
                1);
    remove(zmm_path);
    remove(pcm_path);
}

/*
 * Whole-member decoding, one thread each (issue 16's "at least as fast as
 * flac -d"): the PCM member read front to back in 1 MiB reads through a
 * stream without read-ahead, against `flac -d` of the same WAV to
 * /dev/null (both check their data: CRC-32 per block, flac its MD5).
 */
static double decode_member(const char *archive, const unsigned char *ref,
                            uint64_t size)
{
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    unsigned char *buf = malloc(1u << 20);
    uint64_t at = 0;
    double t0 = bench_now(), t = -1;

    if (buf != NULL && zmm_archive_open(archive, ZMM_OPEN_READ, &ar, NULL) ==
                           ZMM_OK &&
        zmm_stream_open(ar, NULL, ZMM_STREAM_NO_READAHEAD, NULL, &s) ==
            ZMM_OK) {
        size_t got = 0;

        while (zmm_stream_read(s, buf, 1u << 20, &got) == ZMM_OK && got > 0) {
            if (ref != NULL && memcmp(buf, ref + at, got) != 0)
                break;
            at += got;
        }
        if (at == size)
            t = bench_now() - t0;
    }
    zmm_stream_close(s);
    zmm_archive_close(ar);
    free(buf);
    return t;
}

static void decode_rows(const char *name, const char *pcm_path,
                        const char *wav_path, const char *flac_path,
                        const unsigned char *data, uint64_t size, int reps)
{
    char cmd[2048];
    double mbs[64];
    int i;

    if (reps > 64)
        reps = 64;
    if (decode_member(pcm_path, data, size) < 0) {
        fprintf(stderr, "bench_native: %s: decoding FAILED\n", name);
        failures++;
        return;
    }
    for (i = 0; i < reps; i++)
        mbs[i] = (double)size / decode_member(pcm_path, NULL, size) / 1e6;
    bench_add(&results, name, "decode", SYS_PCM_DECODE, "MB/s", mbs, reps);
    /* -o, not standard output: flac writes its MD5 into the file only
     * where it can seek back, and checks it on decoding only if set */
    snprintf(cmd, sizeof cmd, "flac -s -5 -f -o '%s' '%s' 2>/dev/null",
             flac_path, wav_path);
    if (opt.quick || !have_program("flac") || system(cmd) != 0)
        return;
    snprintf(cmd, sizeof cmd, "flac -d -s -c '%s' > /dev/null", flac_path);
    for (i = 0; i < reps; i++) {
        double t0 = bench_now();

        if (system(cmd) != 0) {
            fprintf(stderr, "bench_native: '%s' failed\n", cmd);
            failures++;
            break;
        }
        mbs[i] = (double)size / (bench_now() - t0) / 1e6;
    }
    if (i == reps) {
        bench_add(&results, name, "decode", SYS_FLAC_DECODE, "MB/s", mbs,
                  reps);
        bench_ratio(bench_find(&results, name, "decode", SYS_PCM_DECODE),
                    bench_find(&results, name, "decode", SYS_FLAC_DECODE), 0);
    }
    remove(flac_path);
}

static void bench_dataset(const char *name, const char *path,
                          const unsigned char *data, uint64_t size)
{
    char zmm_path[1024], zmm9_path[1024], zmm32k_path[1024], pcm_path[1024],
        gz_path[1024], bgzf_path[1024], tmp[1024];
    int reps = opt.quick ? 1 : opt.reps, preps = opt.quick ? 1 : opt.pack_reps;
    zmm_pcm_layout lay = {sizeof lay, 0, 0, 0, 0};
    int wav = zmm_detect_wav_layout(data, size < 65536 ? (size_t)size : 65536,
                                    size, &lay) == ZMM_OK;
    /* text: also with 32 KiB blocks, the random-read trade-off */
    int text = strcmp(name, "text") == 0;
    bench_workload seq, rnd, loc;
    const bench_workload *const ws[3] = {&seq, &rnd, &loc};
    bench_result *r, *base;
    zblocks zb;
    int i;

    printf("== %s: %s, %.1f MiB\n", name, path, (double)size / 1048576.0);
    fflush(stdout);
    path_in(zmm_path, sizeof zmm_path, opt.work, name, ".zmm");
    path_in(zmm9_path, sizeof zmm9_path, opt.work, name, ".l9.zmm");
    path_in(zmm32k_path, sizeof zmm32k_path, opt.work, name, ".32k.zmm");
    path_in(pcm_path, sizeof pcm_path, opt.work, name, ".pcm.zmm");
    path_in(gz_path, sizeof gz_path, opt.work, name, ".gz");
    path_in(bgzf_path, sizeof bgzf_path, opt.work, name, ".bgzf.gz");

    /* packing: issue 15's rows in rounds, then the others */
    pack_rounds(name, path, zmm_path, pcm_path, data, size, wav, !opt.quick,
                preps, 0);
    pack_timed(name, "zmm -9 (core library)", pack_zmm9, zmm9_path, data,
               size, 1);
    remove(zmm9_path);
    if (text)
        pack_timed(name, SYS_ZMM32K, pack_zmm32k, zmm32k_path, data, size,
                   preps);
    pack_timed(name, "gzwrite -6 (zlib)", pack_gz, gz_path, data, size, preps);
#ifdef ZMM_BENCH_HTSLIB
    pack_timed(name, "BGZF (htslib 1 thread)", pack_bgzf, bgzf_path, data,
               size, preps);
#endif
    /* command-line packers (their own input file: the plain file) */
    if (!opt.quick) {
        path_in(tmp, sizeof tmp, opt.work, name, ".cli.out");
        cli_packer(name, "bgzip -@ 2", "bgzip", "-@ 2 -c", path, tmp, preps,
                   size);
        cli_packer(name, "zstd -3", "zstd", "-3 -q -c", path, tmp, preps, size);
        if (wav)
            cli_packer(name, "zstd -19", "zstd", "-19 -q -c", path, tmp, 1,
                       size);
        cli_packer(name, "xz -6", "xz", "-6 -c", path, tmp, 1, size);
        if (wav)
            cli_packer(name, "flac", "flac", "-s -c - 2>/dev/null", path, tmp, preps,
                       size);
    }
    r = bench_find(&results, name, "pack", "gzwrite -6 (zlib)");
    for (i = 0; r != NULL && (size_t)i < results.n; i++)
        if (strcmp(results.v[i].dataset, name) == 0 &&
            strcmp(results.v[i].workload, "pack") == 0)
            bench_ratio(&results.v[i], r, 0);

    /* read workloads */
    bench_make_seq(&seq, size);
    bench_make_rand(&rnd, size, opt.nrand, 0x5eed0001u);
    bench_make_local(&loc, size, opt.nlocal, 0x5eed0002u);

    {   /* plain file */
        plain_ctx pc;
        bench_reader rd = {SYS_PLAIN, &pc, plain_seek, plain_read};

        pc.fd = open(path, O_RDONLY);
        pc.pos = 0;
        if (pc.fd < 0)
            die("cannot open a data set");
        measure(name, &rd, &seq, data, size, 0, reps);
        measure(name, &rd, &rnd, data, size, 0, reps);
        measure(name, &rd, &loc, data, size, 0, reps);
        close(pc.fd);
    }
    /* zmm: one archive, one stream, as an application keeps it; with the
     * default (read-ahead), then without it */
    read_archive(name, SYS_ZMM, zmm_path, ZMM_STREAM_READ, ws, data, size,
                 reps);
    read_archive(name, SYS_ZMM_NORA, zmm_path, ZMM_STREAM_NO_READAHEAD, ws,
                 data, size, reps);
    if (text) {
        read_archive(name, SYS_ZMM32K, zmm32k_path, ZMM_STREAM_READ, ws, data,
                     size, reps);
        remove(zmm32k_path);
    }
    if (wav) { /* zmm with the PCM filter: the same reads, the same checks */
        zmm_archive *ar = NULL;
        zmm_member_info mi;

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        if (zmm_archive_open(pcm_path, ZMM_OPEN_READ, &ar, NULL) != ZMM_OK ||
            zmm_archive_member_info(ar, 0, &mi) != ZMM_OK)
            die("cannot open the PCM archive");
        if (!(mi.flags & ZMM_MEMBER_PCM) || mi.pcm_offset != lay.offset ||
            mi.pcm_length != lay.length || mi.pcm_bits != lay.bits ||
            mi.pcm_channels != lay.channels) {
            fprintf(stderr, "bench_native: %s: PCM layout not stored\n", name);
            failures++;
        }
        zmm_archive_close(ar);
        read_archive(name, SYS_PCM, pcm_path, ZMM_STREAM_READ, ws, data, size,
                     reps);
        path_in(tmp, sizeof tmp, opt.work, name, ".flac");
        decode_rows(name, pcm_path, path, tmp, data, size, reps);
    }
    {   /* zmm, two halves on two threads */
        double samples[64];

        if (two_threads(zmm_path, data, size, 1) < 0) {
            fprintf(stderr, "bench_native: %s: 2 threads: FAILED\n", name);
            failures++;
        } else {
            for (i = 0; i < reps; i++) {
                double t = two_threads(zmm_path, data, size, 0);

                if (t < 0) {
                    failures++;
                    break;
                }
                samples[i] = (double)size / t / 1e6;
            }
            if (i == reps)
                bench_add(&results, name, "seq64k", SYS_ZMM2, "MB/s", samples,
                          reps);
        }
    }
#ifdef ZMM_BENCH_HTSLIB
    {   /* BGZF: the same cache budget as the core's (4 MiB) */
        BGZF *f = bgzf_open(bgzf_path, "r");
        bench_reader rd = {SYS_BGZF, f, bgzf_seek_, bgzf_read_};

        if (f == NULL || bgzf_index_load(f, bgzf_path, ".gzi") != 0)
            die("cannot open the BGZF file");
        bgzf_set_cache_size(f, 4 << 20);
        measure(name, &rd, &seq, data, size, 0, reps);
        measure(name, &rd, &rnd, data, size, 0, reps);
        measure(name, &rd, &loc, data, size, 0, reps);
        bgzf_close(f);
    }
#endif
    {   /* gzseek/gzread: sequential, and a few random reads (each O(n)) */
        gzFile f = gzopen(gz_path, "rb");
        bench_reader rd = {SYS_GZ, f, gz_seek_, gz_read_};

        if (f == NULL)
            die("cannot open the .gz file");
        gzbuffer(f, 128 * 1024);
        measure(name, &rd, &seq, data, size, 0, reps);
        r = measure(name, &rd, &rnd, data, size, opt.gz_reads, 1);
        if (r != NULL)
            snprintf(r->note, sizeof r->note, "%zu reads in one pass",
                     opt.gz_reads);
        gzclose(f);
    }
    {   /* zlib's raw inflate of the same 64 KiB blocks, memory to memory */
        double samples[64];

        make_zblocks(&zb, data, size);
        if (inflate_zblocks(&zb, data, size) < 0) {
            failures++;
        } else {
            for (i = 0; i < reps; i++)
                samples[i] = (double)size / inflate_zblocks(&zb, NULL, size) / 1e6;
            bench_add(&results, name, "seq64k", SYS_ZLIB, "MB/s", samples, reps);
        }
        add_size(name, "zlib -6 deflate payload (64 KiB blocks)",
                 zblocks_bytes(&zb), size);
        free_zblocks(&zb);
    }
#ifdef ZMM_BENCH_LIBDEFLATE
    {   /* libdeflate's, the same way */
        double samples[64];

        make_ldblocks(&zb, data, size);
        if (inflate_ldblocks(&zb, data, size) < 0) {
            failures++;
        } else {
            for (i = 0; i < reps; i++)
                samples[i] = (double)size / inflate_ldblocks(&zb, NULL, size) / 1e6;
            bench_add(&results, name, "seq64k",
                      "libdeflate raw inflate (64 KiB blocks in memory)", "MB/s",
                      samples, reps);
        }
        add_size(name, "libdeflate -6 deflate payload (64 KiB blocks)",
                 zblocks_bytes(&zb), size);
        free_zblocks(&zb);
    }
#endif

    /* ratios */
    base = bench_find(&results, name, "seq64k", SYS_ZLIB);
    for (i = 0; (size_t)i < results.n; i++) {
        bench_result *x = &results.v[i];

        if (strcmp(x->dataset, name) != 0)
            continue;
        if (strcmp(x->workload, "seq64k") == 0)
            bench_ratio(x, base, 0);
        else if (strcmp(x->workload, "rand4k") == 0)
            bench_ratio(x, bench_find(&results, name, "rand4k", SYS_BGZF), 0);
        else if (strcmp(x->workload, "local4k") == 0)
            bench_ratio(x, bench_find(&results, name, "local4k", SYS_PLAIN), 0);
    }
    bench_free_workload(&seq);
    bench_free_workload(&rnd);
    bench_free_workload(&loc);
}

/* The targets for one data set. */
static void add_targets(const char *name)
{
    bench_result *zs = bench_find(&results, name, "seq64k", SYS_ZMM);
    bench_result *zn = bench_find(&results, name, "seq64k", SYS_ZMM_NORA);
    bench_result *k1 = bench_find(&results, name, "pack", SYS_ZMM6);
    bench_result *k2 = bench_find(&results, name, "pack", SYS_ZMM_T2);
    bench_result *kp1 = bench_find(&results, name, "pack", SYS_PCM);
    bench_result *kp2 = bench_find(&results, name, "pack", SYS_PCM_T2);
    bench_result *gzp = bench_find(&results, name, "pack", "gzip -6");
    bench_result *pigz = bench_find(&results, name, "pack", "pigz -p 2");
    bench_result *z2 = bench_find(&results, name, "seq64k", SYS_ZMM2);
    bench_result *zl = bench_find(&results, name, "seq64k", SYS_ZLIB);
    bench_result *zr = bench_find(&results, name, "rand4k", SYS_ZMM);
    bench_result *br = bench_find(&results, name, "rand4k", SYS_BGZF);
    bench_result *gr = bench_find(&results, name, "rand4k", SYS_GZ);
    bench_result *zlo = bench_find(&results, name, "local4k", SYS_ZMM);
    bench_result *plo = bench_find(&results, name, "local4k", SYS_PLAIN);
    bench_result *zsz = bench_find(&results, name, "size", "zmm -6 (core library)");
    bench_result *bsz = bench_find(&results, name, "size", "bgzip -@ 2");
    bench_result *gsz = bench_find(&results, name, "size", "gzip -6");
    bench_result *psz = bench_find(&results, name, "size", SYS_PCM);
    bench_result *fsz = bench_find(&results, name, "size", "flac");
    bench_result *ps = bench_find(&results, name, "seq64k", SYS_PCM);
    bench_result *pr = bench_find(&results, name, "rand4k", SYS_PCM);
    bench_result *z32r = bench_find(&results, name, "rand4k", SYS_ZMM32K);
    bench_result *z32sz = bench_find(&results, name, "size", SYS_ZMM32K);
    bench_result *pd = bench_find(&results, name, "decode", SYS_PCM_DECODE);
    bench_result *fd = bench_find(&results, name, "decode", SYS_FLAC_DECODE);
    char d[160];

    /* issue 15: packing on 2 threads ("on audio and on text"; random
     * data's ratio is in the packing table) */
    if (k1 && k2 && strcmp(name, "random") != 0) {
        snprintf(d, sizeof d, "%.1f vs %.1f MB/s", k2->value, k1->value);
        bench_target_add(&targets, "pack -T 2 ≥ 1.8× -T 1", name,
                         k2->value / k1->value, 1.8, 0, d);
    }
    if (kp1 && kp2) {
        snprintf(d, sizeof d, "pcm: %.1f vs %.1f MB/s", kp2->value,
                 kp1->value);
        bench_target_add(&targets, "pcm pack -T 2 ≥ 1.8× -T 1", name,
                         kp2->value / kp1->value, 1.8, 0, d);
    }
    if (kp2 && gzp) {
        snprintf(d, sizeof d, "%.1f vs %.1f MB/s", kp2->value, gzp->value);
        bench_target_add(&targets, "pcm pack -T 2 ≥ 1.0× gzip -6", name,
                         kp2->value / gzp->value, 1.0, 0, d);
    }
    if (k2 && pigz) {
        snprintf(d, sizeof d, "%.1f vs %.1f MB/s", k2->value, pigz->value);
        bench_target_add(&targets, "pack -T 2 ≥ 0.9× pigz -p 2", name,
                         k2->value / pigz->value, 0.9, 0, d);
    }
    if (zn && zl) {
        snprintf(d, sizeof d, "%.0f vs %.0f MB/s (no read-ahead)", zn->value,
                 zl->value);
        bench_target_add(&targets, "sequential ≥ 0.9× zlib raw inflate (1 thread)",
                         name, zn->value / zl->value, 0.9, 0, d);
    }
    if (zs && zl) {
        snprintf(d, sizeof d,
                 "%.0f MB/s with read-ahead; 2 streams on 2 threads: %.2f×",
                 zs->value, z2 ? z2->value / zl->value : 0.0);
        bench_target_add(&targets,
                         "sequential ≥ 1.6× zlib raw inflate (read-ahead on 2 cores)",
                         name, zs->value / zl->value, 1.6, 0, d);
    }
    if (zr && br) {
        snprintf(d, sizeof d, "%.0f vs %.0f reads/s", zr->value, br->value);
        bench_target_add(&targets, "uniform random 4 KiB ≥ 1.0× BGZF", name,
                         zr->value / br->value, 1.0, 0, d);
    }
    if (z32r && br && z32sz && bsz) { /* the same target, smaller blocks */
        snprintf(d, sizeof d, "%.0f vs %.0f reads/s; size %.3f× bgzip's",
                 z32r->value, br->value, z32sz->value / bsz->value);
        bench_target_add(&targets,
                         "uniform random 4 KiB ≥ 1.0× BGZF (zmm -b 32k)", name,
                         z32r->value / br->value, 1.0, 0, d);
    }
    if (zr && gr) {
        snprintf(d, sizeof d, "%.0f vs %.2f reads/s", zr->value, gr->value);
        bench_target_add(&targets, "uniform random 4 KiB ≥ 100× gzseek", name,
                         zr->value / gr->value, 100, 0, d);
    }
    if (zlo && plo) {
        snprintf(d, sizeof d, "%.0f vs %.0f reads/s", zlo->value, plo->value);
        bench_target_add(&targets, "local random 4 KiB ≥ 0.5× plain file", name,
                         zlo->value / plo->value, 0.5, 0, d);
    }
    if (zsz && bsz) {
        snprintf(d, sizeof d, "%.0f vs %.0f bytes", zsz->value, bsz->value);
        bench_target_add(&targets, "archive size ≤ bgzip's (size ratio)", name,
                         zsz->value / bsz->value, 1.0, 1, d);
    }
    if (zsz && gsz && strcmp(name, "audio") == 0) {
        snprintf(d, sizeof d, "%.0f vs %.0f bytes", zsz->value, gsz->value);
        bench_target_add(&targets, "archive size within 1% of gzip -6 (audio)",
                         name, zsz->value / gsz->value, 1.01, 1, d);
    }
    /* issue 7: the PCM filter */
    if (psz && gsz) {
        snprintf(d, sizeof d, "%.0f vs %.0f bytes: %.3f× (stretch 0.60×: %s); "
                 "%.2f× flac",
                 psz->value, gsz->value, psz->value / gsz->value,
                 psz->value / gsz->value <= 0.60 ? "met" : "not met",
                 fsz ? psz->value / fsz->value : 0.0);
        bench_target_add(&targets, "pcm size ≤ 0.70× gzip -6 (stretch 0.60×)",
                         name, psz->value / gsz->value, 0.70, 1, d);
    }
    /* issue 16: kind 5 against flac */
    if (psz && fsz) {
        snprintf(d, sizeof d, "%.0f vs %.0f bytes", psz->value, fsz->value);
        bench_target_add(&targets, "pcm size ≤ 1.15× flac -5", name,
                         psz->value / fsz->value, 1.15, 1, d);
    }
    if (pd && fd) {
        snprintf(d, sizeof d, "%.0f vs %.0f MB/s", pd->value, fd->value);
        bench_target_add(&targets,
                         "pcm whole-member decode ≥ 1.0× flac -d (1 thread)",
                         name, pd->value / fd->value, 1.0, 0, d);
    }
    if (ps && zs) {
        snprintf(d, sizeof d, "%.0f vs %.0f MB/s", ps->value, zs->value);
        bench_target_add(&targets,
                         "pcm sequential 64 KiB within 15% of unfiltered (≥ 0.85×)",
                         name, ps->value / zs->value, 0.85, 0, d);
    }
    if (pr && zr) {
        snprintf(d, sizeof d, "%.0f vs %.0f reads/s", pr->value, zr->value);
        bench_target_add(&targets,
                         "pcm uniform random 4 KiB within 15% of unfiltered (≥ 0.85×)",
                         name, pr->value / zr->value, 0.85, 0, d);
    }
}

/* ---- main -------------------------------------------------------------------------- */

static void write_outputs(const char *const *names, size_t n)
{
    char path[1024];
    FILE *f;

    if (opt.out == NULL)
        return;
    snprintf(path, sizeof path, "%s/native.csv", opt.out);
    if ((f = fopen(path, "w")) == NULL)
        die("cannot write native.csv");
    bench_write_csv(f, &results);
    fclose(f);
    snprintf(path, sizeof path, "%s/native-targets.csv", opt.out);
    if ((f = fopen(path, "w")) == NULL)
        die("cannot write native-targets.csv");
    bench_write_targets_csv(f, &targets);
    fclose(f);
    snprintf(path, sizeof path, "%s/native.md", opt.out);
    if ((f = fopen(path, "w")) == NULL)
        die("cannot write native.md");
    fprintf(f, "### Targets\n\n");
    bench_write_targets_md(f, &targets);
    fprintf(f, "### Reads\n\nMedians of %d timed repetitions after one "
               "verified pass; in parentheses the ratio to the baseline named.\n\n",
            opt.reps);
    bench_write_md_table(f, &results, "seq64k",
                         "Sequential 64 KiB reads (MB/s of logical bytes)",
                         names, n);
    bench_write_md_table(f, &results, "rand4k",
                         "Uniform random 4 KiB reads (reads/s)", names, n);
    bench_write_md_table(f, &results, "local4k",
                         "Local random 4 KiB reads: 1 MiB window moving 4 KiB "
                         "every 8 reads (reads/s)",
                         names, n);
    bench_write_md_table(f, &results, "decode",
                         "Decoding a whole WAV member, one thread (MB/s of "
                         "WAV bytes)",
                         names, n);
    fprintf(f, "### Packing\n\n");
    bench_write_md_table(f, &results, "pack",
                         "Pack throughput (MB/s of input, median; xz and zmm -9: 1 run)",
                         names, n);
    bench_write_md_table(f, &results, "size",
                         "Packed size (ratio to the input)", names, n);
    fclose(f);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_native --quick [--work DIR]\n"
            "       bench_native --out DIR [--work DIR] [--reps N] "
            "[--pack-reps N] [--rand N] [--local N] [--gz-reads N] "
            "NAME=PATH...\n"
            "       bench_native --profile seq64k|rand4k|local4k|pack [--work DIR] "
            "[--reps N] [--no-readahead] NAME=PATH...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *names[16], *paths[16];
    size_t n = 0, i;
    int a;

    for (a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;

        if (strcmp(argv[a], "--quick") == 0) {
            opt.quick = 1;
        } else if (strcmp(argv[a], "--out") == 0 && v) {
            opt.out = v;
            a++;
        } else if (strcmp(argv[a], "--work") == 0 && v) {
            opt.work = v;
            a++;
        } else if (strcmp(argv[a], "--reps") == 0 && v) {
            opt.reps = atoi(v);
            a++;
        } else if (strcmp(argv[a], "--pack-reps") == 0 && v) {
            opt.pack_reps = atoi(v);
            a++;
        } else if (strcmp(argv[a], "--rand") == 0 && v) {
            opt.nrand = (size_t)atol(v);
            a++;
        } else if (strcmp(argv[a], "--local") == 0 && v) {
            opt.nlocal = (size_t)atol(v);
            a++;
        } else if (strcmp(argv[a], "--profile") == 0 && v) {
            opt.profile = v;
            a++;
        } else if (strcmp(argv[a], "--no-readahead") == 0) {
            opt.profile_flags = ZMM_STREAM_NO_READAHEAD;
        } else if (strcmp(argv[a], "--gz-reads") == 0 && v) {
            opt.gz_reads = (size_t)atol(v);
            a++;
        } else if (strchr(argv[a], '=') != NULL && argv[a][0] != '-' && n < 16) {
            char *eq = strchr(argv[a], '=');

            *eq = '\0';
            names[n] = argv[a];
            paths[n] = eq + 1;
            n++;
        } else {
            usage();
        }
    }
    if (opt.reps < 1 || opt.reps > 64 || opt.pack_reps < 1 ||
        opt.pack_reps > 64 || opt.nrand < 1 || opt.nlocal < 1)
        usage();

    if (opt.quick) {
        static const char *const kinds[] = {"audio", "text", "random"};
        static char qpaths[3][1024];

        if (bench_check_crc32() != 0)
            failures++;

        opt.nrand = 300;
        opt.nlocal = 3000;
        opt.gz_reads = 4;
        for (i = 0; i < 3; i++) {
            path_in(qpaths[i], sizeof qpaths[i], opt.work, kinds[i], ".quick.raw");
            if (bench_write_quick_set(kinds[i], qpaths[i], 42 + i) != 0)
                die("cannot write quick data");
            names[n] = kinds[i];
            paths[n] = qpaths[i];
            n++;
        }
    } else if (n == 0 || (opt.out == NULL && opt.profile == NULL)) {
        usage();
    }

    for (i = 0; i < n; i++) {
        uint64_t size;
        unsigned char *data = bench_read_file(paths[i], &size);

        if (data == NULL || size < 8192)
            die("cannot read a data set (or smaller than 8 KiB)");
        if (opt.profile != NULL && strcmp(opt.profile, "pack") == 0) {
            profile_pack(names[i], paths[i], data, size);
            free(data);
            continue;
        }
        if (opt.profile != NULL) {
            profile_dataset(names[i], data, size);
            free(data);
            continue;
        }
        bench_dataset(names[i], paths[i], data, size);
        if (!opt.quick)
            add_targets(names[i]);
        free(data);
        if (opt.quick) {
            char p[1024];

            remove(paths[i]);
            path_in(p, sizeof p, opt.work, names[i], ".zmm");
            remove(p);
            path_in(p, sizeof p, opt.work, names[i], ".pcm.zmm");
            remove(p);
            path_in(p, sizeof p, opt.work, names[i], ".gz");
            remove(p);
            path_in(p, sizeof p, opt.work, names[i], ".bgzf.gz");
            remove(p);
            path_in(p, sizeof p, opt.work, names[i], ".bgzf.gz.gzi");
            remove(p);
        }
    }
    if (opt.profile != NULL)
        return failures ? 1 : 0;
    write_outputs(names, n);
    if (opt.quick || opt.out == NULL) {
        bench_write_md_table(stdout, &results, "seq64k", "seq64k (quick)", names, n);
        bench_write_md_table(stdout, &results, "rand4k", "rand4k (quick)", names, n);
        bench_write_md_table(stdout, &results, "local4k", "local4k (quick)", names, n);
        bench_write_md_table(stdout, &results, "size", "size (quick)", names, n);
    } else {
        bench_write_targets_md(stdout, &targets);
    }
    printf("bench_native: %s, %d failure%s\n", failures ? "FAILED" : "all bytes checked",
           failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
