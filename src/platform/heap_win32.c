/*
 * heap_win32.c -- platform.h's heaps of their own: a private Win32 heap
 * (HeapCreate), serialized, so any thread may allocate and free in it.
 */
#include <windows.h>

#include "platform.h"

zmm_heap *zmm_heap_new(void)
{
    return (zmm_heap *)HeapCreate(0, 0, 0);
}

void *zmm_heap_alloc(zmm_heap *h, size_t size)
{
    return HeapAlloc((HANDLE)h, 0, size ? size : 1);
}

void zmm_heap_free(zmm_heap *h, void *p)
{
    if (p != NULL)
        HeapFree((HANDLE)h, 0, p);
}

void zmm_heap_destroy(zmm_heap *h)
{
    if (h != NULL)
        HeapDestroy((HANDLE)h);
}
