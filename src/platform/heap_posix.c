/*
 * heap_posix.c -- platform.h's heaps of their own: none. glibc's malloc
 * keeps big blocks in sorted bins (and gives them back to the system on its
 * own), so long-lived blocks do not slow the short-lived allocations down:
 * callers use zmm_malloc.
 */
#include "platform.h"

zmm_heap *zmm_heap_new(void)
{
    return NULL;
}

void *zmm_heap_alloc(zmm_heap *h, size_t size)
{
    (void)h;
    (void)size;
    return NULL; /* there is no heap to allocate from */
}

void zmm_heap_free(zmm_heap *h, void *p)
{
    (void)h;
    (void)p;
}

void zmm_heap_destroy(zmm_heap *h)
{
    (void)h;
}
