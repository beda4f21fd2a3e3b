/*
 * bench_mmio.c -- the same read workloads through mmio: mmioSeek/mmioRead on
 * "NAME.zmm+" (zmmio.dll) against the plain file through mmio's DOS
 * procedure, unbuffered and with MMIO_ALLOCBUF, and against the core library
 * called directly in the same process; and a recorder writing a RIFF WAVE
 * through mmio (mmioCreateChunk, mmioWrite, mmioAscend) to both.
 *
 *   bench_mmio --quick [--work DIR]
 *       small synthetic data, one repetition, every byte checked (CTest's
 *       bench_quick in the Windows build, run under Wine).
 *   bench_mmio --out DIR [--work DIR] [--reps N] [--rand N] [--local N]
 *              [--native CSV] NAME=PATH...
 *       writes DIR/mmio.csv, DIR/mmio-targets.csv, DIR/mmio.md; with
 *       --native, bench_native's native.csv of the same run, the DLL's
 *       targets against the core library built natively (issue 20).
 *
 * Unix paths (/x/y) are taken as Wine's drive Z: (Z:\x\y).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "bench_crc_check.h"
#include "zmm.h"
#include "zmmio.h"

static struct {
    int quick;
    int reps;
    size_t nrand;
    size_t nlocal;
    const char *out;
    const char *work;
    const char *native;
} opt = {0, 5, 20000, 200000, NULL, ".", NULL};

static bench_results results;
static bench_results native; /* bench_native's rows (--native) */
static bench_targets targets;
static int failures;

static void die(const char *what)
{
    fprintf(stderr, "bench_mmio: %s\n", what);
    exit(2);
}

/* "/a/b" -> "Z:\a\b"; other paths keep their form with '\'. */
static void win_path(char *out, size_t cap, const char *in)
{
    size_t i = 0;

    if (in[0] == '/' && cap > 2) {
        out[i++] = 'Z';
        out[i++] = ':';
    }
    for (; *in && i + 1 < cap; in++)
        out[i++] = *in == '/' ? '\\' : *in;
    out[i] = '\0';
}

static void path_in(char *out, size_t cap, const char *name, const char *ext)
{
    char tmp[1024];

    snprintf(tmp, sizeof tmp, "%s/%s%s", opt.work, name, ext);
    win_path(out, cap, tmp);
}

static HMMIO open_mmio(const char *name, DWORD flags)
{
    char copy[1024];

    snprintf(copy, sizeof copy, "%s", name); /* mmioOpen may write to it */
    return mmioOpenA(copy, NULL, flags);
}

/* ---- readers ---------------------------------------------------------------- */

static int mmio_seek_(void *c, uint64_t off)
{
    return mmioSeek(c, (LONG)off, SEEK_SET) == (LONG)off ? 0 : -1;
}

static long long mmio_read_(void *c, void *buf, size_t len)
{
    return mmioRead(c, buf, (LONG)len);
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

/*
 * Workload w on every reader: one verified pass each, then `reps` timed
 * rounds in which each reader runs once in turn, so that a slow spell of
 * the machine (Wine's server, the other core's work) falls on every system
 * alike instead of on whichever ran then. Results are added per reader.
 */
static void measure_all(const char *dataset, const bench_reader *rd,
                        size_t nrd, const bench_workload *w,
                        const unsigned char *ref, uint64_t size, int reps)
{
    uint64_t expect = bench_expected_sample(w, ref, size, 0), got = 0;
    double samples[8][64];
    int ok[8], i;
    size_t k;

    for (k = 0; k < nrd && k < 8; k++) {
        ok[k] = rd[k].ctx != NULL &&
                bench_run(&rd[k], w, ref, size, 0, &got) >= 0 && got == expect;
        if (rd[k].ctx != NULL && !ok[k]) {
            fprintf(stderr, "bench_mmio: %s %s %s: verification FAILED\n",
                    dataset, w->name, rd[k].name);
            failures++;
        }
    }
    for (i = 0; i < reps && i < 64; i++)
        for (k = 0; k < nrd && k < 8; k++) {
            double t;

            if (!ok[k])
                continue;
            t = bench_run(&rd[k], w, NULL, size, 0, &got);
            if (t <= 0 || got != expect) {
                fprintf(stderr, "bench_mmio: %s %s %s: checksum FAILED\n",
                        dataset, w->name, rd[k].name);
                failures++;
                ok[k] = 0;
                continue;
            }
            samples[k][i] = w->sequential ? (double)w->bytes / t / 1e6
                                          : (double)w->count / t;
        }
    for (k = 0; k < nrd && k < 8; k++)
        if (ok[k])
            bench_add(&results, dataset, w->name, rd[k].name,
                      w->sequential ? "MB/s" : "reads/s", samples[k], i);
}

/* ---- the recorder ---------------------------------------------------------------- */

/* Writes a RIFF WAVE (44.1 kHz, 16-bit, stereo) whose data chunk holds `pcm`,
 * as a recorder does: 16 KiB writes, then mmioAscend patches the sizes.
 * Seconds (including mmioClose, which commits an archive), or -1. */
static double record(const char *name, DWORD extra, const unsigned char *pcm,
                     size_t n)
{
    PCMWAVEFORMAT fmt;
    MMCKINFO riff, ck;
    HMMIO h;
    size_t off;
    double t0 = bench_now();

    h = open_mmio(name, MMIO_CREATE | MMIO_WRITE | extra);
    if (h == NULL)
        return -1;
    memset(&riff, 0, sizeof riff);
    riff.fccType = mmioFOURCC('W', 'A', 'V', 'E');
    if (mmioCreateChunk(h, &riff, MMIO_CREATERIFF) != MMSYSERR_NOERROR)
        goto fail;
    memset(&ck, 0, sizeof ck);
    ck.ckid = mmioFOURCC('f', 'm', 't', ' ');
    fmt.wf.wFormatTag = WAVE_FORMAT_PCM;
    fmt.wf.nChannels = 2;
    fmt.wf.nSamplesPerSec = 44100;
    fmt.wf.nAvgBytesPerSec = 44100 * 4;
    fmt.wf.nBlockAlign = 4;
    fmt.wBitsPerSample = 16;
    if (mmioCreateChunk(h, &ck, 0) != MMSYSERR_NOERROR ||
        mmioWrite(h, (const char *)&fmt, sizeof fmt) != (LONG)sizeof fmt ||
        mmioAscend(h, &ck, 0) != MMSYSERR_NOERROR)
        goto fail;
    memset(&ck, 0, sizeof ck);
    ck.ckid = mmioFOURCC('d', 'a', 't', 'a');
    if (mmioCreateChunk(h, &ck, 0) != MMSYSERR_NOERROR)
        goto fail;
    for (off = 0; off < n; off += 16384) {
        LONG len = n - off < 16384 ? (LONG)(n - off) : 16384;

        if (mmioWrite(h, (const char *)pcm + off, len) != len)
            goto fail;
    }
    if (mmioAscend(h, &ck, 0) != MMSYSERR_NOERROR ||
        mmioAscend(h, &riff, 0) != MMSYSERR_NOERROR)
        goto fail;
    if (mmioClose(h, 0) != 0)
        return -1;
    return bench_now() - t0;
fail:
    mmioClose(h, 0);
    return -1;
}

/* The recorded file's bytes: the plain file, or the archive's member. */
static unsigned char *recorded(const char *path, int archive, uint64_t *len)
{
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    unsigned char *buf = NULL;
    size_t got = 0;

    if (!archive)
        return bench_read_file(path, len);
    *len = 0;
    if (zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL) != ZMM_OK)
        return NULL;
    if (zmm_stream_open(ar, NULL, ZMM_STREAM_READ, NULL, &s) == ZMM_OK) {
        *len = zmm_stream_size(s);
        buf = malloc(*len ? (size_t)*len : 1);
        if (buf && (zmm_stream_read(s, buf, (size_t)*len, &got) != ZMM_OK ||
                    got != *len)) {
            free(buf);
            buf = NULL;
        }
        zmm_stream_close(s);
    }
    zmm_archive_close(ar);
    return buf;
}

static void bench_recorder(const char *dataset, const unsigned char *pcm,
                           size_t n, int reps)
{
    static const struct {
        const char *system;
        int archive;
        DWORD extra;
    } sys[] = {
        {"plain file (DOS procedure) unbuffered", 0, 0},
        {"plain file (DOS procedure) MMIO_ALLOCBUF", 0, MMIO_ALLOCBUF},
        {"x.zmm+ (zmmio) unbuffered", 1, 0},
        {"x.zmm+ (zmmio) MMIO_ALLOCBUF", 1, MMIO_ALLOCBUF},
    };
    char plain[1024], zmm[1024], zname[1040];
    unsigned char *first = NULL;
    uint64_t first_len = 0;
    size_t k;

    path_in(plain, sizeof plain, "recorded", ".wav");
    path_in(zmm, sizeof zmm, "recorded", ".zmm");
    snprintf(zname, sizeof zname, "%s+", zmm);
    for (k = 0; k < sizeof sys / sizeof *sys; k++) {
        const char *name = sys[k].archive ? zname : plain;
        double samples[64];
        unsigned char *got;
        uint64_t len;
        int i;

        for (i = 0; i < reps && i < 64; i++) {
            double t;

            DeleteFileA(sys[k].archive ? zmm : plain);
            t = record(name, sys[k].extra, pcm, n);
            if (t < 0) {
                fprintf(stderr, "bench_mmio: recorder %s FAILED\n", sys[k].system);
                failures++;
                free(first);
                return;
            }
            samples[i] = (double)n / t / 1e6;
        }
        /* every system must have written the same bytes */
        got = recorded(sys[k].archive ? zmm : plain, sys[k].archive, &len);
        if (got == NULL || len != n + 44 || memcmp(got + 44, pcm, n) != 0 ||
            (first != NULL && (len != first_len || memcmp(got, first, len) != 0))) {
            fprintf(stderr, "bench_mmio: recorder %s: WRONG BYTES\n",
                    sys[k].system);
            failures++;
            free(got);
            continue;
        }
        if (first == NULL) {
            first = got;
            first_len = len;
        } else {
            free(got);
        }
        bench_add(&results, dataset, "record", sys[k].system, "MB/s", samples, i);
    }
    free(first);
    DeleteFileA(plain);
    DeleteFileA(zmm);
}

/* ---- recording: WRITEFLUSH, checkpoints ------------------------------------------- */

#define MSG_SIZE 8192u /* mmio's default buffer: one message each on Windows */

/* Sends `total` bytes (data repeated) to a new member as `msg` messages of
 * MSG_SIZE bytes, straight to the procedure with the handle's MMIOINFO, as
 * Windows' mmio sends a buffered handle's buffers (Wine's sends WRITE, and
 * its mmioSendMessage refuses messages below MMIOM_USER). Seconds until
 * mmioClose returns, or -1; *archive_size gets the archive's size. */
static double send_messages(const char *archive, UINT msg,
                            const unsigned char *data, size_t n, size_t total,
                            uint64_t *archive_size)
{
    LPMMIOPROC proc = mmioInstallIOProcA(FOURCC_ZMM, NULL, MMIO_FINDPROC);
    char name[1100];
    MMIOINFO mi;
    HMMIO h;
    size_t off;
    double t0, t;

    if (proc == NULL)
        return -1;
    snprintf(name, sizeof name, "%s+rec.bin", archive);
    DeleteFileA(archive);
    t0 = bench_now();
    h = open_mmio(name, MMIO_CREATE | MMIO_WRITE | MMIO_ALLOCBUF);
    if (h == NULL)
        return -1;
    memset(&mi, 0, sizeof mi);
    mmioGetInfo(h, &mi, 0);
    for (off = 0; off < total; off += MSG_SIZE) {
        size_t at = off % (n - n % MSG_SIZE);

        if (proc((LPSTR)&mi, msg, (LPARAM)(data + at), MSG_SIZE) !=
            (LRESULT)MSG_SIZE) {
            mmioClose(h, 0);
            return -1;
        }
    }
    if (mmioClose(h, 0) != 0)
        return -1;
    t = bench_now() - t0;
    {
        uint64_t len = 0;
        unsigned char *all = bench_read_file(archive, &len);

        free(all);
        *archive_size = len;
    }
    return t;
}

static void bench_writeflush(const char *dataset, const unsigned char *data,
                             uint64_t size, int reps)
{
    static const char *const sys[2] = {"x.zmm+ 8 KiB MMIOM_WRITE",
                                       "x.zmm+ 8 KiB MMIOM_WRITEFLUSH"};
    static const UINT msgs[2] = {MMIOM_WRITE, MMIOM_WRITEFLUSH};
    size_t total = opt.quick ? (2u << 20) : (16u << 20);
    double samples[2][64], med[2];
    uint64_t sizes[2] = {0, 0};
    char path[1024], d[160];
    int i, k;

    if (size < MSG_SIZE)
        return;
    path_in(path, sizeof path, "writeflush", ".zmm");
    for (i = 0; i < reps && i < 64; i++)
        for (k = 0; k < 2; k++) { /* interleaved: the same machine state */
            double t = send_messages(path, msgs[k], data, (size_t)size,
                                     total, &sizes[k]);

            if (t < 0) {
                fprintf(stderr, "bench_mmio: %s FAILED\n", sys[k]);
                failures++;
                DeleteFileA(path);
                return;
            }
            samples[k][i] = (double)total / t / 1e6;
        }
    DeleteFileA(path);
    for (k = 0; k < 2; k++) {
        bench_result *r = bench_add(&results, dataset, "writeflush", sys[k],
                                    "MB/s", samples[k], i);

        med[k] = r->value;
        snprintf(r->note, sizeof r->note, "archive %llu bytes",
                 (unsigned long long)sizes[k]);
    }
    bench_ratio(bench_find(&results, dataset, "writeflush", sys[1]),
                bench_find(&results, dataset, "writeflush", sys[0]), 0);
    snprintf(d, sizeof d, "%.0f vs %.0f MB/s, %zu MiB in 8 KiB messages",
             med[1], med[0], total >> 20);
    bench_target_add(&targets, "WRITEFLUSH time ≤ 1.2× WRITE (Wine)",
                     dataset, med[0] / med[1], 1.2, 1, d);
    snprintf(d, sizeof d, "%llu vs %llu bytes",
             (unsigned long long)sizes[1], (unsigned long long)sizes[0]);
    bench_target_add(&targets, "WRITEFLUSH archive ≤ 1.05× WRITE's", dataset,
                     sizes[0] ? (double)sizes[1] / (double)sizes[0] : 0.0,
                     1.05, 1, d);
}

/* A recorder through the core library in the DLL's platform layer: 16 KiB
 * writes of `data` (repeated to `total`), with zmmio.dll's checkpoint policy
 * (4 MiB or 2 s) or none. Seconds to the close, or -1; *worst gets the
 * longest write, *checkpoints how many were made. */
static double core_record(const char *path, int checkpoints,
                          const unsigned char *data, size_t n, size_t total,
                          double *worst, uint64_t *made)
{
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    size_t off;
    double t0 = bench_now();

    *worst = 0;
    DeleteFileA(path);
    if (zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar, NULL) !=
        ZMM_OK)
        return -1;
    if (checkpoints) {
        zmm_checkpoint_policy p;

        memset(&p, 0, sizeof p);
        p.struct_size = sizeof p;
        p.bytes = 4u << 20;
        p.interval_ms = 2000;
        zmm_archive_set_checkpoints(ar, &p);
    }
    if (zmm_stream_open(ar, "rec.bin", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                        NULL, &s) != ZMM_OK) {
        zmm_archive_close(ar);
        return -1;
    }
    for (off = 0; off < total; off += 16384) {
        double w0 = bench_now(), w;

        if (zmm_stream_write(s, data + off % (n - n % 16384), 16384) !=
            ZMM_OK) {
            zmm_archive_close(ar);
            return -1;
        }
        w = bench_now() - w0;
        if (w > *worst)
            *worst = w;
    }
    *made = zmm_archive_checkpoints(ar);
    if (zmm_stream_close(s) != ZMM_OK || zmm_archive_close(ar) != ZMM_OK)
        return -1;
    return bench_now() - t0;
}

/* mmioWrite's worst latency through zmmio.dll (checkpoints on) and the plain
 * file, 16 KiB unbuffered writes, as a recorder with ~100 ms of buffering
 * would see them; and the core recorder's throughput with and without
 * checkpoints. */
static double mmio_worst_write(const char *name, const unsigned char *data,
                               size_t n, size_t total)
{
    HMMIO h = open_mmio(name, MMIO_CREATE | MMIO_WRITE);
    double worst = 0;
    size_t off;

    if (h == NULL)
        return -1;
    for (off = 0; off < total; off += 16384) {
        double w0 = bench_now(), w;

        if (mmioWrite(h, (const char *)data + off % (n - n % 16384), 16384) !=
            16384) {
            mmioClose(h, 0);
            return -1;
        }
        w = bench_now() - w0;
        if (w > worst)
            worst = w;
    }
    return mmioClose(h, 0) == 0 ? worst : -1;
}

static void bench_checkpoints(const char *dataset, const unsigned char *data,
                              uint64_t size, int reps)
{
    static const char *const sys[2] = {
        "zmm core, no checkpoints", "zmm core, checkpoints (4 MiB / 2 s)"};
    size_t total = opt.quick ? (4u << 20) : (64u << 20);
    double samples[2][64], worst[2][64], med[2], wmax[2] = {0, 0};
    uint64_t made = 0;
    char path[1024], zname[1100], plain[1024], d[160];
    int i, k;

    if (size < 16384)
        return;
    path_in(path, sizeof path, "checkpoints", ".zmm");
    for (i = 0; i < reps && i < 64; i++)
        for (k = 0; k < 2; k++) {
            double t = core_record(path, k, data, (size_t)size, total,
                                   &worst[k][i], &made);

            if (t < 0) {
                fprintf(stderr, "bench_mmio: %s FAILED\n", sys[k]);
                failures++;
                DeleteFileA(path);
                return;
            }
            samples[k][i] = (double)total / t / 1e6;
            if (worst[k][i] > wmax[k])
                wmax[k] = worst[k][i];
        }
    DeleteFileA(path);
    for (k = 0; k < 2; k++) {
        bench_result *r = bench_add(&results, dataset, "checkpoints", sys[k],
                                    "MB/s", samples[k], i);

        med[k] = r->value;
        snprintf(r->note, sizeof r->note, "worst write %.1f ms",
                 wmax[k] * 1e3);
    }
    bench_ratio(bench_find(&results, dataset, "checkpoints", sys[1]),
                bench_find(&results, dataset, "checkpoints", sys[0]), 0);
    snprintf(d, sizeof d, "%.0f vs %.0f MB/s; %llu checkpoints in %zu MiB; "
             "worst 16 KiB write %.1f ms (without: %.1f ms)", med[1], med[0],
             (unsigned long long)made, total >> 20, wmax[1] * 1e3,
             wmax[0] * 1e3);
    bench_target_add(&targets, "recorder with checkpoints ≥ 0.9× without",
                     dataset, med[1] / med[0], 0.9, 0, d);

    /* Through mmio: the worst mmioWrite of a recording, zmmio.dll against
     * the plain file (DOS procedure). */
    snprintf(zname, sizeof zname, "%s+", path);
    path_in(plain, sizeof plain, "checkpoints", ".raw");
    for (k = 0; k < 2; k++) {
        double w[64];

        for (i = 0; i < reps && i < 64; i++) {
            DeleteFileA(k ? path : plain);
            w[i] = mmio_worst_write(k ? zname : plain, data, (size_t)size,
                                    total) * 1e3;
            if (w[i] < 0) {
                fprintf(stderr, "bench_mmio: worst mmioWrite FAILED\n");
                failures++;
                break;
            }
        }
        bench_add(&results, dataset, "worstwrite",
                  k ? "x.zmm+ (zmmio) unbuffered, checkpoints"
                    : "plain file (DOS procedure) unbuffered",
                  "ms", w, i);
    }
    DeleteFileA(path);
    DeleteFileA(plain);
}

/* ---- one data set ---------------------------------------------------------------- */

static const char *SYS_CORE = "zmm core library (same process)";
static const char *SYS_ZMM_UNBUF = "x.zmm+ (zmmio) unbuffered";
static const char *SYS_ZMM_SHARED =
    "x.zmm+ (zmmio) unbuffered, 32 MiB shared cache";

static void bench_dataset(const char *name, const char *path,
                          const unsigned char *data, uint64_t size)
{
    char zmm_path[1024], zmm_name[1040];
    int reps = opt.quick ? 1 : opt.reps;
    bench_workload w[3];
    SIZE_T old_limit;
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    size_t i, k;

    printf("== %s: %s, %.1f MiB\n", name, path, (double)size / 1048576.0);
    fflush(stdout);
    path_in(zmm_path, sizeof zmm_path, name, ".mmio.zmm");
    snprintf(zmm_name, sizeof zmm_name, "%s+", zmm_path);
    DeleteFileA(zmm_path);
    if (zmm_archive_open(zmm_path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                         NULL) != ZMM_OK ||
        zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, NULL,
                        &s) != ZMM_OK ||
        zmm_stream_write(s, data, (size_t)size) != ZMM_OK ||
        zmm_stream_close(s) != ZMM_OK || zmm_archive_close(ar) != ZMM_OK)
        die("cannot pack a data set");

    bench_make_seq(&w[0], size);
    bench_make_rand(&w[1], size, opt.nrand, 0x5eed0001u);
    bench_make_local(&w[2], size, opt.nlocal, 0x5eed0002u);

    {   /* the four mmio ways and the core library, interleaved */
        static const char *const sysname[] = {
            "plain file (DOS procedure) unbuffered",
            "plain file (DOS procedure) MMIO_ALLOCBUF",
            "x.zmm+ (zmmio) unbuffered",
            "x.zmm+ (zmmio) MMIO_ALLOCBUF"};
        bench_reader rd[5];
        char plain[1024];

        win_path(plain, sizeof plain, path);
        for (k = 0; k < 4; k++) {
            rd[k].name = sysname[k];
            rd[k].ctx = open_mmio(k < 2 ? plain : zmm_name,
                                  MMIO_READ | (k % 2 ? MMIO_ALLOCBUF : 0));
            rd[k].seek = mmio_seek_;
            rd[k].read = mmio_read_;
            if (rd[k].ctx == NULL) {
                fprintf(stderr, "bench_mmio: cannot open %s\n", sysname[k]);
                failures++;
            }
        }
        if (zmm_archive_open(zmm_path, ZMM_OPEN_READ, &ar, NULL) != ZMM_OK ||
            zmm_stream_open(ar, NULL, ZMM_STREAM_READ, NULL, &s) != ZMM_OK)
            die("cannot open the archive");
        rd[4].name = SYS_CORE;
        rd[4].ctx = s;
        rd[4].seek = zmm_seek_;
        rd[4].read = zmm_read_;
        /* Each handle keeps the core library's own 4 MiB of decoded
         * blocks; the DLL's cache shared by all handles (32 MiB) would
         * hold half of a 64 MiB member and make random reads look twice
         * as fast as the work they do. Off here, so that every zmm row
         * does the same work; measured apart below. */
        old_limit = ZmmSetCacheLimit(0);
        for (i = 0; i < 3; i++)
            measure_all(name, rd, 5, &w[i], data, size, reps);
        ZmmSetCacheLimit(old_limit);
        if (rd[2].ctx != NULL) {
            bench_reader shared = rd[2];

            shared.name = SYS_ZMM_SHARED;
            measure_all(name, &shared, 1, &w[1], data, size, reps);
        }
        for (k = 0; k < 4; k++)
            if (rd[k].ctx != NULL)
                mmioClose(rd[k].ctx, 0);
        zmm_stream_close(s);
        zmm_archive_close(ar);
    }
    DeleteFileA(zmm_path);
    for (i = 0; i < 3; i++)
        bench_free_workload(&w[i]);

    /* ratios: the zmm rows to the plain file's of the same buffering, the
     * core library's to the unbuffered plain file */
    for (i = 0; i < results.n; i++) {
        bench_result *x = &results.v[i];
        const char *base;

        if (strcmp(x->dataset, name) != 0 || strcmp(x->workload, "record") == 0)
            continue;
        if (strstr(x->system, "MMIO_ALLOCBUF") != NULL)
            base = "plain file (DOS procedure) MMIO_ALLOCBUF";
        else
            base = "plain file (DOS procedure) unbuffered";
        bench_ratio(x, bench_find(&results, name, x->workload, base), 0);
    }
}

/* Issue 20: the DLL against the core library built natively and BGZF, on
 * the same bytes (bench_native packs them with the same options, without
 * the dictionary it gives text: audio and random data are the same
 * archive). */
static void add_native_targets(const char *name)
{
    bench_result *mr = bench_find(&results, name, "rand4k", SYS_ZMM_UNBUF);
    bench_result *ms = bench_find(&results, name, "seq64k", SYS_ZMM_UNBUF);
    bench_result *nr = bench_find(&native, name, "rand4k", "zmm (core library)");
    bench_result *ns = bench_find(&native, name, "seq64k", "zmm (core library)");
    bench_result *br = bench_find(&native, name, "rand4k",
                                  "BGZF (htslib with .gzi)");
    char d[160];

    if (strcmp(name, "text") == 0)
        return; /* natively a dictionary archive: not the same bytes */
    if (mr && nr) {
        snprintf(d, sizeof d, "%.0f vs %.0f reads/s", mr->value, nr->value);
        bench_target_add(&targets, "DLL random 4 KiB ≥ 0.95× native core",
                         name, mr->value / nr->value, 0.95, 0, d);
    }
    if (mr && br && strcmp(name, "audio") == 0) {
        snprintf(d, sizeof d, "%.0f vs %.0f reads/s", mr->value, br->value);
        bench_target_add(&targets, "DLL random 4 KiB ≥ 1.0× BGZF (native)",
                         name, mr->value / br->value, 1.0, 0, d);
    }
    if (ms && ns) {
        snprintf(d, sizeof d, "%.0f vs %.0f MB/s", ms->value, ns->value);
        bench_target_add(&targets, "DLL sequential ≥ 0.95× native core",
                         name, ms->value / ns->value, 0.95, 0, d);
    }
}

static void add_targets(const char *name)
{
    bench_result *m = bench_find(&results, name, "seq64k", SYS_ZMM_UNBUF);
    bench_result *mb = bench_find(&results, name, "seq64k",
                                  "x.zmm+ (zmmio) MMIO_ALLOCBUF");
    bench_result *c = bench_find(&results, name, "seq64k", SYS_CORE);
    char d[160];

    if (m && c) {
        snprintf(d, sizeof d, "%.0f vs %.0f MB/s; with MMIO_ALLOCBUF %.2f×",
                 m->value, c->value, mb ? mb->value / c->value : 0.0);
        bench_target_add(&targets,
                         "mmio sequential ≥ 0.8× the core library (Wine)", name,
                         m->value / c->value, 0.8, 0, d);
    }
    add_native_targets(name);
}

static void write_outputs(const char *const *names, size_t n)
{
    char path[1024];
    FILE *f;

    if (opt.out == NULL)
        return;
    win_path(path, sizeof path, opt.out);
    strncat(path, "\\mmio.csv", sizeof path - strlen(path) - 1);
    if ((f = fopen(path, "w")) == NULL)
        die("cannot write mmio.csv");
    bench_write_csv(f, &results);
    fclose(f);
    win_path(path, sizeof path, opt.out);
    strncat(path, "\\mmio-targets.csv", sizeof path - strlen(path) - 1);
    if ((f = fopen(path, "w")) == NULL)
        die("cannot write mmio-targets.csv");
    bench_write_targets_csv(f, &targets);
    fclose(f);
    win_path(path, sizeof path, opt.out);
    strncat(path, "\\mmio.md", sizeof path - strlen(path) - 1);
    if ((f = fopen(path, "w")) == NULL)
        die("cannot write mmio.md");
    fprintf(f, "### Targets\n\n");
    bench_write_targets_md(f, &targets);
    fprintf(f, "### Reads through mmio\n\nMedians of %d timed repetitions "
               "after one verified pass; zmm rows in parentheses: the ratio to "
               "the plain file with the same buffering.\n\n", opt.reps);
    bench_write_md_table(f, &results, "seq64k",
                         "Sequential 64 KiB mmioRead (MB/s)", names, n);
    bench_write_md_table(f, &results, "rand4k",
                         "Uniform random 4 KiB mmioSeek + mmioRead (reads/s)",
                         names, n);
    bench_write_md_table(f, &results, "local4k",
                         "Local random 4 KiB mmioSeek + mmioRead (reads/s)",
                         names, n);
    bench_write_md_table(f, &results, "record",
                         "Recorder: a RIFF WAVE written through mmio in 16 KiB "
                         "writes, until mmioClose returns (MB/s)",
                         names, n);
    bench_write_md_table(f, &results, "writeflush",
                         "16 MiB sent to ZmmIOProc as 8 KiB messages with the "
                         "handle's MMIOINFO, as Windows' mmio sends a buffered "
                         "handle's writes (MB/s; notes: archive sizes)",
                         names, n);
    bench_write_md_table(f, &results, "checkpoints",
                         "A recorder through the core library, 64 MiB in "
                         "16 KiB writes, with and without zmmio.dll's "
                         "checkpoints (MB/s; notes: worst write)",
                         names, n);
    bench_write_md_table(f, &results, "worstwrite",
                         "The worst 16 KiB mmioWrite of a 64 MiB recording "
                         "(ms, median over repetitions)",
                         names, n);
    fclose(f);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_mmio --quick [--work DIR]\n"
                    "       bench_mmio --out DIR [--work DIR] [--reps N] "
                    "[--rand N] [--local N]\n"
                    "                  [--native CSV] NAME=PATH...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *names[16], *paths[16];
    static char qpaths[3][1024];
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
        } else if (strcmp(argv[a], "--rand") == 0 && v) {
            opt.nrand = (size_t)atol(v);
            a++;
        } else if (strcmp(argv[a], "--local") == 0 && v) {
            opt.nlocal = (size_t)atol(v);
            a++;
        } else if (strcmp(argv[a], "--native") == 0 && v) {
            opt.native = v;
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
    if (opt.reps < 1 || opt.reps > 64 || opt.nrand < 1 || opt.nlocal < 1)
        usage();
    if (!ZmmInstallIOProc())
        die("ZmmInstallIOProc failed");
    if (opt.native != NULL) {
        char p[1024];

        win_path(p, sizeof p, opt.native);
        if (bench_read_csv(p, &native) != 0)
            die("cannot read the --native CSV");
    }

    if (opt.quick) {
        static const char *const kinds[] = {"audio", "text", "random"};

        if (bench_check_crc32() != 0)
            failures++;

        opt.nrand = 300;
        opt.nlocal = 3000;
        for (i = 0; i < 3; i++) {
            path_in(qpaths[i], sizeof qpaths[i], kinds[i], ".quick.raw");
            if (bench_write_quick_set(kinds[i], qpaths[i], 7 + i) != 0)
                die("cannot write quick data");
            names[n] = kinds[i];
            paths[n] = qpaths[i];
            n++;
        }
    } else if (n == 0 || opt.out == NULL) {
        usage();
    }

    for (i = 0; i < n; i++) {
        char p[1024];
        uint64_t size;
        unsigned char *data;

        win_path(p, sizeof p, paths[i]);
        data = bench_read_file(p, &size);
        if (data == NULL || size < 8192)
            die("cannot read a data set (or smaller than 8 KiB)");
        bench_dataset(names[i], paths[i], data, size);
        if (strcmp(names[i], "audio") == 0) {
            /* the recorder writes the audio data set's bytes after its
             * 44-byte header as the PCM of a new WAVE file */
            size_t pcm = (size_t)(size > 44 ? size - 44 : 0) & ~(size_t)3;

            bench_recorder(names[i], data + 44, pcm, opt.quick ? 1 : opt.reps);
            bench_writeflush(names[i], data, size, opt.quick ? 1 : opt.reps);
            bench_checkpoints(names[i], data, size, opt.quick ? 1 : opt.reps);
        }
        if (!opt.quick)
            add_targets(names[i]);
        free(data);
        if (opt.quick)
            DeleteFileA(p);
    }
    write_outputs(names, n);
    if (opt.quick || opt.out == NULL) {
        bench_write_md_table(stdout, &results, "seq64k", "seq64k (quick)", names, n);
        bench_write_md_table(stdout, &results, "rand4k", "rand4k (quick)", names, n);
        bench_write_md_table(stdout, &results, "local4k", "local4k (quick)", names, n);
        bench_write_md_table(stdout, &results, "record", "record (quick)", names, n);
        bench_write_md_table(stdout, &results, "writeflush", "writeflush (quick)", names, n);
        bench_write_md_table(stdout, &results, "checkpoints", "checkpoints (quick)", names, n);
        bench_write_md_table(stdout, &results, "worstwrite", "worstwrite (quick)", names, n);
    } else {
        bench_write_targets_md(stdout, &targets);
    }
    if (!ZmmRemoveIOProc())
        fprintf(stderr, "bench_mmio: ZmmRemoveIOProc failed\n");
    printf("bench_mmio: %s, %d failure%s\n",
           failures ? "FAILED" : "all bytes checked", failures,
           failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
