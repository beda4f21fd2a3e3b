/*
 * main.c -- zmmplay, the sample player: plays a WAV file or an archive
 * member ("pack.zmm+intro.wav") through mmio, zmmio.dll and waveOut.
 *
 *   zmmplay [--start S] [--duration S] [--device N] NAME   console mode
 *   zmmplay --list ARCHIVE                                 list members
 *   zmmplay --gui [NAME]   or   zmmplay                   window mode
 *
 * One program for both modes: it is a console program (so a command
 * prompt waits for it and sees its output and exit status), and in window
 * mode it releases a console that was made for it alone (started from
 * Explorer), keeping one it shares with a command prompt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmmplay.h" /* <windows.h> first: shellapi.h needs it */

#include <shellapi.h>

#include "dllload.h"
#include "text.h"

static const char usage_text[] =
    "usage: zmmplay [--start S] [--duration S] [--device N] NAME\n"
    "       zmmplay --list ARCHIVE\n"
    "       zmmplay --gui [NAME]      (also: zmmplay with no arguments)\n"
    "\n"
    "Plays a RIFF WAVE file through mmio and waveOut. NAME is any name\n"
    "mmioOpen takes once zmmio.dll is installed:\n"
    "  pack.zmm+intro.wav   member intro.wav of the archive pack.zmm\n"
    "  song.zmm+            the archive's default member (\"song.zmm\" too)\n"
    "  plain.wav            an ordinary file\n"
    "\n"
    "  --start S       start S seconds into the sound (e.g. 12.5)\n"
    "  --duration S    play S seconds, then stop\n"
    "  --device N      waveOut device N (default: the sound mapper)\n"
    "  --list          list the archive's members, sizes and ratios\n"
    "  --gui           the window: Open..., Play/Pause, Stop, a seek bar;\n"
    "                  keys: space play/pause, Left/Right seek -/+5 s\n"
    "  --trace         (window mode) print state changes, the position and\n"
    "                  where each control is on stdout. For tests\n"
    "  --version       versions of zmmplay, zmmio.dll and the library\n"
    "\n"
    "Ctrl+C stops playback. Exit status: 0 played, 1 error (no audio\n"
    "device, file or member not found, damaged archive, not a RIFF WAVE\n"
    "file, unsupported format), 2 bad arguments, 130 stopped by Ctrl+C.\n";

static int usage_error(const char *what, const char *arg)
{
    text_error("%s%s%s (zmmplay --help shows the usage)", what,
               arg ? ": " : "", arg ? arg : "");
    return ZMMPLAY_EXIT_USAGE;
}

/* Seconds: a non-negative decimal number. */
static int parse_seconds(const char *s, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !(v >= 0.0) ||
        v > 1e7)
        return -1;
    *out = v;
    return 0;
}

static int parse_device(const char *s, UINT *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v > 1000 || *s == '-')
        return -1;
    *out = (UINT)v;
    return 0;
}

static int version(void)
{
    char err[600];

    text_out("zmmplay %d.%d.%d\n", ZMMPLAY_VERSION_MAJOR,
             ZMMPLAY_VERSION_MINOR, ZMMPLAY_VERSION_PATCH);
    if (dll_install(err, sizeof err) == 0) {
        text_out("%s\n", dll_description());
        dll_uninstall();
    } else {
        text_out("zmmio.dll: %s\n", err);
    }
    return ZMMPLAY_EXIT_OK;
}

/* Parses UTF-8 arguments into *o; returns -1 (done: *status says how),
 * or 0 to run. */
static int parse(int argc, char **argv, zmmplay_options *o, int *status)
{
    int i;

    memset(o, 0, sizeof *o);
    o->duration = -1.0;
    o->device = WAVE_MAPPER;
    if (argc <= 1)
        o->gui = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 ||
            strcmp(a, "/?") == 0) {
            text_out("%s", usage_text);
            *status = ZMMPLAY_EXIT_OK;
            return -1;
        } else if (strcmp(a, "--version") == 0) {
            *status = version();
            return -1;
        } else if (strcmp(a, "--start") == 0 || strcmp(a, "--duration") == 0) {
            double *target = a[2] == 's' ? &o->start : &o->duration;

            if (!value || parse_seconds(value, target) != 0) {
                *status = usage_error(
                    a[2] == 's' ? "--start needs a number of seconds >= 0"
                                : "--duration needs a number of seconds >= 0",
                    value);
                return -1;
            }
            i++;
        } else if (strcmp(a, "--device") == 0) {
            if (!value || parse_device(value, &o->device) != 0) {
                *status = usage_error(
                    "--device needs a device number (0, 1...)", value);
                return -1;
            }
            i++;
        } else if (strcmp(a, "--list") == 0) {
            o->list = 1;
        } else if (strcmp(a, "--gui") == 0) {
            o->gui = 1;
        } else if (strcmp(a, "--trace") == 0) {
            o->trace = 1;
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && !o->name) {
            o->name = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            *status = usage_error("unknown option", a);
            return -1;
        } else if (o->name) {
            *status = usage_error("only one NAME, please; extra argument", a);
            return -1;
        } else {
            o->name = a;
        }
    }
    if (o->list && o->gui) {
        *status = usage_error("--list and --gui do not go together", NULL);
        return -1;
    }
    if (!o->gui && !o->name) {
        *status = usage_error("no NAME to play", NULL);
        return -1;
    }
    if (o->gui && o->duration >= 0) {
        *status = usage_error("--duration is for console mode", NULL);
        return -1;
    }
    return 0;
}

/* In window mode, lets go of a console that only this process uses (one
 * Windows made because the program was started from Explorer), so no
 * empty console window stays behind the player. */
static void release_own_console(void)
{
    DWORD pids[2];

    if (GetConsoleProcessList(pids, 2) == 1)
        FreeConsole();
}

int main(void)
{
    int argc_w = 0, i, status = ZMMPLAY_EXIT_OK;
    wchar_t **argv_w = CommandLineToArgvW(GetCommandLineW(), &argc_w);
    char **argv;
    zmmplay_options o;

    if (!argv_w) {
        text_error("cannot read the command line");
        return ZMMPLAY_EXIT_FAILED;
    }
    argv = calloc((size_t)argc_w + 1, sizeof *argv);
    for (i = 0; argv && i < argc_w; i++) {
        argv[i] = text_utf8_from_wide(argv_w[i]);
        if (!argv[i]) {
            text_error("argument %d is not valid text", i);
            return ZMMPLAY_EXIT_USAGE;
        }
    }
    LocalFree(argv_w);
    if (!argv) {
        text_error("out of memory");
        return ZMMPLAY_EXIT_FAILED;
    }

    if (parse(argc_w, argv, &o, &status) == 0) {
        if (o.list) {
            status = console_list(&o);
        } else if (o.gui) {
            if (!o.trace)
                release_own_console();
            status = window_run(&o);
        } else {
            status = console_play(&o);
        }
    }
    for (i = 0; i < argc_w; i++)
        free(argv[i]);
    free(argv);
    return status;
}
