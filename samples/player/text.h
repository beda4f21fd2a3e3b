/*
 * text.h -- the player's strings: UTF-8 inside the program, UTF-16 at the
 * Windows API (command line, window, file dialog), the ANSI code page at
 * mmio (which hands names to I/O procedures in that code page), and output
 * that shows UTF-8 right on a console as well as in a file or a pipe.
 */
#ifndef ZMMPLAY_TEXT_H
#define ZMMPLAY_TEXT_H

#include <stddef.h>
#include <wchar.h>

#ifdef __GNUC__
#define TEXT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TEXT_PRINTF(f, a)
#endif

/* New malloc'd conversions; NULL if out of memory or not convertible. */
char *text_utf8_from_wide(const wchar_t *w);
wchar_t *text_wide_from_utf8(const char *s);
/* The name in the ANSI code page, as mmioOpenA wants it. NULL if a
 * character has no ANSI equivalent (mmio could not open that name). */
char *text_ansi_from_utf8(const char *s);

/* snprintf that never overflows and always terminates (len > 0). */
void text_format(char *buf, size_t len, const char *fmt, ...) TEXT_PRINTF(3, 4);

/* "m:ss.t" (or "h:mm:ss.t") for a time in seconds. */
void text_time(char *buf, size_t len, double seconds);
/* "1.23 GB", "12.3 MB", "45.6 KB", "789 bytes" (powers of 1000). */
void text_size(char *buf, size_t len, unsigned long long bytes);

/* Nonzero if stdout (1) or stderr (2) is a console, not a file or pipe. */
int text_is_console(int fd);
/* Writes UTF-8 text to stdout (fd 1) or stderr (fd 2), through
 * WriteConsoleW on a console, as bytes otherwise, and flushes. */
void text_write(int fd, const char *utf8);
void text_out(const char *fmt, ...) TEXT_PRINTF(1, 2);
/* "zmmplay: " + message + "\n" on stderr. */
void text_error(const char *fmt, ...) TEXT_PRINTF(1, 2);

#endif
