/*
 * filter_pcm_sse2.c -- the PCM predictor's inverse for 16-bit samples, eight
 * residuals at a time with SSE2 (filter_pcm.c has the format and the
 * general decoder, which this must match byte for byte).
 *
 * Samples wrap to 16 bits and the predictors have integer coefficients, so
 * the whole inverse is arithmetic mod 2^16, which 16-bit lanes do for free.
 * The order-k predictor's inverse is k running sums: with
 * d2 = s - 2 s' + s'', d1 = s - s' (s' the previous sample), an order-3
 * residual e gives d2 = d2' + e, d1 = d1' + d2, s = s' + d1; order 2 starts
 * at the second sum, order 1 at the third. A running sum over eight lanes
 * is three shift-and-adds (fewer with several channels: a channel's samples
 * are `channels` lanes apart), plus the last sum of the previous eight.
 *
 * A channel coded from the previous one (ZMM_PCM_FROM_PREVIOUS) gets its
 * differences from the sums, and the previous channel's sample, one lane
 * to the left, added after them; its sums start from differences too.
 *
 * Only 1, 2 and 4 channels (a frame never straddles two vectors) and only
 * GCC and Clang on x86 (SSE2 is in every x86-64; an i686 build asks the
 * CPU once, through libgcc's data filled at start-up). Elsewhere the
 * general decoder does all.
 */
#include "filter_pcm.h"

#if (defined(__GNUC__) || defined(__clang__)) &&                             \
    (defined(__x86_64__) || defined(__i386__))
#define ZMM_PCM_SSE2 1
#include <emmintrin.h>
#else
#define ZMM_PCM_SSE2 0
#endif

#if ZMM_PCM_SSE2
#define SSE2 __attribute__((target("sse2")))

/* Running sums over lanes `ch` apart (ch = 1, 2 or 4). */
SSE2 static inline __m128i running_sum(__m128i x, unsigned ch)
{
    switch (ch) {
    case 1:
        x = _mm_add_epi16(x, _mm_slli_si128(x, 2));
        x = _mm_add_epi16(x, _mm_slli_si128(x, 4));
        return _mm_add_epi16(x, _mm_slli_si128(x, 8));
    case 2:
        x = _mm_add_epi16(x, _mm_slli_si128(x, 4));
        return _mm_add_epi16(x, _mm_slli_si128(x, 8));
    default:
        return _mm_add_epi16(x, _mm_slli_si128(x, 8));
    }
}

/* The last frame's lanes repeated over all eight: each lane's channel's
 * latest sum, to carry into the next eight. */
SSE2 static inline __m128i last_frame(__m128i x, unsigned ch)
{
    switch (ch) {
    case 1:
        x = _mm_shufflehi_epi16(x, 0xff);
        return _mm_unpackhi_epi64(x, x);
    case 2:
        return _mm_shuffle_epi32(x, 0xff);
    default:
        return _mm_unpackhi_epi64(x, x);
    }
}

static int16_t sample16(const unsigned char *p)
{
    return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

/* A lane's sample as coded: itself, or less its previous channel's (the
 * sample before it in the frame). */
static int coded16(const unsigned char *p, unsigned order)
{
    return order & ZMM_PCM_FROM_PREVIOUS ? sample16(p) - sample16(p - 2)
                                         : sample16(p);
}

/* Lanes where `mask` is set get the lane to their left added: channel c's
 * sample from its difference and channel c-1's sample. Within a frame of
 * ch lanes, so the shift stays inside 32 or 64 bits. */
SSE2 static inline __m128i add_left(__m128i x, __m128i mask, unsigned ch)
{
    __m128i left = ch == 2 ? _mm_slli_epi32(x, 16) : _mm_slli_epi64(x, 16);

    return _mm_add_epi16(x, _mm_and_si128(left, mask));
}

/* One sum of the cascade: lanes where `mask` is set take it, with `carry`
 * the sums so far; the others pass x through. */
#define SUM_STEP(x, carry, mask, all)                                        \
    do {                                                                     \
        __m128i sum_ = _mm_add_epi16(running_sum(x, ch), carry);             \
        carry = last_frame(sum_, ch);                                        \
        x = (all) ? sum_                                                     \
                  : _mm_or_si128(_mm_and_si128(mask, sum_),                  \
                                 _mm_andnot_si128(mask, x));                 \
    } while (0)

SSE2 static uint32_t inverse16(const zmm_pcm_block *b,
                               const unsigned char *planes, uint32_t count,
                               unsigned char *out, uint32_t g0,
                               uint32_t from, uint32_t f1)
{
    unsigned ch = b->channels, per = 8 / ch, c, lane;
    uint32_t j = (from - g0) * ch, f = from;
    uint16_t s[3][8], m[3][8], prev[3][8];
    int use[3], all[3], uses_prev = 0;
    __m128i carry[3], mask[3], prev_mask[3];
    const __m128i one = _mm_set1_epi16(1);
    unsigned char *p = out + (size_t)from * ch * 2;

    /* The sums before `from`, per lane, from the three samples before it
     * (from >= 3): d2 = s1 - 2 s2 + s3, d1 = s1 - s2, s = s1. */
    for (lane = 0; lane < 8; lane++) {
        const unsigned char *q = p + (lane % ch) * 2;
        unsigned order = b->order[lane % ch];
        int s1 = coded16(q - 2 * ch, order), s2 = coded16(q - 4 * ch, order),
            s3 = coded16(q - 6 * ch, order);

        s[0][lane] = (uint16_t)(s1 - 2 * s2 + s3);
        s[1][lane] = (uint16_t)(s1 - s2);
        s[2][lane] = (uint16_t)s1;
        /* sum k (0-based) runs for orders >= 3 - k */
        for (c = 0; c < 3; c++) {
            m[c][lane] = (order & ZMM_PCM_ORDER_MASK) >= 3 - c ? 0xffff : 0;
            /* step c adds channel c+1's previous channel */
            prev[c][lane] =
                lane % ch == c + 1 && (order & ZMM_PCM_FROM_PREVIOUS)
                    ? 0xffff
                    : 0;
            uses_prev |= prev[c][lane] != 0;
        }
    }
    for (c = 0; c < 3; c++) {
        unsigned k, n = 0;

        for (k = 0; k < 8; k++)
            n += m[c][k] != 0;
        use[c] = n != 0;
        all[c] = n == 8;
        carry[c] = _mm_loadu_si128((const __m128i *)(const void *)s[c]);
        mask[c] = _mm_loadu_si128((const __m128i *)(const void *)m[c]);
        prev_mask[c] =
            _mm_loadu_si128((const __m128i *)(const void *)prev[c]);
    }
    for (; f1 - f >= per; f += per, j += 8, p += 16) {
        __m128i lo = _mm_loadl_epi64((const __m128i *)(const void *)
                                         (planes + j));
        __m128i hi = _mm_loadl_epi64((const __m128i *)(const void *)
                                         (planes + count + j));
        __m128i z = _mm_unpacklo_epi8(lo, hi);
        /* zigzag back: e = (z >> 1) ^ -(z & 1) */
        __m128i x = _mm_xor_si128(
            _mm_srli_epi16(z, 1),
            _mm_sub_epi16(_mm_setzero_si128(), _mm_and_si128(z, one)));

        if (use[0])
            SUM_STEP(x, carry[0], mask[0], all[0]);
        if (use[1])
            SUM_STEP(x, carry[1], mask[1], all[1]);
        if (use[2])
            SUM_STEP(x, carry[2], mask[2], all[2]);
        if (uses_prev) /* channels in order: c-1 is a sample when c adds it */
            for (c = 0; c + 1 < ch; c++)
                x = add_left(x, prev_mask[c], ch);
        _mm_storeu_si128((__m128i *)(void *)p, x);
    }
    return f;
}

static int have_sse2(void)
{
#if defined(__x86_64__)
    return 1;
#else
    return __builtin_cpu_supports("sse2");
#endif
}
#endif

uint32_t zmm_pcm_inverse16_fast(const zmm_pcm_block *b,
                                const unsigned char *planes, uint32_t count,
                                unsigned char *out, uint32_t g0,
                                uint32_t from, uint32_t f1)
{
#if ZMM_PCM_SSE2
    if (b->bits == 16 && (b->channels == 1 || b->channels == 2 ||
                          b->channels == 4) &&
        from >= ZMM_PCM_MAX_ORDER && from < f1 && have_sse2())
        return inverse16(b, planes, count, out, g0, from, f1);
#else
    (void)planes;
    (void)count;
    (void)out;
    (void)g0;
    (void)f1;
    (void)b;
#endif
    return from;
}
