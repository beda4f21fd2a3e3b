/*
 * test_doc_flags.c -- what Windows' mmio asks of a procedure and Wine's
 * never does, through docmmio (mmio as Microsoft documents it):
 *
 * - MMIO_EXIST reaches MMIOM_OPEN: TRUE only when the archive opens and has
 *   the member, the name given back qualified; a bare archive name is
 *   searched for as the DOS procedure's OpenFile does (beside the program).
 * - MMIO_PARSE reaches MMIOM_OPEN: the archive part made a full path, the
 *   member kept; nothing is checked or opened.
 * - MMIO_DELETE of "x.zmm+m" removes that member, of "x.zmm+" the default
 *   member; the archive and its other members stay.
 * - MMIO_GETTEMP: refused, no handle.
 * - mmioSendMessage passes any message (Wine refuses those below
 *   MMIOM_USER): an unknown one gets 0, MMIOM_SEEK is answered.
 * - Buffers written out reach the procedure as MMIOM_WRITEFLUSH.
 * - mmioOpenW's name reaches the procedure in the ANSI code page.
 * Each also through the DOS procedure on a plain file where it has a
 * counterpart, and, where Wine differs, what Wine's own mmio answers is
 * printed (tests/wine/README.md lists those differences).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docmmio.h"
#include "wine_test.h"

/* Room for what MMIO_PARSE and MMIO_EXIST write back: "The filename should
 * not be longer than 128 bytes, including the terminating NULL". */
#define NAME_ROOM 128

static int open_flag(const char *name, DWORD flags, char back[NAME_ROOM],
                     UINT *err)
{
    MMIOINFO info;
    HMMIO h;

    memset(&info, 0, sizeof info);
    snprintf(back, NAME_ROOM, "%s", name);
    h = dm_open(back, &info, flags);
    *err = info.wErrorRet;
    return h == (HMMIO)(ULONG_PTR)TRUE;
}

/* The full path of `file` in the current folder, then `tail`. */
static void qualified(char out[MAX_PATH], const char *file, const char *tail)
{
    char full[MAX_PATH];

    GetFullPathNameA(file, MAX_PATH, full, NULL);
    snprintf(out, MAX_PATH, "%s%s", full, tail);
}

static void test_exist(void)
{
    char back[NAME_ROOM], want[MAX_PATH], exe[MAX_PATH], beside[MAX_PATH];
    char *slash;
    UINT err;
    HMMIO h;

    CHECK(open_flag("p.zmm+a.wav", MMIO_EXIST, back, &err));
    CHECK_EQ(err, 0);
    qualified(want, "p.zmm", "+a.wav");
    CHECK(strcmp(back, want) == 0);
    /* No such member, archive, or not an archive. */
    CHECK(!open_flag("p.zmm+none.wav", MMIO_EXIST, back, &err));
    CHECK_EQ(err, MMIOERR_FILENOTFOUND);
    CHECK(!open_flag("none.zmm+a.wav", MMIO_EXIST, back, &err));
    CHECK_EQ(err, MMIOERR_FILENOTFOUND);
    CHECK(!open_flag("text.zmm+a.wav", MMIO_EXIST, back, &err));
    CHECK_EQ(err, MMIOERR_FILENOTFOUND);
    /* "p.zmm+" is the default member: the first one made, "a.wav". */
    CHECK(open_flag("p.zmm+", MMIO_EXIST, back, &err));
    qualified(want, "p.zmm", "+");
    CHECK(strcmp(back, want) == 0);
    /* The plain file through the DOS procedure: it exists, then not. */
    CHECK_EQ(tw_write_file("dos.dat", "d", 1), 0);
    CHECK(open_flag("dos.dat", MMIO_EXIST, back, &err));
    /* Wine's DOS procedure was never written for this message (Wine's
     * mmio answers EXIST itself): it leaves the file open. Noted, not
     * required (README.md). */
    printf("Wine's DOS procedure sent MMIO_EXIST: the file %s\n",
           DeleteFileA("dos.dat") ? "was closed" : "is left open");
    CHECK(!open_flag("none.dat", MMIO_EXIST, back, &err));

    /* A bare archive name beside the program, from this folder. */
    GetModuleFileNameA(NULL, exe, sizeof exe);
    slash = strrchr(exe, '\\');
    CHECK(slash != NULL);
    if (!slash)
        return;
    slash[1] = '\0';
    snprintf(beside, sizeof beside, "%stest_doc_flags_bare.zmm", exe);
    CHECK_EQ(tw_write_member(beside, "m.wav", "xyz", 3), 0);
    CHECK(GetFileAttributesA("test_doc_flags_bare.zmm")
          == INVALID_FILE_ATTRIBUTES);
    CHECK(open_flag("test_doc_flags_bare.zmm+m.wav", MMIO_EXIST, back, &err));
    CHECK_EQ(err, 0);
    snprintf(want, sizeof want, "%s+m.wav", beside);
    CHECK(strcmp(back, want) == 0);
    CHECK(DeleteFileA(beside));

    /* Wine's mmioOpen answers MMIO_EXIST itself, from the whole name. */
    snprintf(back, sizeof back, "p.zmm+a.wav");
    h = mmioOpenA(back, NULL, MMIO_EXIST);
    printf("Wine's mmioOpen(\"p.zmm+a.wav\", MMIO_EXIST): %s\n",
           h ? "TRUE" : "FALSE (the procedure is not asked)");
}

static void test_parse(void)
{
    char back[NAME_ROOM], want[MAX_PATH], longname[300];
    UINT err;

    CHECK(open_flag("p.zmm+none.wav", MMIO_PARSE, back, &err));
    CHECK_EQ(err, 0);
    qualified(want, "p.zmm", "+none.wav");
    CHECK(strcmp(back, want) == 0);
    /* Dots in the folder part go; the member is kept as given. */
    CreateDirectoryA("sub", NULL);
    CHECK(open_flag("sub\\..\\q.zmm+Dir/Song.wav", MMIO_PARSE, back, &err));
    qualified(want, "q.zmm", "+Dir/Song.wav");
    CHECK(strcmp(back, want) == 0);
    /* A name that cannot come back in 128 bytes: FALSE. */
    memset(longname, 'n', sizeof longname);
    memcpy(longname + 150, ".zmm+m", 7);
    {
        char room[sizeof longname];
        MMIOINFO info;

        memcpy(room, longname, sizeof room);
        memset(&info, 0, sizeof info);
        CHECK(dm_open(room, &info, MMIO_PARSE) == NULL);
        CHECK_EQ(info.wErrorRet, MMIOERR_FILENOTFOUND);
    }
}

static void test_delete(void)
{
    char back[NAME_ROOM];
    unsigned char *got;
    size_t len;
    UINT err;
    HMMIO h;

    CHECK_EQ(tw_write_member("p.zmm", "b.wav", "bb", 2), 0);
    CHECK(open_flag("p.zmm+a.wav", MMIO_DELETE, back, &err));
    got = tw_read_member("p.zmm", "a.wav", &len);
    CHECK(got == NULL);
    got = tw_read_member("p.zmm", "b.wav", &len);
    CHECK(got && len == 2);
    free(got);
    CHECK(!open_flag("p.zmm+a.wav", MMIO_DELETE, back, &err));
    CHECK_EQ(err, MMIOERR_FILENOTFOUND);

    /* "p.zmm+": the default member (made now), not the archive. */
    h = dm_open(strcpy(back, "p.zmm+"), NULL, MMIO_CREATE | MMIO_WRITE);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ(dm_write(h, "dd", 2), 2);
        CHECK_EQ(dm_close(h, 0), 0);
    }
    CHECK(open_flag("p.zmm+", MMIO_EXIST, back, &err));
    CHECK(open_flag("p.zmm+", MMIO_DELETE, back, &err));
    CHECK(!open_flag("p.zmm+", MMIO_EXIST, back, &err));
    got = tw_read_member("p.zmm", "b.wav", &len);
    CHECK(got && len == 2);
    free(got);

    /* The plain file through Wine's DOS procedure: it says it deleted, but
     * under Wine 8 the file stays (Wine's mmio never sends it DELETE in
     * MMIOM_OPEN; noted, not required: README.md). */
    CHECK_EQ(tw_write_file("gone.dat", "g", 1), 0);
    CHECK(open_flag("gone.dat", MMIO_DELETE, back, &err));
    printf("Wine's DOS procedure sent MMIO_DELETE: the file %s\n",
           GetFileAttributesA("gone.dat") == INVALID_FILE_ATTRIBUTES
               ? "is gone" : "stays");
}

static void test_gettemp(void)
{
    char back[NAME_ROOM];
    UINT err;

    CHECK(!open_flag("p.zmm+t.wav", MMIO_GETTEMP, back, &err));
    CHECK_EQ(err, MMSYSERR_NOTSUPPORTED);
}

static void test_send_message(void)
{
    char name[NAME_ROOM];
    HMMIO h, w;

    h = dm_open(strcpy(name, "p.zmm+b.wav"), NULL, MMIO_READ);
    CHECK(h != NULL);
    if (!h)
        return;
    /* "If the I/O procedure does not recognize a message, it should return
     * zero" -- below MMIOM_USER as above it. */
    CHECK_EQ(dm_sendmessage(h, MMIOM_USER + 7, 1, 2), 0);
    CHECK_EQ(dm_sendmessage(h, 0x77, 1, 2), 0);
    /* A documented message sent by hand is answered as the message. */
    CHECK_EQ(dm_sendmessage(h, MMIOM_SEEK, 1, SEEK_SET), 1);
    CHECK_EQ(dm_read(h, name, 5), 1);
    CHECK_EQ(name[0], 'b');
    CHECK_EQ(dm_close(h, 0), 0);

    w = mmioOpenA(strcpy(name, "p.zmm+b.wav"), NULL, MMIO_READ);
    CHECK(w != NULL);
    if (w) {
        printf("Wine's mmioSendMessage(MMIOM_SEEK): %ld (Windows passes it "
               "on)\n", (long)mmioSendMessage(w, MMIOM_SEEK, 1, SEEK_SET));
        mmioClose(w, 0);
    }
}

static void test_writeflush(void)
{
    static char data[20000];
    char name[NAME_ROOM];
    MMIOINFO info;
    unsigned long before = dm_sent[MMIOM_WRITEFLUSH];
    unsigned char *got;
    size_t len, i;
    HMMIO h;

    for (i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 13);
    memset(&info, 0, sizeof info);
    info.cchBuffer = 8192;
    h = dm_open(strcpy(name, "w.zmm+w.dat"), &info,
                MMIO_CREATE | MMIO_WRITE | MMIO_ALLOCBUF);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_EQ(dm_write(h, data, sizeof data), (LONG)sizeof data);
    /* Two full buffers went out; the rest at close. */
    CHECK_EQ(dm_sent[MMIOM_WRITEFLUSH] - before, 2);
    CHECK_EQ(dm_close(h, 0), 0);
    CHECK_EQ(dm_sent[MMIOM_WRITEFLUSH] - before, 3);
    got = tw_read_member("w.zmm", "w.dat", &len);
    CHECK(got && len == sizeof data && memcmp(got, data, len) == 0);
    free(got);
}

static void test_wide_name(void)
{
    const wchar_t *wname = L"caf\x00e9.zmm+m\x00fcsic.wav";
    wchar_t wcopy[NAME_ROOM];
    char check[64];
    BOOL lossy = FALSE;
    HMMIO h;

    if (!WideCharToMultiByte(CP_ACP, WC_NO_BEST_FIT_CHARS, wname, -1, check,
                             sizeof check, NULL, &lossy) || lossy) {
        printf("skip: the ANSI code page (%u) lacks e-acute/u-umlaut\n",
               GetACP());
        return;
    }
    wcscpy(wcopy, wname);
    h = dm_openW(wcopy, NULL, MMIO_CREATE | MMIO_WRITE);
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_EQ(dm_write(h, "la", 2), 2);
    CHECK_EQ(dm_close(h, 0), 0);
    CHECK(GetFileAttributesW(L"caf\x00e9.zmm") != INVALID_FILE_ATTRIBUTES);
    wcscpy(wcopy, wname);
    CHECK(dm_openW(wcopy, NULL, MMIO_EXIST) == (HMMIO)(ULONG_PTR)TRUE);
}

int main(void)
{
    LPMMIOPROC dos = mmioInstallIOProcA(FOURCC_DOS, NULL, MMIO_FINDPROC);

    tw_enter_workdir("doc_flags");
    CHECK(dos != NULL);
    if (!dos)
        return tw_finish("test_doc_flags");
    tw_install(); /* for the Wine comparisons */
    dm_install(FOURCC_DOS, dos);
    dm_install(FOURCC_ZMM, ZmmIOProc);
    CHECK_EQ(tw_write_member("p.zmm", "a.wav", "aaaa", 4), 0);
    CHECK_EQ(tw_write_file("text.zmm", "not an archive", 14), 0);
    test_exist();
    test_parse();
    test_delete();
    test_gettemp();
    test_send_message();
    test_writeflush();
    test_wide_name();
    return tw_finish("test_doc_flags");
}
