/*
 * alloc.h -- the core's allocator, with a failure hook for tests (as zlib's
 * infcover.c limits its allocator): every allocation goes through here.
 */
#ifndef ZMM_ALLOC_H
#define ZMM_ALLOC_H

#include <stddef.h>

void *zmm_malloc(size_t size);
void *zmm_calloc(size_t count, size_t size);
void *zmm_realloc(void *ptr, size_t size);
void zmm_free(void *ptr);

/* Test hook: after `count` more successful allocations, every allocation
 * fails; a negative count never fails (the default). Not thread-safe. */
void zmm_alloc_fail_after(long count);

/* Nonzero while the hook counts allocations down. Read-ahead starts no
 * worker then: the worker's allocations would race with the count and make
 * the test's failure point depend on timing. */
int zmm_alloc_hook_armed(void);

#endif
