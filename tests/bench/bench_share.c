/*
 * bench_share.c -- what opening a member costs as the archive grows, with
 * the core library: the first open of an archive (zmm_archive_open, or the
 * first zmm_share_open, which parses the directory) and the opens after it
 * through the same zmm_share, which should not depend on the member count.
 *
 *   bench_share [--quick] [--opens N] [COUNT...]
 *
 * For each COUNT (default 1000 10000 65535; --quick: 200 2000) makes an
 * archive of COUNT short members (1-9 KB each) and prints one row: the
 * directory's size, the snapshot's memory, the first opens' times and the
 * mean time of N later open + 4 KiB read + close through the share (every
 * byte checked on one pass), with the share's cache of decoded blocks and
 * without it (where the cache holds less of a bigger archive, more opens
 * decode: the time without it is what the member count alone costs).
 * "csv,..." lines carry the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "snapshot.h"
#include "stream.h"
#include "zmm.h"

static unsigned opens = 20000;

static size_t member_bytes(unsigned i, unsigned char *buf, size_t cap)
{
    uint64_t state = 0xbe5700u + i;
    size_t n = 1000 + (size_t)(bench_rand(&state) % 8000u), k;

    if (n > cap)
        n = cap;
    for (k = 0; k < n; k++) /* text-like: compressible */
        buf[k] = (unsigned char)("etaoin shrdlu"[bench_rand(&state) % 13u]);
    return n;
}

static void make_archive(const char *path, unsigned count)
{
    zmm_member_options o;
    zmm_archive *ar = NULL;
    unsigned char buf[9000];
    unsigned i;

    remove(path);
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.level = 1;
    if (zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar, NULL) !=
        ZMM_OK) {
        fprintf(stderr, "bench_share: cannot create %s\n", path);
        exit(2);
    }
    for (i = 0; i < count; i++) {
        zmm_stream *s = NULL;
        char name[32];
        size_t n = member_bytes(i, buf, sizeof buf);

        snprintf(name, sizeof name, "sfx/%05u.wav", i);
        if (zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                            &o, &s) != ZMM_OK ||
            zmm_stream_write(s, buf, n) != ZMM_OK ||
            zmm_stream_close(s) != ZMM_OK) {
            fprintf(stderr, "bench_share: cannot write %s\n", name);
            exit(2);
        }
    }
    if (zmm_archive_close(ar) != ZMM_OK) {
        fprintf(stderr, "bench_share: cannot commit %s\n", path);
        exit(2);
    }
}

/* Opens member i through `sh` (or, sh NULL, its own zmm_archive), reads 4
 * KiB at a seeded offset, checks them when `check`, closes. 0 or -1. */
static int open_read(zmm_share *sh, const char *path, unsigned i,
                     uint64_t *state, int check)
{
    unsigned char got[4096], want[9000];
    size_t n = member_bytes(i, want, sizeof want), len, read = 0;
    uint64_t off;
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    char name[32];
    int ok;

    snprintf(name, sizeof name, "sfx/%05u.wav", i);
    if (sh != NULL)
        ok = zmm_share_open(sh, path, 0, name, 0, &s, NULL) == ZMM_OK;
    else
        ok = zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL) == ZMM_OK &&
             zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s) == ZMM_OK;
    if (!ok)
        return -1;
    len = n > sizeof got ? sizeof got : n;
    off = bench_rand(state) % (n - len + 1);
    ok = zmm_stream_seek(s, (int64_t)off, ZMM_SEEK_SET, NULL) == ZMM_OK &&
         zmm_stream_read(s, got, len, &read) == ZMM_OK && read == len &&
         (!check || memcmp(got, want + off, len) == 0);
    zmm_stream_close(s);
    zmm_archive_close(ar);
    return ok ? 0 : -1;
}

static int run(unsigned count)
{
    char path[64];
    zmm_share *sh = NULL;
    zmm_stream *s = NULL;
    uint64_t state = 1;
    double t0, first_archive, first_share, later, uncached;
    size_t memory;
    uint32_t dir_len;
    unsigned k;

    snprintf(path, sizeof path, "bench_share_%u.zmm", count);
    make_archive(path, count);

    t0 = bench_now();
    if (open_read(NULL, path, count - 1, &state, 1) != 0)
        return -1;
    first_archive = bench_now() - t0;

    if (zmm_share_new(&sh) != ZMM_OK)
        return -1;
    t0 = bench_now();
    if (open_read(sh, path, count - 1, &state, 1) != 0)
        return -1;
    first_share = bench_now() - t0;

    if (zmm_share_open(sh, path, 0, NULL, 0, &s, NULL) != ZMM_OK)
        return -1;
    memory = zmm_snapshot_memory(s->snap);
    dir_len = s->snap->slot.directory_length;
    zmm_stream_close(s);

    for (k = 0; k < opens / 4; k++) /* one checked pass, warming up */
        if (open_read(sh, path, (unsigned)(bench_rand(&state) % count),
                      &state, 1) != 0)
            return -1;
    t0 = bench_now();
    for (k = 0; k < opens; k++)
        if (open_read(sh, path, (unsigned)(bench_rand(&state) % count),
                      &state, 0) != 0)
            return -1;
    later = (bench_now() - t0) / opens;
    /* The same without the cache of decoded blocks: every open decodes,
     * whatever the share of the archive the cache holds, so what is left
     * is what finding the member costs as the count grows. */
    zmm_share_set_cache_limit(sh, 0);
    t0 = bench_now();
    for (k = 0; k < opens; k++)
        if (open_read(sh, path, (unsigned)(bench_rand(&state) % count),
                      &state, 0) != 0)
            return -1;
    uncached = (bench_now() - t0) / opens;
    zmm_share_free(sh);
    remove(path);

    printf("%6u members: directory %8u B, snapshot %8lu B (%.2fx); "
           "first open: zmm_archive_open %.2f ms, zmm_share_open %.2f ms; "
           "later share opens (open + 4 KiB read + close): %.1f us, "
           "%.1f us without the block cache\n",
           count, (unsigned)dir_len, (unsigned long)memory,
           (double)memory / dir_len, first_archive * 1e3, first_share * 1e3,
           later * 1e6, uncached * 1e6);
    printf("csv,%u,%u,%lu,%.3f,%.3f,%.2f,%.2f\n", count, (unsigned)dir_len,
           (unsigned long)memory, first_archive * 1e3, first_share * 1e3,
           later * 1e6, uncached * 1e6);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned counts[8], n = 0, i;
    int quick = 0, a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[a], "--opens") == 0 && a + 1 < argc)
            opens = (unsigned)strtoul(argv[++a], NULL, 10);
        else if (argv[a][0] != '-' && n < 8)
            counts[n++] = (unsigned)strtoul(argv[a], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_share [--quick] [--opens N] "
                            "[COUNT...]\n");
            return 2;
        }
    }
    if (quick) {
        opens = 400;
        if (n == 0) {
            counts[n++] = 200;
            counts[n++] = 2000;
        }
    }
    if (n == 0) {
        counts[n++] = 1000;
        counts[n++] = 10000;
        counts[n++] = ZMM_MAX_MEMBERS;
    }
    for (i = 0; i < n; i++)
        if (counts[i] == 0 || counts[i] > ZMM_MAX_MEMBERS || run(counts[i])) {
            fprintf(stderr, "bench_share: %u members: FAILED\n", counts[i]);
            return 1;
        }
    return 0;
}
