/*
 * player.c -- waveOut playback with a refilling worker thread.
 *
 * State lives under one lock: the worker takes it to reap and refill, the
 * control functions to reset, seek and queue. waveOut's CALLBACK_EVENT only
 * sets an event (no callback runs our code on winmm's thread), so holding
 * the lock across waveOutReset or waveOutWrite cannot deadlock.
 *
 * Device pause: waveOutWrite on a reset device starts playback (under Wine
 * and on Windows), and waveOutRestart resumes a paused one. A resume
 * therefore queues the buffers first and then calls waveOutRestart, so
 * the device is never started with nothing to play.
 */
#include "player.h"

#include <stdlib.h>
#include <string.h>

#include <mmreg.h>

#include "text.h"

struct player {
    wavefile *file;         /* the caller's; read and sought only here */
    HWAVEOUT wo;
    HANDLE wave_event;      /* set by waveOut on open, done and close */
    HANDLE done_event;      /* set on FINISHED or FAILED */
    HANDLE thread;
    CRITICAL_SECTION lock;

    WAVEHDR hdr[PLAYER_BUFFERS];
    int in_device[PLAYER_BUFFERS]; /* written and not yet reaped */
    char *memory;
    DWORD buffer_blocks;

    /* under the lock */
    player_state state;
    int quit;
    DWORD queued;      /* buffers in the device */
    DWORD next_block;  /* the next block to read */
    DWORD end_block;   /* reading stops before this block */
    DWORD end_frame;   /* playback ends at this frame */
    DWORD base_frame;  /* the frame at device position 0 */
    char error[512];
    char device_name[MAXPNAMELEN * 3];
};

static DWORD block_frame(const player *p, DWORD block)
{
    DWORD f = block * p->file->frames_per_block;

    return f < p->end_frame ? f : p->end_frame;
}

/* Text of a waveOut error code. */
static void wave_error_text(MMRESULT r, char *buf, size_t len)
{
    wchar_t w[MAXERRORLENGTH];
    char *s = NULL;

    if (waveOutGetErrorTextW(r, w, MAXERRORLENGTH) == MMSYSERR_NOERROR)
        s = text_utf8_from_wide(w);
    text_format(buf, len, "%s (MMRESULT %u)", s ? s : "unknown error",
                (unsigned)r);
    free(s);
}

/* Takes back every buffer the device has finished with. */
static void reap(player *p)
{
    int i;

    for (i = 0; i < PLAYER_BUFFERS; i++) {
        if (p->in_device[i] && (p->hdr[i].dwFlags & WHDR_DONE)) {
            waveOutUnprepareHeader(p->wo, &p->hdr[i], sizeof p->hdr[i]);
            p->in_device[i] = 0;
            p->queued--;
        }
    }
}

/* waveOutReset: every buffer comes back done, the device position is 0. */
static void reset_device(player *p)
{
    waveOutReset(p->wo);
    reap(p);
}

/* Resets until the device has handed back every buffer (bounded): the
 * headers and samples live in memory player_close frees, and a driver still
 * holding one would write into freed memory. */
static void drain_device(player *p)
{
    int tries;

    for (tries = 0; tries < 200; tries++) {
        reset_device(p);
        if (p->queued == 0)
            return;
        Sleep(10);
    }
}

static void fail(player *p, const char *message)
{
    text_format(p->error, sizeof p->error, "%s", message);
    reset_device(p);
    p->state = PLAYER_FAILED;
    SetEvent(p->done_event);
}

/* Reads into every free buffer and queues it, in order. */
static void refill(player *p)
{
    int i;

    for (i = 0; i < PLAYER_BUFFERS; i++) {
        WAVEHDR *h = &p->hdr[i];
        DWORD want = p->end_block - p->next_block;
        long got;
        MMRESULT r;

        if (p->in_device[i])
            continue;
        if (want == 0)
            return;
        if (want > p->buffer_blocks)
            want = p->buffer_blocks;
        got = wavefile_read(p->file, h->lpData, want);
        if (got <= 0) {
            char msg[160];
            unsigned long long at = (unsigned long long)p->next_block *
                                    p->file->block_align;

            text_format(msg, sizeof msg,
                        "%s at byte %llu of the samples (frame %lu)",
                        got < 0 ? "mmioRead failed"
                                : "the file ended before its data chunk did",
                        at, (unsigned long)block_frame(p, p->next_block));
            fail(p, msg);
            return;
        }
        h->dwBufferLength = (DWORD)got * p->file->block_align;
        h->dwFlags = 0;
        h->dwLoops = 0;
        r = waveOutPrepareHeader(p->wo, h, sizeof *h);
        if (r == MMSYSERR_NOERROR)
            r = waveOutWrite(p->wo, h, sizeof *h);
        if (r != MMSYSERR_NOERROR) {
            char why[160], msg[200];

            waveOutUnprepareHeader(p->wo, h, sizeof *h);
            wave_error_text(r, why, sizeof why);
            text_format(msg, sizeof msg, "waveOutWrite failed: %s", why);
            fail(p, msg);
            return;
        }
        p->in_device[i] = 1;
        p->queued++;
        p->next_block += (DWORD)got;
    }
}

/* While playing: queues what it can and notices the end (nothing left to
 * read and nothing left in the device). */
static void feed(player *p)
{
    refill(p);
    if (p->state == PLAYER_PLAYING && p->queued == 0 &&
        p->next_block >= p->end_block) {
        p->state = PLAYER_FINISHED;
        SetEvent(p->done_event);
    }
}

/* The worker's step after each waveOut event. */
static void service(player *p)
{
    reap(p);
    if (p->state == PLAYER_PLAYING)
        feed(p);
}

static DWORD WINAPI worker(void *arg)
{
    player *p = arg;

    for (;;) {
        WaitForSingleObject(p->wave_event, INFINITE);
        EnterCriticalSection(&p->lock);
        if (p->quit) {
            LeaveCriticalSection(&p->lock);
            return 0;
        }
        service(p);
        LeaveCriticalSection(&p->lock);
    }
}

player_open_result player_open(player **out, wavefile *wf, UINT device,
                               char *err, size_t err_len)
{
    UINT count = waveOutGetNumDevs();
    player *p;
    MMRESULT r;
    DWORD flags = CALLBACK_EVENT;
    DWORD bytes;
    WAVEOUTCAPSW caps;
    char why[160];
    int i;
    player_open_result result = PLAYER_OPEN_FAILED;

    *out = NULL;
    if (count == 0) {
        text_format(err, err_len,
                    "no audio device: waveOutGetNumDevs() found no output "
                    "device (no sound driver, or none of its devices works)");
        return PLAYER_OPEN_NO_DEVICE;
    }
    if (device != WAVE_MAPPER && device >= count) {
        text_format(err, err_len,
                    "no audio device %u: there %s %u (--device 0 to %u)",
                    device, count == 1 ? "is" : "are", count, count - 1);
        return PLAYER_OPEN_NO_DEVICE;
    }
    p = calloc(1, sizeof *p);
    if (!p) {
        text_format(err, err_len, "out of memory");
        return PLAYER_OPEN_FAILED;
    }
    InitializeCriticalSection(&p->lock);
    p->wave_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    p->done_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!p->wave_event || !p->done_event) {
        text_format(err, err_len, "cannot create an event");
        goto fail;
    }

    /* A numbered device takes what it plays natively or, with WAVE_MAPPED,
     * through an ACM codec; WAVE_MAPPER does both by itself. */
    if (device != WAVE_MAPPER)
        flags |= WAVE_MAPPED;
    r = waveOutOpen(&p->wo, device, wf->format, (DWORD_PTR)p->wave_event, 0,
                    flags);
    if (r != MMSYSERR_NOERROR) {
        p->wo = NULL;
        if (r == WAVERR_BADFORMAT) {
            char tag[64];

            wavefile_tag_name(wf->tag, tag, sizeof tag);
            text_format(err, err_len,
                        "unsupported format: waveOut plays %s neither "
                        "directly nor through an installed ACM codec "
                        "(waveOutOpen: WAVERR_BADFORMAT)",
                        tag);
            result = PLAYER_OPEN_BAD_FORMAT;
        } else {
            wave_error_text(r, why, sizeof why);
            text_format(err, err_len,
                        "no audio device: waveOutOpen(%s) failed: %s",
                        device == WAVE_MAPPER ? "WAVE_MAPPER" : "the device",
                        why);
            result = PLAYER_OPEN_NO_DEVICE;
        }
        goto fail;
    }
    if (waveOutGetDevCapsW(device == WAVE_MAPPER ? WAVE_MAPPER : device, &caps,
                           sizeof caps) == MMSYSERR_NOERROR) {
        char *name;

        caps.szPname[MAXPNAMELEN - 1] = L'\0';
        name = text_utf8_from_wide(caps.szPname);
        text_format(p->device_name, sizeof p->device_name, "%s",
                    name ? name : "?");
        free(name);
    }

    p->file = wf;

    /* PLAYER_BUFFER_MS of audio per buffer, in whole blocks. */
    if (p->file->tag == WAVE_FORMAT_PCM ||
        p->file->tag == WAVE_FORMAT_IEEE_FLOAT)
        bytes = p->file->rate * p->file->block_align /
                (1000 / PLAYER_BUFFER_MS);
    else
        bytes = p->file->format->nAvgBytesPerSec / (1000 / PLAYER_BUFFER_MS);
    p->buffer_blocks = bytes / p->file->block_align;
    if (p->buffer_blocks == 0)
        p->buffer_blocks = 1;
    p->memory = malloc((size_t)PLAYER_BUFFERS * p->buffer_blocks *
                       p->file->block_align);
    if (!p->memory) {
        text_format(err, err_len, "out of memory");
        goto fail;
    }
    for (i = 0; i < PLAYER_BUFFERS; i++)
        p->hdr[i].lpData = p->memory + (size_t)i * p->buffer_blocks *
                                           p->file->block_align;

    p->state = PLAYER_STOPPED;
    p->end_block = p->file->blocks;
    p->end_frame = p->file->frames;
    p->thread = CreateThread(NULL, 0, worker, p, 0, NULL);
    if (!p->thread) {
        text_format(err, err_len, "cannot start the playback thread");
        goto fail;
    }
    *out = p;
    return PLAYER_OPEN_OK;

fail:
    if (p->wo)
        waveOutClose(p->wo);
    free(p->memory);
    if (p->wave_event)
        CloseHandle(p->wave_event);
    if (p->done_event)
        CloseHandle(p->done_event);
    DeleteCriticalSection(&p->lock);
    free(p);
    return result;
}

void player_close(player *p)
{
    if (!p)
        return;
    EnterCriticalSection(&p->lock);
    drain_device(p);
    p->quit = 1;
    SetEvent(p->wave_event);
    LeaveCriticalSection(&p->lock);
    WaitForSingleObject(p->thread, INFINITE);
    CloseHandle(p->thread);
    if (waveOutClose(p->wo) == WAVERR_STILLPLAYING) {
        drain_device(p);
        waveOutClose(p->wo);
    }
    free(p->memory);
    CloseHandle(p->wave_event);
    CloseHandle(p->done_event);
    DeleteCriticalSection(&p->lock);
    free(p);
}

/* Moves the file and the frame accounting to `block`; the device must be
 * reset. Returns 0, or -1 having FAILED. */
static int move_to(player *p, DWORD block)
{
    if (block > p->end_block)
        block = p->end_block;
    if (wavefile_seek(p->file, block) != 0) {
        fail(p, "mmioSeek failed");
        return -1;
    }
    p->next_block = block;
    p->base_frame = block_frame(p, block);
    return 0;
}

void player_play(player *p)
{
    EnterCriticalSection(&p->lock);
    switch (p->state) {
    case PLAYER_PLAYING:
        break;
    case PLAYER_FINISHED:
    case PLAYER_FAILED:
        p->error[0] = '\0';
        if (move_to(p, p->next_block >= p->end_block ? 0 : p->next_block))
            break;
        /* fall through */
    case PLAYER_STOPPED:
    case PLAYER_PAUSED:
        p->state = PLAYER_PLAYING;
        feed(p);
        if (p->state == PLAYER_PLAYING)
            waveOutRestart(p->wo);
        break;
    }
    LeaveCriticalSection(&p->lock);
}

void player_pause(player *p)
{
    EnterCriticalSection(&p->lock);
    if (p->state == PLAYER_PLAYING) {
        waveOutPause(p->wo);
        p->state = PLAYER_PAUSED;
    }
    LeaveCriticalSection(&p->lock);
}

void player_stop(player *p)
{
    EnterCriticalSection(&p->lock);
    reset_device(p);
    p->error[0] = '\0';
    p->state = PLAYER_STOPPED;
    move_to(p, 0);
    LeaveCriticalSection(&p->lock);
}

void player_seek(player *p, DWORD frame)
{
    DWORD block = frame / p->file->frames_per_block;

    EnterCriticalSection(&p->lock);
    reset_device(p);
    if (p->state == PLAYER_FINISHED || p->state == PLAYER_FAILED) {
        p->error[0] = '\0';
        p->state = PLAYER_STOPPED;
    }
    if (move_to(p, block) == 0 && p->state == PLAYER_PLAYING)
        feed(p); /* a reset device starts on the first write */
    LeaveCriticalSection(&p->lock);
}

void player_set_end(player *p, DWORD frame)
{
    EnterCriticalSection(&p->lock);
    if (frame > p->file->frames)
        frame = p->file->frames;
    p->end_frame = frame;
    /* Whole blocks up to the end frame (PCM: exactly that frame). */
    p->end_block = (frame + p->file->frames_per_block - 1) /
                   p->file->frames_per_block;
    if (p->end_block > p->file->blocks)
        p->end_block = p->file->blocks;
    LeaveCriticalSection(&p->lock);
}

DWORD player_position(player *p)
{
    DWORD pos, sent_end;
    MMTIME t;

    EnterCriticalSection(&p->lock);
    sent_end = block_frame(p, p->next_block);
    switch (p->state) {
    case PLAYER_PLAYING:
    case PLAYER_PAUSED:
        memset(&t, 0, sizeof t);
        t.wType = TIME_SAMPLES;
        pos = p->base_frame;
        if (waveOutGetPosition(p->wo, &t, sizeof t) == MMSYSERR_NOERROR) {
            if (t.wType == TIME_SAMPLES)
                pos += t.u.sample;
            else if (t.wType == TIME_BYTES)
                pos += t.u.cb / p->file->block_align *
                       p->file->frames_per_block;
            else if (t.wType == TIME_MS)
                pos += (DWORD)((unsigned long long)t.u.ms * p->file->rate /
                               1000);
        }
        if (pos > sent_end)
            pos = sent_end;
        break;
    case PLAYER_FINISHED:
        pos = sent_end;
        break;
    default:
        pos = p->base_frame;
        break;
    }
    LeaveCriticalSection(&p->lock);
    return pos;
}

player_state player_get_state(player *p)
{
    player_state s;

    EnterCriticalSection(&p->lock);
    s = p->state;
    LeaveCriticalSection(&p->lock);
    return s;
}

void player_error(player *p, char *buf, size_t len)
{
    EnterCriticalSection(&p->lock);
    text_format(buf, len, "%s", p->error);
    LeaveCriticalSection(&p->lock);
}

void player_sent(player *p, DWORD *first_frame, DWORD *frames)
{
    EnterCriticalSection(&p->lock);
    *first_frame = p->base_frame;
    *frames = block_frame(p, p->next_block) - p->base_frame;
    LeaveCriticalSection(&p->lock);
}

HANDLE player_event(player *p)
{
    return p->done_event;
}

void player_device_name(player *p, char *buf, size_t len)
{
    EnterCriticalSection(&p->lock);
    text_format(buf, len, "%s", p->device_name);
    LeaveCriticalSection(&p->lock);
}
