/*
 * docmmio.h -- mmio as Microsoft documents it: a second client of I/O
 * procedures, beside Wine's winmm, for tests only (not shipped).
 *
 * Wine's mmio decides what a procedure sees, and it differs from Windows'
 * (tests/wine/README.md lists how). This layer calls a procedure the way the
 * documentation says Windows' mmio does: each buffer it writes out goes as
 * MMIOM_WRITEFLUSH, MMIOM_OPEN carries every open flag (MMIO_EXIST,
 * MMIO_PARSE, MMIO_DELETE and MMIO_GETTEMP too), a buffered SEEK_END is asked
 * of the procedure, dm_sendmessage passes any message, and names reach an
 * ANSI procedure in the ANSI code page. docmmio.c cites, beside each
 * behaviour, the documented sentence it follows.
 *
 * Each function has the signature of its winmm namesake (dm_open is
 * mmioOpenA, ...), so a test can drive either through one table. Handles
 * are this layer's own: never pass them to winmm. Not thread-safe: one
 * thread per handle, and installs before any open.
 */
#ifndef ZMMIO_DOCMMIO_H
#define ZMMIO_DOCMMIO_H

#include <windows.h>
#include <mmsystem.h>

/* mmioInstallIOProcA(fcc, proc, MMIO_INSTALLPROC) for this layer (at most
 * 8 procedures; a later install of a FOURCC hides an earlier one). */
void dm_install(FOURCC fcc, LPMMIOPROC proc);

HMMIO WINAPI dm_open(LPSTR name, LPMMIOINFO info, DWORD flags);
HMMIO WINAPI dm_openW(LPWSTR name, LPMMIOINFO info, DWORD flags);
MMRESULT WINAPI dm_close(HMMIO h, UINT flags);
LONG WINAPI dm_read(HMMIO h, HPSTR buf, LONG len);
LONG WINAPI dm_write(HMMIO h, const char *buf, LONG len);
LONG WINAPI dm_seek(HMMIO h, LONG offset, int origin);
MMRESULT WINAPI dm_flush(HMMIO h, UINT flags);
MMRESULT WINAPI dm_getinfo(HMMIO h, LPMMIOINFO info, UINT flags);
MMRESULT WINAPI dm_setinfo(HMMIO h, LPCMMIOINFO info, UINT flags);
MMRESULT WINAPI dm_setbuffer(HMMIO h, LPSTR buf, LONG len, UINT flags);
MMRESULT WINAPI dm_advance(HMMIO h, LPMMIOINFO info, UINT flags);
LRESULT WINAPI dm_sendmessage(HMMIO h, UINT msg, LPARAM p1, LPARAM p2);

/* The RIFF helpers, built on the functions above (docmmio_riff.c). */
MMRESULT WINAPI dm_createchunk(HMMIO h, LPMMCKINFO ck, UINT flags);
MMRESULT WINAPI dm_ascend(HMMIO h, LPMMCKINFO ck, UINT flags);
MMRESULT WINAPI dm_descend(HMMIO h, LPMMCKINFO ck, const MMCKINFO *parent,
                           UINT flags);

/* Messages this layer has sent to procedures, by number (MMIOM_READ ..
 * MMIOM_RENAME; larger numbers are not counted), for tests to check. */
extern unsigned long dm_sent[MMIOM_RENAME + 1];

#endif
