/*
 * crc32.c -- CRC-32 by carry-less multiplication on x86-64, zlib elsewhere.
 *
 * With PCLMULQDQ the CRC of 64-byte stripes is folded four 128-bit lanes at a
 * time (V. Gopal et al., "Fast CRC Computation for Generic Polynomials Using
 * PCLMULQDQ Instruction", Intel, 2009), then reduced to 32 bits by Barrett
 * reduction; the constants are that paper's for the bit-reflected CRC-32
 * polynomial 0x04C11DB7. The tail (under 16 bytes) and every CPU without the
 * instruction go through zlib's crc32(). About 4x zlib 1.2.13's speed on the
 * machines we measure (tests/bench), and the same result, which bench_quick
 * checks against zlib for every length and alignment up to 2 KiB.
 *
 * Only GCC and Clang on x86-64 get the fast path (the target attribute and
 * __builtin_cpu_supports, which libgcc answers from data filled once at
 * start-up: no locking, nothing cached here).
 */
#include "crc32.h"

#include <limits.h>
#include <zlib.h>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define ZMM_CRC32_CLMUL 1
#include <immintrin.h>
#else
#define ZMM_CRC32_CLMUL 0
#endif

#if ZMM_CRC32_CLMUL
/* x^n mod P(x), bit-reflected, as the paper names them. */
#define K1 0x154442bd4ull /* fold 512 bits: x^(4*128+32) */
#define K2 0x1c6e41596ull /*                x^(4*128-32) */
#define K3 0x1751997d0ull /* fold 128 bits: x^(128+32) */
#define K4 0x0ccaa009eull /*                x^(128-32) */
#define K5 0x163cd6124ull /* 64 -> 32 bits: x^64 */
#define P_X 0x1db710641ull /* P(x), reflected, with its x^32 term */
#define MU 0x1f7011641ull  /* floor(x^64 / P(x)), reflected */

/* One fold: the 128 bits of x carried 128 (or 512) bits ahead and added to
 * the data there. */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i
fold(__m128i x, __m128i k, __m128i data)
{
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
                                       _mm_clmulepi64_si128(x, k, 0x11)),
                         data);
}

/* The CRC register (pre- and post-inverted by the caller) after `len`
 * bytes, len >= 64 and a multiple of 16. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc32_clmul(uint32_t reg, const unsigned char *p, size_t len)
{
    const __m128i mask = _mm_setr_epi32(-1, 0, -1, 0);
    __m128i k, x0, x1, x2, x3, t;

    x0 = _mm_loadu_si128((const void *)(p + 0));
    x1 = _mm_loadu_si128((const void *)(p + 16));
    x2 = _mm_loadu_si128((const void *)(p + 32));
    x3 = _mm_loadu_si128((const void *)(p + 48));
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)reg));
    p += 64;
    len -= 64;

    k = _mm_set_epi64x((long long)K2, (long long)K1);
    for (; len >= 64; p += 64, len -= 64) {
        x0 = fold(x0, k, _mm_loadu_si128((const void *)(p + 0)));
        x1 = fold(x1, k, _mm_loadu_si128((const void *)(p + 16)));
        x2 = fold(x2, k, _mm_loadu_si128((const void *)(p + 32)));
        x3 = fold(x3, k, _mm_loadu_si128((const void *)(p + 48)));
    }

    /* four lanes into one, then the remaining 16-byte pieces */
    k = _mm_set_epi64x((long long)K4, (long long)K3);
    x0 = fold(x0, k, x1);
    x0 = fold(x0, k, x2);
    x0 = fold(x0, k, x3);
    for (; len >= 16; p += 16, len -= 16)
        x0 = fold(x0, k, _mm_loadu_si128((const void *)p));

    /* 128 -> 64 bits */
    t = _mm_clmulepi64_si128(x0, k, 0x10);
    x0 = _mm_xor_si128(_mm_srli_si128(x0, 8), t);
    /* 64 -> 32 bits */
    t = _mm_srli_si128(x0, 4);
    x0 = _mm_and_si128(x0, mask);
    x0 = _mm_clmulepi64_si128(x0, _mm_set_epi64x(0, (long long)K5), 0x00);
    x0 = _mm_xor_si128(x0, t);
    /* Barrett reduction */
    k = _mm_set_epi64x((long long)MU, (long long)P_X);
    t = _mm_and_si128(x0, mask);
    t = _mm_clmulepi64_si128(t, k, 0x10);
    t = _mm_and_si128(t, mask);
    t = _mm_clmulepi64_si128(t, k, 0x00);
    x0 = _mm_xor_si128(x0, t);
    return (uint32_t)_mm_extract_epi32(x0, 1);
}

static int have_clmul(void)
{
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}
#endif

uint32_t zmm_crc32(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;

#if ZMM_CRC32_CLMUL
    if (len >= 64 && have_clmul()) {
        size_t n = len & ~(size_t)15;

        crc = ~crc32_clmul(~crc, p, n);
        p += n;
        len -= n;
    }
#endif
    while (len > 0) {
        uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

        crc = (uint32_t)crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}
