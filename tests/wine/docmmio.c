/*
 * docmmio.c -- mmio's handles and buffer, written from Microsoft's
 * documentation of mmioOpen, mmioRead, mmioWrite, mmioSeek, mmioFlush,
 * mmioGetInfo, mmioSetInfo, mmioSetBuffer, mmioAdvance, mmioClose,
 * mmioSendMessage and the MMIOM_* messages (docmmio.h says why).
 *
 * Quotations ("...") are from that documentation (learn.microsoft.com, and
 * the same text in the 1990s MSDN library); where it is silent, the comment
 * says what was chosen and why.
 *
 * The buffer: pchBuffer holds the file's bytes from lBufOffset; the bytes
 * from pchBuffer to pchEndRead are valid (read from the file, or written),
 * pchNext is the position. When MMIO_DIRTY is set, everything valid (up to
 * pchEndRead or pchNext, whichever is further) is written out at
 * lBufOffset. A seek inside the valid bytes moves pchNext; any other empties
 * the buffer at the target, so a buffer never holds bytes it did not get.
 */
#include "docmmio.h"

#include <stdlib.h>
#include <string.h>

unsigned long dm_sent[MMIOM_RENAME + 1];

typedef struct dm_file {
    MMIOINFO info;
    LPMMIOPROC proc;
    int own_buffer; /* pchBuffer is ours to free */
} dm_file;

static struct {
    FOURCC fcc;
    LPMMIOPROC proc;
} procs[8];
static int nprocs;

void dm_install(FOURCC fcc, LPMMIOPROC proc)
{
    if (nprocs < (int)(sizeof procs / sizeof procs[0])) {
        procs[nprocs].fcc = fcc;
        procs[nprocs].proc = proc;
        nprocs++;
    }
}

static LPMMIOPROC find_proc(FOURCC fcc)
{
    int i;

    for (i = nprocs - 1; i >= 0; i--)
        if (procs[i].fcc == fcc)
            return procs[i].proc;
    return NULL;
}

static LRESULT send_msg(dm_file *f, UINT msg, LPARAM p1, LPARAM p2)
{
    if (msg <= MMIOM_RENAME)
        dm_sent[msg]++;
    return f->proc((LPSTR)&f->info, msg, p1, p2);
}

static dm_file *file_of(HMMIO h)
{
    return (dm_file *)h;
}

/* ---- the buffer ---------------------------------------------------------- */

static LONG position(const dm_file *f)
{
    return f->info.lBufOffset + (LONG)(f->info.pchNext - f->info.pchBuffer);
}

/* Bytes of the buffer that hold the file's contents. */
static LONG valid(const dm_file *f)
{
    HPSTR end = f->info.pchEndRead > f->info.pchNext ? f->info.pchEndRead
                                                     : f->info.pchNext;

    return (LONG)(end - f->info.pchBuffer);
}

/* Puts the procedure at `pos` unless it says it is there: "The I/O
 * procedure must maintain the lDiskOffset member ... to indicate the file
 * offset to the next read or write location" (MMIOProc). */
static int place(dm_file *f, LONG pos)
{
    if (f->info.lDiskOffset == pos)
        return 1;
    return send_msg(f, MMIOM_SEEK, pos, SEEK_SET) == pos;
}

/* Writes the buffer out if it is dirty. "If you have written to the I/O
 * buffer, you must set the MMIO_DIRTY flag ... Otherwise, the buffer will
 * not be written to disk" (mmioAdvance). Each buffer goes as
 * MMIOM_WRITEFLUSH: "The MMIOM_WRITEFLUSH message is sent to an I/O
 * procedure by the mmioWrite function to request that data be written to
 * an open file and that any internal buffers used by the I/O procedure be
 * flushed to disk" -- which is what Windows sends for every buffer a
 * buffered handle writes out (docs/design notes: measured by the recording
 * issue). The flag is cleared even when the write fails: the error is
 * reported once ("mmioFlush fails, even if the preceding calls of the
 * mmioWrite function were successful"), not at every later call. */
static MMRESULT flush_buffer(dm_file *f)
{
    LONG n = valid(f);

    if (!(f->info.dwFlags & MMIO_DIRTY))
        return 0;
    f->info.dwFlags &= ~MMIO_DIRTY;
    if (n == 0)
        return 0;
    if (!place(f, f->info.lBufOffset)
        || send_msg(f, MMIOM_WRITEFLUSH, (LPARAM)f->info.pchBuffer, n) != n)
        return MMIOERR_CANNOTWRITE;
    return 0;
}

/* Empties the buffer, its first byte now at `offset`. */
static void empty_at(dm_file *f, LONG offset)
{
    f->info.lBufOffset = offset;
    f->info.pchNext = f->info.pchEndRead = f->info.pchBuffer;
    f->info.pchEndWrite = f->info.pchBuffer + f->info.cchBuffer;
}

/* Flushes, then fills the buffer from the position ("If the file is opened
 * for reading, the I/O buffer is filled from the disk", mmioAdvance; "the
 * I/O buffer is flushed to disk before the next buffer is read"). Returns
 * the bytes now held, or -1 if the procedure failed. */
static LONG fill(dm_file *f)
{
    LONG pos = position(f), got;
    MMRESULT flushed = flush_buffer(f);

    empty_at(f, pos);
    if (flushed || !place(f, pos))
        return -1;
    got = (LONG)send_msg(f, MMIOM_READ, (LPARAM)f->info.pchBuffer,
                     f->info.cchBuffer);
    if (got < 0)
        return -1;
    f->info.pchEndRead = f->info.pchBuffer + got;
    return got;
}

/* A buffer of `len` bytes (own memory when buf is NULL), at the position.
 * "To disable buffered I/O, set pchBuffer to NULL and cchBuffer to zero"
 * (mmioSetBuffer). */
static MMRESULT set_buffer(dm_file *f, LPSTR buf, LONG len)
{
    LONG pos = f->info.cchBuffer > 0 ? position(f) : f->info.lDiskOffset;
    LPSTR mem = buf;

    if (len < 0)
        return MMSYSERR_INVALPARAM;
    if (!buf && len > 0) {
        mem = malloc((size_t)len);
        if (!mem)
            return MMIOERR_OUTOFMEMORY;
    }
    if (f->own_buffer)
        free(f->info.pchBuffer);
    f->own_buffer = !buf && len > 0;
    f->info.pchBuffer = len > 0 ? mem : NULL;
    f->info.cchBuffer = len;
    f->info.dwFlags &= ~MMIO_ALLOCBUF;
    if (f->own_buffer)
        f->info.dwFlags |= MMIO_ALLOCBUF;
    empty_at(f, pos);
    /* Unbuffered, the procedure's position is the handle's: keep it where
     * the buffer had it (not stated; what an application would expect). */
    if (len == 0 && !place(f, pos))
        return MMIOERR_CANNOTWRITE;
    return 0;
}

/* ---- open and close ------------------------------------------------------ */

/* The FOURCC of a name "x.ext+elem": "If the filename is of the form
 * EXAMPLE.EXT+ABC, the extension EXT is assumed to identify an installed
 * I/O procedure" (mmioOpen). The last '+' and at most 4 characters,
 * upper-cased: "All characters in this code should be uppercase"
 * (mmioInstallIOProc). 0 if the name has no '+' after a '.'. */
static FOURCC name_fourcc(const char *name)
{
    const char *plus = strrchr(name, '+'), *dot;
    char ext[5] = {0};
    size_t n;

    if (!plus)
        return 0;
    for (dot = plus; dot > name && dot[-1] != '.'; dot--)
        if (dot[-1] == '\\' || dot[-1] == '/')
            return 0;
    if (dot == name)
        return 0;
    n = (size_t)(plus - dot);
    memcpy(ext, dot, n > 4 ? 4 : n);
    return mmioStringToFOURCCA(ext, MMIO_TOUPPER);
}

HMMIO WINAPI dm_open(LPSTR name, LPMMIOINFO caller, DWORD flags)
{
    dm_file *f = calloc(1, sizeof *f);
    MMRESULT err;
    LONG buffer = 0;
    LPSTR user_buffer = NULL;

    if (!f) {
        if (caller)
            caller->wErrorRet = MMIOERR_OUTOFMEMORY;
        return NULL;
    }
    /* "To request that a file be opened with an installed I/O procedure,
     * set fccIOProc ... and set pIOProc to NULL. To request that a file be
     * opened with an uninstalled I/O procedure, set IOProc to point to the
     * I/O procedure ... To request that mmioOpen determine which I/O
     * procedure to use ... based on the filename ..., set fccIOProc and
     * pIOProc to NULL." And: "If the filename does not contain a plus sign
     * (+), it is assumed to be the name of a standard file": FOURCC_DOS. */
    if (caller && caller->pIOProc) {
        f->proc = caller->pIOProc;
        f->info.fccIOProc = caller->fccIOProc;
    } else {
        f->info.fccIOProc = caller && caller->fccIOProc
                                ? caller->fccIOProc
                                : (name ? name_fourcc(name) : 0);
        if (!f->info.fccIOProc)
            f->info.fccIOProc = FOURCC_DOS;
        f->proc = find_proc(f->info.fccIOProc);
    }
    if (!f->proc) {
        /* "MMIOERR_INVALIDFILE ... This is the default error for an
         * open-file failure." */
        free(f);
        if (caller)
            caller->wErrorRet = MMIOERR_INVALIDFILE;
        return NULL;
    }
    f->info.pIOProc = f->proc;
    f->info.hmmio = (HMMIO)f;
    /* "If the filename is NULL and no I/O procedure is given, the adwInfo
     * member ... is assumed to be the standard (non-HMMIO) file handle". */
    if (caller)
        memcpy(f->info.adwInfo, caller->adwInfo, sizeof f->info.adwInfo);
    /* "MMIO_ALLOCBUF: Opens a file for buffered I/O. To allocate a buffer
     * larger or smaller than the default buffer size (8K, defined as
     * MMIO_DEFAULTBUFFER), set the cchBuffer member ... If cchBuffer is
     * zero, the default buffer size is used. If you are providing your
     * own I/O buffer, this flag should not be used." */
    if (flags & MMIO_ALLOCBUF) {
        buffer = caller && caller->cchBuffer ? caller->cchBuffer
                                             : MMIO_DEFAULTBUFFER;
    } else if (caller && caller->pchBuffer && caller->cchBuffer > 0) {
        buffer = caller->cchBuffer;
        user_buffer = caller->pchBuffer;
    }
    if (buffer > 0 && (err = set_buffer(f, user_buffer, buffer)) != 0) {
        free(f);
        if (caller)
            caller->wErrorRet = err;
        return NULL;
    }
    /* MMIOM_OPEN: "The dwFlags field of the MMIOINFO structure contains
     * option flags passed to the mmioOpen function. The lDiskOffset field
     * ... is initialized to zero." All of them: mmioOpen "opens a file ...;
     * creates a file; deletes a file; or checks whether a file exists. The
     * file can be a standard file, a memory file, or an element of a custom
     * storage system" -- only the procedure knows its elements, so
     * MMIO_EXIST, MMIO_PARSE, MMIO_DELETE and MMIO_GETTEMP are its to
     * answer. lParam1 is the caller's buffer: for MMIO_PARSE "The fully
     * qualified name is placed back into szFilename". */
    f->info.dwFlags = flags | (f->info.dwFlags & MMIO_ALLOCBUF);
    f->info.lDiskOffset = 0;
    err = (MMRESULT)send_msg(f, MMIOM_OPEN, (LPARAM)name, 0);
    if (caller)
        caller->wErrorRet = err;
    if (err || (flags & (MMIO_DELETE | MMIO_EXIST | MMIO_PARSE
                         | MMIO_GETTEMP))) {
        if (f->own_buffer)
            free(f->info.pchBuffer);
        free(f);
        if (err)
            return NULL;
        /* MMIO_DELETE: "The return value is TRUE (cast to HMMIO) if the
         * file was deleted successfully or FALSE otherwise. Do not call
         * the mmioClose function for a file that has been deleted."
         * MMIO_EXIST and MMIO_PARSE likewise return TRUE and open nothing
         * ("the function does not return a valid MMIO file handle"). */
        return (HMMIO)(ULONG_PTR)TRUE;
    }
    return (HMMIO)f;
}

/* ANSI names to an ANSI procedure: this layer, like our procedure, deals in
 * mmioInstallIOProcA procedures, so a wide name is converted with the ANSI
 * code page first ("The mmiscapi.h header defines mmioInstallIOProc as an
 * alias that automatically selects the ANSI or Unicode version"). */
HMMIO WINAPI dm_openW(LPWSTR name, LPMMIOINFO caller, DWORD flags)
{
    char *ansi = NULL;
    HMMIO h;
    int n;

    if (name) {
        /* Room for the qualified name MMIO_PARSE may write back: "The
         * filename should not be longer than 128 bytes". */
        n = WideCharToMultiByte(CP_ACP, 0, name, -1, NULL, 0, NULL, NULL);
        if (n <= 0 || !(ansi = malloc((size_t)n + 128))) {
            if (caller)
                caller->wErrorRet = MMIOERR_OUTOFMEMORY;
            return NULL;
        }
        WideCharToMultiByte(CP_ACP, 0, name, -1, ansi, n, NULL, NULL);
    }
    h = dm_open(ansi, caller, flags);
    if (ansi && h && (flags & (MMIO_PARSE | MMIO_EXIST)))
        MultiByteToWideChar(CP_ACP, 0, ansi, -1, name, 128);
    free(ansi);
    return h;
}

MMRESULT WINAPI dm_close(HMMIO h, UINT flags)
{
    dm_file *f = file_of(h);
    MMRESULT flushed, closed;

    if (!f)
        return MMSYSERR_INVALHANDLE;
    /* "Closing a file with the mmioClose function automatically flushes
     * its buffer" (mmioFlush). MMIOM_CLOSE: "lParam1 = ... flags", and
     * mmioClose returns "MMIOERR_CANNOTWRITE: The contents of the buffer
     * could not be written to disk" or the procedure's error. */
    flushed = f->info.cchBuffer > 0 ? flush_buffer(f) : 0;
    closed = (MMRESULT)send_msg(f, MMIOM_CLOSE, flags, 0);
    if (f->own_buffer)
        free(f->info.pchBuffer);
    free(f);
    return flushed ? flushed : closed;
}

/* ---- reading, writing, seeking ------------------------------------------- */

LONG WINAPI dm_read(HMMIO h, HPSTR buf, LONG len)
{
    dm_file *f = file_of(h);
    LONG done = 0;

    if (!f || len < 0)
        return -1;
    /* MMIOM_READ "is sent to an I/O procedure by the mmioRead function";
     * unbuffered, mmioRead is that message. */
    if (f->info.cchBuffer <= 0)
        return (LONG)send_msg(f, MMIOM_READ, (LPARAM)buf, len);
    /* mmioRead: "Returns the number of bytes actually read. If there are no
     * more bytes that can be read, the return value is 0. If there is an
     * error reading from the file, the return value is -1." */
    while (done < len) {
        LONG avail = (LONG)(f->info.pchEndRead - f->info.pchNext), got;

        if (avail <= 0) {
            got = fill(f);
            if (got < 0)
                return done > 0 ? done : -1;
            if (got == 0)
                break;
            continue;
        }
        if (avail > len - done)
            avail = len - done;
        memcpy(buf + done, f->info.pchNext, (size_t)avail);
        f->info.pchNext += avail;
        done += avail;
    }
    return done;
}

LONG WINAPI dm_write(HMMIO h, const char *buf, LONG len)
{
    dm_file *f = file_of(h);
    LONG done = 0;

    if (!f || len < 0)
        return -1;
    /* MMIOM_WRITE "is sent to an I/O procedure by the mmioWrite function
     * to request that data be written to an open file". */
    if (f->info.cchBuffer <= 0)
        return (LONG)send_msg(f, MMIOM_WRITE, (LPARAM)buf, len);
    while (done < len) {
        LONG room = (LONG)(f->info.pchEndWrite - f->info.pchNext);

        if (room <= 0) {
            /* A full buffer is written out and the next one starts where
             * it ended (as mmioAdvance with MMIO_WRITE does). */
            LONG pos = position(f);
            MMRESULT err = flush_buffer(f);

            empty_at(f, pos);
            if (err)
                return -1;
            continue;
        }
        if (room > len - done)
            room = len - done;
        memcpy(f->info.pchNext, buf + done, (size_t)room);
        f->info.pchNext += room;
        if (f->info.pchEndRead < f->info.pchNext)
            f->info.pchEndRead = f->info.pchNext;
        f->info.dwFlags |= MMIO_DIRTY;
        done += room;
    }
    return done;
}

LONG WINAPI dm_seek(HMMIO h, LONG offset, int origin)
{
    dm_file *f = file_of(h);
    LONG target;
    LRESULT r;

    if (!f)
        return -1;
    /* MMIOM_SEEK "is sent to an I/O procedure by the mmioSeek function";
     * "SEEK_END: Seeks to lOffset bytes from the end of the file". */
    if (f->info.cchBuffer <= 0)
        return (LONG)send_msg(f, MMIOM_SEEK, offset, origin);
    switch (origin) {
    case SEEK_SET:
        target = offset;
        break;
    case SEEK_CUR:
        target = position(f) + offset;
        break;
    case SEEK_END:
        /* Only the procedure knows where its file ends, so it is asked --
         * after the buffer is written out, so the end counts what was
         * written. Windows' own conformance tests then find the buffer
         * empty with lBufOffset at the target. */
        if (flush_buffer(f))
            return -1;
        r = send_msg(f, MMIOM_SEEK, offset, SEEK_END);
        if (r < 0)
            return -1;
        empty_at(f, (LONG)r);
        return (LONG)r;
    default:
        return -1;
    }
    if (target < 0)
        return -1;
    if (target >= f->info.lBufOffset
        && target <= f->info.lBufOffset + valid(f)) {
        f->info.pchNext = f->info.pchBuffer + (target - f->info.lBufOffset);
        return target;
    }
    if (flush_buffer(f))
        return -1;
    empty_at(f, target);
    return target;
}

/* ---- direct buffer access ------------------------------------------------ */

MMRESULT WINAPI dm_flush(HMMIO h, UINT flags)
{
    dm_file *f = file_of(h);
    MMRESULT err;

    if (!f)
        return MMSYSERR_INVALHANDLE;
    if (f->info.cchBuffer <= 0)
        return 0;
    /* "MMIO_EMPTYBUF: Empties the buffer after writing it to the disk." */
    err = flush_buffer(f);
    if (flags & MMIO_EMPTYBUF)
        empty_at(f, position(f));
    return err;
}

MMRESULT WINAPI dm_getinfo(HMMIO h, LPMMIOINFO info, UINT flags)
{
    dm_file *f = file_of(h);

    (void)flags;
    if (!f || !info)
        return MMSYSERR_INVALHANDLE;
    /* "The mmioGetInfo function retrieves information about a file opened
     * by using the mmioOpen function. This information allows the
     * application to directly access the I/O buffer". */
    *info = f->info;
    return 0;
}

/* Takes the application's view of the buffer back: "If you have written
 * to the buffer, set the MMIO_DIRTY flag in the dwFlags member ... before
 * calling mmioSetInfo to terminate direct buffer access" (mmioSetInfo). */
static MMRESULT take_info(dm_file *f, LPCMMIOINFO info)
{
    HPSTR lo = f->info.pchBuffer, hi = lo + f->info.cchBuffer;

    if (info->pchNext < lo || info->pchNext > hi || info->pchEndRead < lo
        || info->pchEndRead > hi)
        return MMSYSERR_INVALPARAM;
    f->info.pchNext = info->pchNext;
    f->info.pchEndRead = info->pchEndRead;
    if (info->dwFlags & MMIO_DIRTY) {
        f->info.dwFlags |= MMIO_DIRTY;
        if (f->info.pchEndRead < f->info.pchNext)
            f->info.pchEndRead = f->info.pchNext;
    }
    return 0;
}

MMRESULT WINAPI dm_setinfo(HMMIO h, LPCMMIOINFO info, UINT flags)
{
    dm_file *f = file_of(h);

    (void)flags;
    if (!f || !info)
        return MMSYSERR_INVALHANDLE;
    return take_info(f, info);
}

MMRESULT WINAPI dm_setbuffer(HMMIO h, LPSTR buf, LONG len, UINT flags)
{
    dm_file *f = file_of(h);

    if (!f)
        return MMSYSERR_INVALHANDLE;
    if (flags)
        return MMSYSERR_INVALPARAM;
    /* "MMIOERR_CANNOTWRITE: The contents of the old buffer could not be
     * written to disk, so the operation was aborted." */
    if (f->info.cchBuffer > 0 && flush_buffer(f))
        return MMIOERR_CANNOTWRITE;
    return set_buffer(f, buf, len);
}

MMRESULT WINAPI dm_advance(HMMIO h, LPMMIOINFO info, UINT flags)
{
    dm_file *f = file_of(h);
    MMRESULT err;
    LONG pos;

    if (!f)
        return MMSYSERR_INVALHANDLE;
    /* "MMIOERR_UNBUFFERED: The specified file is not opened for buffered
     * I/O." */
    if (f->info.cchBuffer <= 0)
        return MMIOERR_UNBUFFERED;
    if (flags != MMIO_READ && flags != MMIO_WRITE)
        return MMSYSERR_INVALPARAM;
    /* "lpmmioinfo: Pointer to the MMIOINFO structure obtained by using the
     * mmioGetInfo function. This structure is used to set the current file
     * information, and then it is updated after the buffer is advanced." */
    if (info && (err = take_info(f, info)) != 0)
        return err;
    /* "If the file is opened for writing and the MMIO_DIRTY flag is set
     * ..., the buffer is written to disk." The next buffer starts at the
     * position: the application consumed or filled up to pchNext. */
    pos = position(f);
    err = flush_buffer(f) ? MMIOERR_CANNOTWRITE : 0;
    empty_at(f, pos);
    /* "If the file is opened for reading, the I/O buffer is filled from
     * the disk"; "If the end of file is reached, mmioAdvance still returns
     * successfully even though no more data can be read." */
    if (!err && flags == MMIO_READ && fill(f) < 0)
        err = MMIOERR_CANNOTREAD;
    /* "The pchNext, pchEndRead, and pchEndWrite members of the MMIOINFO
     * structure are updated to reflect the new state of the I/O buffer." */
    if (info) {
        info->pchNext = f->info.pchNext;
        info->pchEndRead = f->info.pchEndRead;
        info->pchEndWrite = f->info.pchEndWrite;
        info->lBufOffset = f->info.lBufOffset;
        info->lDiskOffset = f->info.lDiskOffset;
        info->dwFlags = f->info.dwFlags;
    }
    return err;
}

LRESULT WINAPI dm_sendmessage(HMMIO h, UINT msg, LPARAM p1, LPARAM p2)
{
    dm_file *f = file_of(h);

    if (!f)
        return MMSYSERR_INVALHANDLE;
    /* "The mmioSendMessage function sends a message to the I/O procedure
     * associated with the specified file." Any message: the documentation
     * asks applications to use it for their own (>= MMIOM_USER) but sets
     * no check, and Windows makes none (Wine refuses the others). */
    return send_msg(f, msg, p1, p2);
}
