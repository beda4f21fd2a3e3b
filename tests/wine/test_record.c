/*
 * test_record.c -- recording through zmmio.dll: Windows' MMIOM_WRITEFLUSH,
 * checkpoints, and an application killed mid-recording.
 *
 * 1. WRITEFLUSH as Windows' mmioWrite sends it for each buffer of a buffered
 *    handle: Wine's mmio sends WRITE instead, and its mmioSendMessage
 *    refuses messages below MMIOM_USER, so the test takes the procedure from
 *    mmioInstallIOProc(FOURCC_ZMM, NULL, MMIO_FINDPROC) and passes the
 *    handle's MMIOINFO from mmioGetInfo, as Windows' mmio passes its own.
 *    The data must be taken as a write: every byte back, checkpoints by
 *    the writer's policy visible before the close (a reader sees a prefix),
 *    far fewer commits than messages, and an archive no more than 5% larger
 *    than the same data sent as WRITE.
 * 2. A child process (this program with --child) records into a member
 *    through plain mmioWrite; the parent opens the member through mmio until
 *    it has seen it grow past two checkpoints (readers see a recording grow),
 *    then kills the child with TerminateProcess. The member must then open
 *    and hold, byte for byte, what the child wrote, up to its length, which
 *    is at least what the parent saw before the kill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h"
#include "zmm.h"

#define MIB (1024u * 1024u)
#define FLUSH_BUF 8192u     /* mmio's default buffer: one WRITEFLUSH each */
#define FLUSH_TOTAL (16u * MIB)
#define CHILD_WRITE 65536u  /* the recorder's write */
#define CHILD_LIMIT (1024u * MIB) /* a child never killed stops here */

/* The recorded bytes: each 4-byte word holds its own index (compressible,
 * and any misplaced or stale block shows). */
static void pattern(unsigned char *buf, uint64_t offset, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        uint64_t at = offset + i;
        uint32_t word = (uint32_t)(at / 4);

        buf[i] = (unsigned char)(word >> (8 * (at % 4)));
    }
}

static int is_pattern(const unsigned char *buf, uint64_t offset, size_t len)
{
    unsigned char tmp[4096];
    size_t done = 0;

    while (done < len) {
        size_t n = len - done < sizeof tmp ? len - done : sizeof tmp;

        pattern(tmp, offset + done, n);
        if (memcmp(tmp, buf + done, n) != 0)
            return 0;
        done += n;
    }
    return 1;
}

static uint64_t file_size(const char *path)
{
    WIN32_FILE_ATTRIBUTE_DATA a;

    if (!GetFileAttributesExA(path, GetFileExInfoStandard, &a))
        return 0;
    return ((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow;
}

/* Sends `total` bytes of the pattern to a new member `name` in `msg`
 * messages of FLUSH_BUF bytes, straight to the procedure with the handle's
 * MMIOINFO, checking after `check_at` bytes that a reader sees a checkpoint
 * (WRITEFLUSH only). Returns the archive's generation after the close. */
static uint64_t send_all(const char *archive, UINT msg, uint64_t check_at)
{
    char name[64];
    LPMMIOPROC proc = mmioInstallIOProcA(FOURCC_ZMM, NULL, MMIO_FINDPROC);
    unsigned char *buf = malloc(FLUSH_BUF);
    zmm_archive_info ai;
    zmm_archive *ar = NULL;
    MMIOINFO mi;
    HMMIO h;
    uint64_t off;

    CHECK(proc != NULL && buf != NULL);
    if (proc == NULL || buf == NULL)
        return 0;
    snprintf(name, sizeof name, "%s+rec.bin", archive);
    DeleteFileA(archive);
    h = tw_mmio_open(name, NULL, MMIO_CREATE | MMIO_WRITE | MMIO_ALLOCBUF);
    CHECK(h != NULL);
    if (h == NULL) {
        free(buf);
        return 0;
    }
    memset(&mi, 0, sizeof mi);
    CHECK_EQ(mmioGetInfo(h, &mi, 0), 0);
    for (off = 0; off < FLUSH_TOTAL; off += FLUSH_BUF) {
        LRESULT r;

        pattern(buf, off, FLUSH_BUF);
        r = proc((LPSTR)&mi, msg, (LPARAM)buf, FLUSH_BUF);
        if (r != (LRESULT)FLUSH_BUF || mi.lDiskOffset != (LONG)(off + FLUSH_BUF)) {
            CHECK_EQ(r, FLUSH_BUF);
            CHECK_EQ(mi.lDiskOffset, off + FLUSH_BUF);
            break;
        }
        if (check_at != 0 && off + FLUSH_BUF == check_at) {
            /* The writer's checkpoints (4 MiB or 2 s): a reader sees a
             * prefix of at least 4 MiB, never a byte more than was sent. */
            size_t len = 0;
            unsigned char *back = tw_read_member(archive, "rec.bin", &len);

            CHECK(back != NULL);
            CHECK(len >= 4 * MIB && len <= check_at);
            CHECK(back != NULL && is_pattern(back, 0, len));
            free(back);
        }
    }
    /* mmio's buffer holds nothing: its close sends only CLOSE, which
     * commits. */
    CHECK_EQ(mmioClose(h, 0), 0);
    free(buf);
    {
        size_t len = 0;
        unsigned char *back = tw_read_member(archive, "rec.bin", &len);

        CHECK_EQ(len, FLUSH_TOTAL);
        CHECK(back != NULL && is_pattern(back, 0, len));
        free(back);
    }
    memset(&ai, 0, sizeof ai);
    ai.struct_size = sizeof ai;
    CHECK(zmm_archive_open(archive, ZMM_OPEN_READ, &ar, NULL) == ZMM_OK);
    if (ar == NULL)
        return 0;
    CHECK(zmm_archive_get_info(ar, &ai) == ZMM_OK);
    zmm_archive_close(ar);
    return ai.generation;
}

static void writeflush_as_windows(void)
{
    uint64_t gen_write = send_all("write.zmm", MMIOM_WRITE, 0);
    uint64_t gen_flush = send_all("flush.zmm", MMIOM_WRITEFLUSH, 9 * MIB);
    uint64_t size_write = file_size("write.zmm");
    uint64_t size_flush = file_size("flush.zmm");

    printf("test_record: 16 MiB in 8 KiB messages: WRITE %llu bytes, "
           "generation %llu; WRITEFLUSH %llu bytes (%.3fx), generation %llu\n",
           (unsigned long long)size_write, (unsigned long long)gen_write,
           (unsigned long long)size_flush,
           size_write ? (double)size_flush / (double)size_write : 0.0,
           (unsigned long long)gen_flush);
    /* Not a commit per message (2048 of them): checkpoints by the policy. */
    CHECK(gen_flush >= 3 && gen_flush < FLUSH_TOTAL / FLUSH_BUF / 8);
    CHECK(size_write > 0);
    CHECK(size_flush * 100 <= size_write * 105);
}

/* ---- a recorder killed mid-recording ---------------------------------------- */

static int child(const char *name)
{
    unsigned char *buf = malloc(CHILD_WRITE);
    HMMIO h;
    uint64_t off;

    tw_install();
    h = tw_mmio_open(name, NULL, MMIO_CREATE | MMIO_WRITE);
    if (h == NULL || buf == NULL)
        return 3;
    for (off = 0; off < CHILD_LIMIT; off += CHILD_WRITE) {
        pattern(buf, off, CHILD_WRITE);
        if (mmioWrite(h, (const char *)buf, CHILD_WRITE) != CHILD_WRITE)
            return 4;
        Sleep(2); /* a recorder: about 30 MB/s at most, not a disk filler */
    }
    mmioClose(h, 0);
    return 5; /* never killed: the parent reports it */
}

/* The member's length through mmio (0 if it does not open yet), its bytes
 * checked against the pattern. */
static uint64_t seen_through_mmio(const char *name)
{
    HMMIO h = tw_mmio_open(name, NULL, MMIO_READ);
    unsigned char *buf;
    LONG size, got;

    if (h == NULL)
        return 0;
    size = mmioSeek(h, 0, SEEK_END);
    CHECK(size >= 0);
    buf = malloc(size > 0 ? (size_t)size : 1);
    CHECK(buf != NULL);
    if (size <= 0 || buf == NULL) {
        free(buf);
        mmioClose(h, 0);
        return 0;
    }
    CHECK_EQ(mmioSeek(h, 0, SEEK_SET), 0);
    got = mmioRead(h, (HPSTR)buf, size);
    CHECK_EQ(got, size);
    CHECK(is_pattern(buf, 0, (size_t)size));
    free(buf);
    CHECK_EQ(mmioClose(h, 0), 0);
    return (uint64_t)size;
}

static void killed_recorder(const char *self)
{
    static const char *name = "kill.zmm+rec.bin";
    char cmd[2048];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    uint64_t seen = 0, grew = 0, last = 0;
    DWORD code = 0;
    unsigned char *back;
    size_t len = 0;
    int polls;

    DeleteFileA("kill.zmm");
    snprintf(cmd, sizeof cmd, "\"%s\" --child %s", self, name);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    CHECK(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si,
                         &pi));
    /* Until the member has grown past two checkpoints (4 MiB each at most):
     * a reader opening it sees each new checkpoint, a prefix of the
     * recording. 6000 looks are only a hang guard. */
    for (polls = 0; polls < 6000 && seen < 8 * MIB; polls++) {
        uint64_t now = seen_through_mmio(name);

        CHECK(now >= last); /* never shrinks */
        if (now > last && last > 0)
            grew++;
        last = now;
        seen = now;
        if (WaitForSingleObject(pi.hProcess, 20) == WAIT_OBJECT_0)
            break; /* the child ended by itself: reported below */
    }
    printf("test_record: the member grew %llu times while recorded, to "
           "%llu bytes, before the kill\n", (unsigned long long)grew,
           (unsigned long long)seen);
    CHECK(seen >= 8 * MIB);
    CHECK(grew >= 1);
    CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == STILL_ACTIVE);
    CHECK(TerminateProcess(pi.hProcess, 99));
    CHECK_EQ(WaitForSingleObject(pi.hProcess, 60000), WAIT_OBJECT_0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);

    /* The member opens and holds what the child wrote, up to its length:
     * the last checkpoint, at least what was seen before the kill. */
    back = tw_read_member("kill.zmm", "rec.bin", &len);
    printf("test_record: after the kill the member holds %llu bytes\n",
           (unsigned long long)len);
    CHECK(back != NULL);
    CHECK(len >= seen);
    CHECK(back != NULL && is_pattern(back, 0, len));
    free(back);
    CHECK_EQ(seen_through_mmio(name), len);
}

int main(int argc, char **argv)
{
    char self[MAX_PATH];

    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child(argv[2]);
    if (!GetModuleFileNameA(NULL, self, sizeof self))
        return 2;
    tw_enter_workdir("test_record");
    tw_install();
    writeflush_as_windows();
    killed_recorder(self);
    ZmmRemoveIOProc();
    return tw_finish("test_record");
}
