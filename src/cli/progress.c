/*
 * progress.c -- a one-line progress bar on stderr, redrawn in place with
 * '\r'. Only when stderr is a terminal (never in a log or a pipe), not with
 * -q, and only once the work has run for a second: quick commands print
 * nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

#define SHOW_AFTER_MS 1000u
#define REDRAW_MS 200u
#define LABEL_BYTES 24u
#define BAR_CELLS 20
#define LINE_COLUMNS 79 /* fits an 80-column terminal without wrapping */

static cli_progress *shown; /* the progress whose bar is on screen */

static double mib(uint64_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

static void draw(cli_progress *p)
{
    char line[160], label[LABEL_BYTES + 4];
    size_t n = strlen(p->verb);

    /* Cut long labels at a UTF-8 character boundary. */
    if (n > LABEL_BYTES) {
        n = LABEL_BYTES;
        while (n > 0 && ((unsigned char)p->verb[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(label, p->verb, n);
    strcpy(label + n, n < strlen(p->verb) ? "..." : "");
    if (p->total > 0) {
        char bar[BAR_CELLS + 1];
        uint64_t done_bytes = p->done > p->total ? p->total : p->done;
        int cells = (int)(done_bytes * BAR_CELLS / p->total), i;

        for (i = 0; i < BAR_CELLS; i++)
            bar[i] = i < cells ? '#' : '-';
        bar[BAR_CELLS] = '\0';
        snprintf(line, sizeof line, "\r%s [%s] %3d%% %.1f/%.1f MiB ", label,
                 bar, (int)(done_bytes * 100 / p->total), mib(p->done),
                 mib(p->total));
    } else {
        snprintf(line, sizeof line, "\r%s %.1f MiB ", label, mib(p->done));
    }
    sys_write_text(stderr, line);
    fflush(stderr);
    shown = p;
}

void cli_progress_start(cli_progress *p, const char *verb, uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->verb = verb;
    p->total = total;
    p->enabled = cli_verbosity >= 1 && sys_is_terminal(stderr);
    if (p->enabled)
        p->start_ms = sys_millis();
}

void cli_progress_add(cli_progress *p, uint64_t bytes)
{
    uint64_t now;

    if (p == NULL)
        return;
    p->done += bytes;
    if (!p->enabled)
        return;
    now = sys_millis();
    if (now - p->start_ms < SHOW_AFTER_MS ||
        (shown == p && now - p->drawn_ms < REDRAW_MS))
        return;
    p->drawn_ms = now;
    draw(p);
}

void cli_progress_clear(void)
{
    if (shown != NULL) {
        /* Spaces over the whole line, then back to its start. */
        char blank[LINE_COLUMNS + 3];

        memset(blank, ' ', sizeof blank - 2);
        blank[0] = '\r';
        blank[sizeof blank - 2] = '\r';
        blank[sizeof blank - 1] = '\0';
        shown = NULL;
        sys_write_text(stderr, blank);
        fflush(stderr);
    }
}

void cli_progress_end(cli_progress *p)
{
    if (p != NULL && shown == p)
        cli_progress_clear();
}
