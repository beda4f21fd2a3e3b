/*
 * zmmplay.h -- the sample player's options and exit statuses, shared by
 * main.c (parsing), console.c (console mode) and window.c (window mode).
 */
#ifndef ZMMPLAY_H
#define ZMMPLAY_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <mmsystem.h>

/* Exit statuses. */
#define ZMMPLAY_EXIT_OK 0
#define ZMMPLAY_EXIT_FAILED 1      /* a file, format, device or archive error */
#define ZMMPLAY_EXIT_USAGE 2       /* bad arguments */
#define ZMMPLAY_EXIT_INTERRUPTED 130 /* Ctrl+C (as a shell reports SIGINT) */

typedef struct zmmplay_options {
    const char *name;  /* UTF-8 mmio name, or NULL */
    double start;      /* seconds from the start of the data */
    double duration;   /* seconds to play; < 0: to the end */
    UINT device;       /* WAVE_MAPPER or a device index */
    int list;          /* --list: list the archive's members */
    int gui;           /* --gui, or no arguments at all */
    int trace;         /* --trace: window mode reports on stdout and takes
                          key names on stdin (for tests and scripts) */
} zmmplay_options;

/* Console mode: plays o->name, printing its format, duration, compression
 * and progress. Returns an exit status. */
int console_play(const zmmplay_options *o);

/* --list: prints the members of the archive o->name. */
int console_list(const zmmplay_options *o);

/* Window mode; o->name (may be NULL) is loaded and played at once. */
int window_run(const zmmplay_options *o);

#endif
