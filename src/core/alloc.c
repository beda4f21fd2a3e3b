/* alloc.c -- allocation through the C library or an allocator passed in. */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *libc_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size);
}

static void *libc_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    return realloc(ptr, size);
}

static void libc_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static zmm_allocator allocator = { libc_alloc, libc_realloc, libc_free, NULL };

void *zmm_malloc(size_t size)
{
    return allocator.alloc(allocator.opaque, size ? size : 1);
}

void *zmm_calloc(size_t count, size_t size)
{
    void *p;

    if (count == 0 || size == 0)
        count = size = 1;
    if (count > SIZE_MAX / size)
        return NULL;
    p = allocator.alloc(allocator.opaque, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *zmm_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return zmm_malloc(size);
    return allocator.realloc(allocator.opaque, ptr, size ? size : 1);
}

void zmm_free(void *ptr)
{
    if (ptr)
        allocator.free(allocator.opaque, ptr);
}

int zmm_allocator_is_libc(void)
{
    return allocator.alloc == libc_alloc;
}

void zmm_set_allocator(const zmm_allocator *a)
{
    static const zmm_allocator libc = { libc_alloc, libc_realloc, libc_free,
                                        NULL };

    allocator = a ? *a : libc;
}
