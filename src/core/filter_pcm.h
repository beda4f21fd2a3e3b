/*
 * filter_pcm.h -- the reversible PCM predictors of block kinds 3 to 6
 * (docs/FORMAT.md, "PCM blocks"): which bytes of a block are whole frames,
 * the per-channel predictor choice, residuals as byte planes and back.
 * Kinds 5's and 6's linear predictors are in filter_lpc.c.
 */
#ifndef ZMM_FILTER_PCM_H
#define ZMM_FILTER_PCM_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "zmm.h"

#define ZMM_PCM_MAX_CHANNELS 32u
#define ZMM_PCM_MAX_ORDER 3u
#define ZMM_PCM_HEADER_FIXED 12u
/* An order byte's flag (block kind 4 only): the channel is coded as its
 * difference from the previous channel (docs/FORMAT.md, "Inter-channel
 * prediction"); the order itself is in the low bits. */
#define ZMM_PCM_FROM_PREVIOUS 0x80u
#define ZMM_PCM_ORDER_MASK 0x03u
/* Kind 5 (docs/FORMAT.md, "Linear prediction"): an order byte's low six
 * bits are the order of a linear predictor, 0..32, whose coefficients are
 * 16-bit and whose sum is shifted right by 0..31 bits: with samples of at
 * most 32 bits a sum stays under 2^51, so 64-bit arithmetic is exact. */
#define ZMM_LPC_MAX_ORDER 32u
#define ZMM_LPC_MAX_SHIFT 31u
#define ZMM_LPC_ORDER_MASK 0x3fu
/* A writer's group: about this many bytes of samples (docs/FORMAT.md), so a
 * read inflates and reconstructs up to the end of one ~4 KiB group instead
 * of the whole block (8 KiB groups made uniform random 4 KiB reads of the
 * benchmark audio 2-3% slower, its archive 0.17% smaller). */
#define ZMM_PCM_GROUP_BYTES 4096u

/* One block's filter parameters: its stored header. */
typedef struct zmm_pcm_block {
    unsigned bits;     /* 8, 16, 24 or 32 */
    unsigned channels; /* 1..ZMM_PCM_MAX_CHANNELS */
    uint32_t first;    /* offset in the block of the first filtered frame */
    uint32_t frames;   /* whole frames filtered */
    uint32_t group;    /* G: frames a group, 1..65535 (the last: fewer) */
    /* each channel's order, with ZMM_PCM_FROM_PREVIOUS where it is coded
     * as its difference from the previous channel */
    unsigned char order[ZMM_PCM_MAX_CHANNELS];
    /* kinds 5 and 6 only (lpc nonzero): each channel's linear predictor, order in
     * order[c] & ZMM_LPC_ORDER_MASK; coef[c][k] weighs the value k + 1
     * frames back, the sum is shifted right by shift[c] */
    unsigned lpc;
    unsigned char shift[ZMM_PCM_MAX_CHANNELS];
    int16_t coef[ZMM_PCM_MAX_CHANNELS][ZMM_LPC_MAX_ORDER];
    /* kind 6 only (with lpc): each group's planes hold channel 0's
     * residuals, then channel 1's, ... instead of frame by frame */
    unsigned planar;
} zmm_pcm_block;

/* Where channel c's residual of frame i of a group of k frames lies in
 * each of the group's planes, and how far on the next frame's is: frame
 * by frame (kinds 3 to 5) or channel by channel (kind 6). */
static inline uint32_t zmm_pcm_residual_at(const zmm_pcm_block *b,
                                           unsigned c, uint32_t k,
                                           uint32_t i)
{
    return b->planar ? c * k + i : i * b->channels + c;
}

static inline uint32_t zmm_pcm_residual_step(const zmm_pcm_block *b)
{
    return b->planar ? 1 : b->channels;
}

/* Nonzero if bits and channels describe a layout the filter handles. */
int zmm_pcm_layout_valid(const zmm_pcm_layout *l);

/*
 * The whole frames of `l` inside the block at member offset `offset`, of n
 * bytes: fills b's bits, channels, first, frames and group (orders cleared).
 * Returns the number of frames (0: nothing to filter).
 */
uint32_t zmm_pcm_block_range(const zmm_pcm_layout *l, uint64_t offset,
                             uint32_t n, zmm_pcm_block *b);

/* Picks each channel's order, and whether channels 1.. are coded from the
 * previous one: the smallest sum of |residual|. */
void zmm_pcm_choose_orders(zmm_pcm_block *b, const unsigned char *in);

/* Nonzero if a channel of b is coded from the previous one: the block is
 * then of kind 4 (ZMM_KIND_PCM_CHAN), else of kind 3 (unless b->lpc: kind
 * 5 or 6). */
int zmm_pcm_uses_previous(const zmm_pcm_block *b);

/* The block kind b is coded as: 3, 4, 5 or 6. */
unsigned zmm_pcm_kind(const zmm_pcm_block *b);

/* Bytes of b's stored header. */
size_t zmm_pcm_header_size(const zmm_pcm_block *b);
void zmm_pcm_header_encode(const zmm_pcm_block *b, unsigned char *out);

/*
 * Decodes and checks the header at the start of `stored_size` stored bytes
 * of a block of n logical bytes: ZMM_ERR_CORRUPT unless every rule holds and
 * at least one byte of deflate stream follows. Order bytes may carry
 * ZMM_PCM_FROM_PREVIOUS (on channels 1..) only in kinds 4 to 6; kinds 5 and 6
 * hold linear predictors (filter_lpc.c). *header_size gets its size.
 */
zmm_result zmm_pcm_header_decode(const unsigned char *p, uint32_t stored_size,
                                 uint32_t n, unsigned kind, zmm_pcm_block *b,
                                 size_t *header_size);

/* The n logical bytes `in` to the n bytes deflated (`out`). */
void zmm_pcm_forward(const zmm_pcm_block *b, const unsigned char *in,
                     uint32_t n, unsigned char *out);

/*
 * Prefix decoding. Content and logical bytes line up at every group
 * boundary (a group's planes take exactly its frames' bytes), so the first
 * k bytes of content decode to the first k logical bytes whenever k is a
 * "prefix end": at most `first`, a group's end, or n.
 * zmm_pcm_prefix_end: the smallest prefix end >= want (want <= n).
 * zmm_pcm_inverse_range: logical bytes [from, to) of out from content
 * [from, to), both prefix ends; out's bytes before `from` must already be
 * decoded (prediction carries over from the previous group's samples).
 */
uint32_t zmm_pcm_prefix_end(const zmm_pcm_block *b, uint32_t want,
                            uint32_t n);
void zmm_pcm_inverse_range(const zmm_pcm_block *b,
                           const unsigned char *content, uint32_t from,
                           uint32_t to, unsigned char *out);

/* filter_pcm_sse2.c: frames [from, f1) of the group [f0, f1) (its planes,
 * `count` residuals each; out as for the general decoder), every channel,
 * as far as whole vectors go where the CPU and the layout allow (16-bit
 * samples; 1, 2 or 4 channels; from >= ZMM_PCM_MAX_ORDER). Returns the
 * first frame not done: `from` when nothing was. */
uint32_t zmm_pcm_inverse16_fast(const zmm_pcm_block *b,
                                const unsigned char *planes, uint32_t count,
                                unsigned char *out, uint32_t f0,
                                uint32_t from, uint32_t f1);

/* Shared with filter_lpc.c, inline since every sample of the encoders'
 * passes goes through them: a sample's bytes as a signed integer (8-bit:
 * byte - 128); v wrapped to `bits` bits, as a signed value; and the value
 * a channel is coded as: the sample, or with ZMM_PCM_FROM_PREVIOUS in
 * `order` its difference from the previous channel's (the sample just
 * before it in the frame), wrapped to 8 * bytes bits. */
static inline int64_t zmm_pcm_load_sample(const unsigned char *p,
                                          unsigned bytes)
{
    switch (bytes) {
    case 1:
        return (int64_t)p[0] - 128;
    case 2:
        return (int64_t)(((uint32_t)p[0] | (uint32_t)p[1] << 8) ^ 0x8000u) -
               0x8000;
    case 3:
        return (int64_t)(((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                          (uint32_t)p[2] << 16) ^ 0x800000u) - 0x800000;
    default:
        return (int64_t)(zmm_load32(p) ^ 0x80000000u) - 0x80000000LL;
    }
}

static inline int64_t zmm_pcm_wrap(int64_t v, unsigned bits)
{
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    int64_t half = (int64_t)1 << (bits - 1);

    return (int64_t)(((uint64_t)v & mask) ^ (uint64_t)half) - half;
}

static inline int64_t zmm_pcm_coded_sample(const unsigned char *p,
                                           unsigned bytes, unsigned order)
{
    int64_t s = zmm_pcm_load_sample(p, bytes);

    if (order & ZMM_PCM_FROM_PREVIOUS)
        s = zmm_pcm_wrap(s - zmm_pcm_load_sample(p - bytes, bytes),
                         8 * bytes);
    return s;
}
/* Channel c of frames [0, frames) at p (a frame every fs bytes), holding
 * differences from the previous channel, made samples (that channel is
 * decoded there). */
void zmm_pcm_add_previous(unsigned bytes, uint32_t fs, unsigned char *p,
                          uint32_t frames);

/*
 * The decoders' inner loops, shared by filter_pcm.c and filter_lpc.c:
 * GATHERn(j) reads residual j of a group's n byte planes (`planes`, each
 * `count` bytes: names the caller has in scope) as a zigzag code;
 * STOREn(p, u) writes a sample's n bytes (8-bit: offset by 128).
 */
#define GATHER1(j) ((uint64_t)planes[j])
#define GATHER2(j) (GATHER1(j) | (uint64_t)planes[count + (j)] << 8)
#define GATHER3(j) (GATHER2(j) | (uint64_t)planes[2 * (size_t)count + (j)] \
                                     << 16)
#define GATHER4(j) (GATHER3(j) | (uint64_t)planes[3 * (size_t)count + (j)] \
                                     << 24)
#define STORE1(p, u) ((p)[0] = (unsigned char)((u) + 128))
#define STORE2(p, u) \
    ((p)[0] = (unsigned char)(u), (p)[1] = (unsigned char)((u) >> 8))
#define STORE3(p, u) (STORE2(p, u), (p)[2] = (unsigned char)((u) >> 16))
#define STORE4(p, u) (STORE3(p, u), (p)[3] = (unsigned char)((u) >> 24))

/* filter_lpc.c: kinds 5 and 6. */
/* Picks, per channel, a linear predictor where it beats b's fixed order
 * (chosen first by zmm_pcm_choose_orders) by the estimated coded size;
 * sets b->lpc when any channel takes one. */
void zmm_lpc_choose(zmm_pcm_block *b, const unsigned char *in);
/* b's fixed orders (kinds 3 and 4) as linear predictors: the same but at
 * the block's first frames, which are predicted from zeros. */
void zmm_lpc_from_fixed(zmm_pcm_block *b);
size_t zmm_lpc_header_size(const zmm_pcm_block *b);
void zmm_lpc_header_encode(const zmm_pcm_block *b, unsigned char *out);
/* The predictor records after the fixed header, at p with `room` bytes
 * (all of which may be stream): ZMM_ERR_CORRUPT unless every rule holds;
 * *size gets their bytes. */
zmm_result zmm_lpc_records_decode(const unsigned char *p, size_t room,
                                  zmm_pcm_block *b, size_t *size);
void zmm_lpc_forward(const zmm_pcm_block *b, const unsigned char *in,
                     uint32_t n, unsigned char *out);
/* As inverse_channel in filter_pcm.c, for a kind-5 or -6 channel. */
void zmm_lpc_inverse_channel(const zmm_pcm_block *b, unsigned c,
                             const unsigned char *planes, unsigned char *out,
                             uint32_t f0, uint32_t from, uint32_t to,
                             uint32_t f1);
/* Every channel of the group [f0, f1), kind 5 or 6. */
void zmm_lpc_inverse_group(const zmm_pcm_block *b, const unsigned char *planes,
                           unsigned char *out, uint32_t f0, uint32_t f1);

#endif
