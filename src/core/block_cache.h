/*
 * block_cache.h -- a stream's bounded set of decoded blocks. Seeking back to
 * a block just used costs a lookup, not another inflate; a player scrubbing
 * inside a window of a few MiB stays in the cache.
 */
#ifndef ZMM_BLOCK_CACHE_H
#define ZMM_BLOCK_CACHE_H

#include <stdint.h>

#include "zmm.h"

#define ZMM_CACHE_FREE UINT32_MAX

typedef struct zmm_cache_entry {
    uint32_t index;      /* block index, or ZMM_CACHE_FREE */
    uint32_t valid;      /* logical bytes decoded so far, from 0 */
    int complete;        /* every logical byte present, the tail zeroed */
    int dirty;           /* changed since it was last stored */
    uint64_t last_use;
    unsigned char *data; /* block_size bytes, allocated on first use */
} zmm_cache_entry;

typedef struct zmm_block_cache {
    zmm_cache_entry *entries;
    uint32_t capacity;
    uint32_t block_size;
    uint64_t clock;
} zmm_block_cache;

/* Sizes the cache for blocks of `block_size`: about 4 MiB of blocks,
 * between 4 and 64 of them. Allocates no block memory yet. */
zmm_result zmm_cache_init(zmm_block_cache *c, uint32_t block_size);
void zmm_cache_free(zmm_block_cache *c);

/* The entry holding block `index`, marked as used, or NULL. */
zmm_cache_entry *zmm_cache_find(zmm_block_cache *c, uint32_t index);

/* Whether block `index` is cached, without marking it as used. */
int zmm_cache_holds(const zmm_block_cache *c, uint32_t index);

/* The entry to reuse next: a free one if any, else the least recently used.
 * The caller stores or drops its contents before reuse. NULL only if no
 * block memory can be allocated at all. */
zmm_cache_entry *zmm_cache_victim(zmm_block_cache *c);

/* Marks an entry as holding block `index` (nothing decoded yet). */
void zmm_cache_assign(zmm_block_cache *c, zmm_cache_entry *e, uint32_t index);

/* Forgets an entry's contents, dirty or not. */
void zmm_cache_release(zmm_cache_entry *e);

#endif
