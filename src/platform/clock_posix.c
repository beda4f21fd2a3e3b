/*
 * clock_posix.c -- the monotonic clock of platform.h, from clock_gettime.
 */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "platform.h"

uint64_t zmm_platform_clock_ms(void)
{
    struct timespec ts;

    /* CLOCK_MONOTONIC cannot fail with a valid pointer; 0 keeps callers
     * going (a checkpoint then waits for its byte limit). */
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
