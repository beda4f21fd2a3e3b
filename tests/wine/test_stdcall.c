/*
 * test_stdcall.c -- zmmio.dll's exports called through the function-pointer
 * typedefs of zmmio.h, in a loop, with the stack pointer compared before
 * and after every call.
 *
 * On 32-bit x86 a WINAPI (stdcall) function pops its own arguments; a
 * caller that believes so while the DLL was built cdecl (or the other way
 * round, or with a different argument count) leaves the stack pointer off
 * by the argument bytes after each call -- which compiled C code often
 * hides, restoring it from the frame pointer, until a loop or a callback
 * crashes far away. Here each call is made from inline assembly that
 * records %esp just before the arguments are pushed and just after the
 * call returns: they must be equal, for every call. On x86-64 (one calling
 * convention) the same calls run through the typedefs without the check.
 *
 * The DLL is loaded with LoadLibrary and GetProcAddress, as the typedefs are
 * for. Calls: ZmmGetVersion, ZmmInstallIOProc / ZmmRemoveIOProc pairs,
 * ZmmIOProc with an unknown message (returns 0) and, through mmio (which
 * calls the procedure as an LPMMIOPROC), opening, reading and closing a
 * member between calls.
 *
 * Mutation checked (tests/README.md): ZmmIOProc built cdecl (CALLBACK
 * removed from zmmio.h and ioproc.c in a scratch copy), i686: "20000 calls
 * left the stack pointer moved (last by -16 bytes)" -- while the mmio calls
 * between them, whose compiled caller restores %esp from its frame, went
 * on unharmed. (A function without arguments shows no mismatch: only the
 * argument bytes move.)
 *
 * Usage: test_stdcall [PATH_TO_zmmio.dll]
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wine_test.h"
#include "zmm.h"

typedef LRESULT(CALLBACK *ZMMIOPROC)(LPSTR, UINT, LPARAM, LPARAM);

#define GET(m, type, name) ((type)(void (*)(void))GetProcAddress((m), name))

enum { LOOPS = 20000 };

/* Stack pointer movement over one call; 0 when the callee's convention
 * matches the caller's. */
static long sp_drift;

#if defined(__i386__)
/* Calls fn(args[0..n-1]) (n <= 4) as the typedef says a WINAPI function is
 * called: arguments pushed right to left, the callee pops them. Records
 * %esp before the pushes and after the return in callee-saved registers;
 * restores %esp whatever the callee did, so a mismatch is reported, not a
 * crash. */
typedef struct call {
    uintptr_t args[4];
    void *fn;
    uintptr_t n;
} call;

static uintptr_t call_checked(call *c)
{
    uintptr_t r, before, after;

    __asm__ volatile("movl %%esp, %%esi\n\t"
                     "movl 20(%%ebx), %%ecx\n\t"
                     "cmpl $4, %%ecx\n\t"
                     "jb 1f\n\t"
                     "pushl 12(%%ebx)\n"
                     "1:\n\t"
                     "cmpl $3, %%ecx\n\t"
                     "jb 2f\n\t"
                     "pushl 8(%%ebx)\n"
                     "2:\n\t"
                     "cmpl $2, %%ecx\n\t"
                     "jb 3f\n\t"
                     "pushl 4(%%ebx)\n"
                     "3:\n\t"
                     "cmpl $1, %%ecx\n\t"
                     "jb 4f\n\t"
                     "pushl 0(%%ebx)\n"
                     "4:\n\t"
                     "call *16(%%ebx)\n\t"
                     "movl %%esp, %%edi\n\t"
                     "movl %%esi, %%esp\n\t"
                     : "=a"(r), "=&S"(before), "=&D"(after)
                     : "b"(c)
                     : "ecx", "edx", "memory", "cc");
    sp_drift = (long)(after - before);
    return r;
}

static DWORD call_version(ZMMGETVERSION f)
{
    call c = {{0, 0, 0, 0}, (void *)(uintptr_t)f, 0};
    return (DWORD)call_checked(&c);
}

static BOOL call_bool(BOOL(WINAPI *f)(void))
{
    call c = {{0, 0, 0, 0}, (void *)(uintptr_t)f, 0};
    return (BOOL)call_checked(&c);
}

static LRESULT call_proc(ZMMIOPROC f, LPSTR info, UINT msg, LPARAM a, LPARAM b)
{
    call c = {{(uintptr_t)info, msg, (uintptr_t)a, (uintptr_t)b},
              (void *)(uintptr_t)f, 4};
    return (LRESULT)call_checked(&c);
}
#define SP_CHECKED 1
#else
static DWORD call_version(ZMMGETVERSION f) { sp_drift = 0; return f(); }
static BOOL call_bool(BOOL(WINAPI *f)(void)) { sp_drift = 0; return f(); }
static LRESULT call_proc(ZMMIOPROC f, LPSTR info, UINT msg, LPARAM a, LPARAM b)
{
    sp_drift = 0;
    return f(info, msg, a, b);
}
#define SP_CHECKED 0
#endif

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "zmmio.dll";
    static unsigned char data[100000], got[4096];
    HMODULE m;
    ZMMINSTALLIOPROC install;
    ZMMREMOVEIOPROC remove;
    ZMMGETVERSION version;
    ZMMIOPROC proc;
    MMIOINFO info;
    uint64_t rng = 12;
    unsigned long drifted = 0;
    long i;

    tw_enter_workdir("test_stdcall");
    tw_fill_random(&rng, data, sizeof data);
    CHECK(tw_write_member("a.zmm", "m.bin", data, sizeof data) == 0);
    m = LoadLibraryA(path);
    CHECK(m != NULL);
    if (!m)
        return tw_finish("test_stdcall");
    install = GET(m, ZMMINSTALLIOPROC, "ZmmInstallIOProc");
    remove = GET(m, ZMMREMOVEIOPROC, "ZmmRemoveIOProc");
    version = GET(m, ZMMGETVERSION, "ZmmGetVersion");
    proc = GET(m, ZMMIOPROC, "ZmmIOProc");
    CHECK(install && remove && version && proc);
    if (!(install && remove && version && proc))
        return tw_finish("test_stdcall");

    memset(&info, 0, sizeof info);
    for (i = 0; i < LOOPS; i++) {
        CHECK_EQ(call_version(version), ZMMIO_VERSION);
        drifted += sp_drift != 0;
        /* an unknown message: 0, and nothing else happens */
        CHECK_EQ(call_proc(proc, (LPSTR)&info, MMIOM_USER + 77, 5, 6), 0);
        drifted += sp_drift != 0;
        if (i % 100 == 0) {
            HMMIO h;
            LONG pos = (LONG)tw_below(&rng, sizeof data - sizeof got);

            CHECK(call_bool(install));
            drifted += sp_drift != 0;
            /* mmio calls the procedure as an LPMMIOPROC (WINAPI) */
            h = tw_mmio_open("a.zmm+m.bin", NULL, MMIO_READ);
            CHECK(h != NULL);
            if (h) {
                CHECK_EQ(mmioSeek(h, pos, SEEK_SET), pos);
                CHECK_EQ(mmioRead(h, (HPSTR)got, sizeof got), sizeof got);
                CHECK(memcmp(got, data + pos, sizeof got) == 0);
                CHECK_EQ(mmioClose(h, 0), 0);
            }
            CHECK(call_bool(remove));
            drifted += sp_drift != 0;
        }
    }
    tw_checks++;
    if (drifted)
        tw_fail(__FILE__, __LINE__,
                "%lu calls left the stack pointer moved (last by %ld bytes): "
                "a calling-convention mismatch", drifted, sp_drift);
    printf("test_stdcall: %ld loops, %s\n", (long)LOOPS,
           SP_CHECKED ? "%esp checked around every call (i386)"
                      : "x86-64: one calling convention, %esp not checked");
    CHECK(FreeLibrary(m));
    return tw_finish("test_stdcall");
}
