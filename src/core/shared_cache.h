/*
 * shared_cache.h -- decoded blocks shared by every read-only stream of a
 * zmm_share, under one byte budget.
 *
 * A block is known by the file it is stored in (its identity) and where and
 * what it is stored as (offset and stored CRC): committed blocks never move
 * or change, so an entry stays true for every snapshot of that file that
 * names it. Only whole blocks enter. Streams copy in and out under one
 * mutex (a 64 KiB copy costs microseconds; an inflate, a hundred): no
 * entry is ever handed out, so eviction needs no pinning.
 *
 * Reference-counted: the share and each stream using it hold a reference,
 * so streams outlive zmm_share_free() safely.
 */
#ifndef ZMM_SHARED_CACHE_H
#define ZMM_SHARED_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "directory.h"
#include "platform.h"
#include "zmm.h"

typedef struct zmm_shared_cache zmm_shared_cache;

/* The default budget: 32 MiB of decoded blocks. */
#define ZMM_SHARED_CACHE_DEFAULT (32u << 20)

zmm_shared_cache *zmm_shared_cache_new(size_t budget);
void zmm_shared_cache_ref(zmm_shared_cache *c);
void zmm_shared_cache_unref(zmm_shared_cache *c); /* NULL is fine */

/* Sets the budget, evicting down to it at once; returns the old one. */
size_t zmm_shared_cache_set_budget(zmm_shared_cache *c, size_t budget);
/* Bytes of decoded blocks held now (never above the budget). */
size_t zmm_shared_cache_bytes(zmm_shared_cache *c);

/* Copies block `ref` of file `id` (n logical bytes) into out if held;
 * returns nonzero then. */
int zmm_shared_cache_get(zmm_shared_cache *c, const zmm_file_id *id,
                         const zmm_block_ref *ref, uint32_t n,
                         unsigned char *out);

/* Offers a copy of a whole decoded block; dropped when it does not fit
 * the budget or memory is short (it is only a cache). */
void zmm_shared_cache_put(zmm_shared_cache *c, const zmm_file_id *id,
                          const zmm_block_ref *ref, uint32_t n,
                          const unsigned char *data);

#endif
