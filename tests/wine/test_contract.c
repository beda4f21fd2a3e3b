/*
 * test_contract.c -- every MMIOM message, flag and error of ZmmIOProc, through
 * mmio (as applications see it) and, where mmio would hide the exact answer
 * (MMIOM_WRITEFLUSH never comes from Wine's mmio, Windows' mmio filters bad
 * flags), by calling the procedure directly with an MMIOINFO.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h"
#include "zmm.h"

static unsigned char sample[100000];

/* mmioOpen that also returns wErrorRet. */
static HMMIO open_name(const char *name, DWORD flags, UINT *err)
{
    MMIOINFO info;
    HMMIO h;

    memset(&info, 0, sizeof info);
    h = tw_mmio_open(name, &info, flags);
    *err = info.wErrorRet;
    return h;
}

/* The error mmioOpen reports for `name` (0 if it opened; then closed). */
static UINT open_error(const char *name, DWORD flags)
{
    UINT err;
    HMMIO h = open_name(name, flags, &err);

    if (h) {
        mmioClose(h, 0);
        return 0;
    }
    return err ? err : MMIOERR_CANNOTOPEN;
}

static LONG disk_offset(HMMIO h)
{
    MMIOINFO info;

    mmioGetInfo(h, &info, 0);
    return info.lDiskOffset;
}

static void test_write_then_read(void)
{
    unsigned char buf[4096];
    unsigned char *back;
    size_t len;
    UINT err;
    HMMIO h;

    h = open_name("c.zmm+a.wav", MMIO_CREATE | MMIO_WRITE, &err);
    CHECK(h != NULL);
    CHECK_EQ(err, 0);
    if (!h)
        return;
    CHECK_EQ(mmioWrite(h, (HPSTR)sample, 60000), 60000);
    CHECK_EQ(disk_offset(h), 60000);
    CHECK_EQ(mmioWrite(h, (HPSTR)sample + 60000, 40000), 40000);
    CHECK_EQ(mmioClose(h, 0), 0);

    back = tw_read_member("c.zmm", "a.wav", &len);
    CHECK(back != NULL);
    CHECK_EQ(len, sizeof sample);
    CHECK(back && len == sizeof sample && !memcmp(back, sample, len));
    free(back);

    /* Reading: positions, SEEK origins, end of file. */
    h = open_name("c.zmm+a.wav", MMIO_READ, &err);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 100), 100);
    CHECK(!memcmp(buf, sample, 100));
    CHECK_EQ(disk_offset(h), 100);
    CHECK_EQ(mmioSeek(h, 0, SEEK_CUR), 100);
    CHECK_EQ(mmioSeek(h, 50, SEEK_CUR), 150);
    CHECK_EQ(mmioSeek(h, -20, SEEK_CUR), 130);
    CHECK_EQ(disk_offset(h), 130);
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 10), 10);
    CHECK(!memcmp(buf, sample + 130, 10));
    /* SEEK_END counts back from the end, as the DOS procedure does. */
    CHECK_EQ(mmioSeek(h, 16, SEEK_END), (LONG)sizeof sample - 16);
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 100), 16);
    CHECK(!memcmp(buf, sample + sizeof sample - 16, 16));
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 100), 0);
    CHECK_EQ(mmioSeek(h, 0, SEEK_END), (LONG)sizeof sample);
    CHECK_EQ(mmioSeek(h, -5, SEEK_END), (LONG)sizeof sample + 5);
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 100), 0); /* past the end */
    CHECK_EQ(mmioSeek(h, -1, SEEK_SET), -1);
    CHECK_EQ(mmioSeek(h, (LONG)sizeof sample + 1, SEEK_END), -1);
    CHECK_EQ(mmioSeek(h, 5, 7), -1); /* no such origin */
    CHECK_EQ(mmioSeek(h, 0, SEEK_CUR), (LONG)sizeof sample + 5);
    /* Read-only: a write fails, and close reports that it did. */
    CHECK_EQ(mmioSeek(h, 0, SEEK_SET), 0);
    CHECK_EQ(mmioWrite(h, (HPSTR)buf, 10), -1);
    CHECK_EQ(mmioClose(h, 0), MMIOERR_CANNOTWRITE);

    /* Write-only: reads fail, as on a plain file opened MMIO_WRITE. */
    h = open_name("c.zmm+a.wav", MMIO_WRITE, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioRead(h, (HPSTR)buf, 10), -1);
        CHECK_EQ(mmioClose(h, 0), 0);
    }

    /* Read-write: a seek past the end then a write leaves zeros. */
    h = open_name("c.zmm+a.wav", MMIO_READWRITE, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioSeek(h, 10, SEEK_END), (LONG)sizeof sample - 10);
        CHECK_EQ(mmioSeek(h, 5000, SEEK_CUR), (LONG)sizeof sample + 4990);
        CHECK_EQ(mmioWrite(h, "XY", 2), 2);
        CHECK_EQ(mmioSeek(h, 0, SEEK_END), (LONG)sizeof sample + 4992);
        CHECK_EQ(mmioSeek(h, 3, SEEK_SET), 3);
        CHECK_EQ(mmioWrite(h, "abc", 3), 3); /* overwrite an earlier byte */
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    back = tw_read_member("c.zmm", "a.wav", &len);
    CHECK_EQ(len, sizeof sample + 4992);
    if (back && len == sizeof sample + 4992) {
        size_t i, nonzero = 0;

        CHECK(!memcmp(back, sample, 3));
        CHECK(!memcmp(back + 3, "abc", 3));
        CHECK(!memcmp(back + 6, sample + 6, sizeof sample - 6));
        for (i = sizeof sample; i < sizeof sample + 4990; i++)
            nonzero += back[i] != 0;
        CHECK_EQ(nonzero, 0);
        CHECK(!memcmp(back + sizeof sample + 4990, "XY", 2));
    }
    free(back);

    /* MMIO_CREATE truncates an existing member, as it truncates a file. */
    h = open_name("c.zmm+a.wav", MMIO_CREATE | MMIO_READWRITE, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioSeek(h, 0, SEEK_END), 0);
        CHECK_EQ(mmioRead(h, (HPSTR)buf, 10), 0);
        CHECK_EQ(mmioWrite(h, (HPSTR)sample, 1000), 1000);
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    back = tw_read_member("c.zmm", "a.wav", &len);
    CHECK_EQ(len, 1000);
    free(back);
}

static void test_buffered(void)
{
    unsigned char buf[20000];
    MMIOINFO info;
    UINT err;
    HMMIO h;

    h = open_name("c.zmm+a.wav", MMIO_READ | MMIO_ALLOCBUF, &err);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 10), 10);
    CHECK(!memcmp(buf, sample, 10));
    /* SEEK_END inside the loaded buffer, then reading through its end:
     * the bytes must be the file's (Wine 8 keeps its buffer there and reads on from the procedure's
     * position, see ZmmIOProc's SEEK). */
    CHECK_EQ(mmioSeek(h, 100, SEEK_END), 900);
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 500), 100);
    CHECK(!memcmp(buf, sample + 900, 100));
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 500), 0);
    CHECK_EQ(mmioSeek(h, 20, SEEK_SET), 20);
    CHECK_EQ(mmioRead(h, (HPSTR)buf, 30), 30);
    CHECK(!memcmp(buf, sample + 20, 30));
    /* mmioGetInfo / mmioAdvance / mmioSetInfo, as games read music. */
    CHECK_EQ(mmioSeek(h, 0, SEEK_SET), 0);
    CHECK_EQ(mmioGetInfo(h, &info, 0), 0);
    {
        size_t got = 0;

        while (got < sizeof buf) {
            if (info.pchNext >= info.pchEndRead) {
                CHECK_EQ(mmioAdvance(h, &info, MMIO_READ), 0);
                if (info.pchNext >= info.pchEndRead)
                    break;
            }
            buf[got++] = (unsigned char)*info.pchNext++;
        }
        CHECK_EQ(got, 1000);
        CHECK(!memcmp(buf, sample, 1000));
    }
    CHECK_EQ(mmioSetInfo(h, &info, 0), 0);
    CHECK_EQ(mmioClose(h, 0), 0);
}

static void test_open_errors(void)
{
    char name[400];
    UINT err;
    HMMIO h;

    CHECK_EQ(open_error("missing.zmm+a.wav", MMIO_READ), MMIOERR_FILENOTFOUND);
    CHECK_EQ(open_error("missing.zmm+", MMIO_READ), MMIOERR_FILENOTFOUND);
    CHECK_EQ(open_error("nodir\\x.zmm+a", MMIO_READ), MMIOERR_FILENOTFOUND);
    CHECK_EQ(open_error("c.zmm+nosuch.wav", MMIO_READ), MMIOERR_FILENOTFOUND);
    CHECK_EQ(open_error("c.zmm+nosuch.wav", MMIO_READWRITE),
             MMIOERR_FILENOTFOUND);
    /* x.zmm+ where x.zmm is a directory, a text file, an empty file. */
    CreateDirectoryA("adir.zmm", NULL);
    CHECK_EQ(open_error("adir.zmm+", MMIO_READ), MMIOERR_ACCESSDENIED);
    CHECK_EQ(open_error("adir.zmm+", MMIO_CREATE | MMIO_WRITE),
             MMIOERR_ACCESSDENIED);
    tw_write_file("text.zmm", "hello, this is not an archive\r\n", 31);
    CHECK_EQ(open_error("text.zmm+", MMIO_READ), MMIOERR_INVALIDFILE);
    CHECK_EQ(open_error("text.zmm+a", MMIO_READWRITE), MMIOERR_INVALIDFILE);
    /* MMIO_CREATE never clobbers a file that is not an archive. */
    CHECK_EQ(open_error("text.zmm+a", MMIO_CREATE | MMIO_WRITE),
             MMIOERR_INVALIDFILE);
    {
        size_t len;
        unsigned char *t = tw_read_file("text.zmm", &len);

        CHECK_EQ(len, 31);
        free(t);
    }
    tw_write_file("empty.zmm", "", 0);
    CHECK_EQ(open_error("empty.zmm+", MMIO_READ), MMIOERR_INVALIDFILE);
    /* A 300-character member name: no member can have it. */
    memset(name, 'm', sizeof name);
    memcpy(name, "c.zmm+", 6);
    name[306] = '\0';
    CHECK_EQ(open_error(name, MMIO_READ), MMIOERR_FILENOTFOUND);
    CHECK_EQ(open_error(name, MMIO_CREATE | MMIO_WRITE), MMIOERR_CANNOTOPEN);
    /* A control character is not a valid member name either. */
    CHECK_EQ(open_error("c.zmm+a\tb", MMIO_READ), MMIOERR_FILENOTFOUND);

    /* Share modes and the one-writer lock. */
    h = open_name("c.zmm+a.wav", MMIO_READWRITE, &err);
    CHECK(h != NULL);
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READWRITE),
             MMIOERR_SHARINGVIOLATION);
    CHECK_EQ(open_error("c.zmm+other", MMIO_CREATE | MMIO_WRITE),
             MMIOERR_SHARINGVIOLATION);
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READ), 0); /* readers may */
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READ | MMIO_DENYWRITE),
             MMIOERR_SHARINGVIOLATION); /* a writer is there already */
    if (h)
        CHECK_EQ(mmioClose(h, 0), 0);
    h = open_name("c.zmm+a.wav", MMIO_READ | MMIO_DENYWRITE, &err);
    CHECK(h != NULL);
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READWRITE),
             MMIOERR_SHARINGVIOLATION);
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READ), 0);
    if (h)
        CHECK_EQ(mmioClose(h, 0), 0);
    h = open_name("c.zmm+a.wav", MMIO_READ | MMIO_EXCLUSIVE, &err);
    CHECK(h != NULL);
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READ), MMIOERR_SHARINGVIOLATION);
    if (h)
        CHECK_EQ(mmioClose(h, 0), 0);
    h = open_name("c.zmm+a.wav", MMIO_READ | MMIO_DENYREAD, &err);
    CHECK(h != NULL);
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READ), MMIOERR_SHARINGVIOLATION);
    if (h)
        CHECK_EQ(mmioClose(h, 0), 0);
    h = open_name("c.zmm+a.wav", MMIO_READ | MMIO_DENYNONE, &err);
    CHECK(h != NULL);
    CHECK_EQ(open_error("c.zmm+a.wav", MMIO_READWRITE), 0);
    if (h)
        CHECK_EQ(mmioClose(h, 0), 0);
}

/* Direct calls: the exact answers of the procedure, no mmio in between. */
static LRESULT proc(MMIOINFO *info, UINT msg, LPARAM a, LPARAM b)
{
    return ZmmIOProc((LPSTR)info, msg, a, b);
}

static void direct_open(MMIOINFO *info, DWORD flags)
{
    memset(info, 0, sizeof *info);
    info->dwFlags = flags;
}

static void test_direct(void)
{
    MMIOINFO info, other;
    unsigned char buf[64];
    unsigned char *back;
    size_t len;
    DWORD id;

    /* Flags the procedure does not take. */
    direct_open(&info, MMIO_READ | MMIO_GETTEMP);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "c.zmm+a.wav", 0),
             MMSYSERR_NOTSUPPORTED);
    direct_open(&info, MMIO_READ | 0x8);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "c.zmm+a.wav", 0),
             MMSYSERR_INVALFLAG);
    direct_open(&info, 3);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "c.zmm+a.wav", 0),
             MMSYSERR_INVALFLAG);
    direct_open(&info, MMIO_READ | 0x70);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "c.zmm+a.wav", 0),
             MMSYSERR_INVALFLAG);
    direct_open(&info, MMIO_READ);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "", 0), MMIOERR_FILENOTFOUND);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "+a", 0), MMIOERR_FILENOTFOUND);
    CHECK_EQ(proc(&info, MMIOM_OPEN, 0, 0), MMIOERR_FILENOTFOUND);
    /* mmio's own flags in the high word (MMIO_ALLOCBUF, MMIO_DIRTY) are
     * not the procedure's business. */
    direct_open(&info, MMIO_READ | MMIO_ALLOCBUF | MMIO_DIRTY);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "c.zmm+a.wav", 0), 0);
    CHECK(info.adwInfo[0] != 0);
    CHECK_EQ(info.lDiskOffset, 0);
    CHECK_EQ(proc(&info, MMIOM_CLOSE, 0, 0), 0);

    /* WRITEFLUSH: taken as a WRITE, committed by CLOSE (checkpoints come
     * by the writer's policy, not per message: test_record). */
    direct_open(&info, MMIO_CREATE | MMIO_READWRITE);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "w.zmm+f", 0), 0);
    id = info.adwInfo[0];
    /* Not a file handle: far above any handle value, with a tag. */
    CHECK((id & 0xFF000000u) == 0x5A000000u);
    CHECK_EQ(GetFileSize((HANDLE)(ULONG_PTR)id, NULL), INVALID_FILE_SIZE);
    CHECK_EQ(proc(&info, MMIOM_WRITE, (LPARAM) "hello", 5), 5);
    CHECK_EQ(info.lDiskOffset, 5);
    back = tw_read_member("w.zmm", "f", &len);
    CHECK_EQ(len, 0); /* a reader sees the committed state: empty */
    free(back);
    CHECK_EQ(proc(&info, MMIOM_WRITEFLUSH, (LPARAM) ", world", 7), 7);
    CHECK_EQ(info.lDiskOffset, 12);
    back = tw_read_member("w.zmm", "f", &len);
    CHECK_EQ(len, 0); /* 12 bytes make no checkpoint */
    free(back);
    CHECK_EQ(proc(&info, MMIOM_WRITE, 0, -1), -1);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 0, SEEK_SET), 0);
    CHECK_EQ(info.lDiskOffset, 0);
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, 64), 12);
    CHECK_EQ(info.lDiskOffset, 12);
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, 64), 0);
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, -1), -1);
    /* Buffered handle: SEEK_END answers without moving (see ioproc.c). */
    info.cchBuffer = 8192;
    CHECK_EQ(proc(&info, MMIOM_SEEK, 2, SEEK_END), 10);
    CHECK_EQ(info.lDiskOffset, 12);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 0, SEEK_CUR), 12);
    info.cchBuffer = 0;
    CHECK_EQ(proc(&info, MMIOM_SEEK, 2, SEEK_END), 10);
    CHECK_EQ(info.lDiskOffset, 10);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 0x7FFFFFFF, SEEK_SET), 0x7FFFFFFF);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 1, SEEK_CUR), -1); /* beyond LONG */
    CHECK_EQ(proc(&info, MMIOM_WRITE, (LPARAM) "x", 1), -1);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 12, SEEK_SET), 12);
    /* Unknown and user messages: 0. */
    CHECK_EQ(proc(&info, 77, 1, 2), 0);
    CHECK_EQ(proc(&info, MMIOM_USER + 1, 1, 2), 0);
    /* A second handle cannot take the writer's lock. */
    direct_open(&other, MMIO_READWRITE);
    CHECK_EQ(proc(&other, MMIOM_OPEN, (LPARAM) "w.zmm+f", 0),
             MMIOERR_SHARINGVIOLATION);
    CHECK_EQ(other.adwInfo[0], 0);
    /* The failed WRITE (beyond LONG) is reported by CLOSE. */
    CHECK_EQ(proc(&info, MMIOM_CLOSE, 0, 0), MMIOERR_CANNOTWRITE);
    CHECK_EQ(info.adwInfo[0], 0);
    /* Stale, forged and zero ids. */
    info.adwInfo[0] = id;
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, 10), -1);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 0, SEEK_SET), -1);
    CHECK_EQ(proc(&info, MMIOM_WRITE, (LPARAM)buf, 1), -1);
    CHECK_EQ(proc(&info, MMIOM_CLOSE, 0, 0), MMIOERR_CANNOTCLOSE);
    info.adwInfo[0] = 0x12345678;
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, 10), -1);
    info.adwInfo[0] = 0;
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, 10), -1);
    CHECK_EQ(proc(&info, MMIOM_CLOSE, 0, 0), 0); /* nothing open: fine */
    /* Reopened: a new id, the old one still refused. */
    direct_open(&info, MMIO_READ);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "w.zmm+f", 0), 0);
    CHECK(info.adwInfo[0] != id);
    other = info;
    other.adwInfo[0] = id;
    CHECK_EQ(proc(&other, MMIOM_READ, (LPARAM)buf, 10), -1);
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, 64), 12);
    CHECK_EQ(proc(&info, MMIOM_CLOSE, 0, 0), 0);

    /* A zero-length WRITE ends the member at the position, cutting or
     * extending it, as _hwrite(h, p, 0) does a file under the DOS procedure. */
    direct_open(&info, MMIO_CREATE | MMIO_READWRITE);
    CHECK_EQ(proc(&info, MMIOM_OPEN, (LPARAM) "w.zmm+t", 0), 0);
    CHECK_EQ(proc(&info, MMIOM_WRITE, (LPARAM) "0123456789", 10), 10);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 4, SEEK_SET), 4);
    CHECK_EQ(proc(&info, MMIOM_WRITE, (LPARAM) "", 0), 0);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 0, SEEK_END), 4);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 7, SEEK_SET), 7);
    CHECK_EQ(proc(&info, MMIOM_WRITE, (LPARAM) "", 0), 0);
    CHECK_EQ(info.lDiskOffset, 7);
    CHECK_EQ(proc(&info, MMIOM_SEEK, 0, SEEK_SET), 0);
    memset(buf, 0x55, sizeof buf);
    CHECK_EQ(proc(&info, MMIOM_READ, (LPARAM)buf, 64), 7);
    CHECK(!memcmp(buf, "0123\0\0\0", 7));
    CHECK_EQ(proc(&info, MMIOM_CLOSE, 0, 0), 0);
}

static void test_pioproc_without_install(void)
{
    MMIOINFO info;
    char buf[16];
    HMMIO h;

    /* MMIOINFO.pIOProc names the procedure: the name needs no '+' and no
     * .zmm extension; it is the archive, and its default member opens. */
    CHECK_EQ(tw_write_member("plain.bin", "m", "0123456789", 10), 0);
    memset(&info, 0, sizeof info);
    info.fccIOProc = FOURCC_ZMM;
    info.pIOProc = ZmmIOProc;
    h = tw_mmio_open("plain.bin", &info, MMIO_READ);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioRead(h, buf, 16), 10);
        CHECK(!memcmp(buf, "0123456789", 10));
        CHECK_EQ(mmioClose(h, 0), 0);
    }
}

static void test_default_member(void)
{
    zmm_archive *ar = NULL;
    zmm_member_info mi;
    char buf[16];
    UINT err;
    HMMIO h;

    /* "x.zmm+" created: a default member named after the archive. */
    h = open_name("song.zmm+", MMIO_CREATE | MMIO_WRITE, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioWrite(h, "tune", 4), 4);
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    CHECK_EQ(zmm_archive_open("song.zmm", ZMM_OPEN_READ, &ar, NULL), ZMM_OK);
    if (ar) {
        CHECK_EQ(zmm_archive_member_count(ar), 1);
        mi.struct_size = sizeof mi;
        CHECK_EQ(zmm_archive_member_info(ar, 0, &mi), ZMM_OK);
        CHECK(mi.name && !strcmp(mi.name, "song"));
        CHECK(mi.flags & ZMM_MEMBER_DEFAULT);
        zmm_archive_close(ar);
    }
    h = open_name("song.zmm+", MMIO_READ, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioRead(h, buf, 16), 4);
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    /* The default member is the first one created in an archive. */
    h = open_name("two.zmm+first.wav", MMIO_CREATE | MMIO_WRITE, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioWrite(h, "first", 5), 5);
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    h = open_name("two.zmm+", MMIO_READ, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(mmioRead(h, buf, 16), 5);
        CHECK(!memcmp(buf, "first", 5));
        CHECK_EQ(mmioClose(h, 0), 0);
    }
    /* An archive without any member: the default one does not exist. */
    CHECK_EQ(zmm_archive_open("none.zmm", ZMM_OPEN_WRITE | ZMM_OPEN_CREATE,
                              &ar, NULL), ZMM_OK);
    zmm_archive_close(ar);
    CHECK_EQ(open_error("none.zmm+", MMIO_READ), MMIOERR_FILENOTFOUND);
}

static void test_rename(void)
{
    MMIOINFO info;
    unsigned char *back;
    size_t len;

    CHECK_EQ(tw_write_member("r.zmm", "a.wav", "AAAA", 4), 0);
    CHECK_EQ(tw_write_member("r.zmm", "b.wav", "BBBB", 4), 0);
    /* mmioRename reaches the procedure when the MMIOINFO names it. (With a
     * zeroed MMIOINFO Windows picks it from the name; Wine 8 looks up
     * fccIOProc 0 instead and fails with MMSYSERR_INVALPARAM.) */
    memset(&info, 0, sizeof info);
    info.fccIOProc = FOURCC_ZMM;
    CHECK_EQ(mmioRenameA("r.zmm+a.wav", "r.zmm+c.wav", &info, 0), 0);
    back = tw_read_member("r.zmm", "c.wav", &len);
    CHECK(back && len == 4 && !memcmp(back, "AAAA", 4));
    free(back);
    back = tw_read_member("r.zmm", "a.wav", &len);
    CHECK(back == NULL);
    free(back);
    /* The procedure itself named. */
    info.fccIOProc = 0;
    info.pIOProc = ZmmIOProc;
    CHECK_EQ(mmioRenameA("r.zmm+c.wav", "r.zmm+d.wav", &info, 0), 0);
    info.pIOProc = NULL;
    info.fccIOProc = FOURCC_ZMM;
    CHECK_EQ(mmioRenameA("r.zmm+d.wav", "r.zmm+b.wav", &info, 0),
             MMIOERR_CANNOTWRITE); /* taken */
    CHECK_EQ(mmioRenameA("r.zmm+zz.wav", "r.zmm+y.wav", &info, 0),
             MMIOERR_FILENOTFOUND);
    CHECK_EQ(mmioRenameA("nosuch.zmm+a", "nosuch.zmm+b", &info, 0),
             MMIOERR_FILENOTFOUND);
    CHECK_EQ(mmioRenameA("r.zmm+d.wav", "other.zmm+d.wav", &info, 0),
             MMSYSERR_INVALPARAM);
    CHECK_EQ(mmioRenameA("r.zmm+d.wav", "r.zmm+", &info, 0),
             MMSYSERR_INVALPARAM);
    CHECK_EQ(mmioRenameA("text.zmm+", "text2.zmm+", &info, 0),
             MMIOERR_INVALIDFILE);
    /* The same archive, named by another path. */
    CHECK_EQ(mmioRenameA("r.zmm+d.wav", ".\\R.ZMM+e.wav", &info, 0), 0);
    back = tw_read_member("r.zmm", "e.wav", &len);
    CHECK(back && len == 4);
    free(back);
    /* The archive itself. */
    CHECK_EQ(mmioRenameA("r.zmm+", "s.zmm+", &info, 0), 0);
    CHECK_EQ(GetFileAttributesA("r.zmm"), INVALID_FILE_ATTRIBUTES);
    back = tw_read_member("s.zmm", "b.wav", &len);
    CHECK(back && len == 4 && !memcmp(back, "BBBB", 4));
    free(back);
    /* Renaming while a writer holds the archive. */
    {
        UINT err;
        HMMIO h = open_name("s.zmm+b.wav", MMIO_READWRITE, &err);

        CHECK(h != NULL);
        CHECK_EQ(mmioRenameA("s.zmm+b.wav", "s.zmm+q.wav", &info, 0),
                 MMIOERR_SHARINGVIOLATION);
        if (h)
            mmioClose(h, 0);
    }
}

static void test_unicode_name(void)
{
    const wchar_t *wname = L"caf\x00e9.zmm+m\x00fcsic.wav";
    char check[64];
    BOOL lossy = FALSE;
    unsigned char *back;
    size_t len;
    HMMIO h;

    /* Wine and Windows hand mmioOpenW names over in the ANSI code page;
     * test only characters that code page has. */
    if (!WideCharToMultiByte(CP_ACP, WC_NO_BEST_FIT_CHARS, wname, -1, check,
                             sizeof check, NULL, &lossy) || lossy) {
        printf("skip: the ANSI code page (%u) lacks e-acute/u-umlaut\n",
               GetACP());
        return;
    }
    wchar_t wcopy[64];

    wcscpy(wcopy, wname);
    h = mmioOpenW(wcopy, NULL, MMIO_CREATE | MMIO_WRITE);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_EQ(mmioWrite(h, "la", 2), 2);
    CHECK_EQ(mmioClose(h, 0), 0);
    /* The file has the wide name; the member the UTF-8 one. */
    CHECK(GetFileAttributesW(L"caf\x00e9.zmm") != INVALID_FILE_ATTRIBUTES);
    {
        char utf8_archive[64];

        WideCharToMultiByte(CP_UTF8, 0, L"caf\x00e9.zmm", -1, utf8_archive,
                            sizeof utf8_archive, NULL, NULL);
        back = tw_read_member(utf8_archive, "m\xc3\xbcsic.wav", &len);
        CHECK(back && len == 2);
        free(back);
    }
}

static void test_delete(void)
{
    MMIOINFO info;
    unsigned char *back;
    size_t len;
    HMMIO h;

    CHECK_EQ(tw_write_member("d.zmm", "a", "a", 1), 0);
    CHECK_EQ(tw_write_member("d.zmm", "b", "b", 1), 0);
    /* MMIO_DELETE: TRUE on Windows, a handle whose CLOSE does nothing on
     * Wine 8 (which then counts it as open: this test removes nothing). */
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("d.zmm+a", &info, MMIO_DELETE);
    CHECK(h != NULL);
    CHECK_EQ(info.wErrorRet, 0);
    back = tw_read_member("d.zmm", "a", &len);
    CHECK(back == NULL);
    back = tw_read_member("d.zmm", "b", &len);
    CHECK(back && len == 1);
    free(back);
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("d.zmm+a", &info, MMIO_DELETE);
    CHECK(h == NULL);
    CHECK_EQ(info.wErrorRet, MMIOERR_FILENOTFOUND);
    /* Not an archive: refused, the file stays. */
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("text.zmm+", &info, MMIO_DELETE);
    CHECK(h == NULL);
    CHECK_EQ(info.wErrorRet, MMIOERR_INVALIDFILE);
    CHECK(GetFileAttributesA("text.zmm") != INVALID_FILE_ATTRIBUTES);
    /* "d.zmm+" names the default member, as opening it does: none yet. */
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("d.zmm+", &info, MMIO_DELETE);
    CHECK(h == NULL);
    CHECK_EQ(info.wErrorRet, MMIOERR_FILENOTFOUND);
    CHECK(GetFileAttributesA("d.zmm") != INVALID_FILE_ATTRIBUTES);
    /* With one, only it goes; the archive and member "b" stay. */
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("d.zmm+", &info, MMIO_CREATE | MMIO_WRITE);
    CHECK(h != NULL);
    CHECK_EQ(mmioWrite(h, "dd", 2), 2);
    CHECK_EQ(mmioClose(h, 0), 0);
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("d.zmm+", &info, MMIO_DELETE);
    CHECK(h != NULL);
    back = tw_read_member("d.zmm", NULL, &len);
    CHECK(back == NULL);
    back = tw_read_member("d.zmm", "b", &len);
    CHECK(back && len == 1);
    free(back);
    /* A name without '+' given to the procedure: the archive file. */
    memset(&info, 0, sizeof info);
    info.fccIOProc = FOURCC_ZMM;
    h = tw_mmio_open("d.zmm", &info, MMIO_DELETE);
    CHECK(h != NULL);
    CHECK_EQ(GetFileAttributesA("d.zmm"), INVALID_FILE_ATTRIBUTES);
}

int main(void)
{
    size_t i;

    for (i = 0; i < sizeof sample; i++)
        sample[i] = (unsigned char)(i * 7 + (i >> 9));
    tw_enter_workdir("contract");
    test_pioproc_without_install();
    tw_install();
    test_write_then_read();
    test_buffered();
    test_open_errors();
    test_direct();
    test_default_member();
    test_rename();
    test_unicode_name();
    test_delete();
    return tw_finish("test_contract");
}
