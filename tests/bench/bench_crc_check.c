/*
 * bench_crc_check.c -- the quick mode's check of the core's CRC-32
 * (src/core/crc32.c, which may take a carry-less-multiplication path)
 * against zlib's crc32(): every length 0..2048 at every alignment 0..63,
 * from a zero and a nonzero start, and a long buffer in uneven pieces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "bench_common.h"
#include "bench_crc_check.h"
#include "crc32.h"

int bench_check_crc32(void)
{
    size_t n = (1u << 20) + 77, a, len, off;
    unsigned char *buf = malloc(n);
    uint64_t seed = 99;
    uint32_t mine = 0;
    uLong ref;
    int bad = 0;

    if (buf == NULL)
        return -1;
    bench_synth("random", buf, n, seed);
    for (a = 0; a < 64; a++)
        for (len = 0; len <= 2048; len++) {
            if (zmm_crc32(0, buf + a, len) != (uint32_t)crc32(0, buf + a, (uInt)len))
                bad++;
            if (zmm_crc32(0xdeadbeefu, buf + a, len) !=
                (uint32_t)crc32(0xdeadbeefu, buf + a, (uInt)len))
                bad++;
        }
    ref = crc32(0, buf, (uInt)n);
    for (off = 0; off < n; off += len) {
        len = (size_t)bench_below(&seed, 70000) + 1;
        if (len > n - off)
            len = n - off;
        mine = zmm_crc32(mine, buf + off, len);
    }
    if (mine != (uint32_t)ref)
        bad++;
    free(buf);
    if (bad)
        fprintf(stderr, "bench: zmm_crc32 differs from zlib's crc32 in %d cases\n", bad);
    else
        printf("zmm_crc32 matches zlib's crc32 (lengths 0..2048, alignments 0..63, 1 MiB in pieces)\n");
    return bad ? -1 : 0;
}
