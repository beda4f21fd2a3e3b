/*
 * differential.c -- ZmmIOProc against the built-in DOS procedure, through
 * an mmio implementation given as a table (differential.h): Wine's winmm
 * (test_differential) or docmmio, mmio as Microsoft documents it
 * (test_doc_differential).
 *
 * For each seed, one random sequence of mmio calls runs on two handles at
 * once: a plain file through the DOS procedure and an archive member through
 * ours ("zN.zmm+" or "zN.zmm+m.dat"). Every return value, every byte read,
 * mmio's view of each handle after each call (mmioGetInfo: lDiskOffset,
 * lBufOffset, buffer pointers, flags) and, at the end, the whole contents
 * must be equal. The calls: mmioRead, mmioWrite, mmioSeek (SET, CUR, END),
 * mmioFlush (with and without MMIO_EMPTYBUF), mmioSetBuffer, mmioCreateChunk
 * + writes + mmioAscend (single chunks and a whole RIFF WAVE recording),
 * mmioDescend (unbuffered), direct buffer access (mmioGetInfo, mmioAdvance
 * for reading and for writing, mmioSetInfo), and close + reopen in another
 * mode: unbuffered or buffered (MMIO_ALLOCBUF with various sizes) handles,
 * opened read-write, read-only, write-only, or with MMIO_CREATE.
 *
 * Exclusions -- Wine 8's mmio treats the DOS procedure differently from any
 * other, so some sequences have no common answer to compare (README.md):
 *  (A) A buffered SEEK_END: for the DOS procedure mmio computes it from the
 *      size it measured at mmioOpen (never updated by writes), for others it
 *      asks the procedure; and it does not flush the buffer first, so
 *      unflushed writes are not counted (and may be lost). The test flushes
 *      first, and when the file's size has changed since it was opened, it
 *      seeks to the same target with SEEK_SET instead.
 *  (B) A buffered seek to an offset beyond that size measured at open: mmio
 *      empties the buffer for the DOS procedure only. When the target lies in
 *      the window where mmio would keep the buffer for another procedure, the
 *      test first empties both buffers with mmioSetBuffer, keeping the
 *      position (mmio then takes the same path for both).
 *  (C) A buffered read with pchNext past pchEndRead (after writes, or after a
 *      seek within the buffer past what it holds): Wine's mmioRead then
 *      copies bytes that were never read or written -- uninitialised memory,
 *      different in every buffer -- so the test empties both buffers first as
 *      in (B). A seek that would put pchNext past every byte the buffer holds
 *      is treated the same way, since a later flush writes those bytes.
 * Each of these is counted and reported. On Windows none of them is needed,
 * and the comparisons hold as well; through docmmio none is applied.
 *  (D) No reads through a handle opened MMIO_WRITE: a quirk of Wine's DOS
 *      procedure itself, so it applies through both tables (write_only).
 *  (E) docmmio only: lDiskOffset of a buffered handle is not compared. It
 *      is the procedure's own position, and after a buffered SEEK_END, which
 *      docmmio asks of the procedure, the DOS procedure has moved there and
 *      ours has not (src/ioproc/ioproc.c on_seek, for Wine's sake); docmmio
 *      sends SEEK_SET before its next transfer whenever lDiskOffset is not
 *      where that transfer goes, so both are correct. Unbuffered handles
 *      compare it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "differential.h"
#include "wine_test.h"
#include "zmm.h"

#define DOS 0
#define ZMM 1
#define MAX_IO 70000
#define SOFT_MAX_SIZE 400000

typedef struct diff {
    unsigned long seed;
    unsigned long op;       /* index of the operation being run */
    const char *what;       /* its name, for failure messages */
    uint64_t rng;
    char name[2][64];       /* mmio names */
    char dos_path[64];
    char zmm_archive[64];
    const char *zmm_member; /* NULL = default member */
    HMMIO h[2];
    DWORD mode;             /* flags of the current open */
    int readonly_write;     /* a write went to a read-only handle */
    LONG dos_size;          /* Wine's size of the DOS handle (see A, B) */
    int failed;             /* stop this seed at the first mismatch */
    unsigned long sanitized, substituted, skipped;
} diff;

static const diff_api *api;
static unsigned char wbuf[MAX_IO + 16];
static unsigned char rbuf[2][MAX_IO + 16];

/* Reports what differs; `what` names the two values a and b. */
static void mismatch(diff *d, int line, const char *what, long long a,
                     long long b)
{
    tw_fail(__FILE__, line, "seed %lu op %lu (%s): %s: %lld vs %lld", d->seed,
            d->op, d->what, what, a, b);
    d->failed = 1;
}

#define SAME(d, a, b)                                                   \
    do {                                                                \
        long long same_a_ = (long long)(a), same_b_ = (long long)(b);   \
        tw_checks++;                                                    \
        if (same_a_ != same_b_ && !(d)->failed)                         \
            mismatch(d, __LINE__, #a " (DOS vs ZMM)",     \
                     same_a_, same_b_);                                 \
    } while (0)

static uint32_t below(diff *d, uint32_t n)
{
    return tw_below(&d->rng, n);
}

/* A length: mostly small, sometimes a buffer or more. */
static LONG random_length(diff *d)
{
    switch (below(d, 8)) {
    case 0:
        return (LONG)below(d, 17);
    case 1:
    case 2:
        return (LONG)below(d, 300);
    case 3:
    case 4:
        return (LONG)below(d, 9000);
    case 5:
        return 8192 + (LONG)below(d, 3) - 1;
    default:
        return (LONG)below(d, MAX_IO);
    }
}

static LONG dos_file_size(diff *d)
{
    MMIOINFO info;

    api->getinfo(d->h[DOS], &info, 0);
    return (LONG)GetFileSize(LongToHandle((LONG)info.adwInfo[0]), NULL);
}

/* mmio's view of both handles must agree. */
static void compare_info(diff *d)
{
    MMIOINFO a, b;

    if (d->failed)
        return;
    SAME(d, api->getinfo(d->h[DOS], &a, 0), api->getinfo(d->h[ZMM], &b, 0));
    if (api->wine_mmio || b.cchBuffer <= 0)
        SAME(d, a.lDiskOffset, b.lDiskOffset); /* (E) */
    SAME(d, a.lBufOffset, b.lBufOffset);
    SAME(d, a.cchBuffer, b.cchBuffer);
    SAME(d, a.dwFlags, b.dwFlags);
    SAME(d, a.pchNext - a.pchBuffer, b.pchNext - b.pchBuffer);
    SAME(d, a.pchEndRead - a.pchBuffer, b.pchEndRead - b.pchBuffer);
    SAME(d, a.pchEndWrite - a.pchBuffer, b.pchEndWrite - b.pchBuffer);
}

/* ---- exclusions ---------------------------------------------------------- */

/* Empties both buffers, keeping the position (exclusions B and C). */
static void sanitize(diff *d)
{
    MMIOINFO info;
    LONG pos[2], r[2];
    int i;

    d->sanitized++;
    for (i = 0; i < 2; i++) {
        api->getinfo(d->h[i], &info, 0);
        pos[i] = info.lBufOffset + (LONG)(info.pchNext - info.pchBuffer);
        r[i] = (LONG)api->setbuffer(d->h[i], NULL, info.cchBuffer, 0);
        r[i] += 1000 * (api->seek(d->h[i], pos[i], SEEK_SET) != pos[i]);
    }
    SAME(d, pos[DOS], pos[ZMM]);
    SAME(d, r[DOS], r[ZMM]);
}

/* Exclusion B (and the unheld part of C) for a seek to `target`. */
static int seek_hazard(diff *d, LONG target)
{
    MMIOINFO info;
    LONG held;

    if (!api->wine_mmio)
        return 0;
    api->getinfo(d->h[ZMM], &info, 0);
    if (info.cchBuffer <= 0 || target < info.lBufOffset
        || target > info.lBufOffset + info.cchBuffer)
        return 0; /* mmio reloads for both */
    held = (LONG)(info.pchEndRead - info.pchBuffer);
    if ((LONG)(info.pchNext - info.pchBuffer) > held)
        held = (LONG)(info.pchNext - info.pchBuffer);
    return target > d->dos_size || target > info.lBufOffset + held;
}

static void guard_seek(diff *d, LONG target)
{
    if (seek_hazard(d, target))
        sanitize(d);
}

/* Exclusion D: no reads through a handle opened MMIO_WRITE. Both
 * procedures refuse them (-1), but 64-bit Wine 8's DOS procedure then adds
 * that -1 to lDiskOffset (_lread returns a UINT, widened without its sign),
 * and mmio's state for the two handles parts ways. test_contract checks
 * that ours refuses such reads. */
static int write_only(diff *d)
{
    if ((d->mode & MMIO_RWMODE) != MMIO_WRITE)
        return 0;
    d->skipped++;
    return 1;
}

/* Exclusion C, before a buffered read. */
static void guard_read(diff *d)
{
    MMIOINFO info;

    if (!api->wine_mmio)
        return;
    api->getinfo(d->h[ZMM], &info, 0);
    if (info.cchBuffer > 0 && info.pchNext > info.pchEndRead)
        sanitize(d);
}

static LONG position(diff *d)
{
    MMIOINFO info;

    api->getinfo(d->h[ZMM], &info, 0);
    if (info.cchBuffer <= 0)
        return info.lDiskOffset;
    return info.lBufOffset + (LONG)(info.pchNext - info.pchBuffer);
}

/* ---- opening ------------------------------------------------------------- */

static void open_both(diff *d, DWORD mode, LONG buffer)
{
    MMIOINFO info[2];
    int i;

    d->mode = mode;
    d->readonly_write = 0;
    for (i = 0; i < 2; i++) {
        memset(&info[i], 0, sizeof info[i]);
        info[i].cchBuffer = buffer;
        {
            char name[sizeof d->name[i]];

            memcpy(name, d->name[i], sizeof name); /* open may write it */
            d->h[i] = api->open(name, &info[i], mode);
        }
    }
    SAME(d, info[DOS].wErrorRet, info[ZMM].wErrorRet);
    if (!d->h[DOS] || !d->h[ZMM]) {
        if (!d->failed)
            mismatch(d, __LINE__, "opened (DOS vs ZMM)",
                     d->h[DOS] != NULL, d->h[ZMM] != NULL);
        d->failed = 1;
        return;
    }
    d->dos_size = dos_file_size(d);
    compare_info(d);
}

static void close_both(diff *d)
{
    MMRESULT r[2];

    r[DOS] = api->close(d->h[DOS], 0);
    r[ZMM] = api->close(d->h[ZMM], 0);
    d->h[DOS] = d->h[ZMM] = NULL;
    /* The one intended difference: a write refused by a read-only handle
     * is reported at close by ours (mmio drops WRITE's result when it
     * flushes a buffer); the DOS procedure says nothing. */
    if (d->readonly_write && r[ZMM] == MMIOERR_CANNOTWRITE && r[DOS] == 0)
        r[ZMM] = 0;
    SAME(d, r[DOS], r[ZMM]);
}

static void op_reopen(diff *d)
{
    static const LONG buffers[] = { 0, 0, 512, 1000, 4096, 8192, 65536 };
    DWORD mode;
    LONG buffer = 0;

    d->what = "close+reopen";
    close_both(d);
    switch (below(d, 10)) {
    case 0:
    case 1:
        mode = MMIO_READ;
        break;
    case 2:
        mode = MMIO_WRITE;
        break;
    case 3:
        /* MMIO_CREATE empties the file: not too often. */
        mode = below(d, 3) ? MMIO_READWRITE : MMIO_CREATE | MMIO_READWRITE;
        break;
    default:
        mode = MMIO_READWRITE;
        break;
    }
    if (below(d, 2)) {
        mode |= MMIO_ALLOCBUF;
        buffer = buffers[below(d, sizeof buffers / sizeof buffers[0])];
    }
    open_both(d, mode, buffer);
}

/* ---- operations ---------------------------------------------------------- */

static void op_read(diff *d)
{
    LONG n = random_length(d), r[2];
    int i;

    d->what = "mmioRead";
    if (write_only(d))
        return;
    guard_read(d);
    for (i = 0; i < 2; i++)
        r[i] = api->read(d->h[i], (HPSTR)rbuf[i], n);
    SAME(d, r[DOS], r[ZMM]);
    if (r[DOS] > 0 && r[DOS] == r[ZMM] && memcmp(rbuf[DOS], rbuf[ZMM],
                                                 (size_t)r[DOS]) != 0)
        mismatch(d, __LINE__, "bytes read differ, counts", r[DOS],
                 r[ZMM]);
}

/* Before writing: a position far out (mmioDescend follows any chunk size it
 * reads) comes back into the file, so files stay small. */
static void rein(diff *d)
{
    LONG target;

    if (position(d) <= SOFT_MAX_SIZE)
        return;
    target = (LONG)below(d, SOFT_MAX_SIZE);
    guard_seek(d, target);
    SAME(d, api->seek(d->h[DOS], target, SEEK_SET),
         api->seek(d->h[ZMM], target, SEEK_SET));
}

static void op_write(diff *d)
{
    LONG n = random_length(d), r[2];
    int i;

    d->what = "mmioWrite";
    rein(d);
    tw_fill_random(&d->rng, wbuf, (size_t)n);
    for (i = 0; i < 2; i++)
        r[i] = api->write(d->h[i], (const char *)wbuf, n);
    if ((d->mode & MMIO_RWMODE) == MMIO_READ && n > 0)
        d->readonly_write = 1;
    SAME(d, r[DOS], r[ZMM]);
}

static void op_seek(diff *d)
{
    LONG size = dos_file_size(d), pos = position(d);
    LONG offset, target;
    int origin = (int)below(d, 3), buffered;
    MMIOINFO info;
    LONG r[2];
    int i;

    api->getinfo(d->h[ZMM], &info, 0);
    buffered = info.cchBuffer > 0;
    switch (origin) {
    case SEEK_SET:
        d->what = "mmioSeek SET";
        offset = below(d, 20) ? (LONG)below(d, (uint32_t)size + 20000)
                              : -(LONG)below(d, 100) - 1;
        target = offset;
        break;
    case SEEK_CUR:
        d->what = "mmioSeek CUR";
        offset = (LONG)below(d, 40000) - 20000;
        if (pos > SOFT_MAX_SIZE)
            offset = -(LONG)below(d, (uint32_t)pos + 1);
        target = pos + offset;
        break;
    default:
        d->what = "mmioSeek END";
        if (buffered && api->wine_mmio) {
            /* Exclusion A: flush first (mmio does not, README.md). */
            SAME(d, api->flush(d->h[DOS], 0), api->flush(d->h[ZMM], 0));
            size = dos_file_size(d);
        }
        offset = below(d, 8) ? (LONG)below(d, (uint32_t)size + 1)
                             : (LONG)below(d, 20000) - 10000;
        target = size - offset;
        if (buffered && api->wine_mmio && size != d->dos_size) {
            /* Exclusion A: the same target, by SEEK_SET. */
            d->substituted++;
            origin = SEEK_SET;
            offset = target;
        }
        break;
    }
    if (buffered && target >= 0)
        guard_seek(d, target);
    for (i = 0; i < 2; i++)
        r[i] = api->seek(d->h[i], offset, origin);
    SAME(d, r[DOS], r[ZMM]);
}

static void op_flush(diff *d)
{
    UINT flags = below(d, 4) ? 0 : MMIO_EMPTYBUF;

    d->what = flags ? "mmioFlush EMPTYBUF" : "mmioFlush";
    SAME(d, api->flush(d->h[DOS], flags), api->flush(d->h[ZMM], flags));
}

static void op_set_buffer(diff *d)
{
    static const LONG sizes[] = { 0, 256, 1024, 8192, 20000 };
    LONG size = sizes[below(d, sizeof sizes / sizeof sizes[0])];
    LONG pos[2];
    int i;

    d->what = "mmioSetBuffer";
    for (i = 0; i < 2; i++) {
        /* Keep the position across the change, as an application would. */
        MMIOINFO info;

        api->getinfo(d->h[i], &info, 0);
        pos[i] = info.cchBuffer > 0
                     ? info.lBufOffset + (LONG)(info.pchNext - info.pchBuffer)
                     : info.lDiskOffset;
    }
    SAME(d, pos[DOS], pos[ZMM]);
    SAME(d, api->setbuffer(d->h[DOS], NULL, size, 0),
         api->setbuffer(d->h[ZMM], NULL, size, 0));
    SAME(d, api->seek(d->h[DOS], pos[DOS], SEEK_SET),
         api->seek(d->h[ZMM], pos[ZMM], SEEK_SET));
}

/* Guards the seeks mmioAscend makes: to the current position, back to the
 * size field, and to the end of the chunk (after a pad byte). */
static void guard_ascend(diff *d, const MMCKINFO *ck)
{
    LONG pos = position(d);

    if (seek_hazard(d, pos) || seek_hazard(d, (LONG)ck->dwDataOffset - 4)
        || seek_hazard(d, pos + 1))
        sanitize(d);
}

static void write_both(diff *d, LONG n)
{
    LONG r[2];
    int i;

    tw_fill_random(&d->rng, wbuf, (size_t)n);
    for (i = 0; i < 2; i++)
        r[i] = api->write(d->h[i], (const char *)wbuf, n);
    if ((d->mode & MMIO_RWMODE) == MMIO_READ && n > 0)
        d->readonly_write = 1;
    SAME(d, r[DOS], r[ZMM]);
}

static void create_chunk(diff *d, MMCKINFO ck[2], FOURCC id, FOURCC type,
                         UINT flags)
{
    int i;

    guard_seek(d, position(d));
    for (i = 0; i < 2; i++) {
        memset(&ck[i], 0, sizeof ck[i]);
        ck[i].ckid = id;
        ck[i].fccType = type;
    }
    SAME(d, api->createchunk(d->h[DOS], &ck[DOS], flags),
         api->createchunk(d->h[ZMM], &ck[ZMM], flags));
    SAME(d, ck[DOS].dwDataOffset, ck[ZMM].dwDataOffset);
    if ((d->mode & MMIO_RWMODE) == MMIO_READ)
        d->readonly_write = 1;
}

static void ascend(diff *d, MMCKINFO ck[2])
{
    guard_ascend(d, &ck[ZMM]);
    SAME(d, api->ascend(d->h[DOS], &ck[DOS], 0),
         api->ascend(d->h[ZMM], &ck[ZMM], 0));
    SAME(d, ck[DOS].cksize, ck[ZMM].cksize);
}

static void op_chunk(diff *d)
{
    static const UINT flags[] = { 0, MMIO_CREATERIFF, MMIO_CREATELIST };
    MMCKINFO ck[2];
    UINT f = flags[below(d, 3)];

    d->what = "mmioCreateChunk+mmioAscend";
    rein(d);
    create_chunk(d, ck, mmioFOURCC('d', 'a', 't', 'a'),
                 mmioFOURCC('W', 'A', 'V', 'E'), f);
    write_both(d, (LONG)below(d, 3000));
    ascend(d, ck);
}

/* Writes n given bytes through both handles. */
static void write_given(diff *d, const unsigned char *p, LONG n)
{
    LONG r[2];
    int i;

    for (i = 0; i < 2; i++)
        r[i] = api->write(d->h[i], (const char *)p, n);
    if ((d->mode & MMIO_RWMODE) == MMIO_READ && n > 0)
        d->readonly_write = 1;
    SAME(d, r[DOS], r[ZMM]);
}

/* A RIFF WAVE recording, as a sound recorder writes it through mmio. Half
 * of them are real 16-bit stereo PCM with smooth samples, which zmmio.dll
 * detects and stores as PCM blocks (audio-aware compression). */
static void op_record(diff *d)
{
    static const unsigned char pcm_fmt[16] = {
        1, 0, 2, 0, 0x44, 0xac, 0, 0, 0x10, 0xb1, 2, 0, 4, 0, 16, 0};
    MMCKINFO riff[2], fmt[2], data[2];
    LONG pieces = 1 + (LONG)below(d, 20);
    int pcm = (int)below(d, 2);
    unsigned v = (unsigned)below(d, 65536);

    d->what = pcm ? "RIFF WAVE recording (PCM)" : "RIFF WAVE recording";
    rein(d);
    create_chunk(d, riff, 0, mmioFOURCC('W', 'A', 'V', 'E'), MMIO_CREATERIFF);
    create_chunk(d, fmt, mmioFOURCC('f', 'm', 't', ' '), 0, 0);
    if (pcm)
        write_given(d, pcm_fmt, 16);
    else
        write_both(d, 16);
    ascend(d, fmt);
    create_chunk(d, data, mmioFOURCC('d', 'a', 't', 'a'), 0, 0);
    while (pieces-- > 0 && !d->failed) {
        LONG n = (LONG)below(d, 5000), k;

        if (!pcm) {
            write_both(d, n);
            continue;
        }
        for (k = 0; k < n; k++) { /* a slow random walk, byte by byte */
            if (k % 2 == 0)
                v += (unsigned)below(d, 33) - 16;
            wbuf[k] = (unsigned char)(k % 2 ? v >> 8 : v);
        }
        write_given(d, wbuf, n);
    }
    ascend(d, data);
    ascend(d, riff);
}

/* mmioDescend on unbuffered handles (on buffered ones its reads and seeks
 * follow chunk sizes into every exclusion at once). */
static void op_descend(diff *d)
{
    MMCKINFO ck[2];
    MMIOINFO info;
    UINT flags = below(d, 2) ? 0 : MMIO_FINDRIFF;
    int i;

    d->what = "mmioDescend";
    api->getinfo(d->h[ZMM], &info, 0);
    if (info.cchBuffer > 0 || write_only(d))
        return;
    if (flags)
        SAME(d, api->seek(d->h[DOS], 0, SEEK_SET),
             api->seek(d->h[ZMM], 0, SEEK_SET));
    for (i = 0; i < 2; i++) {
        memset(&ck[i], 0, sizeof ck[i]);
        ck[i].fccType = mmioFOURCC('W', 'A', 'V', 'E');
    }
    SAME(d, api->descend(d->h[DOS], &ck[DOS], NULL, flags),
         api->descend(d->h[ZMM], &ck[ZMM], NULL, flags));
    SAME(d, ck[DOS].ckid, ck[ZMM].ckid);
    SAME(d, ck[DOS].cksize, ck[ZMM].cksize);
    SAME(d, ck[DOS].dwDataOffset, ck[ZMM].dwDataOffset);
}

/* Model of Wine's mmioAdvance for the DOS procedure: it grows the size
 * measured at open by the end of the buffer given. */
static void note_advance(diff *d, const MMIOINFO *dos_info)
{
    LONG end = dos_info->lBufOffset
               + (LONG)(dos_info->pchNext - dos_info->pchBuffer);

    if (end > d->dos_size)
        d->dos_size = end;
}

/* Direct buffer access: mmioGetInfo, consume or fill the buffer, advance
 * with mmioAdvance, finish with mmioSetInfo -- as games stream music. */
static void op_direct(diff *d, int writing)
{
    MMIOINFO info[2];
    LONG want = random_length(d), done = 0;
    int i, rounds = 0;

    d->what = writing ? "mmioAdvance WRITE" : "mmioAdvance READ";
    if (!writing && write_only(d))
        return;
    api->getinfo(d->h[ZMM], &info[ZMM], 0);
    if (info[ZMM].cchBuffer <= 0) {
        SAME(d, api->advance(d->h[DOS], NULL, MMIO_READ),
             api->advance(d->h[ZMM], NULL, MMIO_READ)); /* UNBUFFERED */
        return;
    }
    if (writing)
        rein(d);
    for (i = 0; i < 2; i++)
        SAME(d, api->getinfo(d->h[i], &info[i], 0), 0);
    if (writing)
        tw_fill_random(&d->rng, wbuf, (size_t)want);
    while (done < want && rounds < 64 && !d->failed) {
        LONG avail[2], take;

        for (i = 0; i < 2; i++)
            avail[i] = (LONG)((writing ? info[i].pchEndWrite
                                       : info[i].pchEndRead)
                              - info[i].pchNext);
        SAME(d, avail[DOS], avail[ZMM]);
        if (avail[ZMM] <= 0) {
            rounds++;
            note_advance(d, &info[DOS]);
            for (i = 0; i < 2; i++) {
                if (writing)
                    info[i].dwFlags |= MMIO_DIRTY;
                avail[i] = (LONG)api->advance(d->h[i], &info[i],
                                             writing ? MMIO_WRITE : MMIO_READ);
            }
            SAME(d, avail[DOS], avail[ZMM]);
            SAME(d, info[DOS].lBufOffset, info[ZMM].lBufOffset);
            SAME(d, info[DOS].lDiskOffset, info[ZMM].lDiskOffset);
            SAME(d, info[DOS].pchEndRead - info[DOS].pchBuffer,
                 info[ZMM].pchEndRead - info[ZMM].pchBuffer);
            if (!writing && info[ZMM].pchNext >= info[ZMM].pchEndRead)
                break; /* the end of the file */
            continue;
        }
        take = avail[ZMM] < want - done ? avail[ZMM] : want - done;
        for (i = 0; i < 2; i++) {
            if (writing)
                memcpy(info[i].pchNext, wbuf + done, (size_t)take);
            else
                memcpy(rbuf[i] + done, info[i].pchNext, (size_t)take);
            info[i].pchNext += take;
        }
        if (!writing && memcmp(rbuf[DOS] + done, rbuf[ZMM] + done,
                               (size_t)take) != 0)
            mismatch(d, __LINE__, "buffer bytes differ at, length",
                     done, take);
        done += take;
    }
    for (i = 0; i < 2; i++) {
        if (writing && done > 0)
            info[i].dwFlags |= MMIO_DIRTY;
    }
    if (writing && done > 0 && (d->mode & MMIO_RWMODE) == MMIO_READ)
        d->readonly_write = 1;
    SAME(d, api->setinfo(d->h[DOS], &info[DOS], 0),
         api->setinfo(d->h[ZMM], &info[ZMM], 0));
}

/* ---- one seed ------------------------------------------------------------ */

static void compare_contents(diff *d)
{
    unsigned char *a, *b;
    size_t na, nb;

    a = tw_read_file(d->dos_path, &na);
    b = tw_read_member(d->zmm_archive, d->zmm_member, &nb);
    tw_checks++;
    if (!a || !b || na != nb || memcmp(a, b, na) != 0) {
        size_t i = 0;

        while (a && b && i < na && i < nb && a[i] == b[i])
            i++;
        tw_fail(__FILE__, __LINE__,
                "seed %lu: final contents differ: DOS %lu bytes, ZMM %lu "
                "bytes%s, first difference at %lu",
                d->seed, (unsigned long)na, (unsigned long)nb,
                b ? "" : " (unreadable)", (unsigned long)i);
    }
    free(a);
    free(b);
}

static int trace;

static void run_seed(unsigned long seed, unsigned long ops,
                     unsigned long *total_ops, unsigned long *total_excl)
{
    diff d;

    memset(&d, 0, sizeof d);
    d.seed = seed;
    d.rng = seed;
    d.rng = tw_rand(&d.rng); /* seeds 1, 2... must not share a sequence */
    snprintf(d.dos_path, sizeof d.dos_path, "d%lu.dat", seed);
    snprintf(d.zmm_archive, sizeof d.zmm_archive, "z%lu.zmm", seed);
    strcpy(d.name[DOS], d.dos_path);
    if (seed % 2) {
        d.zmm_member = "m.dat";
        snprintf(d.name[ZMM], sizeof d.name[ZMM], "%s+m.dat", d.zmm_archive);
    } else {
        d.zmm_member = NULL;
        snprintf(d.name[ZMM], sizeof d.name[ZMM], "%s+", d.zmm_archive);
    }
    DeleteFileA(d.dos_path);
    DeleteFileA(d.zmm_archive);
    d.what = "mmioOpen CREATE";
    open_both(&d, MMIO_CREATE | MMIO_READWRITE
                      | (seed % 3 ? MMIO_ALLOCBUF : 0), 0);

    for (d.op = 0; d.op < ops && !d.failed; d.op++) {
        uint32_t r = below(&d, 100);

        if (r < 22)
            op_read(&d);
        else if (r < 44)
            op_write(&d);
        else if (r < 66)
            op_seek(&d);
        else if (r < 70)
            op_flush(&d);
        else if (r < 73)
            op_set_buffer(&d);
        else if (r < 78)
            op_chunk(&d);
        else if (r < 80)
            op_record(&d);
        else if (r < 83)
            op_descend(&d);
        else if (r < 88)
            op_direct(&d, 0);
        else if (r < 92)
            op_direct(&d, 1);
        else if (r < 95) {
            op_reopen(&d);
        } else {
            d.what = "mmioSeek CUR 0";
            guard_seek(&d, position(&d));
            SAME(&d, api->seek(d.h[DOS], 0, SEEK_CUR),
                 api->seek(d.h[ZMM], 0, SEEK_CUR));
        }
        compare_info(&d);
        if (trace) {
            MMIOINFO a, b;

            MMIOINFO c;

            api->getinfo(d.h[DOS], &a, 0);
            api->getinfo(d.h[ZMM], &b, 0);
            /* The member's size, asked of the procedure without moving. */
            c = b;
            c.cchBuffer = 1;
            printf("  zmm size %ld\n",
                   (long)ZmmIOProc((LPSTR)&c, MMIOM_SEEK, 0, SEEK_END));
            printf("  %lu %s pos %ld size %ld dos_size %ld | disk %ld/%ld "
                   "buf %ld/%ld next %ld endread %ld cch %ld\n",
                   d.op, d.what, (long)position(&d), (long)dos_file_size(&d),
                   (long)d.dos_size, a.lDiskOffset, b.lDiskOffset,
                   a.lBufOffset, b.lBufOffset,
                   (long)(b.pchNext - b.pchBuffer),
                   (long)(b.pchEndRead - b.pchBuffer), b.cchBuffer);
        }
    }
    if (d.h[DOS] && d.h[ZMM]) {
        d.what = "final close";
        close_both(&d);
    } else {
        if (d.h[DOS])
            api->close(d.h[DOS], 0);
        if (d.h[ZMM])
            api->close(d.h[ZMM], 0);
    }
    compare_contents(&d);
    printf("seed %lu: %lu operations, %lu buffers emptied (B, C), %lu "
           "SEEK_END by SEEK_SET (A), %lu reads skipped (D)%s\n",
           seed, d.op, d.sanitized, d.substituted, d.skipped,
           d.failed ? ", FAILED" : "");
    fflush(stdout);
    *total_ops += d.op;
    *total_excl += d.sanitized + d.substituted + d.skipped;
}

int diff_run(const diff_api *table, int argc, char **argv)
{
    unsigned long seeds = argc > 1 ? strtoul(argv[1], NULL, 0)
                                   : table->default_seeds;
    unsigned long ops = argc > 2 ? strtoul(argv[2], NULL, 0)
                                 : table->default_ops;
    unsigned long first = argc > 3 ? strtoul(argv[3], NULL, 0) : 1;
    unsigned long s, total_ops = 0, total_excl = 0;

    api = table;
    trace = getenv("ZMMIO_DIFF_TRACE") != NULL;
    for (s = first; s < first + seeds; s++)
        run_seed(s, ops, &total_ops, &total_excl);
    printf("differential (%s): %lu seeds, %lu operations compared, %lu "
           "exclusions applied\n",
           table->name, seeds, total_ops, total_excl);
    return 0;
}
