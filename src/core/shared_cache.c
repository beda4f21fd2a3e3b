/* shared_cache.c -- decoded blocks shared by a zmm_share's streams. */
#include "shared_cache.h"

#include <stdatomic.h>
#include <string.h>

#include "alloc.h"
#include "thread.h"

typedef struct cached_block {
    zmm_file_id id;
    uint64_t offset;
    uint32_t stored_crc;
    uint32_t n;
    struct cached_block *hash_next;
    struct cached_block *older, *newer; /* the LRU list */
    unsigned char data[];
} cached_block;

#define BUCKETS 4096u /* a power of two */

struct zmm_shared_cache {
    atomic_uint refs;
    zmm_mutex *lock;
    zmm_heap *blocks; /* where blocks live; NULL: zmm_malloc (platform.h) */
    size_t budget;
    size_t bytes;
    cached_block *buckets[BUCKETS];
    cached_block *oldest, *newest;
};

zmm_shared_cache *zmm_shared_cache_new(size_t budget)
{
    zmm_shared_cache *c = zmm_calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->lock = zmm_mutex_new();
    if (c->lock == NULL) {
        zmm_free(c);
        return NULL;
    }
    if (zmm_allocator_is_libc())
        c->blocks = zmm_heap_new();
    atomic_init(&c->refs, 1);
    c->budget = budget;
    return c;
}

static cached_block *block_alloc(zmm_shared_cache *c, uint32_t n)
{
    size_t size = sizeof(cached_block) + n;

    return c->blocks != NULL ? zmm_heap_alloc(c->blocks, size)
                             : zmm_malloc(size);
}

static void block_free(zmm_shared_cache *c, cached_block *b)
{
    if (c->blocks != NULL)
        zmm_heap_free(c->blocks, b);
    else
        zmm_free(b);
}

void zmm_shared_cache_ref(zmm_shared_cache *c)
{
    atomic_fetch_add(&c->refs, 1);
}

static uint32_t bucket_of(const zmm_file_id *id, uint64_t offset)
{
    uint64_t h = (id->index * 0x9e3779b97f4a7c15u) ^ id->volume ^
                 (offset * 0xc2b2ae3d27d4eb4fu);

    return (uint32_t)(h >> 40) & (BUCKETS - 1);
}

static cached_block **find_link(zmm_shared_cache *c, const zmm_file_id *id,
                                const zmm_block_ref *ref)
{
    cached_block **link = &c->buckets[bucket_of(id, ref->offset)];

    for (; *link != NULL; link = &(*link)->hash_next) {
        const cached_block *b = *link;

        if (b->offset == ref->offset && b->stored_crc == ref->stored_crc &&
            b->id.index == id->index && b->id.volume == id->volume)
            break;
    }
    return link;
}

static void lru_unlink(zmm_shared_cache *c, cached_block *b)
{
    if (b->older != NULL)
        b->older->newer = b->newer;
    else
        c->oldest = b->newer;
    if (b->newer != NULL)
        b->newer->older = b->older;
    else
        c->newest = b->older;
}

static void lru_push(zmm_shared_cache *c, cached_block *b)
{
    b->older = c->newest;
    b->newer = NULL;
    if (c->newest != NULL)
        c->newest->newer = b;
    else
        c->oldest = b;
    c->newest = b;
}

static void evict_oldest(zmm_shared_cache *c)
{
    cached_block *b = c->oldest;
    zmm_block_ref ref;

    memset(&ref, 0, sizeof ref);
    ref.offset = b->offset;
    ref.stored_crc = b->stored_crc;
    *find_link(c, &b->id, &ref) = b->hash_next;
    lru_unlink(c, b);
    c->bytes -= b->n;
    block_free(c, b);
}

void zmm_shared_cache_unref(zmm_shared_cache *c)
{
    if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    while (c->oldest != NULL)
        evict_oldest(c);
    zmm_heap_destroy(c->blocks);
    zmm_mutex_free(c->lock);
    zmm_free(c);
}

size_t zmm_shared_cache_set_budget(zmm_shared_cache *c, size_t budget)
{
    size_t old;

    zmm_mutex_lock(c->lock);
    old = c->budget;
    c->budget = budget;
    while (c->bytes > c->budget)
        evict_oldest(c);
    zmm_mutex_unlock(c->lock);
    return old;
}

size_t zmm_shared_cache_bytes(zmm_shared_cache *c)
{
    size_t bytes;

    zmm_mutex_lock(c->lock);
    bytes = c->bytes;
    zmm_mutex_unlock(c->lock);
    return bytes;
}

int zmm_shared_cache_get(zmm_shared_cache *c, const zmm_file_id *id,
                         const zmm_block_ref *ref, uint32_t n,
                         unsigned char *out)
{
    cached_block *b;
    int hit = 0;

    zmm_mutex_lock(c->lock);
    b = *find_link(c, id, ref);
    if (b != NULL && b->n == n) {
        memcpy(out, b->data, n);
        lru_unlink(c, b);
        lru_push(c, b);
        hit = 1;
    }
    zmm_mutex_unlock(c->lock);
    return hit;
}

void zmm_shared_cache_put(zmm_shared_cache *c, const zmm_file_id *id,
                          const zmm_block_ref *ref, uint32_t n,
                          const unsigned char *data)
{
    cached_block *b, **link;
    int wanted;

    /* Nothing to copy for a block that cannot stay (the cache off, budget
     * 0) or is held already: the check costs a lookup under the lock, the
     * copy an allocation and 64 KiB of memcpy for every block a reader
     * decodes. Checked again below, after the copy, under the lock. */
    zmm_mutex_lock(c->lock);
    wanted = n <= c->budget && *find_link(c, id, ref) == NULL;
    zmm_mutex_unlock(c->lock);
    if (!wanted)
        return;
    b = block_alloc(c, n);
    if (b == NULL)
        return;
    b->id = *id;
    b->offset = ref->offset;
    b->stored_crc = ref->stored_crc;
    b->n = n;
    memcpy(b->data, data, n);
    zmm_mutex_lock(c->lock);
    if (*find_link(c, id, ref) != NULL || n > c->budget) {
        zmm_mutex_unlock(c->lock); /* another stream was first */
        block_free(c, b);
        return;
    }
    while (c->bytes + n > c->budget)
        evict_oldest(c);
    /* Found again: an eviction may have freed the block whose hash_next
     * the first search ended at. */
    link = find_link(c, id, ref);
    b->hash_next = NULL;
    *link = b;
    lru_push(c, b);
    c->bytes += n;
    zmm_mutex_unlock(c->lock);
}
