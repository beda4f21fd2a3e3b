/*
 * clock_win32.c -- the monotonic clock of platform.h: GetTickCount64 (a
 * few milliseconds' resolution, plenty for checkpoints seconds apart).
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600 /* GetTickCount64 */
#endif
#include <windows.h>

#include "platform.h"

uint64_t zmm_platform_clock_ms(void)
{
    return (uint64_t)GetTickCount64();
}
