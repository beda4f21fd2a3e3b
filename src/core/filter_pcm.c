/*
 * filter_pcm.c -- the PCM predictor of block kinds 3 and 4. Samples are signed
 * integers of `bits` bits (8-bit WAV samples are unsigned: 128 is
 * subtracted); each channel is predicted by a fixed polynomial of order 0..3
 * that restarts at the block's first frame, and the residual, wrapped to
 * `bits` bits and zigzagged, is split into byte planes: plane q holds byte q
 * of every residual, in frame then channel order. Deflate finds the long
 * runs of zero high bytes that interleaved samples hide from it. The planes
 * are laid out per group of G frames (prediction carries on across groups),
 * so a reader can stop inflating at the end of the group it needs, as it
 * stops a plain deflate block at the prefix it needs. In blocks of kind 4 a
 * channel may be coded as its difference from the previous channel
 * (ZMM_PCM_FROM_PREVIOUS), wrapped to `bits` bits, then predicted alike.
 * Blocks of kind 5 share all of this but the predictor, a linear one of
 * order 0..32 per channel (filter_lpc.c); kind 6 also lays each group's
 * planes out channel by channel.
 */
#include "filter_pcm.h"

#include <string.h>

#include "bytes.h"

int zmm_pcm_layout_valid(const zmm_pcm_layout *l)
{
    return (l->bits == 8 || l->bits == 16 || l->bits == 24 ||
            l->bits == 32) &&
           l->channels >= 1 && l->channels <= ZMM_PCM_MAX_CHANNELS &&
           l->offset <= (uint64_t)INT64_MAX &&
           l->length <= (uint64_t)INT64_MAX - l->offset;
}

uint32_t zmm_pcm_block_range(const zmm_pcm_layout *l, uint64_t offset,
                             uint32_t n, zmm_pcm_block *b)
{
    uint64_t fs = (uint64_t)l->channels * (l->bits / 8);
    uint64_t end = offset + n, data_end = l->offset + l->length;
    uint64_t k_first, k_end;

    memset(b, 0, sizeof *b);
    b->bits = l->bits;
    b->channels = l->channels;
    if (end > data_end)
        end = data_end;
    if (end <= l->offset)
        return 0;
    /* Frames k cover member bytes [l->offset + k fs, l->offset + (k+1) fs). */
    k_first = offset <= l->offset ? 0 : (offset - l->offset + fs - 1) / fs;
    k_end = (end - l->offset) / fs;
    if (k_end <= k_first)
        return 0;
    b->first = (uint32_t)(l->offset + k_first * fs - offset);
    b->frames = (uint32_t)(k_end - k_first);
    /* fs is 1..128, so G is 32..4096 (never 0) and fits the header's u16 */
    b->group = ZMM_PCM_GROUP_BYTES / (uint32_t)fs;
    return b->frames;
}

/* A sample's bytes as a signed integer. */
static void store_sample(unsigned char *p, unsigned bytes, int64_t s)
{
    uint64_t u = (uint64_t)s;
    unsigned q;

    if (bytes == 1) {
        p[0] = (unsigned char)(u + 128);
        return;
    }
    for (q = 0; q < bytes; q++)
        p[q] = (unsigned char)(u >> (8 * q));
}

/* h[0] = s[n-1], h[1] = s[n-2], h[2] = s[n-3]. */
static int64_t predict(unsigned order, const int64_t *h)
{
    switch (order) {
    case 0: return 0;
    case 1: return h[0];
    case 2: return 2 * h[0] - h[1];
    default: return 3 * h[0] - 3 * h[1] + h[2];
    }
}

static void push(int64_t *h, int64_t s)
{
    h[2] = h[1];
    h[1] = h[0];
    h[0] = s;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

/* FLAC's estimate: the order whose residuals are smallest in sum, of the
 * channel itself or (flag ZMM_PCM_FROM_PREVIOUS) of its difference from
 * the previous channel. The first three frames, predicted by lower orders,
 * are left out. */
static unsigned char choose_order(const zmm_pcm_block *b,
                                  const unsigned char *in, unsigned c)
{
    unsigned bytes = b->bits / 8, o, k, ways = c > 0 ? 2 : 1, bk = 0, bo = 0;
    uint32_t fs = bytes * b->channels, f;
    uint64_t cost[2][ZMM_PCM_MAX_ORDER + 1];
    int64_t h[2][3];
    const unsigned char *p = in + b->first + c * bytes;

    memset(cost, 0, sizeof cost);
    memset(h, 0, sizeof h);
    for (f = 0; f < b->frames; f++, p += fs)
        for (k = 0; k < ways; k++) {
            int64_t s = zmm_pcm_coded_sample(p, bytes,
                                     k ? ZMM_PCM_FROM_PREVIOUS : 0);

            if (f >= ZMM_PCM_MAX_ORDER)
                for (o = 0; o <= ZMM_PCM_MAX_ORDER; o++)
                    cost[k][o] += (uint64_t)abs64(s - predict(o, h[k]));
            push(h[k], s);
        }
    /* ties: the plain channel, the lower order (kind 3 when it is as good) */
    for (k = 0; k < ways; k++)
        for (o = 0; o <= ZMM_PCM_MAX_ORDER; o++)
            if (cost[k][o] < cost[bk][bo]) {
                bk = k;
                bo = o;
            }
    return (unsigned char)(bo | (bk ? ZMM_PCM_FROM_PREVIOUS : 0));
}

void zmm_pcm_choose_orders(zmm_pcm_block *b, const unsigned char *in)
{
    unsigned c;

    for (c = 0; c < b->channels; c++)
        b->order[c] = choose_order(b, in, c);
}

unsigned zmm_pcm_kind(const zmm_pcm_block *b)
{
    if (b->lpc)
        return b->planar ? 6u : 5u;
    return zmm_pcm_uses_previous(b) ? 4u : 3u;
}

int zmm_pcm_uses_previous(const zmm_pcm_block *b)
{
    unsigned c;

    for (c = 1; c < b->channels; c++)
        if (b->order[c] & ZMM_PCM_FROM_PREVIOUS)
            return 1;
    return 0;
}

size_t zmm_pcm_header_size(const zmm_pcm_block *b)
{
    return b->lpc ? zmm_lpc_header_size(b)
                  : ZMM_PCM_HEADER_FIXED + b->channels;
}

void zmm_pcm_header_encode(const zmm_pcm_block *b, unsigned char *out)
{
    out[0] = (unsigned char)b->bits;
    out[1] = (unsigned char)b->channels;
    zmm_store16(out + 2, (uint16_t)b->group);
    zmm_store32(out + 4, b->first);
    zmm_store32(out + 8, b->frames);
    if (b->lpc)
        zmm_lpc_header_encode(b, out);
    else
        memcpy(out + ZMM_PCM_HEADER_FIXED, b->order, b->channels);
}

zmm_result zmm_pcm_header_decode(const unsigned char *p, uint32_t stored_size,
                                 uint32_t n, unsigned kind, zmm_pcm_block *b,
                                 size_t *header_size)
{
    unsigned c;
    size_t records;

    memset(b, 0, sizeof *b);
    if (stored_size < ZMM_PCM_HEADER_FIXED)
        return ZMM_ERR_CORRUPT;
    b->bits = p[0];
    b->channels = p[1];
    b->first = zmm_load32(p + 4);
    b->frames = zmm_load32(p + 8);
    b->group = zmm_load16(p + 2);
    if ((b->bits != 8 && b->bits != 16 && b->bits != 24 && b->bits != 32) ||
        b->channels < 1 || b->channels > ZMM_PCM_MAX_CHANNELS ||
        b->group == 0 || b->frames == 0 ||
        ZMM_PCM_HEADER_FIXED + b->channels >= stored_size ||
        b->first > n ||
        (uint64_t)b->frames * b->channels * (b->bits / 8) > n - b->first)
        return ZMM_ERR_CORRUPT;
    if (kind == 5 || kind == 6) {
        b->lpc = 1;
        b->planar = kind == 6;
        if (zmm_lpc_records_decode(p + ZMM_PCM_HEADER_FIXED,
                                   stored_size - ZMM_PCM_HEADER_FIXED, b,
                                   &records) != ZMM_OK)
            return ZMM_ERR_CORRUPT;
        *header_size = ZMM_PCM_HEADER_FIXED + records;
        return ZMM_OK;
    }
    for (c = 0; c < b->channels; c++) {
        unsigned flags = kind == 4 && c > 0 ? ZMM_PCM_FROM_PREVIOUS : 0;

        b->order[c] = p[ZMM_PCM_HEADER_FIXED + c];
        if ((b->order[c] & ~(ZMM_PCM_ORDER_MASK | flags)) != 0)
            return ZMM_ERR_CORRUPT;
    }
    *header_size = ZMM_PCM_HEADER_FIXED + b->channels;
    return ZMM_OK;
}

/* Wrapping to `bits` bits as two's complement, then zigzag: small residuals
 * of either sign become small unsigned numbers. */
void zmm_pcm_forward(const zmm_pcm_block *b, const unsigned char *in,
                     uint32_t n, unsigned char *out)
{
    unsigned bytes = b->bits / 8, ch = b->channels, c, q;
    uint32_t body = b->frames * ch * bytes, fs = ch * bytes, f, j = 0;
    uint32_t count = 0; /* residuals in the current group */
    uint64_t mask = ((uint64_t)1 << b->bits) - 1;
    int64_t half = (int64_t)1 << (b->bits - 1);
    int64_t h[ZMM_PCM_MAX_CHANNELS][3];
    const unsigned char *p = in + b->first;
    unsigned char *planes = out + b->first;

    if (b->lpc) {
        zmm_lpc_forward(b, in, n, out);
        return;
    }
    memset(h, 0, sizeof h);
    memcpy(out, in, b->first);
    for (f = 0; f < b->frames; f++) {
        if (f % b->group == 0) { /* a new group: its planes start here */
            uint32_t left = b->frames - f;

            planes = out + b->first + (size_t)f * fs;
            count = (left < b->group ? left : b->group) * ch;
            j = 0;
        }
        for (c = 0; c < ch; c++, j++, p += bytes) {
            unsigned order = b->order[c] & ZMM_PCM_ORDER_MASK;
            int64_t s = zmm_pcm_coded_sample(p, bytes, b->order[c]);
            uint64_t r;

            order = f < order ? f : order;
            r = (uint64_t)(s - predict(order, h[c])) & mask;
            int64_t v = (int64_t)(r ^ (uint64_t)half) - half;
            uint64_t z = (((uint64_t)v << 1) ^ (v < 0 ? mask : 0)) & mask;

            for (q = 0; q < bytes; q++)
                planes[(size_t)q * count + j] = (unsigned char)(z >> (8 * q));
            push(h[c], s);
        }
    }
    memcpy(out + b->first + body, in + b->first + body,
           n - b->first - body);
}

/*
 * Decoding is on every read's path, so it runs one channel at a time with
 * the sample width and the predictor order fixed for the whole loop
 * (INVERSE_LOOP below, one instance per width and order); only the first
 * `order` frames, predicted by lower orders, take the general path.
 */
#define PRED0 0
#define PRED1 s1
#define PRED2 (2 * s1 - s2)
#define PRED3 (3 * s1 - 3 * s2 + s3)

#define INVERSE_LOOP(B, ORDER)                                               \
    for (; f < frames; f++, j += ch, p += fs) {                              \
        uint64_t z = GATHER##B(j);                                           \
        int64_t e = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);                   \
        int64_t v = PRED##ORDER + e;                                         \
        if ((uint64_t)(v + half) > mask) /* rare: wrap to `bits` bits */     \
            v = (int64_t)(((uint64_t)v & mask) ^ (uint64_t)half) - half;     \
        STORE##B(p, (uint64_t)v);                                            \
        s3 = s2;                                                             \
        s2 = s1;                                                             \
        s1 = v;                                                              \
    }

#define INVERSE_ORDERS(B)                                                    \
    switch (order) {                                                         \
    case 0: INVERSE_LOOP(B, 0) break;                                        \
    case 1: INVERSE_LOOP(B, 1) break;                                        \
    case 2: INVERSE_LOOP(B, 2) break;                                        \
    default: INVERSE_LOOP(B, 3) break;                                       \
    }

/* Channel c (flagged ZMM_PCM_FROM_PREVIOUS) of frames [from, to), holding
 * its differences from channel c-1, which is decoded there: the samples. */
void zmm_pcm_add_previous(unsigned bytes, uint32_t fs, unsigned char *p,
                          uint32_t frames)
{
    uint32_t f;

    for (f = 0; f < frames; f++, p += fs)
        store_sample(p, bytes, zmm_pcm_wrap(zmm_pcm_load_sample(p, bytes) +
                                        zmm_pcm_load_sample(p - bytes, bytes),
                                    8 * bytes));
}

/*
 * Channel c of frames [from, to) of the group of frames [f0, f1): `planes`
 * is the group's planes (count = (f1 - f0) * channels residuals each), `out`
 * the block's first filtered byte. The history comes from the samples
 * already written to out (the previous group's, when from = f0 > 0):
 * prediction carries across groups. A channel coded from the previous one
 * is predicted from differences: its history is made of them, its loops
 * write them, and add_previous turns them into samples, channel c-1 being
 * decoded for these frames already (channels go in order).
 */
static void inverse_channel(const zmm_pcm_block *b, unsigned c,
                            const unsigned char *planes, unsigned char *out,
                            uint32_t f0, uint32_t from, uint32_t to,
                            uint32_t f1)
{
    unsigned bytes = b->bits / 8, ch = b->channels, q, k;
    unsigned order = b->order[c] & ZMM_PCM_ORDER_MASK;
    uint32_t count = (f1 - f0) * ch, frames = to, fs = ch * bytes;
    uint32_t f = from, j = (from - f0) * ch + c;
    uint64_t mask = ((uint64_t)1 << b->bits) - 1;
    int64_t half = (int64_t)1 << (b->bits - 1);
    int64_t h[3] = {0, 0, 0}, s1, s2, s3;
    unsigned char *p = out + (size_t)from * fs + (size_t)c * bytes;

    for (k = 0; k < 3 && k < from; k++)
        h[k] = zmm_pcm_coded_sample(p - (size_t)(k + 1) * fs, bytes, b->order[c]);
    /* the block's first frames: lower orders, not enough history yet */
    for (; f < frames && f < order; f++, j += ch, p += fs) {
        uint64_t z = 0, r;
        int64_t e, v;

        for (q = 0; q < bytes; q++)
            z |= (uint64_t)planes[(size_t)q * count + j] << (8 * q);
        e = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
        r = (uint64_t)(predict(f, h) + e) & mask;
        v = (int64_t)(r ^ (uint64_t)half) - half;
        store_sample(p, bytes, v);
        push(h, v);
    }
    s1 = h[0];
    s2 = h[1];
    s3 = h[2];
    switch (bytes) {
    case 1: INVERSE_ORDERS(1) break;
    case 2: INVERSE_ORDERS(2) break;
    case 3: INVERSE_ORDERS(3) break;
    default: INVERSE_ORDERS(4) break;
    }
    if ((b->order[c] & ZMM_PCM_FROM_PREVIOUS) && to > from)
        zmm_pcm_add_previous(bytes, fs,
                             out + (size_t)from * fs + (size_t)c * bytes,
                             to - from);
}

uint32_t zmm_pcm_prefix_end(const zmm_pcm_block *b, uint32_t want,
                            uint32_t n)
{
    uint32_t fs = b->channels * (b->bits / 8);
    uint32_t body_end = b->first + b->frames * fs;
    uint64_t group_bytes = (uint64_t)b->group * fs, end;

    if (want <= b->first)
        return want; /* verbatim bytes: any length is a prefix */
    if (want > body_end)
        return n; /* the verbatim tail is short: finish the block */
    end = b->first +
          (want - b->first + group_bytes - 1) / group_bytes * group_bytes;
    return end < body_end ? (uint32_t)end : body_end;
}

void zmm_pcm_inverse_range(const zmm_pcm_block *b,
                           const unsigned char *content, uint32_t from,
                           uint32_t to, unsigned char *out)
{
    uint32_t fs = b->channels * (b->bits / 8);
    uint32_t body_end = b->first + b->frames * fs, f0, f_end;
    unsigned c;

    if (from < b->first)
        memcpy(out + from, content + from,
               (to < b->first ? to : b->first) - from);
    if (to > b->first && from < body_end) {
        /* from and to are group boundaries here (or the body's ends) */
        f0 = from <= b->first ? 0 : (from - b->first) / fs;
        f_end = ((to < body_end ? to : body_end) - b->first) / fs;
        for (; f0 < f_end; f0 += b->group) {
            uint32_t f1 = f_end - f0 < b->group ? f_end : f0 + b->group;
            const unsigned char *planes = content + b->first + (size_t)f0 * fs;
            uint32_t count = (f1 - f0) * b->channels, at = f0;

            if (b->lpc) {
                zmm_lpc_inverse_group(b, planes, out + b->first, f0, f1);
                continue;
            }

            /* The first frames of the block, predicted by lower orders,
             * go the general way; then vectors where they apply; the
             * tail the general way again. */
            if (at < ZMM_PCM_MAX_ORDER) {
                uint32_t head = f1 < ZMM_PCM_MAX_ORDER ? f1
                                                       : ZMM_PCM_MAX_ORDER;

                for (c = 0; c < b->channels; c++)
                    inverse_channel(b, c, planes, out + b->first, f0,
                                    at, head, f1);
                at = head;
            }
            at = zmm_pcm_inverse16_fast(b, planes, count, out + b->first,
                                        f0, at, f1);
            for (c = 0; c < b->channels; c++)
                inverse_channel(b, c, planes, out + b->first, f0, at, f1,
                                f1);
        }
    }
    if (to > body_end) {
        uint32_t at = from > body_end ? from : body_end;

        memcpy(out + at, content + at, to - at);
    }
}
