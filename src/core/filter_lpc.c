/*
 * filter_lpc.c -- the linear predictors of PCM block kinds 5 and 6
 * (docs/FORMAT.md, "Linear prediction (kind 5)"). Everything else of the
 * block (the frames filtered, groups, zigzag residuals in byte planes,
 * channels coded from the previous one) is kind 3's and kind 4's, in
 * filter_pcm.c; kind 6 orders each group's planes channel by channel, so
 * that a channel's residuals lie together (where a channel copies the
 * previous one, a run of zeros that deflate codes in a few bytes).
 *
 * A channel's value x[f] (its sample, or its difference from the previous
 * channel) is predicted as floor(sum_k coef[k] x[f-1-k] / 2^shift), values
 * before the block's first frame taking 0. Coefficients are 16-bit, orders
 * at most 32 and values at most 32-bit, so the sum is under 2^51 and exact
 * in 64 bits whatever a damaged header holds: decoding is the same integer
 * arithmetic on every platform. The encoder finds coefficients by
 * Levinson-Durbin on the block's windowed autocorrelation, in floating
 * point: only the quantized coefficients it stores matter to a reader.
 */
#include "filter_pcm.h"

#include <assert.h>
#include <string.h>

#include "bytes.h"

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define LPC_SSE2 1
#include <emmintrin.h>
#else
#define LPC_SSE2 0
#endif

/* The encoder's choices: orders up to 32 (measured on the benchmark audio:
 * 3.3% smaller than up to 12, its upsampled music most), coefficients of
 * this many bits including the sign (12 bits: 1.1% larger). */
#define LPC_CHOOSE_MAX 32u
#define LPC_PRECISION 15
/* The encoder's passes take this many frames at a time into a buffer. */
#define CHUNK 1024u

/* floor(v / 2^s) without right-shifting a negative number, whose result C
 * leaves to the implementation (the decoder's loop does the same with a
 * bias). */
static inline int64_t floor_shift(int64_t v, unsigned s)
{
    return v >= 0 ? v >> s : ~(~v >> s);
}

/* The encoder's little floating point, without libm (the core library
 * links only zlib): |x|, and log2 x within 0.01 (x > 0), as log2_q16 in
 * codec_zlib.c. */
static double fabs_(double x)
{
    return x < 0 ? -x : x;
}

static double log2_(double x)
{
    double e = 0;

    if (!(x > 0))
        return 0;
    while (x >= 2) {
        x /= 2;
        e++;
    }
    while (x < 1) {
        x *= 2;
        e--;
    }
    x -= 1;
    return e + x * (1.3465 - 0.3465 * x);
}

/* ---- header ----------------------------------------------------------- */

size_t zmm_lpc_header_size(const zmm_pcm_block *b)
{
    size_t size = ZMM_PCM_HEADER_FIXED;
    unsigned c;

    for (c = 0; c < b->channels; c++) {
        unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK;

        size += 1 + (order > 0 ? 1 + 2 * (size_t)order : 0);
    }
    return size;
}

void zmm_lpc_header_encode(const zmm_pcm_block *b, unsigned char *out)
{
    unsigned char *p = out + ZMM_PCM_HEADER_FIXED;
    unsigned c, k;

    for (c = 0; c < b->channels; c++) {
        unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK;

        *p++ = b->order[c];
        if (order == 0)
            continue;
        *p++ = b->shift[c];
        for (k = 0; k < order; k++, p += 2)
            zmm_store16(p, (uint16_t)b->coef[c][k]);
    }
}

zmm_result zmm_lpc_records_decode(const unsigned char *p, size_t room,
                                  zmm_pcm_block *b, size_t *size)
{
    size_t at = 0;
    unsigned c, k;

    for (c = 0; c < b->channels; c++) {
        unsigned flags = c > 0 ? ZMM_PCM_FROM_PREVIOUS : 0, order;

        if (at >= room)
            return ZMM_ERR_CORRUPT;
        b->order[c] = p[at++];
        order = b->order[c] & ZMM_LPC_ORDER_MASK;
        if ((b->order[c] & ~(ZMM_LPC_ORDER_MASK | flags)) != 0 ||
            order > ZMM_LPC_MAX_ORDER)
            return ZMM_ERR_CORRUPT;
        if (order == 0)
            continue;
        if (room - at < 1 + 2 * (size_t)order)
            return ZMM_ERR_CORRUPT;
        b->shift[c] = p[at++];
        if (b->shift[c] > ZMM_LPC_MAX_SHIFT)
            return ZMM_ERR_CORRUPT;
        for (k = 0; k < order; k++, at += 2)
            b->coef[c][k] = (int16_t)zmm_load16(p + at);
    }
    if (at >= room) /* at least one byte of stream follows */
        return ZMM_ERR_CORRUPT;
    *size = at;
    return ZMM_OK;
}

/* ---- encoder ---------------------------------------------------------- */

#if LPC_SSE2
/*
 * 16-bit samples and coefficients whose magnitudes sum to 65535 or less:
 * every partial sum of a prediction is then under 2^31, so SSE2's pmaddwd
 * (16 x 16-bit products, added in pairs into 32-bit lanes) and 32-bit adds
 * compute it exactly. Both the encoder and the decoder use it.
 */
static int lpc_fits_16(const zmm_pcm_block *b, unsigned c)
{
    unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK, k;
    uint32_t sum_abs = 0;

    if (b->bits != 16)
        return 0;
    for (k = 0; k < order; k++)
        sum_abs += (uint32_t)(b->coef[c][k] < 0 ? -b->coef[c][k]
                                                : b->coef[c][k]);
    return sum_abs <= 65535;
}
#endif

/*
 * The predictions of channel c for the m values x[0..m), the `order`
 * values before them at x[-order..-1]: pred[i] = floor(sum of coef[k - 1]
 * * x[i - k], k = 1..order, / 2^shift). Unlike the decoder's, these sums
 * do not wait on each other (the encoder knows every value), so the SSE2
 * path makes each one from four vectors of the values 1..32 back.
 */
static void lpc_predict(const zmm_pcm_block *b, unsigned c, const int32_t *x,
                        uint32_t m, int64_t *pred)
{
    unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK, shift = b->shift[c];
    uint32_t i, k;

#if LPC_SSE2
    if (order > 0 && lpc_fits_16(b, c)) {
        /* v[32 + i] = x[i]; lane L of the window at i: 32 - L back */
        int16_t v[LPC_CHOOSE_MAX + CHUNK], cv[32];
        __m128i c0, c1, c2, c3;

        assert(m <= CHUNK);
        memset(cv, 0, sizeof cv);
        for (k = 1; k <= order; k++)
            cv[32 - k] = b->coef[c][k - 1];
        for (k = 0; k < 32; k++)
            v[k] = k + order >= 32 ? (int16_t)x[(int32_t)k - 32] : 0;
        for (i = 0; i < m; i++)
            v[32 + i] = (int16_t)x[i];
        c0 = _mm_loadu_si128((const __m128i *)(const void *)cv);
        c1 = _mm_loadu_si128((const __m128i *)(const void *)(cv + 8));
        c2 = _mm_loadu_si128((const __m128i *)(const void *)(cv + 16));
        c3 = _mm_loadu_si128((const __m128i *)(const void *)(cv + 24));
        for (i = 0; i < m; i++) {
            const int16_t *w = v + i;
            __m128i s = _mm_add_epi32(
                _mm_madd_epi16(
                    _mm_loadu_si128((const __m128i *)(const void *)(w + 16)),
                    c2),
                _mm_madd_epi16(
                    _mm_loadu_si128((const __m128i *)(const void *)(w + 24)),
                    c3));

            if (order > 16)
                s = _mm_add_epi32(
                    s, _mm_add_epi32(
                           _mm_madd_epi16(_mm_loadu_si128(
                                              (const __m128i *)(const void *)w),
                                          c0),
                           _mm_madd_epi16(
                               _mm_loadu_si128(
                                   (const __m128i *)(const void *)(w + 8)),
                               c1)));
            s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
            s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
            pred[i] = floor_shift(_mm_cvtsi128_si32(s), shift);
        }
        return;
    }
#endif
    for (i = 0; i < m; i++) {
        int64_t sum = 0;

        for (k = 1; k <= order; k++)
            sum += (int64_t)b->coef[c][k - 1] * x[(int32_t)(i - k)];
        pred[i] = floor_shift(sum, shift);
    }
}

/* Channel c's values of frames [f, f + m) into x[order + i] (the `order`
 * values before them already in x[0..order)), and their predictions. */
static void lpc_chunk(const zmm_pcm_block *b, unsigned c,
                      const unsigned char *in, uint32_t f, uint32_t m,
                      int32_t *x, int64_t *pred)
{
    unsigned bytes = b->bits / 8, order = b->order[c] & ZMM_LPC_ORDER_MASK;
    uint32_t fs = bytes * b->channels, i;
    const unsigned char *p = in + b->first + (size_t)f * fs + c * bytes;

    for (i = 0; i < m; i++, p += fs)
        x[order + i] = (int32_t)zmm_pcm_coded_sample(p, bytes, b->order[c]);
    lpc_predict(b, c, x + order, m, pred);
}

void zmm_lpc_forward(const zmm_pcm_block *b, const unsigned char *in,
                     uint32_t n, unsigned char *out)
{
    unsigned bytes = b->bits / 8, ch = b->channels, c, q;
    uint32_t body = b->frames * ch * bytes, fs = ch * bytes, f, i, m;
    uint64_t mask = ((uint64_t)1 << b->bits) - 1;
    int32_t x[ZMM_LPC_MAX_ORDER + CHUNK];
    int64_t pred[CHUNK];

    memcpy(out, in, b->first);
    /* channel by channel, CHUNK frames at a time: the values, their
     * predictions, the residuals into their group's planes */
    for (c = 0; c < ch; c++) {
        unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK;
        unsigned char *planes = out + b->first;
        uint32_t count = 0, j = 0, step = zmm_pcm_residual_step(b);

        memset(x, 0, order * sizeof *x);
        for (f = 0; f < b->frames; f += m) {
            m = b->frames - f < CHUNK ? b->frames - f : CHUNK;
            lpc_chunk(b, c, in, f, m, x, pred);
            for (i = 0; i < m; i++, j += step) {
                int64_t e = zmm_pcm_wrap(x[order + i] - pred[i], b->bits);
                uint64_t z = (((uint64_t)e << 1) ^ (e < 0 ? mask : 0)) & mask;

                if ((f + i) % b->group == 0) { /* a group starts */
                    uint32_t left = b->frames - (f + i);
                    uint32_t k = left < b->group ? left : b->group;

                    planes = out + b->first + (size_t)(f + i) * fs;
                    count = k * ch;
                    j = zmm_pcm_residual_at(b, c, k, 0);
                }
                for (q = 0; q < bytes; q++)
                    planes[(size_t)q * count + j] =
                        (unsigned char)(z >> (8 * q));
            }
            memmove(x, x + m, order * sizeof *x);
        }
    }
    memcpy(out + b->first + body, in + b->first + body,
           n - b->first - body);
}

/* Estimated bits of n residuals whose magnitudes sum to `abs_sum`: about
 * what a coder of their typical size needs (log2 of the mean, plus a bit
 * and a half for the sign and the spread). */
static double residual_bits(double abs_sum, uint32_t n)
{
    double mean = abs_sum / (n > 0 ? n : 1);

    return n * (mean < 1 ? 1.0 : log2_(mean) + 1.5);
}

/* The window the autocorrelation is taken through (Welch: 1 - t^2, t from
 * -1 to 1 over the block), so that the block's edges weigh little; t of
 * frame f is step * f + t0, without a division per frame. */
static double window(uint32_t f, double step, double t0)
{
    double t = step * f + t0;

    return 1 - t * t;
}

/* s[0..3] += the sums of x[i] * x[i - k - j] over i < m, j = 0..3 (x[-k-3]
 * onwards readable); with SSE2, two frames a step. */
static void lag_sums4(const double *x, uint32_t m, unsigned k, double *s)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t i = 0;
#if LPC_SSE2
    __m128d a0 = _mm_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    double lanes[2];

    for (; i + 2 <= m; i += 2) {
        const double *y = x + i - k;
        __m128d xi = _mm_loadu_pd(x + i);

        a0 = _mm_add_pd(a0, _mm_mul_pd(xi, _mm_loadu_pd(y)));
        a1 = _mm_add_pd(a1, _mm_mul_pd(xi, _mm_loadu_pd(y - 1)));
        a2 = _mm_add_pd(a2, _mm_mul_pd(xi, _mm_loadu_pd(y - 2)));
        a3 = _mm_add_pd(a3, _mm_mul_pd(xi, _mm_loadu_pd(y - 3)));
    }
    _mm_storeu_pd(lanes, a0), s0 = lanes[0] + lanes[1];
    _mm_storeu_pd(lanes, a1), s1 = lanes[0] + lanes[1];
    _mm_storeu_pd(lanes, a2), s2 = lanes[0] + lanes[1];
    _mm_storeu_pd(lanes, a3), s3 = lanes[0] + lanes[1];
#endif
    for (; i < m; i++) {
        s0 += x[i] * x[(long)i - (long)k];
        s1 += x[i] * x[(long)i - (long)k - 1];
        s2 += x[i] * x[(long)i - (long)k - 2];
        s3 += x[i] * x[(long)i - (long)k - 3];
    }
    s[0] += s0;
    s[1] += s1;
    s[2] += s2;
    s[3] += s3;
}

/* One channel (the values channel c is coded as with `flag`): its windowed
 * autocorrelation for lags 0..LPC_CHOOSE_MAX, and the sums of |residual| of
 * the fixed orders 0..3 (kind 3's predictors, first three frames left out),
 * in one pass. */
static void analyse(const zmm_pcm_block *b, const unsigned char *in,
                    unsigned c, unsigned flag, double *ac, double *fixed)
{
    unsigned bytes = b->bits / 8, k;
    uint32_t fs = bytes * b->channels, f, i, m;
    /* CHUNK windowed values behind the LPC_CHOOSE_MAX before them */
    double w[LPC_CHOOSE_MAX + CHUNK];
    int64_t h0 = 0, h1 = 0, h2 = 0;
    const unsigned char *p = in + b->first + c * bytes;
    double step = 2.0 / (b->frames + 1.0);
    double t0 = -(b->frames - 1.0) / (b->frames + 1.0);

    memset(w, 0, sizeof w);
    for (k = 0; k <= LPC_CHOOSE_MAX; k++)
        ac[k] = 0;
    for (k = 0; k < 4; k++)
        fixed[k] = 0;
    for (f = 0; f < b->frames; f += m) {
        m = b->frames - f < CHUNK ? b->frames - f : CHUNK;
        for (i = 0; i < m; i++, p += fs) {
            int64_t x = zmm_pcm_coded_sample(p, bytes, flag);

            w[LPC_CHOOSE_MAX + i] = (double)x * window(f + i, step, t0);
            if (f + i >= 3) {
                fixed[0] += fabs_((double)x);
                fixed[1] += fabs_((double)(x - h0));
                fixed[2] += fabs_((double)(x - 2 * h0 + h1));
                fixed[3] += fabs_((double)(x - 3 * h0 + 3 * h1 - h2));
            }
            h2 = h1;
            h1 = h0;
            h0 = x;
        }
        /* four lags at a time: four sums that do not wait on each other */
        for (k = 0; k + 3 <= LPC_CHOOSE_MAX; k += 4)
            lag_sums4(w + LPC_CHOOSE_MAX, m, k, ac + k);
        for (; k <= LPC_CHOOSE_MAX; k++) {
            const double *x = w + LPC_CHOOSE_MAX;
            double sum = 0;

            for (i = 0; i < m; i++)
                sum += x[i] * x[(long)i - (long)k];
            ac[k] += sum;
        }
        memmove(w, w + m, LPC_CHOOSE_MAX * sizeof *w);
    }
}

/* Levinson-Durbin: lpc[o-1][0..o-1], the predictor of each order o, and
 * err[o], its prediction error; returns the highest order found (the
 * recursion stops where the signal is fully predicted or unstable). */
static unsigned levinson(const double *ac, double lpc[][LPC_CHOOSE_MAX],
                         double *err)
{
    double a[LPC_CHOOSE_MAX + 1], prev[LPC_CHOOSE_MAX + 1];
    unsigned o, i;

    memset(a, 0, sizeof a);
    err[0] = ac[0];
    for (o = 1; o <= LPC_CHOOSE_MAX; o++) {
        double k = ac[o];

        if (!(err[o - 1] > 0))
            return o - 1;
        for (i = 1; i < o; i++)
            k -= a[i] * ac[o - i];
        k /= err[o - 1];
        if (!(fabs_(k) < 1))
            return o - 1;
        memcpy(prev, a, sizeof a);
        a[o] = k;
        for (i = 1; i < o; i++)
            a[i] = prev[i] - k * prev[o - i];
        err[o] = err[o - 1] * (1 - k * k);
        for (i = 0; i < o; i++)
            lpc[o - 1][i] = a[i + 1];
    }
    return LPC_CHOOSE_MAX;
}

/* Quantizes an order-o predictor into channel c of b: LPC_PRECISION-bit
 * coefficients, the largest shift that fits them, rounding errors carried
 * to the next coefficient (as FLAC does). Returns 0 if they do not fit. */
static int quantize(zmm_pcm_block *b, unsigned c, const double *lpc,
                    unsigned o)
{
    double cmax = 0, carry = 0, scale;
    int exp = 0, shift;
    long lim = (1L << (LPC_PRECISION - 1)) - 1;
    unsigned k;

    for (k = 0; k < o; k++)
        if (fabs_(lpc[k]) > cmax)
            cmax = fabs_(lpc[k]);
    if (!(cmax > 1e-9) || !(cmax < 1024))
        return 0;
    /* cmax < 2^exp, so coefficients times 2^shift stay under 2^(P-1) */
    while (cmax >= 1) {
        cmax /= 2;
        exp++;
    }
    while (cmax < 0.5) {
        cmax *= 2;
        exp--;
    }
    shift = LPC_PRECISION - 1 - exp;
    if (shift > (int)ZMM_LPC_MAX_SHIFT)
        shift = (int)ZMM_LPC_MAX_SHIFT;
    /* Coefficients whose magnitudes sum to 65535 or less keep 16-bit
     * channels on the decoder's fast path: a bit of precision less where
     * they would not. */
    for (; shift >= 0; shift--) {
        uint32_t sum_abs = 0;

        scale = (double)((uint32_t)1 << shift);
        carry = 0;
        for (k = 0; k < o; k++) {
            long v;

            carry += lpc[k] * scale;
            v = carry >= 0 ? (long)(carry + 0.5) : -(long)(0.5 - carry);
            v = v > lim ? lim : v < -lim - 1 ? -lim - 1 : v;
            carry -= (double)v;
            b->coef[c][k] = (int16_t)v;
            sum_abs += (uint32_t)(v < 0 ? -v : v);
        }
        if (sum_abs <= 65535)
            break;
    }
    if (shift < 0)
        return 0;
    b->shift[c] = (unsigned char)shift;
    return 1;
}

/* Sum of |residual| of channel c as b codes it. */
static double lpc_cost(const zmm_pcm_block *b, const unsigned char *in,
                       unsigned c)
{
    unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK;
    uint32_t f, i, m;
    int32_t x[ZMM_LPC_MAX_ORDER + CHUNK];
    int64_t pred[CHUNK];
    double sum = 0;

    memset(x, 0, order * sizeof *x);
    for (f = 0; f < b->frames; f += m) {
        m = b->frames - f < CHUNK ? b->frames - f : CHUNK;
        lpc_chunk(b, c, in, f, m, x, pred);
        for (i = 0; i < m; i++)
            sum += fabs_((double)zmm_pcm_wrap(x[order + i] - pred[i],
                                              b->bits));
        memmove(x, x + m, order * sizeof *x);
    }
    return sum;
}

/* The fixed predictor of order o as kind-5 coefficients. */
static void fixed_as_lpc(zmm_pcm_block *b, unsigned c, unsigned o)
{
    static const int16_t fixed[4][3] = {
        {0, 0, 0}, {1, 0, 0}, {2, -1, 0}, {3, -3, 1}};

    b->shift[c] = 0;
    memset(b->coef[c], 0, sizeof b->coef[c]);
    memcpy(b->coef[c], fixed[o], sizeof fixed[o]);
}

void zmm_lpc_from_fixed(zmm_pcm_block *b)
{
    unsigned c;

    for (c = 0; c < b->channels; c++)
        fixed_as_lpc(b, c, b->order[c] & ZMM_PCM_ORDER_MASK);
    b->lpc = 1;
}

/*
 * Per channel and way (the channel itself; for c >= 1 also its difference
 * from the previous channel): the best fixed order, and the linear
 * predictor whose order gives the fewest estimated bits by its
 * Levinson-Durbin error, measured once quantized. The smallest estimate
 * (a predictor's coefficients counted in) wins.
 */
void zmm_lpc_choose(zmm_pcm_block *b, const unsigned char *in)
{
    unsigned c, way, o;
    uint32_t n = b->frames;
    unsigned char is_lpc[ZMM_PCM_MAX_CHANNELS];

    b->lpc = 0;
    if (n < 4 * LPC_CHOOSE_MAX)
        return;
    for (c = 0; c < b->channels; c++) {
        double best = -1;
        unsigned char best_order = 0, best_shift = 0;
        int16_t best_coef[ZMM_LPC_MAX_ORDER];

        memset(best_coef, 0, sizeof best_coef);
        is_lpc[c] = 0;
        for (way = 0; way < (c > 0 ? 2u : 1u); way++) {
            unsigned flag = way ? ZMM_PCM_FROM_PREVIOUS : 0, top, pick;
            unsigned tried;
            uint64_t done = 0;
            double ac[LPC_CHOOSE_MAX + 1], fixed[4];
            double lpc[LPC_CHOOSE_MAX][LPC_CHOOSE_MAX];
            double err[LPC_CHOOSE_MAX + 1], pick_bits = 0, bits;

            analyse(b, in, c, flag, ac, fixed);
            for (o = 0; o < 4; o++) {
                bits = residual_bits(fixed[o], n);
                if (best < 0 || bits < best) {
                    best = bits;
                    best_order = (unsigned char)(o | flag);
                    is_lpc[c] = 0;
                }
            }
            ac[0] *= 1 + 1e-10; /* keeps the recursion stable on silence */
            top = levinson(ac, lpc, err);
            /* The orders by their estimate (bits of a residual ~ log2 of
             * its rms: half log2 of the error): the best one whose
             * coefficients quantize (a high order's may not), of three. */
            for (tried = 0; tried < 3; tried++) {
                pick = 0;
                for (o = 1; o <= top; o++) {
                    if (done & ((uint64_t)1 << o))
                        continue;
                    bits = n * 0.5 * log2_(err[o] > 1e-9 ? err[o] : 1e-9) +
                           16.0 * o;
                    if (pick == 0 || bits < pick_bits) {
                        pick = o;
                        pick_bits = bits;
                    }
                }
                if (pick == 0)
                    break;
                done |= (uint64_t)1 << pick;
                if (!quantize(b, c, lpc[pick - 1], pick))
                    continue;
                b->order[c] = (unsigned char)(pick | flag);
                bits = residual_bits(lpc_cost(b, in, c), n) + 8.0 +
                       16.0 * pick;
                if (bits < best) {
                    best = bits;
                    best_order = b->order[c];
                    best_shift = b->shift[c];
                    memcpy(best_coef, b->coef[c], sizeof best_coef);
                    is_lpc[c] = 1;
                }
                break;
            }
        }
        b->order[c] = best_order;
        if (is_lpc[c]) {
            b->shift[c] = best_shift;
            memcpy(b->coef[c], best_coef, sizeof best_coef);
            b->lpc = 1;
        }
    }
    /* in a kind-5 block, the fixed orders as coefficients; else kind 3's
     * own predictors (b->lpc 0) */
    for (c = 0; c < b->channels; c++)
        if (!is_lpc[c])
            fixed_as_lpc(b, c, b->order[c] & ZMM_PCM_ORDER_MASK);
}

/* ---- decoder ---------------------------------------------------------- */

/*
 * Values are decoded into a window of int32 (a value is at most 32-bit),
 * WINDOW at a time behind the channel's history of `order` values, so that
 * the prediction reads them in order without a ring's index arithmetic.
 * LPC_LOOP is instantiated for each sample width and each order the
 * encoder writes (1..12, the sum unrolled), a general one for the rest.
 * floor(sum / 2^shift) is taken as (sum + 2^62) >> shift - 2^(62 - shift):
 * the sum is under 2^51, so the biased sum is positive and a logical shift
 * floors it exactly, without a branch. A channel coded from the previous
 * one adds that channel's sample, decoded just before, as it goes.
 */
#define WINDOW 256u
#define BIAS ((uint64_t)1 << 62)

/* the previous channel's sample, as a signed value */
#define LOAD1(p) ((int64_t)(p)[0] - 128)
#define LOAD2(p) ((int64_t)(int16_t)((unsigned)(p)[0] | (unsigned)(p)[1] << 8))
#define LOAD3(p)                                                             \
    ((int64_t)(((uint32_t)(p)[0] | (uint32_t)(p)[1] << 8 |                   \
                (uint32_t)(p)[2] << 16) ^ 0x800000u) - 0x800000)
#define LOAD4(p) ((int64_t)(int32_t)zmm_load32(p))

/* v wrapped to `bits` bits, cheaply when it needs none */
#define WRAP(v)                                                              \
    if ((uint64_t)((v) + half) > mask)                                       \
        (v) = (int64_t)(((uint64_t)(v) & mask) ^ (uint64_t)half) - half;

/* The sum of the prediction: written out tap by tap for an order known at
 * compile time (taps past it vanish), a loop for any other. */
#define TAP(k, N)                                                            \
    if ((k) < (N))                                                           \
        sum += (int64_t)cf[k] * x[k];
#define SUM_FIXED(N)                                                         \
    TAP(0, N) TAP(1, N) TAP(2, N) TAP(3, N) TAP(4, N) TAP(5, N)              \
    TAP(6, N) TAP(7, N) TAP(8, N) TAP(9, N) TAP(10, N) TAP(11, N)
#define SUM_ANY(N)                                                           \
    for (k = 0; k < (N); k++)                                                \
        sum += (int64_t)cf[k] * x[k];

#define LPC_LOOP(B, ORDER, SUM)                                              \
    for (i = 0; i < m; i++, j += step, dst += fs) {                          \
        uint64_t z = GATHER##B(j);                                           \
        int64_t e = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);                   \
        const int32_t *x = win + i; /* x[k]: the value ORDER - k back */     \
        int64_t sum = 0, v;                                                  \
        SUM(ORDER)                                                           \
        v = (int64_t)(((uint64_t)sum + BIAS) >> shift) - unbias + e;         \
        WRAP(v)                                                              \
        win[(ORDER) + i] = (int32_t)v;                                       \
        if (from_previous) {                                                 \
            v += LOAD##B(dst - (B));                                         \
            WRAP(v)                                                          \
        }                                                                    \
        STORE##B(dst, (uint64_t)v);                                          \
    }

#define LPC_ORDERS(B)                                                        \
    switch (order) {                                                         \
    case 1: LPC_LOOP(B, 1, SUM_FIXED) break;                                 \
    case 2: LPC_LOOP(B, 2, SUM_FIXED) break;                                 \
    case 3: LPC_LOOP(B, 3, SUM_FIXED) break;                                 \
    case 4: LPC_LOOP(B, 4, SUM_FIXED) break;                                 \
    case 5: LPC_LOOP(B, 5, SUM_FIXED) break;                                 \
    case 6: LPC_LOOP(B, 6, SUM_FIXED) break;                                 \
    case 7: LPC_LOOP(B, 7, SUM_FIXED) break;                                 \
    case 8: LPC_LOOP(B, 8, SUM_FIXED) break;                                 \
    case 9: LPC_LOOP(B, 9, SUM_FIXED) break;                                 \
    case 10: LPC_LOOP(B, 10, SUM_FIXED) break;                               \
    case 11: LPC_LOOP(B, 11, SUM_FIXED) break;                               \
    case 12: LPC_LOOP(B, 12, SUM_FIXED) break;                               \
    default: LPC_LOOP(B, order, SUM_ANY) break;                              \
    }

#if LPC_SSE2
/*
 * 16-bit samples, order at most 32, coefficients whose magnitudes sum to
 * 65535 or less: every partial sum of the prediction is then under 2^31,
 * so pmaddwd (16 x 16-bit products, added in pairs into 32-bit lanes) and
 * 32-bit adds compute it exactly. The values 2..lanes + 1 frames back stay
 * in registers (lane L: lanes + 1 - L back), whose products are summed
 * while the previous value is still being decoded; the value 1 back is
 * weighed alone, so that only one multiply and add lie between a value
 * and the next. 16 lanes serve orders up to 16, 32 the rest.
 */

/* Fills cv (the coefficients of 2.. back, by lane), hist (the values
 * before `from`, 0 before the block's first frame) and *prev (1 back).
 * Returns 0 when channel c does not qualify. */
static int sse2_prepare(const zmm_pcm_block *b, unsigned c,
                        const unsigned char *start, uint32_t from,
                        unsigned lanes, int16_t *cv, int16_t *hist,
                        int64_t *prev)
{
    unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK, k;
    uint32_t fs = 2 * b->channels;

    if (order > lanes || !lpc_fits_16(b, c))
        return 0;
    memset(cv, 0, lanes * sizeof *cv);
    for (k = 2; k <= order; k++)
        cv[lanes + 1 - k] = b->coef[c][k - 1];
    for (k = 0; k < lanes; k++) {
        uint32_t back = lanes + 1 - k;

        hist[k] = back <= from
                      ? (int16_t)zmm_pcm_coded_sample(
                            start - (size_t)back * fs, 2, b->order[c])
                      : 0;
    }
    *prev = from >= 1 ? zmm_pcm_coded_sample(start - fs, 2, b->order[c])
                      : 0;
    return 1;
}

/* One frame's value from the lanes' sum `dot`, the value 1 back (weighed
 * by a1) and the residual e, stored at dst; returns it as coded, the next
 * frame's value 1 back. */
static inline int64_t sse2_finish(int32_t dot, int64_t a1, int64_t prev,
                                  unsigned shift, int64_t e,
                                  int from_previous, unsigned char *dst)
{
    int64_t v, coded;

    /* wrapped to 16 bits by a conversion (GCC and Clang reduce modulo
     * 2^16), one instruction on the chain from a value to the next where
     * WRAP's test and select take three */
    v = (int64_t)(((uint64_t)((int64_t)dot + a1 * prev) + BIAS) >> shift) -
        (int64_t)(BIAS >> shift) + e;
    coded = (int16_t)v;
    v = coded;
    if (from_previous)
        v = (int16_t)(v + LOAD2(dst - 2));
    STORE2(dst, (uint64_t)v);
    return coded;
}

static __m128i sse2_load(const int16_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* The sum of s's four 32-bit lanes. */
static inline int32_t sse2_sum(__m128i s)
{
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/* The window moves on by one lane: w's first lane out, `next`'s in. */
#define SSE2_SHIFT(w, next)                                                  \
    _mm_or_si128(_mm_srli_si128(w, 2), _mm_slli_si128(next, 14))

/* One channel's decoder: its coefficients and window (16 or 32 lanes). */
typedef struct sse2_channel {
    __m128i cv[4], w[4];
    int64_t a1, prev;
    unsigned shift;
    int from_previous;
} sse2_channel;

/* Sets up channel c with `lanes` lanes; 0 when it does not qualify. */
static int sse2_start(sse2_channel *d, const zmm_pcm_block *b, unsigned c,
                      const unsigned char *start, uint32_t from,
                      unsigned lanes)
{
    int16_t cv[32], hist[32];
    unsigned k;

    if (!sse2_prepare(b, c, start, from, lanes, cv, hist, &d->prev))
        return 0;
    for (k = 0; k < lanes / 8; k++) {
        d->cv[k] = sse2_load(cv + 8 * k);
        d->w[k] = sse2_load(hist + 8 * k);
    }
    d->a1 = (b->order[c] & ZMM_LPC_ORDER_MASK) ? b->coef[c][0] : 0;
    d->shift = b->shift[c];
    d->from_previous = (b->order[c] & ZMM_PCM_FROM_PREVIOUS) != 0;
    return 1;
}

/* One frame of a channel: residual e, the sample to dst. */
static inline void sse2_step16(sse2_channel *d, int64_t e,
                               unsigned char *dst)
{
    int32_t dot = sse2_sum(_mm_add_epi32(_mm_madd_epi16(d->w[0], d->cv[0]),
                                         _mm_madd_epi16(d->w[1], d->cv[1])));

    d->w[0] = SSE2_SHIFT(d->w[0], d->w[1]);
    d->w[1] = _mm_insert_epi16(_mm_srli_si128(d->w[1], 2), (int)d->prev, 7);
    d->prev = sse2_finish(dot, d->a1, d->prev, d->shift, e,
                          d->from_previous, dst);
}

static inline void sse2_step32(sse2_channel *d, int64_t e,
                               unsigned char *dst)
{
    int32_t dot = sse2_sum(_mm_add_epi32(
        _mm_add_epi32(_mm_madd_epi16(d->w[0], d->cv[0]),
                      _mm_madd_epi16(d->w[1], d->cv[1])),
        _mm_add_epi32(_mm_madd_epi16(d->w[2], d->cv[2]),
                      _mm_madd_epi16(d->w[3], d->cv[3]))));

    d->w[0] = SSE2_SHIFT(d->w[0], d->w[1]);
    d->w[1] = SSE2_SHIFT(d->w[1], d->w[2]);
    d->w[2] = SSE2_SHIFT(d->w[2], d->w[3]);
    d->w[3] = _mm_insert_epi16(_mm_srli_si128(d->w[3], 2), (int)d->prev, 7);
    d->prev = sse2_finish(dot, d->a1, d->prev, d->shift, e,
                          d->from_previous, dst);
}

/* The lanes channel c needs: 16 or 32 (its order). */
static unsigned sse2_lanes(const zmm_pcm_block *b, unsigned c)
{
    return (b->order[c] & ZMM_LPC_ORDER_MASK) <= 16 ? 16 : 32;
}

/* Residuals [j, j + n) of a group's two planes (`count` bytes each), as
 * values: the zigzag codes undone, 16 at a time. */
static void residuals16(const unsigned char *planes, uint32_t count,
                        uint32_t j, uint32_t n, int16_t *r)
{
    const __m128i one = _mm_set1_epi16(1), zero = _mm_setzero_si128();
    uint32_t i = 0;

    for (; i + 16 <= n; i += 16) {
        __m128i lo = _mm_loadu_si128(
            (const __m128i *)(const void *)(planes + j + i));
        __m128i hi = _mm_loadu_si128(
            (const __m128i *)(const void *)(planes + count + j + i));
        __m128i z0 = _mm_unpacklo_epi8(lo, hi), z1 = _mm_unpackhi_epi8(lo, hi);

        z0 = _mm_xor_si128(_mm_srli_epi16(z0, 1),
                           _mm_sub_epi16(zero, _mm_and_si128(z0, one)));
        z1 = _mm_xor_si128(_mm_srli_epi16(z1, 1),
                           _mm_sub_epi16(zero, _mm_and_si128(z1, one)));
        _mm_storeu_si128((__m128i *)(void *)(r + i), z0);
        _mm_storeu_si128((__m128i *)(void *)(r + i + 8), z1);
    }
    for (; i < n; i++) {
        uint64_t z = GATHER2(j + i);

        r[i] = (int16_t)((int64_t)(z >> 1) ^ -(int64_t)(z & 1));
    }
}

/* Frames a chunk of residuals is made for: 4 KiB of int16 at most. */
#define RESIDUAL_FRAMES 64u

/*
 * Frames [from, to) of channel c, and of c + 1 too when `pair`: two
 * channels in one loop are two independent chains of dependent steps,
 * which the CPU runs side by side (channel c + 1 coded from c adds c's
 * sample, stored just before in the same frame). The residuals of each
 * RESIDUAL_FRAMES frames are made first, off those chains: of every
 * channel at once where a group's planes go frame by frame, of each
 * channel on its own where they go channel by channel (kind 6). j is
 * channel c's residual of frame `from`. Returns 0 (nothing done) when a
 * channel does not qualify.
 */
static int inverse16_sse2(const zmm_pcm_block *b, unsigned c, int pair,
                          const unsigned char *planes, uint32_t count,
                          unsigned char *start, uint32_t j, uint32_t from,
                          uint32_t to)
{
    unsigned ch = b->channels, lanes = sse2_lanes(b, c);
    sse2_channel d0, d1;
    unsigned char *dst = start;
    int16_t r[RESIDUAL_FRAMES * ZMM_PCM_MAX_CHANNELS];
    const int16_t *e0, *e1, *p0, *p1;
    uint32_t f, i, m, step = zmm_pcm_residual_step(b), next = count / ch;

    if (pair && sse2_lanes(b, c + 1) > lanes)
        lanes = 32;
    if (!sse2_start(&d0, b, c, start, from, lanes) ||
        (pair && !sse2_start(&d1, b, c + 1, start + 2, from, lanes)))
        return 0;
    if (b->planar) { /* channel c + 1's residuals: a plane's k bytes on */
        e0 = r;
        e1 = r + RESIDUAL_FRAMES;
    } else {
        e0 = r + c;
        e1 = r + c + 1;
    }
    for (f = from; f < to; f += m, j += m * step) {
        m = to - f < RESIDUAL_FRAMES ? to - f : RESIDUAL_FRAMES;
        if (b->planar) {
            residuals16(planes, count, j, m, r);
            if (pair)
                residuals16(planes, count, j + next, m, r + RESIDUAL_FRAMES);
        } else {
            residuals16(planes, count, j - c, m * ch, r);
        }
        p0 = e0;
        p1 = e1;
        if (pair && lanes == 16)
            for (i = 0; i < m; i++, p0 += step, p1 += step, dst += 2 * ch) {
                sse2_step16(&d0, *p0, dst);
                sse2_step16(&d1, *p1, dst + 2);
            }
        else if (pair)
            for (i = 0; i < m; i++, p0 += step, p1 += step, dst += 2 * ch) {
                sse2_step32(&d0, *p0, dst);
                sse2_step32(&d1, *p1, dst + 2);
            }
        else if (lanes == 16)
            for (i = 0; i < m; i++, p0 += step, dst += 2 * ch)
                sse2_step16(&d0, *p0, dst);
        else
            for (i = 0; i < m; i++, p0 += step, dst += 2 * ch)
                sse2_step32(&d0, *p0, dst);
    }
    return 1;
}
#endif

void zmm_lpc_inverse_channel(const zmm_pcm_block *b, unsigned c,
                             const unsigned char *planes, unsigned char *out,
                             uint32_t f0, uint32_t from, uint32_t to,
                             uint32_t f1)
{
    unsigned bytes = b->bits / 8, ch = b->channels, k, shift = b->shift[c];
    unsigned order = b->order[c] & ZMM_LPC_ORDER_MASK;
    int from_previous = (b->order[c] & ZMM_PCM_FROM_PREVIOUS) != 0;
    uint32_t count = (f1 - f0) * ch, fs = ch * bytes, f, i, m;
    uint32_t j = zmm_pcm_residual_at(b, c, f1 - f0, from - f0);
    uint32_t step = zmm_pcm_residual_step(b);
    uint64_t mask = ((uint64_t)1 << b->bits) - 1;
    int64_t half = (int64_t)1 << (b->bits - 1);
    int64_t unbias = (int64_t)(BIAS >> shift);
    int32_t cf[ZMM_LPC_MAX_ORDER], win[ZMM_LPC_MAX_ORDER + WINDOW];
    unsigned char *start = out + (size_t)from * fs + (size_t)c * bytes;
    unsigned char *dst = start;

#if LPC_SSE2
    if (bytes == 2 &&
        inverse16_sse2(b, c, 0, planes, count, start, j, from, to))
        return;
#endif
    /* cf[k] weighs win[i + k], the value order - k frames back */
    for (k = 0; k < order; k++)
        cf[k] = b->coef[c][order - 1 - k];
    /* the history: the values decoded before `from` (the previous group's
     * too), 0 before the block's first frame */
    for (k = 0; k < order; k++) {
        uint32_t back = order - k;

        win[k] = back <= from
                     ? (int32_t)zmm_pcm_coded_sample(start - (size_t)back * fs,
                                                     bytes, b->order[c])
                     : 0;
    }
    for (f = from; f < to; f += m) {
        m = to - f < WINDOW ? to - f : WINDOW;
        switch (bytes) {
        case 1: LPC_ORDERS(1) break;
        case 2: LPC_ORDERS(2) break;
        case 3: LPC_ORDERS(3) break;
        default: LPC_ORDERS(4) break;
        }
        memmove(win, win + m, order * sizeof *win);
    }
}

void zmm_lpc_inverse_group(const zmm_pcm_block *b, const unsigned char *planes,
                           unsigned char *out, uint32_t f0, uint32_t f1)
{
    unsigned c = 0;

#if LPC_SSE2
    /* 16-bit channels two by two, where both qualify */
    if (b->bits == 16)
        for (; c + 1 < b->channels; c += 2)
            if (!inverse16_sse2(b, c, 1, planes, (f1 - f0) * b->channels,
                                out + ((size_t)f0 * b->channels + c) * 2,
                                zmm_pcm_residual_at(b, c, f1 - f0, 0), f0,
                                f1))
                break;
#endif
    for (; c < b->channels; c++)
        zmm_lpc_inverse_channel(b, c, planes, out, f0, f0, f1, f1);
}
