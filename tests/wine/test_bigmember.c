/*
 * test_bigmember.c -- a member of 2 GiB - 1 bytes, the most mmio's LONG
 * offsets address, read and sought near its end through mmio (in a 32-bit
 * process in the windows-x86 build, where LONG and pointers are 32 bits).
 *
 * The member is written through the core library as a seek to near the end
 * and 256 KiB of data there: every block before is a zero block, stored as
 * nothing (docs/FORMAT.md), so the archive is about 1 MB (its block table:
 * 32,768 entries) and the test takes seconds, not 2 GiB of disk.
 *
 * Checks, unbuffered and buffered (MMIO_ALLOCBUF): SEEK_END to the size
 * (2147483647) and back from it (SEEK_END counts back), SEEK_SET and
 * SEEK_CUR to offsets near 2^31 - 1, reads of the data near the end
 * against what was written, a read crossing the end (short), reads at the
 * end (0), zeros in the sparse part (at 1 GiB, just before the data),
 * lDiskOffset after each.
 *
 * Mutation checked (tests/README.md): SEEK_END computed as size - offset -
 * 1 in a scratch copy of src/ioproc/ioproc.c fails the SEEK_END checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h"
#include "zmm.h"

#define SIZE 2147483647L /* LONG_MAX: mmio's largest offset */
#define TAIL (256L * 1024)
#define DATA_AT (SIZE - TAIL)

static unsigned char *tail;

static int make_archive(void)
{
    zmm_archive *ar = NULL;
    zmm_stream *st = NULL;
    int rc = 1;

    if (zmm_archive_open("big.zmm", ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                         NULL) != ZMM_OK)
        return 1;
    if (zmm_stream_open(ar, "big.bin", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                        NULL, &st) == ZMM_OK) {
        rc = zmm_stream_seek(st, DATA_AT, ZMM_SEEK_SET, NULL) != ZMM_OK
             || zmm_stream_write(st, tail, TAIL) != ZMM_OK;
        if (zmm_stream_close(st) != ZMM_OK)
            rc = 1;
    }
    if (zmm_archive_close(ar) != ZMM_OK)
        rc = 1;
    return rc;
}

static LONG disk_offset(HMMIO h)
{
    MMIOINFO info;

    memset(&info, 0, sizeof info);
    mmioGetInfo(h, &info, 0);
    return info.lDiskOffset;
}

/* Reads n bytes at pos and compares them with the member's. */
static void read_at(HMMIO h, LONG pos, LONG n, const char *what)
{
    static unsigned char buf[65536], zeros[65536];
    LONG want = pos >= SIZE ? 0 : (n > SIZE - pos ? SIZE - pos : n);
    LONG r;

    CHECK_EQ(mmioSeek(h, pos, SEEK_SET), pos);
    r = mmioRead(h, (HPSTR)buf, n);
    CHECK_EQ(r, want);
    if (r == want && want > 0) {
        LONG i, bad = -1;

        for (i = 0; i < want && bad < 0; i++) {
            long long at = (long long)pos + i;
            unsigned char expect = at >= DATA_AT ? tail[at - DATA_AT] : 0;

            if (buf[i] != expect)
                bad = i;
        }
        if (bad >= 0)
            tw_fail(__FILE__, __LINE__, "%s: wrong byte at %ld", what,
                    (long)(pos + bad));
        tw_checks++;
    }
    (void)zeros;
    CHECK_EQ(mmioSeek(h, 0, SEEK_CUR), pos + want);
}

static void check_handle(DWORD flags, const char *what)
{
    HMMIO h = tw_mmio_open("big.zmm+big.bin", NULL, MMIO_READ | flags);

    printf("%s\n", what);
    CHECK(h != NULL);
    if (!h)
        return;
    /* the size, and back from the end */
    CHECK_EQ(mmioSeek(h, 0, SEEK_END), SIZE);
    CHECK_EQ(mmioSeek(h, 1, SEEK_END), SIZE - 1);
    CHECK_EQ(mmioSeek(h, TAIL, SEEK_END), DATA_AT);
    CHECK_EQ(mmioSeek(h, 0, SEEK_CUR), DATA_AT);
    /* data near the end, in pieces and across the end */
    read_at(h, DATA_AT, 65536, "first data block");
    read_at(h, SIZE - 65536, 65536, "last 64 KiB");
    read_at(h, SIZE - 1000, 4000, "across the end");
    read_at(h, SIZE - 1, 1, "last byte");
    read_at(h, SIZE, 100, "at the end");
    read_at(h, DATA_AT - 3000, 6000, "zeros then data");
    read_at(h, 1L << 30, 5000, "zeros at 1 GiB");
    read_at(h, 0, 100, "zeros at 0");
    /* SEEK_CUR forward to the last byte, from 1 GiB */
    CHECK_EQ(mmioSeek(h, 1L << 30, SEEK_SET), 1L << 30);
    CHECK_EQ(mmioSeek(h, SIZE - 1 - (1L << 30), SEEK_CUR), SIZE - 1);
    if (!(flags & MMIO_ALLOCBUF)) /* mmio keeps its own position in a buffer */
        CHECK_EQ(disk_offset(h), SIZE - 1);
    CHECK_EQ(mmioClose(h, 0), 0);
}

int main(void)
{
    uint64_t rng = 31;
    WIN32_FILE_ATTRIBUTE_DATA fa;

    tw_enter_workdir("test_bigmember");
    tail = malloc(TAIL);
    CHECK(tail != NULL);
    if (!tail)
        return tw_finish("test_bigmember");
    tw_fill_random(&rng, tail, TAIL);
    CHECK_EQ(make_archive(), 0);
    CHECK(GetFileAttributesExA("big.zmm", GetFileExInfoStandard, &fa));
    printf("big.zmm: %lu bytes for a member of %ld bytes\n",
           (unsigned long)fa.nFileSizeLow, SIZE);
    CHECK(fa.nFileSizeHigh == 0 && fa.nFileSizeLow < 4u * 1024 * 1024);
    tw_install();
    check_handle(0, "unbuffered");
    check_handle(MMIO_ALLOCBUF, "buffered (MMIO_ALLOCBUF)");
    CHECK(ZmmRemoveIOProc());
    free(tail);
    return tw_finish("test_bigmember");
}
