/*
 * encode_pool.h -- compressing a writer's blocks on worker threads, the
 * results handed back in the order the blocks were handed in.
 *
 * A writable stream hands each block it would store to the pool (a copy of
 * its bytes and everything the encoder needs), and takes the results back
 * oldest first, appending them itself: only the caller's thread touches the
 * archive, so the archive's bytes are those the caller's own encoder would
 * have written, whatever the number of threads. The threads share with the
 * caller only the slots below, under the pool's mutex, and the member's
 * dictionary, which the caller keeps unchanged while the pool lives.
 * Memory is bounded: two slots (two block buffers each) per thread.
 */
#ifndef ZMM_ENCODE_POOL_H
#define ZMM_ENCODE_POOL_H

#include <stdint.h>

#include "directory.h"
#include "zmm.h"

typedef struct zmm_encode_pool zmm_encode_pool;

/* What a block needs to be encoded as zmm_codec_encode() does. */
typedef struct zmm_encode_job {
    uint32_t index; /* the block's index in its member: the caller's */
    int level;
    uint32_t n;      /* logical bytes */
    uint64_t offset; /* the block's offset in the member (for PCM) */
    int use_pcm;
    zmm_pcm_layout pcm;
    unsigned pcm_max_kind; /* ZMM_KIND_PCM_CHAN .. ZMM_KIND_PCM_PLANAR */
    const unsigned char *dict; /* or NULL */
    uint32_t dict_len;
} zmm_encode_job;

/* The oldest block's result: its job, rc, and on ZMM_OK its ref (all but
 * the offset) and the `stored` bytes (NULL for a zero block), valid until
 * the next zmm_encode_pool_put(). */
typedef struct zmm_encode_result {
    zmm_encode_job job;
    zmm_result rc;
    zmm_block_ref ref;
    const unsigned char *stored;
} zmm_encode_result;

/* Threads a pool runs at most. */
#define ZMM_ENCODE_MAX_THREADS 64u

/* A pool of `threads` (1..ZMM_ENCODE_MAX_THREADS) threads for blocks of up to
 * block_size bytes; NULL when memory or the OS refuses (the caller then
 * encodes on its own thread). */
zmm_encode_pool *zmm_encode_pool_new(unsigned threads, uint32_t block_size);

/* Stops and joins the threads (a block being encoded is finished first)
 * and drops the results not taken. NULL is fine. */
void zmm_encode_pool_free(zmm_encode_pool *p);

/* Whether a block can be handed in without waiting. */
int zmm_encode_pool_has_room(const zmm_encode_pool *p);

/* Hands in a block: copies job and its n bytes at `data`. The caller makes
 * room first (zmm_encode_pool_has_room, else take a result). */
void zmm_encode_pool_put(zmm_encode_pool *p, const zmm_encode_job *job,
                         const unsigned char *data);

/* Blocks handed in whose results were not taken yet. */
unsigned zmm_encode_pool_pending(const zmm_encode_pool *p);

/* Takes the oldest block's result into *out: 1 if taken, 0 if none is
 * pending or (wait 0) the oldest is not finished yet. */
int zmm_encode_pool_take(zmm_encode_pool *p, int wait,
                         zmm_encode_result *out);

#endif
