/*
 * filter_pcm.h -- the reversible PCM predictor of block kinds 3 and 4
 * (docs/FORMAT.md, "PCM blocks"): which bytes of a block are whole frames,
 * the per-channel predictor choice, residuals as byte planes and back.
 */
#ifndef ZMM_FILTER_PCM_H
#define ZMM_FILTER_PCM_H

#include <stddef.h>
#include <stdint.h>

#include "zmm.h"

#define ZMM_PCM_MAX_CHANNELS 32u
#define ZMM_PCM_MAX_ORDER 3u
#define ZMM_PCM_HEADER_FIXED 12u
/* An order byte's flag (block kind 4 only): the channel is coded as its
 * difference from the previous channel (docs/FORMAT.md, "Inter-channel
 * prediction"); the order itself is in the low bits. */
#define ZMM_PCM_FROM_PREVIOUS 0x80u
#define ZMM_PCM_ORDER_MASK 0x03u
/* A writer's group: about this many bytes of samples (docs/FORMAT.md), so a
 * read inflates and reconstructs up to the end of one ~8 KiB group instead
 * of the whole block. */
#define ZMM_PCM_GROUP_BYTES 8192u

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
} zmm_pcm_block;

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
 * then of kind 4 (ZMM_KIND_PCM_CHAN), else of kind 3. */
int zmm_pcm_uses_previous(const zmm_pcm_block *b);

/* Bytes of b's stored header. */
size_t zmm_pcm_header_size(const zmm_pcm_block *b);
void zmm_pcm_header_encode(const zmm_pcm_block *b, unsigned char *out);

/*
 * Decodes and checks the header at the start of `stored_size` stored bytes
 * of a block of n logical bytes: ZMM_ERR_CORRUPT unless every rule holds and
 * at least one byte of deflate stream follows. Order bytes may carry
 * ZMM_PCM_FROM_PREVIOUS (on channels 1..) only when `inter` (kind 4).
 * *header_size gets its size.
 */
zmm_result zmm_pcm_header_decode(const unsigned char *p, uint32_t stored_size,
                                 uint32_t n, int inter, zmm_pcm_block *b,
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

#endif
