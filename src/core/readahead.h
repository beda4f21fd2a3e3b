/*
 * readahead.h -- decoding the next blocks of read-only streams on a few
 * shared threads while the readers consume the current ones.
 *
 * A stream owns one zmm_readahead. It asks for the blocks just ahead of
 * the one it reads (zmm_readahead_ahead) and, when it reaches one, takes the
 * decoded bytes by swapping buffers with its cache (zmm_readahead_take).
 * The decoding is done by the threads of a zmm_readahead_pool: a share's
 * (zmm_share: at most one thread fewer than processors, however many
 * streams read ahead, since the readers decode too) or, for a stream of an
 * archive opened on its own, a private pool of one thread. A thread shares
 * with a reader only the archive's file, through read_shared, and the
 * slots below, under the pool's mutex: it gets copies of the block
 * references, never the member or the archive.
 * Anything a thread could not do (a read error, a CRC mismatch, no memory)
 * is simply not offered: the reader decodes the block itself, as without
 * read-ahead, so errors are reported exactly as before.
 */
#ifndef ZMM_READAHEAD_H
#define ZMM_READAHEAD_H

#include <stdint.h>

#include "directory.h"
#include "platform.h"

/* Blocks decoded ahead at most (see the note in readahead.c); a -D can
 * change it for measurements. Measured on 2 cores, 64 KiB blocks: 3 reads
 * sequentially about 1.2x faster than 2, and as fast as 4. */
#ifndef ZMM_READAHEAD_DEPTH
#define ZMM_READAHEAD_DEPTH 3
#endif

typedef struct zmm_readahead zmm_readahead;
typedef struct zmm_readahead_pool zmm_readahead_pool;

typedef struct zmm_readahead_job {
    uint32_t index;    /* block index in the member */
    uint32_t n;        /* its logical length */
    zmm_block_ref ref; /* a copy: the worker never reads the member */
} zmm_readahead_job;

/* A pool that runs at most max_threads threads, started when work is
 * queued and none is idle, and joined when the last zmm_readahead using
 * the pool is freed (so no thread outlives the streams: a DLL can be
 * unloaded). Reference-counted: the creator holds one reference, each
 * zmm_readahead another. NULL if memory cannot be had. */
zmm_readahead_pool *zmm_readahead_pool_new(unsigned max_threads);
void zmm_readahead_pool_ref(zmm_readahead_pool *pool);
void zmm_readahead_pool_unref(zmm_readahead_pool *pool); /* NULL is fine */
/* Threads running now (tests look). */
unsigned zmm_readahead_pool_threads(zmm_readahead_pool *pool);

/* Read-ahead on `file` (which must have read_shared) for blocks of
 * block_size bytes, inflating deflate blocks with the member's preset
 * dictionary `dict` (NULL: none), which the caller keeps alive and
 * unchanged until zmm_readahead_free(). Decoded by `pool`'s threads, or by
 * a private thread if pool is NULL. NULL if memory cannot be had. */
zmm_readahead *zmm_readahead_new(zmm_readahead_pool *pool, zmm_file *file,
                                 uint32_t block_size,
                                 const unsigned char *dict,
                                 uint32_t dict_len);

/* Waits for any block of this read-ahead being decoded, frees everything
 * (joining the pool's threads if it was the pool's last user). NULL is
 * fine. */
void zmm_readahead_free(zmm_readahead *ra);

/* The blocks wanted next, nearest first (at most ZMM_READAHEAD_DEPTH): a
 * block already queued or decoded stays; any other block not being decoded
 * right now is dropped to make room. */
void zmm_readahead_ahead(zmm_readahead *ra, const zmm_readahead_job *jobs,
                         unsigned count);

/* If block `index` is decoded, swaps *data (a block_size buffer) with the
 * decoded block, whose bytes past its logical length are zero, and returns
 * 1. If the worker is decoding it now: with `wait`, waits for it; without,
 * returns -1 and keeps it. Otherwise forgets the block (a queued one is not
 * started) and returns 0: the caller decodes it. */
int zmm_readahead_take(zmm_readahead *ra, uint32_t index,
                       unsigned char **data, int wait);

#endif
