/*
 * console.c -- console mode: play one name, report, exit.
 *
 * Prints the format, the duration, the compression ratio and the device,
 * then a progress line: redrawn in place (\r) on a console, only a start
 * and an end line when the output is a file or a pipe. Ctrl+C (and
 * Ctrl+Break, closing the console) stops playback cleanly: the device is
 * reset and closed, the files closed, the DLL's procedure removed.
 */
#include <stdlib.h>
#include <string.h>

#include "dllload.h"
#include "player.h"
#include "source.h"
#include "text.h"
#include "zmmplay.h"

/* Progress redraws per second on a console. */
#define PROGRESS_MS 100
/* A device whose position has not moved for this long while playing has
 * stopped working: give up rather than hang. */
#define STALL_MS 10000

static HANDLE interrupt_event;

static BOOL WINAPI on_console_event(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
        SetEvent(interrupt_event);
        return TRUE;
    default:
        return FALSE;
    }
}

static double seconds(DWORD frames, DWORD rate)
{
    return (double)frames / (double)rate;
}

static void draw_progress(DWORD pos, DWORD total, DWORD rate, int paused)
{
    char now[32], all[32], bar[32];
    int width = 30, filled = total ? (int)((double)pos * width / total) : 0;
    int i;

    text_time(now, sizeof now, seconds(pos, rate));
    text_time(all, sizeof all, seconds(total, rate));
    for (i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[width] = '\0';
    text_out("\r  [%s] %s / %s%s ", bar, now, all, paused ? " paused" : "");
}

/* The time given on the command line as a frame, checked against the
 * sound's length. */
static int to_frame(double s, const wavefile *wf, DWORD *frame)
{
    double f = s * wf->rate + 0.5;

    if (f > (double)wf->frames)
        return -1;
    *frame = (DWORD)f;
    return 0;
}

int console_play(const zmmplay_options *o)
{
    char err[1024], line[256], dev[MAXPNAMELEN * 3];
    char t_total[32], t_from[32], t_to[32];
    source src;
    player *p = NULL;
    DWORD start = 0, end, total, last_pos = 0, first, sent, pos;
    DWORD stall_since;
    int console = text_is_console(1);
    int status = ZMMPLAY_EXIT_OK;
    HANDLE waits[2];
    player_state st;

    if (dll_install(err, sizeof err) != 0) {
        text_error("%s", err);
        return ZMMPLAY_EXIT_FAILED;
    }
    if (source_open(&src, o->name, err, sizeof err) != SOURCE_OK) {
        text_error("%s", err);
        dll_uninstall();
        return ZMMPLAY_EXIT_FAILED;
    }
    total = src.wav.frames;
    if (to_frame(o->start, &src.wav, &start) != 0) {
        text_time(t_total, sizeof t_total, seconds(total, src.wav.rate));
        text_error("--start %.3f is past the end of %s (%s long)", o->start,
                   src.name, t_total);
        source_close(&src);
        dll_uninstall();
        return ZMMPLAY_EXIT_USAGE;
    }
    end = total;
    if (o->duration >= 0) {
        double e = (double)start + o->duration * src.wav.rate + 0.5;

        if (e < (double)total)
            end = (DWORD)e;
    }

    text_out("zmmplay: %s\n", src.name);
    text_out("  format       %s (%lu byte%s per %s)\n", src.wav.description,
             (unsigned long)src.wav.block_align,
             src.wav.block_align == 1 ? "" : "s",
             src.wav.frames_per_block > 1 ? "block" : "frame");
    text_time(t_total, sizeof t_total, seconds(total, src.wav.rate));
    text_out("  duration     %s (%lu frames)\n", t_total, (unsigned long)total);
    source_compression(&src, line, sizeof line);
    text_out("  compression  %s\n", line);

    switch (player_open(&p, &src.wav, o->device, err, sizeof err)) {
    case PLAYER_OPEN_OK:
        break;
    default:
        text_error("%s: %s", src.name, err);
        source_close(&src);
        dll_uninstall();
        return ZMMPLAY_EXIT_FAILED;
    }
    player_device_name(p, dev, sizeof dev);
    text_out("  device       %s\n", dev);

    interrupt_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(on_console_event, TRUE);

    player_set_end(p, end);
    if (start)
        player_seek(p, start);
    start = player_position(p); /* on a block boundary */
    text_time(t_from, sizeof t_from, seconds(start, src.wav.rate));
    text_time(t_to, sizeof t_to, seconds(end, src.wav.rate));
    text_out("  playing      %s to %s (frames %lu to %lu)\n", t_from, t_to,
             (unsigned long)start, (unsigned long)end);
    player_play(p);

    waits[0] = interrupt_event;
    waits[1] = player_event(p);
    stall_since = GetTickCount();
    for (;;) {
        DWORD w = WaitForMultipleObjects(2, waits, FALSE, PROGRESS_MS);

        if (w == WAIT_OBJECT_0) {
            status = ZMMPLAY_EXIT_INTERRUPTED;
            break;
        }
        st = player_get_state(p);
        if (st == PLAYER_FINISHED || st == PLAYER_FAILED)
            break;
        pos = player_position(p);
        if (pos != last_pos) {
            last_pos = pos;
            stall_since = GetTickCount();
        } else if (GetTickCount() - stall_since > STALL_MS) {
            if (console)
                text_out("\n");
            text_error("%s: the audio device stopped playing (no progress "
                       "for %d s at frame %lu)",
                       src.name, STALL_MS / 1000, (unsigned long)pos);
            status = ZMMPLAY_EXIT_FAILED;
            break;
        }
        if (console)
            draw_progress(pos, total, src.wav.rate, st == PLAYER_PAUSED);
    }

    pos = player_position(p);
    st = player_get_state(p);
    if (console) {
        draw_progress(pos, total, src.wav.rate, 0);
        text_out("\n");
    }
    player_sent(p, &first, &sent);
    if (status == ZMMPLAY_EXIT_INTERRUPTED) {
        player_stop(p);
        text_time(t_from, sizeof t_from, seconds(pos, src.wav.rate));
        text_out("stopped by Ctrl+C at %s (frame %lu)\n", t_from,
                 (unsigned long)pos);
    } else if (st == PLAYER_FAILED) {
        char what[512];

        player_error(p, what, sizeof what);
        source_read_failure(&src, what, err, sizeof err);
        text_error("%s", err);
        status = ZMMPLAY_EXIT_FAILED;
    } else if (status == ZMMPLAY_EXIT_OK) {
        text_time(t_from, sizeof t_from, seconds(sent, src.wav.rate));
        text_out("played %s: %lu frames from frame %lu\n", t_from,
                 (unsigned long)sent, (unsigned long)first);
    }
    SetConsoleCtrlHandler(on_console_event, FALSE);
    player_close(p);
    source_close(&src);
    dll_uninstall();
    CloseHandle(interrupt_event);
    return status;
}

int console_list(const zmmplay_options *o)
{
    char *name = source_mmio_name(o->name);
    char *archive = NULL, *member = NULL;
    archive_list list;
    MMRESULT rc;
    char disk[32], why[600];
    size_t i;

    if (!name || !archive_split_name(name, &archive, &member)) {
        text_error("%s is not a ZMM archive name (ARCHIVE.zmm, with or "
                   "without a '+'); a plain file has no members",
                   o->name);
        free(name);
        return ZMMPLAY_EXIT_FAILED;
    }
    if (dll_install(why, sizeof why) != 0) {
        text_error("%s", why);
        free(name);
        free(archive);
        free(member);
        return ZMMPLAY_EXIT_FAILED;
    }
    rc = archive_read_list(archive, &list);
    dll_uninstall();
    if (rc != 0) {
        if (rc == MMIOERR_CANNOTREAD)
            text_error("damaged archive %s: %s", archive,
                       archive_error_text(rc));
        else if (rc == MMIOERR_FILENOTFOUND)
            text_error("archive not found: %s", archive);
        else
            text_error("%s: %s", archive, archive_error_text(rc));
        free(name);
        free(archive);
        free(member);
        return ZMMPLAY_EXIT_FAILED;
    }
    text_size(disk, sizeof disk, list.file_size);
    text_out("%s: %lu member%s, %s on disk\n", archive,
             (unsigned long)list.count, list.count == 1 ? "" : "s", disk);
    text_out("%14s %14s %8s  name ('*' = default)\n", "size", "packed",
             "ratio");
    for (i = 0; i < list.count; i++) {
        const archive_entry *e = &list.entries[i];
        char ratio[16];

        if (e->packed_size)
            text_format(ratio, sizeof ratio, "%.2f:1",
                        (double)e->size / (double)e->packed_size);
        else
            text_format(ratio, sizeof ratio, "-");
        text_out("%14llu %14llu %8s  %s%s\n", (unsigned long long)e->size,
                 (unsigned long long)e->packed_size, ratio,
                 e->is_default ? "*" : " ", e->name);
    }
    archive_free_list(&list);
    free(name);
    free(archive);
    free(member);
    return ZMMPLAY_EXIT_OK;
}
