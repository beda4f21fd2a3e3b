/*
 * test_shared.c -- many members of one archive, as an application with an
 * asset pack uses them through mmio (the shared-archives contract of
 * zmmio.dll: each archive parsed once per process, the file left to the
 * user while nothing is open).
 *
 * - 2,000 handles open at once on distinct members, each read and checked;
 *   the process's private bytes for 500 of them stay under 64 MiB.
 * - Two processes: a child rewrites a member and adds one through mmio;
 *   the parent's next opens see both, and a handle it opened before keeps
 *   reading its own version to the end.
 * - Renamed, replaced by another archive, deleted, between opens with
 *   nothing open: the next open sees the file now under the name or
 *   reports it missing, never the old bytes.
 * - A bare archive name beside the program opens from another current
 *   folder, as OpenFile finds a plain file; creating stays in the current
 *   folder.
 * - ZmmSetCacheLimit: a member read again comes from the cache of decoded
 *   blocks (its stored bytes damaged meanwhile, it still reads right); with
 *   the limit at 0 the damage shows.
 *
 * usage: test_shared            (the test)
 *        test_shared writer DIR (the child: rewrites member 1, adds one)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h" /* <windows.h> first */
#include "zmm.h"

#include <psapi.h>

enum { MEMBERS = 2000 };

/* Member id, version v: 16 bytes naming both, then bytes following from
 * them; 1,000 to 9,000 bytes. */
static unsigned char *version_bytes(unsigned id, unsigned v, size_t *len)
{
    uint64_t state = (uint64_t)id * 1000003u + v;
    size_t n = 1000 + (id * 7919u + v * 104729u) % 8000u;
    unsigned char *p = malloc(n);

    if (!p)
        exit(2);
    tw_fill_random(&state, p, n);
    snprintf((char *)p, 16, "m%05u v%05u", id, v);
    *len = n;
    return p;
}

static void member_name(char *buf, size_t size, unsigned id)
{
    snprintf(buf, size, "sfx/%05u.wav", id);
}

/* Makes `path` an archive of members 0..count-1 at version v, through the
 * core library. */
static void make_archive(const char *path, unsigned count, unsigned v)
{
    zmm_archive *ar = NULL;
    unsigned id;

    DeleteFileA(path);
    CHECK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                           NULL) == ZMM_OK);
    for (id = 0; ar && id < count; id++) {
        zmm_stream *s = NULL;
        unsigned char *data;
        size_t len;
        char name[64];

        member_name(name, sizeof name, id);
        data = version_bytes(id, v, &len);
        CHECK(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              NULL, &s) == ZMM_OK);
        CHECK(zmm_stream_write(s, data, len) == ZMM_OK);
        CHECK(zmm_stream_close(s) == ZMM_OK);
        free(data);
    }
    CHECK(zmm_archive_close(ar) == ZMM_OK);
}

static HMMIO open_member(const char *archive, unsigned id, DWORD flags)
{
    char name[MAX_PATH + 64], member[64];

    member_name(member, sizeof member, id);
    snprintf(name, sizeof name, "%s+%s", archive, member);
    return tw_mmio_open(name, NULL, flags);
}

/* Reads the rest of the handle's member and checks it is, whole, version
 * v of member id (read_before bytes were read already, into `head`). */
static void check_rest(HMMIO h, unsigned id, unsigned v,
                       const unsigned char *head, size_t read_before)
{
    size_t len;
    unsigned char *want = version_bytes(id, v, &len);
    unsigned char *got = malloc(len + 1);
    LONG n;

    if (!got)
        exit(2);
    memcpy(got, head, read_before);
    n = mmioRead(h, (HPSTR)got + read_before, (LONG)(len + 1 - read_before));
    CHECK_EQ(n, (LONG)(len - read_before));
    CHECK(n >= 0 && memcmp(got, want, len) == 0);
    free(want);
    free(got);
}

/* Opens member id, checks it is version v, closes. */
static void check_member(const char *archive, unsigned id, unsigned v)
{
    HMMIO h = open_member(archive, id, MMIO_READ);

    CHECK(h != NULL);
    if (!h)
        return;
    check_rest(h, id, v, NULL, 0);
    CHECK_EQ(mmioClose(h, 0), 0);
}

static SIZE_T private_bytes(void)
{
    PROCESS_MEMORY_COUNTERS pmc;

    memset(&pmc, 0, sizeof pmc);
    pmc.cb = sizeof pmc;
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc))
        return 0;
    return pmc.PagefileUsage;
}

static void test_many_handles(void)
{
    static HMMIO h[MEMBERS];
    SIZE_T before, after = 0;
    unsigned id, opened = 0;

    make_archive("pack.zmm", MEMBERS, 0);
    before = private_bytes();
    for (id = 0; id < MEMBERS; id++) {
        unsigned char head[16];

        h[id] = open_member("pack.zmm", id, MMIO_READ);
        CHECK(h[id] != NULL);
        if (!h[id])
            break;
        opened++;
        /* Each handle reads a little now, and the rest later. */
        CHECK_EQ(mmioRead(h[id], (HPSTR)head, sizeof head), 16);
        if (id == 499)
            after = private_bytes();
    }
    printf("%u handles open at once; private bytes for 500 of them: "
           "+%lu KiB\n", opened, (unsigned long)((after - before) >> 10));
    CHECK(after > 0 && after - before <= (SIZE_T)64 << 20);
    for (id = 0; id < opened; id++) {
        unsigned char head[16];
        size_t len;
        unsigned char *want = version_bytes(id, 0, &len);

        memcpy(head, want, sizeof head);
        free(want);
        check_rest(h[id], id, 0, head, sizeof head);
        CHECK_EQ(mmioClose(h[id], 0), 0);
    }
    /* Nothing open: the archive is the user's to delete. */
    CHECK(DeleteFileA("pack.zmm"));
}

/* The child of test_two_processes. */
static int writer_main(const char *dir)
{
    unsigned ids[2] = {1, 200}, i;

    if (!SetCurrentDirectoryA(dir))
        return 3;
    tw_install();
    for (i = 0; i < 2; i++) {
        size_t len;
        unsigned char *data = version_bytes(ids[i], 9, &len);
        HMMIO h = open_member("two.zmm", ids[i], MMIO_CREATE | MMIO_WRITE);

        CHECK(h != NULL);
        if (h) {
            CHECK_EQ(mmioWrite(h, (HPSTR)data, (LONG)len), (LONG)len);
            CHECK_EQ(mmioClose(h, 0), 0);
        }
        free(data);
    }
    return tw_failures ? 1 : 0;
}

static void test_two_processes(void)
{
    char exe[MAX_PATH], dir[MAX_PATH], cmd[3 * MAX_PATH];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    unsigned char head[100];
    HMMIO before;
    DWORD code = 99;

    make_archive("two.zmm", 200, 0);
    check_member("two.zmm", 1, 0);
    before = open_member("two.zmm", 1, MMIO_READ);
    CHECK(before != NULL);
    CHECK_EQ(mmioRead(before, (HPSTR)head, sizeof head), 100);
    CHECK(!open_member("two.zmm", 200, MMIO_READ));

    GetModuleFileNameA(NULL, exe, sizeof exe);
    GetCurrentDirectoryA(sizeof dir, dir);
    snprintf(cmd, sizeof cmd, "\"%s\" writer \"%s\"", exe, dir);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    CHECK(CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si,
                         &pi));
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CHECK_EQ(code, 0);

    check_member("two.zmm", 1, 9);
    check_member("two.zmm", 200, 9);
    check_member("two.zmm", 2, 0);
    if (before) {
        check_rest(before, 1, 0, head, sizeof head);
        CHECK_EQ(mmioClose(before, 0), 0);
    }
}

static BOOL CALLBACK count_member(const ZMMMEMBERINFO *info, LPARAM param)
{
    unsigned *n = (unsigned *)param;
    char want[64];
    WCHAR wide[64];
    size_t len;
    unsigned char *data;

    member_name(want, sizeof want, *n);
    MultiByteToWideChar(CP_ACP, 0, want, -1, wide, 64);
    data = version_bytes(*n, 0, &len);
    CHECK(wcscmp(info->szName, wide) == 0);
    CHECK_EQ(info->cbSize, len);
    CHECK_EQ(info->dwIndex, *n);
    CHECK_EQ(info->dwFlags & ZMMMEMBER_DEFAULT, *n == 0 ? ZMMMEMBER_DEFAULT : 0);
    free(data);
    (*n)++;
    return *n < 150; /* stops early */
}

/* ZmmGetMemberInfo, ZmmEnumMembers, ZmmVerifyMember on "a.zmm" (members
 * 0..3 at version 0). */
static void test_member_info(void)
{
    ZMMMEMBERINFO info;
    ULONGLONG damaged = 7;
    unsigned n = 0;
    size_t len;
    unsigned char *data = version_bytes(2, 0, &len);

    memset(&info, 0, sizeof info);
    info.cbStruct = sizeof info;
    CHECK_EQ(ZmmGetMemberInfo("a.zmm+sfx/00002.wav", &info), 0);
    CHECK_EQ(info.cbSize, len);
    CHECK(info.cbPacked > 0 && info.cbPacked <= len);
    CHECK_EQ(info.cbBlock, 65536);
    CHECK_EQ(info.dwIndex, 2);
    CHECK(wcscmp(info.szName, L"sfx/00002.wav") == 0);
    CHECK_EQ(ZmmGetMemberInfo("a.zmm+", &info), 0); /* the default */
    CHECK(wcscmp(info.szName, L"sfx/00000.wav") == 0);
    CHECK_EQ(ZmmGetMemberInfo("a.zmm+nothing", &info), MMIOERR_FILENOTFOUND);
    CHECK_EQ(ZmmGetMemberInfo("none.zmm+x", &info), MMIOERR_FILENOTFOUND);
    CHECK(tw_write_file("text.zmm", "not an archive, just text", 25) == 0);
    CHECK_EQ(ZmmGetMemberInfo("text.zmm+x", &info), MMIOERR_INVALIDFILE);
    info.cbStruct = 8;
    CHECK_EQ(ZmmGetMemberInfo("a.zmm+", &info), MMSYSERR_INVALPARAM);
    CHECK_EQ(ZmmVerifyMember("a.zmm+sfx/00003.wav", &damaged), 0);
    CHECK_EQ(damaged, 0);
    CHECK_EQ(ZmmEnumMembers("a.zmm", NULL, 0), MMSYSERR_INVALPARAM);
    CHECK_EQ(ZmmEnumMembers("pack.zmm+whatever", count_member, (LPARAM)&n),
             0);
    CHECK_EQ(n, 150);
    free(data);
    DeleteFileA("text.zmm");
}

static void test_rename_replace_delete(void)
{
    check_member("a.zmm", 3, 0); /* made by the caller; parsed now */
    CHECK(MoveFileA("a.zmm", "moved.zmm"));
    CHECK(!open_member("a.zmm", 3, MMIO_READ));
    check_member("moved.zmm", 3, 0);
    CHECK(DeleteFileA("moved.zmm"));
    CHECK(!open_member("moved.zmm", 3, MMIO_READ));

    /* Another archive under the old name: other members, other bytes. */
    make_archive("b.zmm", 2, 4);
    CHECK(MoveFileExA("b.zmm", "a.zmm", MOVEFILE_REPLACE_EXISTING));
    check_member("a.zmm", 1, 4);
    CHECK(!open_member("a.zmm", 3, MMIO_READ));
    /* And replaced again while the name was just read. */
    make_archive("b.zmm", 4, 6);
    CHECK(MoveFileExA("b.zmm", "a.zmm", MOVEFILE_REPLACE_EXISTING));
    check_member("a.zmm", 3, 6);
    check_member("a.zmm", 1, 6);
    CHECK(DeleteFileA("a.zmm"));
}

static void test_bare_name(void)
{
    char exe[MAX_PATH], beside[MAX_PATH + 32], *slash;
    HMMIO h;

    GetModuleFileNameA(NULL, exe, sizeof exe);
    slash = strrchr(exe, '\\');
    CHECK(slash != NULL);
    if (!slash)
        return;
    slash[1] = '\0';
    snprintf(beside, sizeof beside, "%stest_shared_bare.zmm", exe);
    make_archive(beside, 3, 2);
    /* The current folder is the test's own, not the program's. */
    check_member("test_shared_bare.zmm", 2, 2);
    CHECK(!open_member("test_shared_nowhere.zmm", 2, MMIO_READ));
    /* Creating a bare name makes it here, as the DOS procedure does. */
    h = open_member("test_shared_bare.zmm", 7, MMIO_CREATE | MMIO_WRITE);
    CHECK(h != NULL);
    if (h)
        CHECK_EQ(mmioClose(h, 0), 0);
    CHECK(GetFileAttributesA("test_shared_bare.zmm") !=
          INVALID_FILE_ATTRIBUTES);
    check_member("test_shared_bare.zmm", 2, 2); /* still the program's */
    CHECK(DeleteFileA(beside));
}

/* Reads member "a" of c.zmm whole through mmio into buf; mmioRead's
 * result. */
static LONG read_cached(char *buf, LONG len)
{
    HMMIO h = tw_mmio_open("c.zmm+a", NULL, MMIO_READ);
    LONG n;

    if (!h)
        return -2;
    n = mmioRead(h, buf, len);
    mmioClose(h, 0);
    return n;
}

static void test_cache_limit(void)
{
    enum { LEN = 30000 };
    static char data[LEN], got[LEN];
    HANDLE f;
    OVERLAPPED at;
    DWORD put = 0;
    char junk[64];
    int i;

    /* Compressible: a deflate block, which the cache keeps (raw blocks
     * are read as they are). Stored right after the 8 KiB header. */
    for (i = 0; i < LEN; i++)
        data[i] = (char)("abcdefgh"[i % 8] + (i / 1000) % 3);
    DeleteFileA("c.zmm");
    CHECK(tw_write_member("c.zmm", "a", data, LEN) == 0);
    CHECK_EQ(ZmmSetCacheLimit(1 << 20), (SIZE_T)32 << 20);
    CHECK_EQ(read_cached(got, LEN), LEN); /* decoded, and kept */
    CHECK(memcmp(got, data, LEN) == 0);

    memset(junk, 0x5a, sizeof junk);
    f = CreateFileA("c.zmm", GENERIC_WRITE, FILE_SHARE_READ, NULL,
                    OPEN_EXISTING, 0, NULL);
    CHECK(f != INVALID_HANDLE_VALUE);
    memset(&at, 0, sizeof at);
    at.Offset = 8192 + 4;
    CHECK(WriteFile(f, junk, sizeof junk, &put, &at) && put == sizeof junk);
    CloseHandle(f);
    memset(got, 0, LEN);
    CHECK_EQ(read_cached(got, LEN), LEN); /* from the cache */
    CHECK(memcmp(got, data, LEN) == 0);
    CHECK_EQ(ZmmSetCacheLimit(0), (SIZE_T)1 << 20);
    CHECK_EQ(read_cached(got, LEN), -1); /* the damage shows */
    {
        ULONGLONG damaged = 99;

        CHECK_EQ(ZmmVerifyMember("c.zmm+a", &damaged), MMIOERR_CANNOTREAD);
        CHECK_EQ(damaged, 0);
    }
    CHECK_EQ(ZmmSetCacheLimit((SIZE_T)32 << 20), 0);
    CHECK(DeleteFileA("c.zmm"));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "writer") == 0)
        return writer_main(argv[2]);
    tw_enter_workdir("test_shared");
    tw_install();
    test_many_handles();
    test_two_processes();
    make_archive("a.zmm", 4, 0);
    make_archive("pack.zmm", 200, 0);
    test_member_info();
    CHECK(DeleteFileA("pack.zmm"));
    test_rename_replace_delete();
    test_bare_name();
    test_cache_limit();
    return tw_finish("test_shared");
}
