/* block_cache.c -- least-recently-used cache of decoded blocks. */
#include "block_cache.h"

#include "alloc.h"

#define CACHE_TARGET_BYTES (4u << 20)
#define CACHE_MIN_ENTRIES 4u
#define CACHE_MAX_ENTRIES 64u

zmm_result zmm_cache_init(zmm_block_cache *c, uint32_t block_size)
{
    uint32_t n = CACHE_TARGET_BYTES / block_size, i;

    if (n < CACHE_MIN_ENTRIES)
        n = CACHE_MIN_ENTRIES;
    if (n > CACHE_MAX_ENTRIES)
        n = CACHE_MAX_ENTRIES;
    c->entries = zmm_calloc(n, sizeof *c->entries);
    if (c->entries == NULL)
        return ZMM_ERR_NOMEM;
    for (i = 0; i < n; i++)
        c->entries[i].index = ZMM_CACHE_FREE;
    c->capacity = n;
    c->block_size = block_size;
    c->clock = 0;
    return ZMM_OK;
}

void zmm_cache_free(zmm_block_cache *c)
{
    uint32_t i;

    for (i = 0; c->entries != NULL && i < c->capacity; i++)
        zmm_free(c->entries[i].data);
    zmm_free(c->entries);
    c->entries = NULL;
    c->capacity = 0;
}

static zmm_cache_entry *lookup(const zmm_block_cache *c, uint32_t index)
{
    uint32_t i;

    for (i = 0; i < c->capacity; i++)
        if (c->entries[i].index == index)
            return &c->entries[i];
    return NULL;
}

zmm_cache_entry *zmm_cache_find(zmm_block_cache *c, uint32_t index)
{
    zmm_cache_entry *e = lookup(c, index);

    if (e != NULL)
        e->last_use = ++c->clock;
    return e;
}

int zmm_cache_holds(const zmm_block_cache *c, uint32_t index)
{
    return lookup(c, index) != NULL;
}

zmm_cache_entry *zmm_cache_victim(zmm_block_cache *c)
{
    zmm_cache_entry *lru = NULL;
    uint32_t i;

    for (i = 0; i < c->capacity; i++) {
        zmm_cache_entry *e = &c->entries[i];

        if (e->index == ZMM_CACHE_FREE) {
            if (e->data == NULL)
                e->data = zmm_malloc(c->block_size);
            if (e->data != NULL)
                return e;
        } else if (lru == NULL || e->last_use < lru->last_use) {
            lru = e;
        }
    }
    return lru; /* every free entry failed to allocate: reuse a full one */
}

void zmm_cache_assign(zmm_block_cache *c, zmm_cache_entry *e, uint32_t index)
{
    e->index = index;
    e->valid = 0;
    e->complete = 0;
    e->dirty = 0;
    e->last_use = ++c->clock;
}

void zmm_cache_release(zmm_cache_entry *e)
{
    e->index = ZMM_CACHE_FREE;
    e->valid = 0;
    e->complete = 0;
    e->dirty = 0;
}
