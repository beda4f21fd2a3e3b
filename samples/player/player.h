/*
 * player.h -- the playback engine: a wavefile played through waveOut with
 * PLAYER_BUFFERS buffers of about PLAYER_BUFFER_MS each in flight, so that
 * the device always has the next buffer while the one after it is read
 * (and inflated, for an archive member).
 *
 * A worker thread waits for waveOut's event (CALLBACK_EVENT) and refills
 * each buffer the device returns with mmioRead. The control functions
 * (play, pause, seek...) act at once, from the caller's thread, under the
 * same lock; none of them waits for the audio.
 *
 * Positions are sample frames from the start of the data. A seek stops the
 * device (waveOutReset), moves the mmio position to the frame's block
 * (data offset + block * nBlockAlign) and, when playing, refills the
 * buffers at once: playback resumes within one buffer, on a block (for PCM:
 * frame) boundary.
 *
 * Threads: every function may be called from any thread except
 * player_close(), which the thread that opened the player calls. Between
 * player_open() and player_close() the wavefile is the player's to read
 * and seek: the caller may read its fields but not use its handle.
 */
#ifndef ZMMPLAY_PLAYER_H
#define ZMMPLAY_PLAYER_H

#include <stddef.h>

#include "wavefile.h"

#define PLAYER_BUFFERS 4
#define PLAYER_BUFFER_MS 100

typedef struct player player;

typedef enum player_state {
    PLAYER_STOPPED,  /* nothing queued; play starts at the position */
    PLAYER_PLAYING,
    PLAYER_PAUSED,
    PLAYER_FINISHED, /* played up to the end (or to the end frame) */
    PLAYER_FAILED    /* a read failed mid-play: see player_error() */
} player_state;

typedef enum player_open_result {
    PLAYER_OPEN_OK = 0,
    PLAYER_OPEN_NO_DEVICE,  /* no waveOut device, or it cannot be opened */
    PLAYER_OPEN_BAD_FORMAT, /* WAVERR_BADFORMAT: no device or ACM codec
                               plays the file's format */
    PLAYER_OPEN_FAILED      /* out of memory or no thread */
} player_open_result;

/*
 * Opens waveOut device `device` (WAVE_MAPPER: the default; an index from
 * 0: that device, with the ACM mapper allowed) for wf's format. On success
 * the player is STOPPED at frame 0; on failure fills `err`. wf must stay
 * open until player_close().
 */
player_open_result player_open(player **out, wavefile *wf, UINT device,
                               char *err, size_t err_len);

/* Stops, closes the device, frees the player (not the wavefile). */
void player_close(player *p);

/* Starts or resumes playback. From STOPPED it starts at the position; from
 * FINISHED or FAILED at the start (or at the position set by a seek). */
void player_play(player *p);
void player_pause(player *p);
/* Stops and goes back to frame 0. */
void player_stop(player *p);
/* Moves to `frame` (rounded down to a block, clamped to the end frame),
 * keeping the state: playing continues there, paused stays paused. */
void player_seek(player *p, DWORD frame);
/* Playback stops (FINISHED) at `frame` instead of the end of the data.
 * Set it before playing. */
void player_set_end(player *p, DWORD frame);

/* The frame being heard (waveOutGetPosition) or where play would start. */
DWORD player_position(player *p);
player_state player_get_state(player *p);
/* Why the player FAILED ("" otherwise), copied into buf. */
void player_error(player *p, char *buf, size_t len);
/* Frames actually sent to the device since the last seek, stop or open;
 * and the frame they started at. For reports and tests. */
void player_sent(player *p, DWORD *first_frame, DWORD *frames);

/* An event that is set when the player FINISHES or FAILS (auto-reset), to
 * wait on. */
HANDLE player_event(player *p);

/* The device's name, e.g. "Wine Sound Mapper" or the driver's. */
void player_device_name(player *p, char *buf, size_t len);

#endif
