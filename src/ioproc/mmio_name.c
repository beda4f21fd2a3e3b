/*
 * mmio_name.c -- ANSI name -> (archive, member) in UTF-16 and UTF-8.
 */
#include "mmio_name.h"

#include <limits.h>
#include <mmsystem.h>
#include <stdlib.h>
#include <string.h>

/* A new UTF-16 copy of the ANSI string, or NULL. */
static wchar_t *ansi_to_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_ACP, 0, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof *w);
    if (w && MultiByteToWideChar(CP_ACP, 0, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

/* A new UTF-8 copy of the first `len` UTF-16 units of w, or NULL. */
static char *wide_to_utf8(const wchar_t *w, int len)
{
    int n = len ? WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL)
                : 0;
    char *s;

    if (len && n <= 0)
        return NULL;
    s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    if (len && WideCharToMultiByte(CP_UTF8, 0, w, len, s, n, NULL, NULL) != n) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

UINT zmmio_name_parse(const char *ansi, zmmio_name *name)
{
    wchar_t *w, *plus;
    int archive_len;

    memset(name, 0, sizeof *name);
    if (!ansi || !*ansi)
        return MMIOERR_FILENOTFOUND;
    w = ansi_to_wide(ansi);
    if (!w)
        return MMIOERR_OUTOFMEMORY;
    plus = wcsrchr(w, L'+');
    archive_len = plus ? (int)(plus - w) : (int)wcslen(w);
    if (archive_len == 0) {
        free(w);
        return MMIOERR_FILENOTFOUND;
    }
    name->has_plus = plus != NULL;
    if (plus) {
        /* Windows spelling: "pack.zmm+sfx\boom.wav" is member
         * "sfx/boom.wav" (members are '/'-separated paths). */
        wchar_t *c;

        for (c = plus + 1; *c; c++)
            if (*c == L'\\')
                *c = L'/';
    }
    name->archive = wide_to_utf8(w, archive_len);
    name->member = plus ? wide_to_utf8(plus + 1, (int)wcslen(plus + 1))
                        : wide_to_utf8(L"", 0);
    /* Cut the wide string at the '+' and keep it as the archive path. */
    w[archive_len] = L'\0';
    name->archive_w = w;
    if (!name->archive || !name->member) {
        zmmio_name_free(name);
        return MMIOERR_OUTOFMEMORY;
    }
    return 0;
}

void zmmio_name_free(zmmio_name *name)
{
    free(name->archive_w);
    free(name->archive);
    free(name->member);
    memset(name, 0, sizeof *name);
}

/* Windows paths and PATH are at most 32,767 units; the bound also tells the
 * optimiser the copy below is small. */
#define MAX_SEARCH_UNITS 32767u

/* Appends `part` and a ';' to the list at *list (of *len units, in a buffer
 * of *cap); 0 when out of memory or too long. */
static int append_dir(wchar_t **list, size_t *len, size_t *cap,
                      const wchar_t *part, size_t n)
{
    if (n > MAX_SEARCH_UNITS || *len > 8 * MAX_SEARCH_UNITS)
        return 0;
    if (*len + n + 2 > *cap) {
        size_t want = (*len + n + 2) * 2;
        wchar_t *grown = realloc(*list, want * sizeof *grown);

        if (!grown)
            return 0;
        *list = grown;
        *cap = want;
    }
    memcpy(*list + *len, part, n * sizeof *part);
    *len += n;
    (*list)[(*len)++] = L';';
    (*list)[*len] = L'\0';
    return 1;
}

/* OpenFile's folders, in its order: the application's, the current one,
 * the system folder, the Windows folder, then PATH. NULL when out of
 * memory. */
static wchar_t *search_folders(void)
{
    wchar_t buf[MAX_PATH * 2], *slash, *list = NULL;
    size_t len = 0, cap = 0;
    DWORD n;
    int ok = 1;

    n = GetModuleFileNameW(NULL, buf, MAX_PATH * 2);
    if (n > 0 && n < MAX_PATH * 2 && (slash = wcsrchr(buf, L'\\')) != NULL)
        ok = append_dir(&list, &len, &cap, buf, (size_t)(slash - buf));
    ok = ok && append_dir(&list, &len, &cap, L".", 1);
    n = GetSystemDirectoryW(buf, MAX_PATH * 2);
    if (ok && n > 0 && n < MAX_PATH * 2)
        ok = append_dir(&list, &len, &cap, buf, n);
    n = GetWindowsDirectoryW(buf, MAX_PATH * 2);
    if (ok && n > 0 && n < MAX_PATH * 2)
        ok = append_dir(&list, &len, &cap, buf, n);
    n = GetEnvironmentVariableW(L"PATH", NULL, 0);
    if (ok && n > 1) {
        wchar_t *path = malloc(n * sizeof *path);

        ok = path && GetEnvironmentVariableW(L"PATH", path, n) == n - 1 &&
             append_dir(&list, &len, &cap, path, n - 1);
        free(path);
    }
    if (!ok) {
        free(list);
        return NULL;
    }
    return list;
}

UINT zmmio_name_search(zmmio_name *name)
{
    wchar_t *folders, *full;
    char *utf8;
    DWORD n;

    if (wcspbrk(name->archive_w, L"\\/:"))
        return 0; /* a path: opened as it is */
    folders = search_folders();
    if (!folders)
        return MMIOERR_OUTOFMEMORY;
    n = SearchPathW(folders, name->archive_w, NULL, 0, NULL, NULL);
    if (n == 0) {
        free(folders);
        return 0; /* nowhere: the open reports it missing */
    }
    full = malloc(n * sizeof *full);
    if (!full || SearchPathW(folders, name->archive_w, NULL, n, full,
                             NULL) != n - 1) {
        free(full);
        free(folders);
        return full ? 0 : MMIOERR_OUTOFMEMORY;
    }
    free(folders);
    utf8 = wide_to_utf8(full, (int)(n - 1));
    if (!utf8) {
        free(full);
        return MMIOERR_OUTOFMEMORY;
    }
    free(name->archive_w);
    free(name->archive);
    name->archive_w = full;
    name->archive = utf8;
    return 0;
}

UINT zmmio_name_qualify(const char *ansi, const zmmio_name *name, char *out,
                        size_t cap)
{
    const char *plus = name->has_plus ? strrchr(ansi, '+') : NULL;
    size_t tail = plus ? strlen(plus) : 0;
    DWORD n = GetFullPathNameW(name->archive_w, 0, NULL, NULL);
    wchar_t *full;
    BOOL lossy = FALSE;
    int len;

    if (n == 0)
        return MMIOERR_FILENOTFOUND;
    full = malloc(n * sizeof *full);
    if (!full)
        return MMIOERR_OUTOFMEMORY;
    if (GetFullPathNameW(name->archive_w, n, full, NULL) != n - 1) {
        free(full);
        return MMIOERR_FILENOTFOUND;
    }
    /* The member part is copied as the caller wrote it (ANSI already);
     * the archive part must come back without best-fit substitutions, or
     * the name would open another file. */
    len = WideCharToMultiByte(CP_ACP, WC_NO_BEST_FIT_CHARS, full, -1, out,
                              cap > (size_t)INT_MAX ? INT_MAX : (int)cap,
                              NULL, &lossy);
    free(full);
    if (len <= 0 || lossy || (size_t)len - 1 + tail + 1 > cap)
        return MMIOERR_FILENOTFOUND;
    memcpy(out + len - 1, plus ? plus : "", tail + 1);
    return 0;
}
