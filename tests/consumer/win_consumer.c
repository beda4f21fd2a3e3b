/*
 * win_consumer.c -- a Windows application of someone else's, compiled
 * against the installed include/zmmio.h and linked with the installed
 * lib/zmmio.lib (the import library Visual C++ links), for x64 and x86:
 * installs the I/O procedure, writes a member through mmio, reads it back.
 *
 *     win_consumer ARCHIVE.zmm
 *
 * Prints "win_consumer: OK" and exits 0, or names what failed and exits 1.
 * Defines neither WIN32_LEAN_AND_MEAN nor anything else before zmmio.h: the
 * header must work in an application's code as it is.
 */
#include <stdio.h>
#include <string.h>

#include <zmmio.h>

static int fail(const char *what)
{
    fprintf(stderr, "win_consumer: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    static char text[] = "a member written through mmio by a program of someone else's";
    char name[MAX_PATH], back[sizeof text];
    HMMIO h;
    LONG got;

    if (argc != 2 || strlen(argv[1]) + 16 > sizeof name)
        return fail("usage: win_consumer ARCHIVE.zmm");
    if (ZmmGetVersion() != ZMMIO_VERSION)
        return fail("ZmmGetVersion() is not the header's ZMMIO_VERSION");
    if (!ZmmInstallIOProc())
        return fail("ZmmInstallIOProc failed");
    DeleteFileA(argv[1]);
    snprintf(name, sizeof name, "%s+hello.txt", argv[1]);

    h = mmioOpenA(name, NULL, MMIO_CREATE | MMIO_WRITE);
    if (h == NULL)
        return fail("mmioOpen for writing failed");
    if (mmioWrite(h, text, (LONG)sizeof text) != (LONG)sizeof text)
        return fail("mmioWrite failed");
    if (mmioClose(h, 0) != 0)
        return fail("mmioClose (the commit) failed");

    h = mmioOpenA(name, NULL, MMIO_READ);
    if (h == NULL)
        return fail("mmioOpen for reading failed");
    got = mmioRead(h, back, (LONG)sizeof back);
    mmioClose(h, 0);
    if (got != (LONG)sizeof text || memcmp(back, text, sizeof text) != 0)
        return fail("the member read back differs");
    if (!ZmmRemoveIOProc())
        return fail("ZmmRemoveIOProc failed");
    printf("win_consumer: zmmio.dll %lu.%lu.%lu (%u-bit): wrote and read back %ld bytes: OK\n",
           (unsigned long)(ZmmGetVersion() >> 16),
           (unsigned long)((ZmmGetVersion() >> 8) & 0xff),
           (unsigned long)(ZmmGetVersion() & 0xff),
           (unsigned)(sizeof(void *) * 8), (long)got);
    return 0;
}
