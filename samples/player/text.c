/*
 * text.c -- string conversions and console-aware output.
 */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <io.h>

/* A new string of `cp` from UTF-16; NULL if it cannot be converted exactly
 * (for the ANSI code page: a character with no equivalent). */
static char *narrow(UINT cp, const wchar_t *w)
{
    BOOL lossy = FALSE;
    BOOL *lossy_p = cp == CP_UTF8 ? NULL : &lossy;
    int n = WideCharToMultiByte(cp, 0, w, -1, NULL, 0, NULL, lossy_p);
    char *s;

    if (n <= 0 || lossy)
        return NULL;
    s = malloc((size_t)n);
    if (s && WideCharToMultiByte(cp, 0, w, -1, s, n, NULL, lossy_p) != n) {
        free(s);
        s = NULL;
    }
    return s;
}

char *text_utf8_from_wide(const wchar_t *w)
{
    return narrow(CP_UTF8, w);
}

wchar_t *text_wide_from_utf8(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof *w);
    if (w && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

char *text_ansi_from_utf8(const char *s)
{
    wchar_t *w = text_wide_from_utf8(s);
    char *a;

    if (!w)
        return NULL;
    a = narrow(CP_ACP, w);
    free(w);
    return a;
}

void text_format(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    buf[len - 1] = '\0';
}

void text_time(char *buf, size_t len, double seconds)
{
    unsigned long tenths;

    if (seconds < 0)
        seconds = 0;
    tenths = (unsigned long)(seconds * 10.0 + 0.5);
    if (tenths >= 36000)
        text_format(buf, len, "%lu:%02lu:%02lu.%lu", tenths / 36000,
                    tenths / 600 % 60, tenths / 10 % 60, tenths % 10);
    else
        text_format(buf, len, "%lu:%02lu.%lu", tenths / 600, tenths / 10 % 60,
                    tenths % 10);
}

void text_size(char *buf, size_t len, unsigned long long bytes)
{
    if (bytes >= 1000ull * 1000 * 1000)
        text_format(buf, len, "%.2f GB", (double)bytes / 1e9);
    else if (bytes >= 1000ull * 1000)
        text_format(buf, len, "%.1f MB", (double)bytes / 1e6);
    else if (bytes >= 10ull * 1000)
        text_format(buf, len, "%.1f KB", (double)bytes / 1e3);
    else
        text_format(buf, len, "%llu bytes", bytes);
}

/* The console behind fd, or NULL when it is a file, a pipe or NUL (which
 * _isatty() would call a terminal). */
static HANDLE console_of(int fd)
{
    intptr_t h = _get_osfhandle(fd);
    DWORD mode;

    if (h == -1 || !GetConsoleMode((HANDLE)h, &mode))
        return NULL;
    return (HANDLE)h;
}

int text_is_console(int fd)
{
    return console_of(fd) != NULL;
}

void text_write(int fd, const char *utf8)
{
    FILE *f = fd == 2 ? stderr : stdout;
    HANDLE console = console_of(fd);
    wchar_t *w;

    if (console && (w = text_wide_from_utf8(utf8)) != NULL) {
        DWORD written;

        fflush(f);
        WriteConsoleW(console, w, (DWORD)wcslen(w), &written, NULL);
        free(w);
        return;
    }
    fputs(utf8, f);
    fflush(f);
}

void text_out(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    buf[sizeof buf - 1] = '\0';
    text_write(1, buf);
}

void text_error(const char *fmt, ...)
{
    char buf[2048];
    size_t n;
    va_list ap;

    strcpy(buf, "zmmplay: ");
    n = strlen(buf);
    va_start(ap, fmt);
    vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
    va_end(ap);
    buf[sizeof buf - 2] = '\0';
    strcat(buf, "\n");
    text_write(2, buf);
}
