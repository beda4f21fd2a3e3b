/*
 * wavefile.h -- a RIFF WAVE file read through mmio: any name mmioOpen
 * takes ("pack.zmm+intro.wav", "song.zmm+", "plain.wav"), parsed with
 * mmioDescend / mmioAscend / mmioRead: the `fmt ` chunk (PCM, IEEE float,
 * WAVE_FORMAT_EXTENSIBLE, or a compressed format for the ACM), unknown
 * chunks skipped, the `data` chunk found and its samples read and sought in
 * whole blocks.
 *
 * A "block" is nBlockAlign bytes: one sample frame for PCM and float; for a
 * compressed format (ADPCM...) the unit the codec decodes, of
 * frames_per_block frames. Seeks land on block boundaries.
 *
 * Threads: one wavefile is used by one thread at a time.
 */
#ifndef ZMMPLAY_WAVEFILE_H
#define ZMMPLAY_WAVEFILE_H

#include <stddef.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <mmsystem.h>

typedef enum wavefile_error {
    WAVEFILE_OK = 0,
    WAVEFILE_NOT_FOUND,   /* mmioOpen: MMIOERR_FILENOTFOUND */
    WAVEFILE_INVALID,     /* mmioOpen: MMIOERR_INVALIDFILE (a damaged or
                             foreign archive, for the ZMM procedure) */
    WAVEFILE_CANNOT_OPEN, /* any other mmioOpen error */
    WAVEFILE_READ_FAILED, /* mmioRead returned -1 (a damaged archive block) */
    WAVEFILE_NOT_WAVE,    /* not RIFF WAVE, or no `fmt ` / `data` chunk */
    WAVEFILE_UNSUPPORTED, /* a format the player cannot describe or play */
    WAVEFILE_NO_MEMORY
} wavefile_error;

typedef struct wavefile {
    HMMIO h;
    WAVEFORMATEX *format;  /* malloc'd, as waveOutOpen takes it */
    WORD tag;              /* WAVE_FORMAT_PCM, _IEEE_FLOAT or another tag;
                              EXTENSIBLE resolved to its subformat */
    LONG data_offset;      /* file offset of the first sample byte */
    DWORD data_bytes;      /* bytes of whole blocks in the data chunk */
    DWORD block_align;     /* bytes per block */
    DWORD frames_per_block;
    DWORD blocks;          /* whole blocks in the data chunk */
    DWORD frames;          /* sample frames in the file */
    DWORD rate;            /* frames per second */
    char description[160]; /* "PCM 16-bit, stereo, 44100 Hz" */
} wavefile;

/*
 * The mmio functions wavefile calls: winmm's unless wavefile_use_mmio()
 * chose others -- an indirection for tests, which point it at an mmio
 * written from Microsoft's documentation (tests/wine/docmmio.h) to play
 * through the procedure as Windows would call it.
 */
typedef struct wavefile_mmio {
    HMMIO(WINAPI *open)(LPSTR, LPMMIOINFO, DWORD);
    MMRESULT(WINAPI *close)(HMMIO, UINT);
    LONG(WINAPI *read)(HMMIO, HPSTR, LONG);
    LONG(WINAPI *seek)(HMMIO, LONG, int);
    MMRESULT(WINAPI *descend)(HMMIO, LPMMCKINFO, const MMCKINFO *, UINT);
    MMRESULT(WINAPI *ascend)(HMMIO, LPMMCKINFO, UINT);
} wavefile_mmio;

/* Uses `calls` (kept by pointer) for the wavefiles opened from now on; NULL:
 * winmm's again. Not while a wavefile is open. */
void wavefile_use_mmio(const wavefile_mmio *calls);

/*
 * Opens `name` (UTF-8; passed to mmioOpenA in the ANSI code page) for
 * reading, unbuffered, and parses it, leaving the position at the first
 * sample. On failure returns the error, fills `err` with a message (without
 * the file's name) and leaves *wf closed.
 */
wavefile_error wavefile_open(wavefile *wf, const char *name, char *err,
                             size_t err_len);

/*
 * Reads up to `blocks` whole blocks at the position into buf and advances.
 * Returns the blocks read (0 at the end of the data) or -1 if mmioRead
 * failed (a damaged archive) or the file ended before the data chunk did.
 */
long wavefile_read(wavefile *wf, void *buf, DWORD blocks);

/* Moves the position to block `block` (<= wf->blocks). 0 or -1. */
int wavefile_seek(wavefile *wf, DWORD block);

/* Closes the mmio handle and frees the format. Safe on a closed wavefile. */
void wavefile_close(wavefile *wf);

/* The format tag's name: "PCM", "IEEE float", "IMA ADPCM", "MPEG Layer-3",
 * ..., or "format tag 0x1234". */
void wavefile_tag_name(WORD tag, char *buf, size_t len);

#endif
