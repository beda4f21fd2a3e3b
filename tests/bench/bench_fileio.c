/*
 * bench_fileio.c -- where a random read's time goes inside a Windows
 * process (run under Wine): the parts of what zmmio does for one 4 KiB
 * read at a random offset of a big member, each timed alone with
 * QueryPerformanceCounter on the same machine in the same run.
 *
 *   bench_fileio [--quick] [--work DIR]
 *
 * A 32 MiB file of audio-like bytes is made in DIR; then, for N random
 * offsets each:
 *   - a positioned read of one stored block (40 KiB: a 64 KiB block of
 *     audio deflated) three ways: ReadFile with an OVERLAPPED offset (what
 *     zmmio did), NtReadFile without an APC context (what it does now), and
 *     SetFilePointerEx + ReadFile (what the DOS procedure does);
 *   - the block's CRC-32 (the core's zmm_crc32);
 *   - inflating one 64 KiB block of audio (zlib);
 *   - malloc + free of a 64 KiB buffer.
 * Prints microseconds per call; lines "csv,part,us" carry the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <zlib.h>

#include "bench_common.h"
#include "crc32.h"

enum { FILE_MIB = 32, STORED = 40 * 1024, BLOCK = 64 * 1024 };

typedef struct io_status {
    ULONG_PTR status;
    ULONG_PTR information;
} io_status;

typedef LONG(NTAPI *read_fn)(HANDLE, HANDLE, void *, void *, io_status *,
                             void *, ULONG, LARGE_INTEGER *, ULONG *);

static unsigned reps = 4000;
static const char *work = ".";
static unsigned char buf[BLOCK];

static double us_per(double t0, unsigned n)
{
    return (bench_now() - t0) * 1e6 / n;
}

static void report(const char *part, double us)
{
    printf("%-58s %8.1f us\n", part, us);
    printf("csv,%s,%.2f\n", part, us);
}

static int make_file(const char *path)
{
    FILE *f = fopen(path, "wb");
    unsigned i;

    if (f == NULL)
        return -1;
    for (i = 0; i < FILE_MIB * 16; i++) {
        bench_synth("audio", buf, BLOCK, (uint64_t)i * BLOCK);
        if (fwrite(buf, 1, BLOCK, f) != BLOCK) {
            fclose(f);
            return -1;
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int time_reads(const char *path)
{
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL,
                           OPEN_EXISTING, 0, NULL);
    read_fn nt_read = (read_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleA("ntdll.dll"), "NtReadFile");
    uint64_t state = 1, span = (uint64_t)FILE_MIB * 1048576 - STORED;
    unsigned i, bad = 0;
    double t0;

    if (h == INVALID_HANDLE_VALUE || nt_read == NULL)
        return -1;
    t0 = bench_now();
    for (i = 0; i < reps; i++) {
        uint64_t at = bench_below(&state, span);
        OVERLAPPED ov;
        DWORD got = 0;

        memset(&ov, 0, sizeof ov);
        ov.Offset = (DWORD)at;
        ov.OffsetHigh = (DWORD)(at >> 32);
        bad += !ReadFile(h, buf, STORED, &got, &ov) || got != STORED;
    }
    report("read 40 KiB: ReadFile + OVERLAPPED offset", us_per(t0, reps));
    t0 = bench_now();
    for (i = 0; i < reps; i++) {
        LARGE_INTEGER at;
        io_status io = {0, 0};

        at.QuadPart = (LONGLONG)bench_below(&state, span);
        bad += nt_read(h, NULL, NULL, NULL, &io, buf, STORED, &at, NULL) !=
                   0 || io.information != STORED;
    }
    report("read 40 KiB: NtReadFile, no APC context", us_per(t0, reps));
    t0 = bench_now();
    for (i = 0; i < reps; i++) {
        LARGE_INTEGER at;
        DWORD got = 0;

        at.QuadPart = (LONGLONG)bench_below(&state, span);
        bad += !SetFilePointerEx(h, at, NULL, FILE_BEGIN) ||
               !ReadFile(h, buf, STORED, &got, NULL) || got != STORED;
    }
    report("read 40 KiB: SetFilePointerEx + ReadFile (DOS procedure)",
           us_per(t0, reps));
    CloseHandle(h);
    return bad == 0 ? 0 : -1;
}

static int time_codec(void)
{
    static unsigned char packed[BLOCK + BLOCK / 8], out[BLOCK];
    uLongf packed_len = sizeof packed;
    volatile uint32_t sink = 0;
    unsigned i, bad = 0;
    double t0;

    bench_synth("audio", buf, BLOCK, 0);
    if (compress2(packed, &packed_len, buf, BLOCK, 6) != Z_OK)
        return -1;
    t0 = bench_now();
    for (i = 0; i < reps; i++)
        sink += zmm_crc32(0, buf, STORED);
    report("CRC-32 of 40 KiB (zmm_crc32)", us_per(t0, reps));
    t0 = bench_now();
    for (i = 0; i < reps; i++) {
        uLongf n = sizeof out;

        bad += uncompress(out, &n, packed, packed_len) != Z_OK || n != BLOCK;
    }
    report("inflate 64 KiB of audio (zlib, level 6)", us_per(t0, reps));
    t0 = bench_now();
    for (i = 0; i < reps; i++) {
        unsigned char *p = malloc(BLOCK);

        bad += p == NULL;
        if (p != NULL)
            p[i % BLOCK] = (unsigned char)i; /* not optimised away */
        sink += p != NULL ? p[i % BLOCK] : 0;
        free(p);
    }
    report("malloc + free of 64 KiB", us_per(t0, reps));
    (void)sink;
    return bad == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    char path[MAX_PATH];
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            reps = 200;
        } else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc) {
            work = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_fileio [--quick] [--work DIR]\n");
            return 2;
        }
    }
    snprintf(path, sizeof path, "%s\\fileio.bin", work);
    if (make_file(path) != 0) {
        fprintf(stderr, "bench_fileio: cannot write %s\n", path);
        return 1;
    }
    rc = time_reads(path) == 0 && time_codec() == 0 ? 0 : 1;
    DeleteFileA(path);
    if (rc != 0)
        fprintf(stderr, "bench_fileio: a read or inflate failed\n");
    return rc;
}
