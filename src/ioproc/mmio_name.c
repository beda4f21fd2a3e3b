/*
 * mmio_name.c -- ANSI name -> (archive, member) in UTF-16 and UTF-8.
 */
#include "mmio_name.h"

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
