/*
 * test_lifecycle.c -- zmmio.dll as an application loads it: LoadLibrary,
 * GetProcAddress, install, use, remove, FreeLibrary, and again; installs and
 * removes counted; remove refused while a handle is open; FreeLibrary with
 * the procedure still installed leaves mmio safe.
 *
 * This program does not link the DLL (no import library): it must be able
 * to unload it. Usage: test_lifecycle [PATH_TO_zmmio.dll]
 */
#include <stdio.h>
#include <string.h>

#include "zmmio.h"

static unsigned long checks, failures;

#define CHECK(cond)                                                    \
    do {                                                               \
        checks++;                                                      \
        if (!(cond)) {                                                 \
            failures++;                                                \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                              \
    } while (0)

typedef LRESULT(CALLBACK *ZMMIOPROC)(LPSTR, UINT, LPARAM, LPARAM);

typedef struct dll {
    HMODULE module;
    ZMMINSTALLIOPROC install;
    ZMMREMOVEIOPROC remove;
    ZMMGETVERSION version;
    ZMMIOPROC proc;
} dll;

static const char *dll_path = "zmmio.dll";

/* GetProcAddress returns FARPROC; the cast through void (*)(void) keeps
 * -Wcast-function-type quiet about the different signatures. */
#define GET(d, type, name) ((type)(void (*)(void))GetProcAddress((d)->module, name))

static int load(dll *d)
{
    memset(d, 0, sizeof *d);
    d->module = LoadLibraryA(dll_path);
    CHECK(d->module != NULL);
    if (!d->module)
        return 0;
    d->install = GET(d, ZMMINSTALLIOPROC, "ZmmInstallIOProc");
    d->remove = GET(d, ZMMREMOVEIOPROC, "ZmmRemoveIOProc");
    d->version = GET(d, ZMMGETVERSION, "ZmmGetVersion");
    d->proc = GET(d, ZMMIOPROC, "ZmmIOProc");
    CHECK(d->install && d->remove && d->version && d->proc);
    /* Undecorated names only: no _Name@N, no other exports. */
    CHECK(GetProcAddress(d->module, "ZmmInstallIOProc@0") == NULL);
    CHECK(GetProcAddress(d->module, "_ZmmInstallIOProc@0") == NULL);
    return d->install && d->remove && d->version && d->proc;
}

static LPMMIOPROC installed(void)
{
    return mmioInstallIOProcA(FOURCC_ZMM, NULL, MMIO_FINDPROC);
}

static HMMIO open_name(const char *name, DWORD flags)
{
    char copy[MAX_PATH];

    strcpy(copy, name);
    return mmioOpenA(copy, NULL, flags);
}

/* Writes and reads back a member through mmio. */
static void use(const char *name)
{
    char buf[32];
    HMMIO h = open_name(name, MMIO_CREATE | MMIO_READWRITE);

    CHECK(h != NULL);
    if (!h)
        return;
    CHECK(mmioWrite(h, "lifecycle", 9) == 9);
    CHECK(mmioSeek(h, 0, SEEK_SET) == 0);
    CHECK(mmioRead(h, buf, sizeof buf) == 9);
    CHECK(memcmp(buf, "lifecycle", 9) == 0);
    CHECK(mmioClose(h, 0) == 0);
}

int main(int argc, char **argv)
{
    dll d;
    HMMIO h;
    int round;

    if (argc > 1)
        dll_path = argv[1];
    CreateDirectoryA("lifecycle.dir", NULL);
    SetCurrentDirectoryA("lifecycle.dir");
    DeleteFileA("life.zmm");

    /* Load, install, use, remove, free -- twice. */
    for (round = 0; round < 2; round++) {
        if (!load(&d))
            return 1;
        CHECK(d.version() == ZMMIO_VERSION);
        CHECK(installed() == NULL);
        CHECK(d.install());
        CHECK(installed() == (LPMMIOPROC)d.proc);
        use(round ? "life.zmm+b" : "life.zmm+a");
        CHECK(d.remove());
        CHECK(installed() == NULL);
        CHECK(!d.remove()); /* nothing left to undo */
        CHECK(FreeLibrary(d.module));
        /* Uninstalled: the name goes to the DOS procedure, which finds no
         * file called "life.zmm+a". */
        h = open_name("life.zmm+a", MMIO_READ);
        CHECK(h == NULL);
    }

    if (!load(&d))
        return 1;
    /* Installs are counted: two installs, one mmio entry, two removes. */
    CHECK(d.install());
    CHECK(d.install());
    CHECK(installed() == (LPMMIOPROC)d.proc);
    CHECK(d.remove());
    CHECK(installed() == (LPMMIOPROC)d.proc); /* still one install left */
    CHECK(d.remove());
    CHECK(installed() == NULL);
    CHECK(!d.remove());

    /* The last remove is refused while a handle is open. */
    CHECK(d.install());
    h = open_name("life.zmm+a", MMIO_READ);
    CHECK(h != NULL);
    CHECK(!d.remove());
    CHECK(installed() == (LPMMIOPROC)d.proc);
    if (h)
        CHECK(mmioClose(h, 0) == 0);
    CHECK(d.remove());
    CHECK(installed() == NULL);

    /* ... but not a remove that only decrements. */
    CHECK(d.install());
    CHECK(d.install());
    h = open_name("life.zmm+a", MMIO_READ);
    CHECK(h != NULL);
    CHECK(d.remove());
    CHECK(!d.remove());
    if (h)
        CHECK(mmioClose(h, 0) == 0);
    CHECK(d.remove());
    CHECK(installed() == NULL);

    /* FreeLibrary with the procedure still installed: the DLL takes mmio's
     * entry out as it unloads, so "*.zmm+" names do not call into
     * unmapped code. */
    CHECK(d.install());
    CHECK(FreeLibrary(d.module));
    CHECK(installed() == NULL);
    h = open_name("life.zmm+a", MMIO_READ);
    CHECK(h == NULL);

    /* And it loads and works once more. */
    if (!load(&d))
        return 1;
    CHECK(d.install());
    use("life.zmm+c");
    CHECK(d.remove());
    CHECK(FreeLibrary(d.module));

    printf("test_lifecycle: %lu checks, %lu failed\n", checks, failures);
    return failures ? 1 : 0;
}
