/*
 * ioproc.c -- ZmmIOProc: the mmio I/O procedure for ZMM archives, a thin
 * adapter from MMIOM_* messages to the core library (include/zmm.h).
 *
 * A handle that only reads opens a read-only zmm_stream through the
 * process's zmm_share, which parses each archive's directory once and reuses
 * it while the archive is unchanged; a handle that writes opens its own
 * zmm_archive for writing and a stream on the member. Either lives in a
 * zmmio_handle found through the 32-bit id in adwInfo[0] (handle_table.h). The stream's position is the procedure's file
 * position: it is what READ and WRITE use, and lDiskOffset mirrors it after
 * every READ, WRITE and SEEK, as the built-in DOS procedure does with its
 * file pointer.
 *
 * What mmio expects, as Windows documents it and Wine 8 implements it, and
 * the choices that follow are stated at each message below;
 * tests/wine/README.md lists the Wine behaviours the tests ran into.
 *
 * Audio: a member created through mmio gets a PCM layout as soon as its
 * first bytes form a RIFF WAVE header of integer PCM (a recorder writes the
 * header first, with a provisional `data` size: the samples are taken to run
 * to the end), so the samples written after it are stored as PCM blocks.
 * At CLOSE the header is final (mmioAscend patched it) and the layout is
 * detected again from it, for the blocks not yet stored.
 *
 * Recording: a writing handle checkpoints (zmm_archive_set_checkpoints) by
 * WRITER_CHECKPOINT_BYTES and WRITER_CHECKPOINT_MS, so a process killed
 * mid-recording keeps what it wrote up to the last checkpoint, as a plain
 * file keeps what reached the OS.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zmmio.h"
#include "zmm.h"

#include "handle_table.h"
#include "ioproc.h"
#include "mmio_name.h"

/* A writer's checkpoints: a commit per 4 MiB written, or 2 s after the first
 * byte not yet committed. At CD rate (176 KB/s) that is a commit every 2 s
 * at most; a fast copy commits every 4 MiB, a few percent of its time. */
#define WRITER_CHECKPOINT_BYTES ((uint64_t)4 << 20)
#define WRITER_CHECKPOINT_MS 2000u

/* Every reader's archive, parsed once per process (DllMain sets it up). */
static zmm_share *shared_archives;

void zmmio_ioproc_init(void)
{
    if (zmm_share_new(&shared_archives) != ZMM_OK)
        shared_archives = NULL; /* readers then fail with OUTOFMEMORY */
}

SIZE_T WINAPI ZmmSetCacheLimit(SIZE_T cbLimit)
{
    return zmm_share_set_cache_limit(shared_archives, cbLimit);
}

void zmmio_ioproc_cleanup(void)
{
    zmm_share_free(shared_archives);
    shared_archives = NULL;
}

typedef struct zmmio_handle {
    zmm_archive *archive; /* writers only; NULL for a reader */
    zmm_stream *stream;
    int readable;
    int writable;
    /* A WRITE or a commit failed. mmio ignores WRITE's result when it
     * flushes its buffer, so CLOSE is where the failure gets reported. */
    int write_failed;
    int wrote;      /* a WRITE changed the member: detect its layout at CLOSE */
    int pcm_watch;  /* a created member without a PCM layout yet: WRITEs try */
} zmmio_handle;

/* dwFlags bits OPEN understands in the low word (the one mmioOpen's caller
 * sets); the high word holds mmio's own flags (MMIO_ALLOCBUF, MMIO_DIRTY...),
 * which are none of the procedure's business. */
#define KNOWN_OPEN_FLAGS \
    (MMIO_RWMODE | MMIO_SHAREMODE | MMIO_CREATE | MMIO_PARSE | MMIO_DELETE \
     | MMIO_EXIST)

/* ---- errors -------------------------------------------------------------- */

/* The MMIOERR_* code for a core result; `other` for results that have no
 * closer mmio equivalent. */
static UINT mmio_error(zmm_result rc, long os_error, UINT other)
{
    switch (rc) {
    case ZMM_OK:
        return 0;
    case ZMM_ERR_NOT_FOUND:
        return MMIOERR_FILENOTFOUND;
    case ZMM_ERR_NOT_ARCHIVE:
    case ZMM_ERR_CORRUPT:
    case ZMM_ERR_UNSUPPORTED:
        return MMIOERR_INVALIDFILE;
    case ZMM_ERR_ACCESS:
    case ZMM_ERR_READ_ONLY:
        return MMIOERR_ACCESSDENIED;
    case ZMM_ERR_SHARING:
    case ZMM_ERR_BUSY:
        return MMIOERR_SHARINGVIOLATION;
    case ZMM_ERR_NOMEM:
        return MMIOERR_OUTOFMEMORY;
    case ZMM_ERR_IO:
        if (os_error == ERROR_TOO_MANY_OPEN_FILES)
            return MMIOERR_TOOMANYOPENFILES;
        if (os_error == ERROR_NOT_ENOUGH_MEMORY || os_error == ERROR_OUTOFMEMORY)
            return MMIOERR_OUTOFMEMORY;
        return other;
    default:
        return other;
    }
}

/* The MMIOERR_* code for a failed Win32 file call (rename, delete). */
static UINT mmio_error_win32(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
        return MMIOERR_FILENOTFOUND;
    case ERROR_ACCESS_DENIED:
    case ERROR_WRITE_PROTECT:
        return MMIOERR_ACCESSDENIED;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
        return MMIOERR_SHARINGVIOLATION;
    default:
        return MMIOERR_CANNOTWRITE;
    }
}

/* ---- helpers ------------------------------------------------------------- */

/* Whether the archive opened on an older state, its newest one damaged. */
static int newest_state_lost(zmm_archive *ar)
{
    zmm_archive_info info;

    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    return zmm_archive_get_info(ar, &info) == ZMM_OK &&
           (info.flags & ZMM_ARCHIVE_NEWEST_LOST) != 0;
}

/* Checks that `path` opens as a ZMM archive before it is deleted or renamed
 * as one, so a mistyped name never removes or moves some other file (a
 * damaged archive is left to the ordinary file functions). */
static UINT check_is_archive(const char *path)
{
    zmm_archive *ar = NULL;
    long os_error = 0;
    zmm_result rc = zmm_archive_open(path, ZMM_OPEN_READ, &ar, &os_error);

    if (rc != ZMM_OK)
        return mmio_error(rc, os_error, MMIOERR_CANNOTOPEN);
    zmm_archive_close(ar);
    return 0;
}

/* Opens the archive for writing, applies `op` to it, and commits by closing.
 * Used by DELETE and RENAME of members. */
typedef zmm_result (*archive_op)(zmm_archive *ar, const char *a,
                                 const char *b);

/* Removes member `a`; NULL: the default member. */
static zmm_result op_remove(zmm_archive *ar, const char *a, const char *b)
{
    zmm_member_info info;
    size_t index;
    zmm_result rc;

    (void)b;
    if (a)
        return zmm_archive_remove(ar, a);
    rc = zmm_archive_find(ar, NULL, &index);
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    if (rc == ZMM_OK)
        rc = zmm_archive_member_info(ar, index, &info);
    if (rc == ZMM_OK) {
        /* info.name lives in the directory the removal changes: a copy. */
        char *copy = malloc(strlen(info.name) + 1);

        if (!copy)
            return ZMM_ERR_NOMEM;
        strcpy(copy, info.name);
        rc = zmm_archive_remove(ar, copy);
        free(copy);
    }
    return rc;
}

static UINT edit_archive(const char *path, archive_op op, const char *a,
                         const char *b, UINT exists_error)
{
    zmm_archive *ar = NULL;
    long os_error = 0;
    zmm_result rc = zmm_archive_open(path, ZMM_OPEN_WRITE, &ar, &os_error);
    zmm_result rc_close;

    if (rc != ZMM_OK)
        return mmio_error(rc, os_error, MMIOERR_CANNOTOPEN);
    if (newest_state_lost(ar)) { /* no commit over a damaged newest state */
        zmm_archive_abandon(ar);
        return MMIOERR_INVALIDFILE;
    }
    rc = op(ar, a, b);
    os_error = zmm_archive_os_error(ar);
    rc_close = zmm_archive_close(ar);
    if (rc == ZMM_ERR_BAD_NAME)
        return MMIOERR_FILENOTFOUND; /* no member can have that name */
    if (rc == ZMM_ERR_EXISTS)
        return exists_error;
    if (rc != ZMM_OK)
        return mmio_error(rc, os_error, MMIOERR_CANNOTWRITE);
    if (rc_close != ZMM_OK)
        return mmio_error(rc_close, 0, MMIOERR_CANNOTWRITE);
    return 0;
}

/* ---- audio-aware compression --------------------------------------------- */

/* A member's first bytes that detection reads: any WAV header fits. */
#define PCM_HEAD 65536u

/*
 * Gives the member the PCM layout of the RIFF WAVE header at its start, if it
 * has one (zmm_detect_wav_layout); blocks stored from then on are filtered.
 * `member_size` is UINT64_MAX while a recording goes on: its `data` size is
 * provisional until mmioAscend patches it. Keeps the position. Nonzero when
 * a layout was set. A failure here only costs compression, never data.
 */
static int detect_pcm(zmmio_handle *h, uint64_t member_size)
{
    uint64_t pos = zmm_stream_tell(h->stream);
    unsigned char *head = malloc(PCM_HEAD);
    zmm_pcm_layout layout = {sizeof layout, 0, 0, 0, 0};
    size_t got = 0;
    int set = 0;

    if (!head)
        return 0;
    if (zmm_stream_seek(h->stream, 0, ZMM_SEEK_SET, NULL) == ZMM_OK
        && zmm_stream_read(h->stream, head, PCM_HEAD, &got) == ZMM_OK
        && zmm_detect_wav_layout(head, got, member_size, &layout) == ZMM_OK
        && zmm_stream_set_pcm_layout(h->stream, &layout) == ZMM_OK)
        set = 1;
    zmm_stream_seek(h->stream, (int64_t)pos, ZMM_SEEK_SET, NULL);
    free(head);
    return set;
}

/* ---- MMIOM_OPEN ---------------------------------------------------------- */

/*
 * If `ar` has no default member, replaces name->member with the name a
 * default member created through "x.zmm+" gets: the archive's file name
 * without its last extension, or "default" when that leaves nothing valid.
 * Returns nonzero if it did (0 also when out of memory: the caller's open
 * then fails as without a name).
 */
static int default_member_name(zmm_archive *ar, zmmio_name *name)
{
    const char *base = name->archive, *p, *dot = NULL;
    size_t index, len;
    char *m;

    if (zmm_archive_find(ar, NULL, &index) == ZMM_OK)
        return 0;
    for (p = name->archive; *p; p++)
        if (*p == '\\' || *p == '/' || *p == ':')
            base = p + 1;
    for (p = base; *p; p++)
        if (*p == '.')
            dot = p;
    len = (dot && dot > base) ? (size_t)(dot - base) : strlen(base);
    m = malloc(len + sizeof "default");
    if (!m)
        return 0;
    memcpy(m, base, len);
    m[len] = '\0';
    if (!zmm_name_is_valid(m))
        strcpy(m, "default");
    free(name->member);
    name->member = m;
    return 1;
}

/* The name mmioOpen's caller may get back: the documentation bounds
 * szFilename at 128 bytes with its NUL (OFSTRUCT's szPathName). */
#define QUALIFIED_NAME_MAX 128

/*
 * MMIO_PARSE and MMIO_EXIST. Windows' mmioOpen sends them in MMIOM_OPEN to
 * the procedure of "an element of a custom storage system" (Wine answers
 * them itself and never asks). Both place the name, its archive part made a
 * full path and its member kept, back into the caller's buffer; EXIST first
 * finds the archive as an open would (the DOS procedure's OpenFile search)
 * and requires the member. No handle is made: 0 means mmioOpen's TRUE.
 */
static UINT open_query(char *filename, DWORD flags)
{
    char qualified[QUALIFIED_NAME_MAX];
    zmmio_name name;
    zmm_archive *ar = NULL;
    long os_error = 0;
    UINT err;

    err = zmmio_name_parse(filename, &name);
    if (err)
        return err;
    if (flags & MMIO_EXIST) {
        err = zmmio_name_search(&name);
        if (!err && *name.member && !zmm_name_is_valid(name.member))
            err = MMIOERR_FILENOTFOUND;
        if (!err && zmm_archive_open(name.archive, ZMM_OPEN_READ, &ar,
                                     &os_error) != ZMM_OK)
            err = MMIOERR_FILENOTFOUND; /* missing, or not an archive */
        if (!err && zmm_archive_find(ar, *name.member ? name.member : NULL,
                                     NULL) != ZMM_OK)
            err = MMIOERR_FILENOTFOUND;
        if (ar)
            zmm_archive_close(ar);
    }
    if (!err)
        err = zmmio_name_qualify(filename, &name, qualified, sizeof qualified);
    zmmio_name_free(&name);
    if (!err)
        strcpy(filename, qualified);
    return err;
}

/* MMIO_DELETE: deletes the member the name opens -- the default member for
 * "x.zmm+", as opening "x.zmm+" reads it; other members stay -- or the whole
 * archive file for a name without any '+' (reachable only by naming the
 * procedure: fccIOProc or pIOProc). A bare archive name is searched for as
 * the DOS procedure's OpenFile finds the file it deletes. No handle is made
 * (mmio must not send CLOSE for it; Windows returns TRUE from mmioOpen,
 * Wine a handle whose CLOSE does nothing). */
static UINT open_delete(zmmio_name *name)
{
    UINT err;

    if (name->has_plus) {
        if (*name->member && !zmm_name_is_valid(name->member))
            return MMIOERR_FILENOTFOUND;
        err = zmmio_name_search(name);
        if (err)
            return err;
        return edit_archive(name->archive, op_remove,
                            *name->member ? name->member : NULL, NULL,
                            MMIOERR_CANNOTWRITE);
    }
    err = check_is_archive(name->archive);
    if (err)
        return err;
    if (!DeleteFileW(name->archive_w))
        return mmio_error_win32(GetLastError());
    return 0;
}

static LRESULT on_open(MMIOINFO *mi, char *filename)
{
    DWORD flags = mi->dwFlags;
    DWORD access = flags & MMIO_RWMODE;
    DWORD share = flags & MMIO_SHAREMODE;
    int create = (flags & MMIO_CREATE) != 0;
    unsigned ar_flags, st_flags;
    zmm_member_options options;
    zmmio_name name;
    zmmio_handle *h;
    zmm_result rc;
    long os_error = 0;
    const char *member;
    DWORD id;
    UINT err;

    mi->adwInfo[0] = 0;
    mi->lDiskOffset = 0;
    /* Temporary names are not something an archive can provide. */
    if (flags & MMIO_GETTEMP)
        return MMSYSERR_NOTSUPPORTED;
    if ((flags & 0xFFFFu & ~(DWORD)KNOWN_OPEN_FLAGS) || access == MMIO_RWMODE
        || share > MMIO_DENYNONE)
        return MMSYSERR_INVALFLAG;
    /* Neither opens anything: the other flags do not matter. */
    if (flags & (MMIO_PARSE | MMIO_EXIST))
        return open_query(filename, flags);

    err = zmmio_name_parse(filename, &name);
    if (err)
        return err;
    if (flags & MMIO_DELETE) {
        err = open_delete(&name);
        zmmio_name_free(&name);
        return err;
    }
    member = *name.member ? name.member : NULL;
    if (member && !zmm_name_is_valid(member)) {
        /* e.g. longer than 255 bytes: no such member exists or can be made */
        zmmio_name_free(&name);
        return create ? MMIOERR_CANNOTOPEN : MMIOERR_FILENOTFOUND;
    }

    h = calloc(1, sizeof *h);
    if (!h) {
        zmmio_name_free(&name);
        return MMIOERR_OUTOFMEMORY;
    }
    /* As the DOS procedure (OpenFile): MMIO_CREATE opens for reading and
     * writing whatever the access bits say; MMIO_WRITE alone cannot read. */
    h->writable = create || access != MMIO_READ;
    h->readable = create || access != MMIO_WRITE;

    /* As OpenFile, the DOS procedure's open: a bare name of an existing
     * file is searched for; a new one is made in the current folder. */
    if (!create) {
        err = zmmio_name_search(&name);
        if (err)
            goto fail;
    }
    ar_flags = 0;
    if (share == MMIO_EXCLUSIVE)
        ar_flags |= ZMM_OPEN_DENY_READ | ZMM_OPEN_DENY_WRITE;
    else if (share == MMIO_DENYWRITE)
        ar_flags |= ZMM_OPEN_DENY_WRITE;
    else if (share == MMIO_DENYREAD)
        ar_flags |= ZMM_OPEN_DENY_READ;
    if (!h->writable) {
        /* A reader: the archive's directory, parsed once per process, is
         * shared by every reader (zmm_share). */
        rc = zmm_share_open(shared_archives, name.archive, ar_flags, member,
                            0, &h->stream, &os_error);
        if (rc != ZMM_OK) {
            err = shared_archives ? mmio_error(rc, os_error,
                                               MMIOERR_CANNOTOPEN)
                                  : MMIOERR_OUTOFMEMORY;
            goto fail;
        }
        goto opened;
    }
    ar_flags |= ZMM_OPEN_WRITE;
    if (create)
        ar_flags |= ZMM_OPEN_CREATE;
    rc = zmm_archive_open(name.archive, ar_flags, &h->archive, &os_error);
    if (rc == ZMM_OK && newest_state_lost(h->archive)) {
        /* Opened on the older committed state because the newest is
         * damaged: a commit now would make the loss final. Left for the
         * user to see (zmm verify) and repair, as zmm add refuses too. */
        zmm_archive_abandon(h->archive);
        h->archive = NULL;
        rc = ZMM_ERR_CORRUPT;
    }
    if (rc == ZMM_OK) {
        zmm_checkpoint_policy policy;

        memset(&policy, 0, sizeof policy);
        policy.struct_size = sizeof policy;
        policy.bytes = WRITER_CHECKPOINT_BYTES;
        policy.interval_ms = WRITER_CHECKPOINT_MS;
        rc = zmm_archive_set_checkpoints(h->archive, &policy);
    }
    if (rc != ZMM_OK) {
        err = mmio_error(rc, os_error, MMIOERR_CANNOTOPEN);
        goto fail;
    }

    /* A recorder's full blocks are compressed on other threads (one per
     * processor; none on one processor), so mmioWrite does not wait for
     * deflate; CLOSE waits for them. Block size and level: the defaults. */
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.level = -1;
    options.threads = ZMM_THREADS_ALL;

    /* A created member is emptied, as MMIO_CREATE truncates a plain file. */
    st_flags = h->writable ? ZMM_STREAM_WRITE : ZMM_STREAM_READ;
    if (create)
        st_flags |= ZMM_STREAM_CREATE | ZMM_STREAM_TRUNCATE;
    if (!member && create && default_member_name(h->archive, &name)) {
        /* "x.zmm+" created in an archive without a default member: the new
         * member takes the archive's file name without its extension ("x")
         * and becomes the default, so "x.zmm+" opens it again. */
        rc = zmm_stream_open(h->archive, name.member, st_flags, &options,
                             &h->stream);
        if (rc == ZMM_OK)
            rc = zmm_archive_set_default(h->archive, name.member);
    } else {
        rc = zmm_stream_open(h->archive, member, st_flags, &options,
                             &h->stream);
    }
    if (rc != ZMM_OK) {
        err = mmio_error(rc, zmm_archive_os_error(h->archive),
                         MMIOERR_CANNOTOPEN);
        goto fail;
    }

    /* A new member (a recording) gets its layout once its header is
     * written; an existing one keeps its own until CLOSE re-detects it. */
    h->pcm_watch = create;

opened:
    id = zmmio_table_insert(h);
    if (!id) {
        err = MMIOERR_TOOMANYOPENFILES;
        goto fail;
    }
    zmmio_table_release(id);
    zmmio_name_free(&name);
    mi->adwInfo[0] = id;
    return 0;

fail:
    if (h->stream)
        zmm_stream_close(h->stream);
    if (h->archive)
        zmm_archive_close(h->archive);
    free(h);
    zmmio_name_free(&name);
    return err;
}

/* ---- MMIOM_CLOSE --------------------------------------------------------- */

static LRESULT on_close(MMIOINFO *mi)
{
    DWORD id = mi->adwInfo[0];
    zmmio_handle *h;
    zmm_result rc_stream, rc_archive;
    int failed, writable;

    /* 0: a handle that MMIO_DELETE made, or one already closed (Windows'
     * mmioClose keeps the handle when CLOSE fails, so it may come again). */
    if (id == 0)
        return 0;
    if (!zmmio_table_acquire(id))
        return MMIOERR_CANNOTCLOSE; /* not ours, or in use by another thread */
    h = zmmio_table_remove(id);
    mi->adwInfo[0] = 0;

    /* The header is final now (mmioAscend patched its sizes): the layout
     * it gives applies to the blocks still to be stored, which closing
     * stores. Blocks stored earlier keep their encoding (each PCM block
     * describes itself, so an earlier layout can never misdecode). */
    if (h->wrote && !h->write_failed)
        detect_pcm(h, zmm_stream_size(h->stream));

    /* Closing the archive commits: the writes become durable here. */
    rc_stream = zmm_stream_close(h->stream);
    rc_archive = zmm_archive_close(h->archive);
    failed = h->write_failed || rc_stream != ZMM_OK || rc_archive != ZMM_OK;
    /* A reader's close has nothing to lose; it fails only if a write was
     * attempted through it (and refused) or the OS failed the close. */
    writable = h->writable || h->write_failed;
    free(h);
    if (!failed)
        return 0;
    return writable ? MMIOERR_CANNOTWRITE : MMIOERR_CANNOTCLOSE;
}

/* ---- MMIOM_READ, MMIOM_WRITE, MMIOM_WRITEFLUSH, MMIOM_SEEK --------------- */

/* mmio addresses files with LONG offsets: no position may pass LONG_MAX. */
#define MAX_POSITION ((uint64_t)LONG_MAX)

static LRESULT on_read(MMIOINFO *mi, zmmio_handle *h, void *buf, LONG len)
{
    uint64_t pos = zmm_stream_tell(h->stream);
    size_t got = 0;

    if (len < 0 || (len > 0 && !buf) || !h->readable)
        return -1;
    if (pos >= MAX_POSITION)
        return 0; /* nothing mmio could address lies beyond */
    if ((uint64_t)len > MAX_POSITION - pos)
        len = (LONG)(MAX_POSITION - pos);
    if (zmm_stream_read(h->stream, buf, (size_t)len, &got) != ZMM_OK)
        return -1; /* damaged or unreadable: never returned as data */
    mi->lDiskOffset = (LONG)(pos + got);
    return (LRESULT)got;
}

static LRESULT on_write(MMIOINFO *mi, zmmio_handle *h, const void *buf,
                        LONG len)
{
    uint64_t pos = zmm_stream_tell(h->stream);

    if (len < 0 || (len > 0 && !buf) || !h->writable
        || (uint64_t)len > MAX_POSITION - pos) {
        h->write_failed = 1;
        return -1;
    }
    /* A write of the whole header at once (a file copied through mmio,
     * mmio's buffer flushed): the layout applies to this write's blocks. */
    if (h->pcm_watch && pos == 0 && len > 0) {
        zmm_pcm_layout layout = {sizeof layout, 0, 0, 0, 0};

        if (zmm_detect_wav_layout(buf, (size_t)len, UINT64_MAX, &layout)
                == ZMM_OK
            && zmm_stream_set_pcm_layout(h->stream, &layout) == ZMM_OK)
            h->pcm_watch = 0;
    }
    /* A zero-length write sets the end of the member at the position,
     * cutting or extending it, as the DOS procedure's _hwrite(h, p, 0)
     * does with the file. A write may make a checkpoint (its failure is
     * the write's). */
    if ((len > 0 ? zmm_stream_write(h->stream, buf, (size_t)len)
                 : zmm_stream_truncate(h->stream, pos)) != ZMM_OK) {
        h->write_failed = 1;
        return -1;
    }
    mi->lDiskOffset = (LONG)(pos + (uint64_t)len);
    h->wrote = 1;
    /* A recorder writes its header first: from the first WRITE that
     * completes a PCM header, the samples that follow are filtered. Tried
     * until the member passes PCM_HEAD bytes. */
    if (h->pcm_watch
        && (detect_pcm(h, UINT64_MAX)
            || zmm_stream_size(h->stream) >= PCM_HEAD))
        h->pcm_watch = 0;
    return len;
}

static LRESULT on_seek(MMIOINFO *mi, zmmio_handle *h, LONG offset, int origin)
{
    int64_t target;

    switch (origin) {
    case SEEK_SET:
        target = offset;
        break;
    case SEEK_CUR:
        target = (int64_t)zmm_stream_tell(h->stream) + offset;
        break;
    case SEEK_END:
        /* The offset counts back from the end, as Windows' conformance
         * tests and the DOS procedure have it: (16, SEEK_END) is size - 16. */
        target = (int64_t)zmm_stream_size(h->stream) - offset;
        break;
    default:
        return -1;
    }
    if (target < 0 || (uint64_t)target > MAX_POSITION)
        return -1;
    /* Buffered handle: mmio asks SEEK_END only for the target and sends
     * SEEK_SET before it next needs the position. Wine 8 keeps its loaded
     * buffer when the target lies inside it and then reads on from the
     * procedure's position: moving here would make those reads repeat
     * bytes. So answer without moving. */
    if (origin == SEEK_END && mi->cchBuffer > 0)
        return (LRESULT)target;
    if (zmm_stream_seek(h->stream, target, ZMM_SEEK_SET, NULL) != ZMM_OK)
        return -1;
    mi->lDiskOffset = (LONG)target;
    return (LRESULT)target;
}

/* ---- MMIOM_RENAME -------------------------------------------------------- */

static zmm_result op_rename(zmm_archive *ar, const char *a, const char *b)
{
    return zmm_archive_rename(ar, a, b);
}

/* Nonzero if the two paths name the same file (compared in full form,
 * ignoring case, as Windows file names are). */
static int same_path(const wchar_t *a, const wchar_t *b)
{
    wchar_t fa[MAX_PATH * 2], fb[MAX_PATH * 2];
    DWORD na = GetFullPathNameW(a, MAX_PATH * 2, fa, NULL);
    DWORD nb = GetFullPathNameW(b, MAX_PATH * 2, fb, NULL);

    if (na == 0 || nb == 0 || na >= MAX_PATH * 2 || nb >= MAX_PATH * 2)
        return 0;
    return CompareStringOrdinal(fa, (int)na, fb, (int)nb, TRUE) == CSTR_EQUAL;
}

static LRESULT on_rename(const char *old_ansi, const char *new_ansi)
{
    zmmio_name from, to;
    UINT err;

    err = zmmio_name_parse(old_ansi, &from);
    if (err)
        return err;
    err = zmmio_name_parse(new_ansi, &to);
    if (err) {
        zmmio_name_free(&from);
        return err == MMIOERR_FILENOTFOUND ? MMSYSERR_INVALPARAM : err;
    }
    if (!*from.member && !*to.member) {
        /* "a.zmm+" -> "b.zmm+" (or names without '+'): the archive file. */
        err = check_is_archive(from.archive);
        if (!err && !MoveFileW(from.archive_w, to.archive_w))
            err = mmio_error_win32(GetLastError());
    } else if (*from.member && *to.member
               && same_path(from.archive_w, to.archive_w)) {
        /* "a.zmm+x" -> "a.zmm+y": a member, within its archive. */
        if (!zmm_name_is_valid(from.member))
            err = MMIOERR_FILENOTFOUND;
        else if (!zmm_name_is_valid(to.member))
            err = MMSYSERR_INVALPARAM;
        else
            err = edit_archive(from.archive, op_rename, from.member,
                               to.member, MMIOERR_CANNOTWRITE);
    } else {
        /* A member to another archive, or between member and archive. */
        err = MMSYSERR_INVALPARAM;
    }
    zmmio_name_free(&from);
    zmmio_name_free(&to);
    return err;
}

/* ---- the procedure ------------------------------------------------------- */

LRESULT CALLBACK ZmmIOProc(LPSTR lpmmioinfo, UINT uMsg, LPARAM lParam1,
                           LPARAM lParam2)
{
    MMIOINFO *mi = (MMIOINFO *)lpmmioinfo;
    zmmio_handle *h;
    DWORD id;
    LRESULT ret;

    switch (uMsg) {
    case MMIOM_OPEN:
        /* lParam1 = the name given to mmioOpen (ANSI, unsplit), lParam2 = 0.
         * Flags are mi->dwFlags: access MMIO_READ / WRITE / READWRITE, share
         * mode (mask 0x70), MMIO_CREATE, MMIO_DELETE (the member the name
         * opens; a name without '+': the archive), and from Windows' mmio
         * MMIO_PARSE and MMIO_EXIST: the name is written back qualified
         * (full archive path, member kept, at most 128 bytes) and no handle
         * is made; EXIST returns 0 only if the archive opens and has the
         * member, else MMIOERR_FILENOTFOUND.
         * Returns 0 and stores the handle id in adwInfo[0], with
         * lDiskOffset = 0; or an MMIOERR_* code (mmioOpen's wErrorRet):
         * FILENOTFOUND (no such archive or member), INVALIDFILE (not an
         * archive, or damaged), ACCESSDENIED, SHARINGVIOLATION (another
         * writer, or a share mode), OUTOFMEMORY, TOOMANYOPENFILES,
         * CANNOTOPEN; MMSYSERR_INVALFLAG for flags it does not know,
         * MMSYSERR_NOTSUPPORTED for MMIO_GETTEMP. */
        if (!mi)
            return MMSYSERR_INVALPARAM;
        return on_open(mi, (char *)lParam1);

    case MMIOM_CLOSE:
        /* lParam1 = mmioClose's flags (none apply), lParam2 unused.
         * Closes the member and the archive, committing the writes; a
         * member written through the handle first gets the PCM layout of
         * its RIFF WAVE header, if any (audio-aware compression).
         * Returns 0, or MMIOERR_CANNOTWRITE if any write or the commit
         * failed: the only report of a failed buffered write. */
        if (!mi)
            return MMSYSERR_INVALPARAM;
        return on_close(mi);

    case MMIOM_READ:
    case MMIOM_WRITE:
    case MMIOM_WRITEFLUSH:
    case MMIOM_SEEK:
        /* READ:  lParam1 = buffer, lParam2 = bytes. Returns the bytes read
         *        (fewer only at the end, 0 at or past it) or -1 (damaged
         *        data, or a handle opened with MMIO_WRITE only).
         * WRITE: lParam1 = buffer, lParam2 = bytes. Returns the bytes
         *        written or -1. Writing past the end leaves zeros in the gap;
         *        any earlier byte may be overwritten. 0 bytes: the member
         *        ends at the position (cut or extended), as a plain file
         *        does under the DOS procedure (_hwrite).
         * WRITEFLUSH: exactly as WRITE. Windows' mmioWrite sends it for
         *        every buffer it writes out; the documentation calls it
         *        "equivalent to the MMIOM_WRITE message except that it
         *        requests that the I/O procedure flush its internal
         *        buffers". The request is honoured by the checkpoints that
         *        every write may make (WRITER_CHECKPOINT_*), not by a durable
         *        commit per message, which would cost a sync and a new
         *        directory every 8 KiB.
         * SEEK:  lParam1 = offset, lParam2 = SEEK_SET, SEEK_CUR or SEEK_END
         *        (offset counted back from the end). Returns the new
         *        position or -1 (negative or beyond LONG); on a buffered
         *        handle SEEK_END returns it without moving (see on_seek).
         * Each keeps lDiskOffset at the position of the next READ/WRITE. */
        if (!mi)
            return -1;
        id = mi->adwInfo[0];
        h = zmmio_table_acquire(id);
        if (!h)
            return -1; /* a stale or foreign id, or in use on another thread */
        if (uMsg == MMIOM_READ)
            ret = on_read(mi, h, (void *)lParam1, (LONG)lParam2);
        else if (uMsg == MMIOM_SEEK)
            ret = on_seek(mi, h, (LONG)lParam1, (int)lParam2);
        else
            ret = on_write(mi, h, (const void *)lParam1, (LONG)lParam2);
        zmmio_table_release(id);
        return ret;

    case MMIOM_RENAME:
        /* lParam1 = old name, lParam2 = new name (ANSI). mi is the
         * caller's MMIOINFO, or a copy of it, and is not used.
         * "a.zmm+" -> "b.zmm+" (or both without '+') renames the archive
         * file; "a.zmm+x" -> "a.zmm+y" renames a member and commits.
         * Returns 0, MMIOERR_FILENOTFOUND, MMIOERR_INVALIDFILE (not an
         * archive), MMIOERR_ACCESSDENIED, MMIOERR_SHARINGVIOLATION (a writer
         * has the archive), MMIOERR_CANNOTWRITE (e.g. the new name exists),
         * MMSYSERR_INVALPARAM (a member to another archive or to no member). */
        return on_rename((const char *)lParam1, (const char *)lParam2);

    default:
        /* Unknown and user messages: 0, as the documentation asks. */
        return 0;
    }
}
