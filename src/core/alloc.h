/*
 * alloc.h -- the core's allocator: every allocation goes through here, to
 * the C library's functions or to an allocator passed in by a caller (a
 * test makes allocations fail through its own, as zlib's infcover.c does
 * through zalloc/opaque and libdeflate's tests through
 * libdeflate_set_memory_allocator). The core behaves the same either way.
 */
#ifndef ZMM_ALLOC_H
#define ZMM_ALLOC_H

#include <stddef.h>

void *zmm_malloc(size_t size);
void *zmm_calloc(size_t count, size_t size);
void *zmm_realloc(void *ptr, size_t size);
void zmm_free(void *ptr);

/* An allocator: `alloc` and `realloc` return NULL when out of memory (size
 * is never 0); `free` takes what they returned (never NULL). Called from
 * any thread at once (read-ahead workers allocate too): they must be
 * thread-safe. */
typedef struct zmm_allocator {
    void *(*alloc)(void *opaque, size_t size);
    void *(*realloc)(void *opaque, void *ptr, size_t size);
    void (*free)(void *opaque, void *ptr);
    void *opaque;
} zmm_allocator;

/* Makes `a` (copied; NULL: the C library's) the allocator of every later
 * allocation. Call it only while nothing of the core is open or running
 * (memory goes back to the allocator that gave it). */
void zmm_set_allocator(const zmm_allocator *a);

/* Nonzero while allocations go to the C library (no allocator passed in):
 * only then may a part of the core take memory from elsewhere (the shared
 * cache from a heap of its own, platform.h), so that an allocator passed in
 * still sees every allocation. */
int zmm_allocator_is_libc(void);

#endif
