/* alloc.c -- allocation with a failure hook for tests. */
#include "alloc.h"

#include <stdlib.h>

static long allocations_left = -1;

static int allocation_allowed(void)
{
    if (allocations_left < 0)
        return 1;
    if (allocations_left == 0)
        return 0;
    allocations_left--;
    return 1;
}

void *zmm_malloc(size_t size)
{
    return allocation_allowed() ? malloc(size ? size : 1) : NULL;
}

void *zmm_calloc(size_t count, size_t size)
{
    return allocation_allowed() ? calloc(count ? count : 1, size ? size : 1)
                                : NULL;
}

void *zmm_realloc(void *ptr, size_t size)
{
    return allocation_allowed() ? realloc(ptr, size ? size : 1) : NULL;
}

void zmm_free(void *ptr)
{
    free(ptr);
}

void zmm_alloc_fail_after(long count)
{
    allocations_left = count;
}

int zmm_alloc_hook_armed(void)
{
    return allocations_left >= 0;
}
