/*
 * bench_assets.c -- an asset pack through mmio, as a game or a sound library
 * uses one: thousands of short sound effects (2,000-20,000 samples, 22.05
 * kHz mono 16-bit WAVs) in one archive, each opened through mmioOpen, read
 * 4 KiB at a random offset, and closed -- against the same sounds as plain
 * WAV files through mmio's DOS procedure, in the same run.
 *
 *   bench_assets [--quick] [--work DIR] [--ops N] [--reps N] [COUNT...]
 *
 * For each COUNT (default 5000 20000; --quick: 300, one repetition) prints
 * opens per second of both, best of --reps passes of --ops opens (every
 * byte read is checked), and the private bytes of 500 handles held open at
 * once on distinct members. Lines "csv,..." carry the same for a report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "zmm.h"
#include "zmmio.h"

#include <psapi.h>

static struct {
    int quick;
    int reps;
    unsigned ops;
    const char *work;
} opt = {0, 3, 20000, "."};

static int failures;

static void store32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* Sound i: a WAV of 2,000-20,000 samples (a decaying tone and noise),
 * malloc'ed; its length in *len. The same bytes on every run. */
static unsigned char *make_sound(unsigned i, size_t *len)
{
    uint64_t state = 0x5eed0000u + i;
    uint32_t samples = 2000 + (uint32_t)(bench_rand(&state) % 18001u);
    uint32_t data = samples * 2, k;
    unsigned char *p = malloc(44 + data);
    double phase = 0, step = 0.02 + (double)(i % 50) / 400.0;

    if (!p)
        exit(2);
    memcpy(p, "RIFF", 4);
    store32(p + 4, 36 + data);
    memcpy(p + 8, "WAVEfmt ", 8);
    store32(p + 16, 16);
    store32(p + 20, 1 | (1u << 16)); /* PCM, mono */
    store32(p + 24, 22050);
    store32(p + 28, 44100);
    store32(p + 32, 2 | (16u << 16)); /* align 2, 16 bits */
    memcpy(p + 36, "data", 4);
    store32(p + 40, data);
    for (k = 0; k < samples; k++) {
        double env = 1.0 - (double)k / samples;
        int noise = (int)(bench_rand(&state) % 801u) - 400;
        int v = (int)(env * 12000.0 * sin(phase)) + noise;

        phase += step;
        p[44 + 2 * k] = (unsigned char)(v & 0xff);
        p[45 + 2 * k] = (unsigned char)((v >> 8) & 0xff);
    }
    *len = 44 + data;
    return p;
}

/* The plain files in a folder and the archive, as zmm pack makes it (PCM
 * layouts from the WAV headers). */
static void make_sets(unsigned count)
{
    char dir[600], file[700], archive[600];
    zmm_archive *ar = NULL;
    unsigned i;

    snprintf(dir, sizeof dir, "%s\\plain%u", opt.work, count);
    CreateDirectoryA(dir, NULL);
    snprintf(archive, sizeof archive, "%s\\pack%u.zmm", opt.work, count);
    DeleteFileA(archive);
    if (zmm_archive_open(archive, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                         NULL) != ZMM_OK) {
        fprintf(stderr, "bench_assets: cannot create %s\n", archive);
        exit(2);
    }
    for (i = 0; i < count; i++) {
        size_t len;
        unsigned char *wav = make_sound(i, &len);
        zmm_pcm_layout layout;
        zmm_stream *s = NULL;
        char name[64];
        FILE *f;

        snprintf(file, sizeof file, "%s\\plain%u\\%05u.wav", opt.work, count,
                 i);
        f = fopen(file, "wb");
        if (!f || fwrite(wav, 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "bench_assets: cannot write %s\n", file);
            exit(2);
        }
        snprintf(name, sizeof name, "%05u.wav", i);
        memset(&layout, 0, sizeof layout);
        layout.struct_size = sizeof layout;
        if (zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                            NULL, &s) != ZMM_OK ||
            (zmm_detect_wav_layout(wav, len, len, &layout) == ZMM_OK &&
             zmm_stream_set_pcm_layout(s, &layout) != ZMM_OK) ||
            zmm_stream_write(s, wav, len) != ZMM_OK ||
            zmm_stream_close(s) != ZMM_OK) {
            fprintf(stderr, "bench_assets: cannot pack %s\n", name);
            exit(2);
        }
        free(wav);
    }
    if (zmm_archive_close(ar) != ZMM_OK) {
        fprintf(stderr, "bench_assets: cannot commit %s\n", archive);
        exit(2);
    }
}

static void name_of(char *out, size_t cap, int archive, unsigned count,
                    unsigned i)
{
    if (archive)
        snprintf(out, cap, "%s\\pack%u.zmm+%05u.wav", opt.work, count, i);
    else
        snprintf(out, cap, "%s\\plain%u\\%05u.wav", opt.work, count, i);
}

/* One pass: `ops` opens of random members, a 4 KiB read at a random offset
 * in each, checked. Opens per second, or -1. */
static double open_read_close(int archive, int whole, unsigned count,
                              uint64_t seed)
{
    static unsigned char buf[65536];
    uint64_t state = seed;
    double t0 = bench_now();
    unsigned op;

    for (op = 0; op < opt.ops; op++) {
        unsigned i = (unsigned)(bench_rand(&state) % count);
        uint64_t pick = bench_rand(&state);
        char name[700];
        size_t len, step;
        unsigned char *want = NULL;
        LONG off, got;
        HMMIO h;

        name_of(name, sizeof name, archive, count, i);
        h = mmioOpenA(name, NULL, MMIO_READ);
        if (!h)
            return -1;
        len = (size_t)mmioSeek(h, 0, SEEK_END);
        step = whole ? sizeof buf : 4096;
        off = len > step && !whole ? (LONG)(pick % (len - step)) : 0;
        got = mmioSeek(h, off, SEEK_SET) == off
                  ? mmioRead(h, (HPSTR)buf, (LONG)step) : -1;
        mmioClose(h, 0);
        /* Checked on the first pass only (the seed says which). */
        if (seed == 1) {
            want = make_sound(i, &len);
            if (got != (LONG)(len - (size_t)off < step ? len - (size_t)off
                                                       : step) ||
                memcmp(buf, want + off, (size_t)got) != 0) {
                free(want);
                return -1;
            }
            free(want);
        }
    }
    return (double)opt.ops / (bench_now() - t0);
}

static SIZE_T private_bytes(void)
{
    PROCESS_MEMORY_COUNTERS pmc;

    memset(&pmc, 0, sizeof pmc);
    pmc.cb = sizeof pmc;
    GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc);
    return pmc.PagefileUsage;
}

/* Private bytes that 500 handles open at once (each has read 4 KiB) add. */
static long long held_open(int archive, unsigned count)
{
    enum { HELD = 500 };
    static HMMIO h[HELD];
    static char buf[4096];
    SIZE_T before = private_bytes(), after;
    unsigned i, n = count < HELD ? count : HELD;

    for (i = 0; i < n; i++) {
        char name[700];

        name_of(name, sizeof name, archive, count, i);
        h[i] = mmioOpenA(name, NULL, MMIO_READ);
        if (!h[i] || mmioRead(h[i], buf, sizeof buf) <= 0)
            return -1;
    }
    after = private_bytes();
    for (i = 0; i < n; i++)
        mmioClose(h[i], 0);
    return (long long)after - (long long)before;
}

/* The patterns, each timed on plain files and on the archive. */
enum { RANDOM_4K, RANDOM_4K_BIG_CACHE, WHOLE, PATTERNS };

/* Best opens/s of plain files (best[0]) and the archive (best[1]),
 * interleaved so that a slow spell of the machine falls on both alike. */
static int measure(unsigned count, int pattern, double best[2])
{
    SIZE_T limit = 0;
    int sys, rep;

    best[0] = best[1] = 0;
    if (pattern == RANDOM_4K_BIG_CACHE)
        limit = ZmmSetCacheLimit((SIZE_T)1 << 30);
    for (rep = 0; rep <= opt.reps; rep++)
        for (sys = 0; sys < 2; sys++) {
            double r = open_read_close(sys, pattern == WHOLE, count,
                                       rep == 0 ? 1 : 100 + rep);

            if (r < 0) {
                fprintf(stderr, "bench_assets: %u sounds, %s: FAILED\n",
                        count, sys ? "archive" : "plain files");
                failures++;
                return -1;
            }
            if (rep > 0 && r > best[sys])
                best[sys] = r;
        }
    if (pattern == RANDOM_4K_BIG_CACHE)
        ZmmSetCacheLimit(limit);
    return 0;
}

static double ratio(const double best[2])
{
    return best[0] > 0 ? best[1] / best[0] : 0.0;
}

static void run(unsigned count)
{
    double best[PATTERNS][2];
    long long held[2];
    int sys, p;

    printf("== %u sounds: making the files and the archive\n", count);
    fflush(stdout);
    make_sets(count);
    for (p = 0; p < PATTERNS; p++)
        if (measure(count, p, best[p]) != 0)
            return;
    for (sys = 0; sys < 2; sys++)
        held[sys] = held_open(sys, count);
    printf("%u sounds: open + 4 KiB read + close: plain files %.0f/s, "
           "x.zmm+NAME %.0f/s (%.2fx); 500 handles open: plain %+.1f MiB, "
           "zmmio %+.1f MiB\n",
           count, best[RANDOM_4K][0], best[RANDOM_4K][1],
           ratio(best[RANDOM_4K]), (double)held[0] / 1048576.0,
           (double)held[1] / 1048576.0);
    printf("%u sounds: the same, cache holding the pack: plain files "
           "%.0f/s, x.zmm+NAME %.0f/s (%.2fx)\n",
           count, best[RANDOM_4K_BIG_CACHE][0], best[RANDOM_4K_BIG_CACHE][1],
           ratio(best[RANDOM_4K_BIG_CACHE]));
    printf("%u sounds: open + whole read + close: plain files %.0f/s, "
           "x.zmm+NAME %.0f/s (%.2fx)\n",
           count, best[WHOLE][0], best[WHOLE][1], ratio(best[WHOLE]));
    printf("csv,%u,%.0f,%.0f,%.3f,%lld,%lld,%.0f,%.0f,%.3f,%.0f,%.0f,%.3f\n",
           count, best[RANDOM_4K][0], best[RANDOM_4K][1],
           ratio(best[RANDOM_4K]), held[0], held[1],
           best[RANDOM_4K_BIG_CACHE][0], best[RANDOM_4K_BIG_CACHE][1],
           ratio(best[RANDOM_4K_BIG_CACHE]), best[WHOLE][0], best[WHOLE][1],
           ratio(best[WHOLE]));
    fflush(stdout);
    if (held[1] < 0)
        failures++;
}

int main(int argc, char **argv)
{
    unsigned counts[8], ncounts = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            opt.quick = 1;
        } else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc) {
            opt.work = argv[++i];
        } else if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc) {
            opt.ops = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            opt.reps = atoi(argv[++i]);
        } else if (argv[i][0] != '-' && ncounts < 8) {
            counts[ncounts++] = (unsigned)strtoul(argv[i], NULL, 10);
        } else {
            fprintf(stderr, "usage: bench_assets [--quick] [--work DIR] "
                            "[--ops N] [--reps N] [COUNT...]\n");
            return 2;
        }
    }
    if (opt.quick) {
        opt.reps = 1;
        opt.ops = 500;
        if (ncounts == 0)
            counts[ncounts++] = 300;
    }
    if (ncounts == 0) {
        counts[ncounts++] = 5000;
        counts[ncounts++] = 20000;
    }
    if (!ZmmInstallIOProc()) {
        fprintf(stderr, "bench_assets: cannot install the procedure\n");
        return 2;
    }
    for (i = 0; i < (int)ncounts; i++)
        run(counts[i]);
    ZmmRemoveIOProc();
    return failures ? 1 : 0;
}
