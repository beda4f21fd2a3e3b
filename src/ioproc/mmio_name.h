/*
 * mmio_name.h -- splitting the names mmio hands to the procedure.
 *
 * "dir\pack.zmm+intro.wav" -> archive "dir\pack.zmm", member "intro.wav".
 * The split is at the LAST '+' (mmio picks the procedure by the extension
 * before that same '+'); an archive path may therefore contain '+', a member
 * name may not. No '+' at all (a name given with MMIOINFO.fccIOProc or
 * pIOProc) is an archive path with no member. An empty member means the
 * archive's default member. A '\\' in the member part is taken as '/', the
 * separator of member paths: "pack.zmm+sfx\\boom.wav" opens "sfx/boom.wav"
 * (a member whose name holds a '\\' cannot be opened through mmio).
 *
 * mmio passes ANSI code page strings: they are converted (CP_ACP) to UTF-16
 * and from there to the UTF-8 the core library takes. The split is made on
 * the UTF-16 form, so a DBCS trail byte can never be mistaken for the '+'.
 */
#ifndef ZMMIO_MMIO_NAME_H
#define ZMMIO_MMIO_NAME_H

#include <windows.h>

typedef struct zmmio_name {
    wchar_t *archive_w; /* the archive path, UTF-16 (for Win32 calls) */
    char *archive;      /* the same, UTF-8 (for the core library) */
    char *member;       /* the member name, UTF-8; "" = default member */
    int has_plus;       /* the name contained a '+' */
} zmmio_name;

/*
 * Parses the ANSI string `ansi` into *name. Returns 0, or an MMIOERR_* code:
 * MMIOERR_FILENOTFOUND for a NULL or empty archive path,
 * MMIOERR_OUTOFMEMORY. On failure *name holds nothing to free.
 */
UINT zmmio_name_parse(const char *ansi, zmmio_name *name);

/*
 * Resolves a bare archive name (no folder, no drive) as OpenFile -- the DOS
 * procedure's open -- finds an existing file: in the application's folder,
 * the current folder, the system and Windows folders, then PATH. The name
 * becomes the full path of the first match; left alone when there is none
 * (the open then reports it missing) or when it has a folder. Returns 0 or
 * MMIOERR_OUTOFMEMORY.
 */
UINT zmmio_name_search(zmmio_name *name);

/*
 * The name `ansi` (as zmmio_name_parse takes it) with its archive part made a
 * full path, the '+' and member part kept: what mmioOpen's MMIO_PARSE and
 * MMIO_EXIST place back into the caller's name. `name` is its parse (after
 * zmmio_name_search for EXIST, which qualifies as the open would find it).
 * Written to out[cap] in the ANSI code page. Returns 0, or
 * MMIOERR_FILENOTFOUND when the result does not fit or has characters the
 * ANSI code page cannot hold (no name could be given back), or
 * MMIOERR_OUTOFMEMORY.
 */
UINT zmmio_name_qualify(const char *ansi, const zmmio_name *name, char *out,
                        size_t cap);

/* Frees what zmmio_name_parse() allocated (a zeroed struct is fine). */
void zmmio_name_free(zmmio_name *name);

#endif
