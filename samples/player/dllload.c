/*
 * dllload.c -- zmmio.dll, loaded and installed at run time.
 */
#include "dllload.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "zmmio.h"

static HMODULE dll_module;
static ZMMREMOVEIOPROC dll_remove;
static char dll_text[MAX_PATH * 3 + 64];

/* The Win32 message for `code`, without its trailing line break. */
static void system_message(DWORD code, char *buf, size_t len)
{
    wchar_t w[512];
    char *s;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, code, 0, w, 512, NULL);

    while (n > 0 && (w[n - 1] == L'\n' || w[n - 1] == L'\r' ||
                     w[n - 1] == L' ' || w[n - 1] == L'.'))
        w[--n] = L'\0';
    s = n ? text_utf8_from_wide(w) : NULL;
    text_format(buf, len, "%s (error %lu)", s ? s : "unknown error",
                (unsigned long)code);
    free(s);
}

/* "C:\dir\of\zmmplay\zmmio.dll" in `path` (MAX_PATH wide chars); 0 if the
 * program's own path is not available. */
static int dll_path_beside_exe(wchar_t *path)
{
    DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
    wchar_t *slash;

    if (n == 0 || n >= MAX_PATH)
        return 0;
    slash = wcsrchr(path, L'\\');
    if (!slash || (size_t)(slash + 1 - path) + wcslen(L"zmmio.dll") >= MAX_PATH)
        return 0;
    wcscpy(slash + 1, L"zmmio.dll");
    return 1;
}

int dll_install(char *err, size_t err_len)
{
    wchar_t path[MAX_PATH];
    char why[600];
    ZMMINSTALLIOPROC install;
    ZMMGETVERSION get_version;
    char *where;

    if (dll_module)
        return 0;
    /* Beside the program first (the full path: no other directory can
     * substitute a DLL of that name), then the standard search. */
    if (dll_path_beside_exe(path))
        dll_module = LoadLibraryW(path);
    if (!dll_module)
        dll_module = LoadLibraryW(L"zmmio.dll");
    if (!dll_module) {
        system_message(GetLastError(), why, sizeof why);
        where = dll_path_beside_exe(path) ? text_utf8_from_wide(path) : NULL;
        text_format(err, err_len,
                    "cannot load zmmio.dll (looked for %s and on the DLL "
                    "search path): %s. It is built with zmmplay.exe; copy it "
                    "next to the program",
                    where ? where : "it beside zmmplay.exe", why);
        free(where);
        return -1;
    }
    install = (ZMMINSTALLIOPROC)(void (*)(void))GetProcAddress(
        dll_module, "ZmmInstallIOProc");
    dll_remove = (ZMMREMOVEIOPROC)(void (*)(void))GetProcAddress(
        dll_module, "ZmmRemoveIOProc");
    get_version = (ZMMGETVERSION)(void (*)(void))GetProcAddress(
        dll_module, "ZmmGetVersion");
    GetModuleFileNameW(dll_module, path, MAX_PATH);
    path[MAX_PATH - 1] = L'\0';
    where = text_utf8_from_wide(path);
    if (!install || !dll_remove) {
        text_format(err, err_len,
                    "%s is not zmmio's DLL: it does not export %s",
                    where ? where : "zmmio.dll",
                    install ? "ZmmRemoveIOProc" : "ZmmInstallIOProc");
        free(where);
        FreeLibrary(dll_module);
        dll_module = NULL;
        return -1;
    }
    if (!install()) {
        text_format(err, err_len,
                    "%s: ZmmInstallIOProc failed (mmio refused to install the "
                    "procedure)",
                    where ? where : "zmmio.dll");
        free(where);
        FreeLibrary(dll_module);
        dll_module = NULL;
        return -1;
    }
    if (get_version) {
        DWORD v = get_version();

        text_format(dll_text, sizeof dll_text, "%s %lu.%lu.%lu",
                    where ? where : "zmmio.dll", (unsigned long)(v >> 16),
                    (unsigned long)(v >> 8 & 0xff), (unsigned long)(v & 0xff));
    } else {
        text_format(dll_text, sizeof dll_text, "%s",
                    where ? where : "zmmio.dll");
    }
    free(where);
    return 0;
}

FARPROC dll_proc(const char *name)
{
    return dll_module ? GetProcAddress(dll_module, name) : NULL;
}

const char *dll_description(void)
{
    return dll_text;
}

void dll_uninstall(void)
{
    if (!dll_module)
        return;
    if (dll_remove())
        FreeLibrary(dll_module);
    /* else a handle is still open: keep the DLL mapped, the procedure in */
    dll_module = NULL;
    dll_remove = NULL;
    dll_text[0] = '\0';
}
