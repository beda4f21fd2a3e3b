/*
 * docmmio_riff.c -- mmioCreateChunk, mmioAscend and mmioDescend as
 * Microsoft documents them, on top of docmmio's read, write and seek (so a
 * procedure sees what those send). Quotations are from that documentation.
 */
#include "docmmio.h"

#include <string.h>

/* "If the chunk identifier is "RIFF" or "LIST", the first four bytes of the
 * data portion of the chunk are a form type or list type" (mmioDescend). */
static int has_type(FOURCC id)
{
    return id == FOURCC_RIFF || id == FOURCC_LIST;
}

MMRESULT WINAPI dm_createchunk(HMMIO h, LPMMCKINFO ck, UINT flags)
{
    DWORD head[3];
    LONG pos, n;

    /* "MMIO_CREATERIFF: Creates a "RIFF" chunk. MMIO_CREATELIST: Creates a
     * "LIST" chunk." */
    if (flags & MMIO_CREATERIFF)
        ck->ckid = FOURCC_RIFF;
    else if (flags & MMIO_CREATELIST)
        ck->ckid = FOURCC_LIST;
    /* "The new chunk is created at the current file position."
     * "MMIOERR_CANNOTSEEK: Unable to determine offset of the data portion
     * of the chunk." */
    pos = dm_seek(h, 0, SEEK_CUR);
    if (pos < 0)
        return MMIOERR_CANNOTSEEK;
    ck->dwDataOffset = (DWORD)pos + 8;
    /* mmioAscend: "If the chunk was created and descended into by using
     * mmioCreateChunk, or if the MMIO_DIRTY flag is set ..., the current
     * file position is assumed to be the end of the data portion". */
    ck->dwFlags = MMIO_DIRTY;
    head[0] = ck->ckid;
    head[1] = ck->cksize;
    head[2] = ck->fccType;
    n = has_type(ck->ckid) ? 12 : 8;
    /* "MMIOERR_CANNOTWRITE: Unable to write the chunk header." After it,
     * "the current file position is the beginning of the data portion of
     * the new chunk" (the form type, if any, is the data's first bytes). */
    if (dm_write(h, (const char *)head, n) != n) {
        dm_seek(h, pos, SEEK_SET);
        return MMIOERR_CANNOTWRITE;
    }
    return 0;
}

MMRESULT WINAPI dm_ascend(HMMIO h, LPMMCKINFO ck, UINT flags)
{
    (void)flags;
    if (ck->dwFlags & MMIO_DIRTY) {
        LONG pos = dm_seek(h, 0, SEEK_CUR);
        DWORD size;

        if (pos < 0 || (DWORD)pos < ck->dwDataOffset)
            return MMIOERR_CANNOTSEEK;
        size = (DWORD)pos - ck->dwDataOffset;
        /* "If the chunk size is not the same as the value stored in the
         * cksize member when mmioCreateChunk was called, mmioAscend
         * corrects the chunk size in the chunk header before ascending". */
        if (size != ck->cksize) {
            ck->cksize = size;
            if (dm_seek(h, (LONG)ck->dwDataOffset - 4, SEEK_SET) < 0)
                return MMIOERR_CANNOTSEEK;
            if (dm_write(h, (const char *)&ck->cksize, 4) != 4)
                return MMIOERR_CANNOTWRITE;
        }
        /* "If the chunk size is odd, mmioAscend writes a null pad byte at
         * the end of the chunk." */
        if (size & 1) {
            if (dm_seek(h, (LONG)(ck->dwDataOffset + size), SEEK_SET) < 0)
                return MMIOERR_CANNOTSEEK;
            if (dm_write(h, "", 1) != 1)
                return MMIOERR_CANNOTWRITE;
        }
        ck->dwFlags &= ~MMIO_DIRTY;
    }
    /* "After ascending from the chunk, the current file position is the
     * location following the end of the chunk." */
    if (dm_seek(h, (LONG)(ck->dwDataOffset + ((ck->cksize + 1) & ~1u)),
                SEEK_SET) < 0)
        return MMIOERR_CANNOTSEEK;
    return 0;
}

/* Reads the chunk header at the position into *ck; 0 at the end. */
static int read_header(HMMIO h, LPMMCKINFO ck)
{
    DWORD head[2];
    LONG pos = dm_seek(h, 0, SEEK_CUR);

    if (pos < 0 || dm_read(h, (HPSTR)head, 8) != 8)
        return 0;
    ck->ckid = head[0];
    ck->cksize = head[1];
    ck->dwDataOffset = (DWORD)pos + 8;
    ck->dwFlags = 0;
    if (has_type(ck->ckid)
        && dm_read(h, (HPSTR)&ck->fccType, 4) != 4)
        return 0;
    return 1;
}

MMRESULT WINAPI dm_descend(HMMIO h, LPMMCKINFO ck, const MMCKINFO *parent,
                           UINT flags)
{
    FOURCC want_id = ck->ckid, want_type = ck->fccType;
    DWORD end = parent ? parent->dwDataOffset + parent->cksize : 0;

    /* "MMIO_FINDCHUNK: Searches for a chunk with the specified chunk
     * identifier. MMIO_FINDLIST: ... a chunk with the chunk identifier
     * "LIST" and with the specified form type. MMIO_FINDRIFF: ...
     * "RIFF" ..." Without a flag it "descends into the chunk beginning at
     * the current file position". */
    if (flags & MMIO_FINDRIFF)
        want_id = FOURCC_RIFF;
    else if (flags & MMIO_FINDLIST)
        want_id = FOURCC_LIST;
    for (;;) {
        LONG pos = dm_seek(h, 0, SEEK_CUR);

        /* "the search begins at the current file position and continues
         * to the end of the parent chunk" (or of the file). */
        if (pos < 0 || (parent && (DWORD)pos + 8 > end)
            || !read_header(h, ck))
            return MMIOERR_CHUNKNOTFOUND;
        if (!(flags & (MMIO_FINDCHUNK | MMIO_FINDRIFF | MMIO_FINDLIST))
            || (ck->ckid == want_id
                && (!(flags & (MMIO_FINDRIFF | MMIO_FINDLIST))
                    || ck->fccType == want_type)))
            break;
        /* Not it: over the chunk and its pad byte. */
        if (dm_seek(h, (LONG)(ck->dwDataOffset + ((ck->cksize + 1) & ~1u)),
                    SEEK_SET) < 0)
            return MMIOERR_CHUNKNOTFOUND;
    }
    /* "If the chunk is a "RIFF" or "LIST" chunk, the new file position will
     * be just after the form type or list type (12 bytes from the beginning
     * of the chunk). For other chunks, the new file position will be the
     * start of the data portion of the chunk (8 bytes ...)." read_header
     * left it there. */
    return 0;
}
