/*
 * zmm.h -- the ZMM archive core library: compressed, seekable, crash-safe
 * members addressed like plain files.
 *
 * An archive holds named members. Each member is cut into fixed-size logical
 * blocks compressed independently, so seeking to any offset costs one shift
 * and a read inflates only the blocks it touches. Writes are copy-on-write and
 * become durable, all together, at the next commit. docs/FORMAT.md specifies
 * the bytes on disk.
 *
 * Threads: an archive and the streams opened on it must be used by one thread
 * at a time. Distinct archive objects are independent, even on the same file.
 * A read-only stream may have blocks decoded ahead on a worker thread
 * (read-ahead, see ZMM_STREAM_NO_READAHEAD): a thread of its own, or for
 * streams of a zmm_share, one of the share's (at most one fewer than
 * processors, at least one: the readers decode too).
 * Workers only read the archive's file and decode, never call the
 * application, and are joined when the last stream reading ahead with them
 * closes, so no thread outlives the streams. A writing stream with
 * zmm_member_options.threads runs that many threads of its own that only
 * encode copies of its blocks (the caller's thread still does all the
 * file's writes); they too are joined by the stream's close. Do not close
 * streams or archives from DllMain (joining a thread there deadlocks).
 * Names: file paths and member names are UTF-8 strings.
 * Errors: every call that can fail returns an enum zmm_result, 0 on success;
 * each function lists the codes it returns. Any function that reads or
 * writes the archive's file may also return ZMM_ERR_IO, ZMM_ERR_ACCESS (the OS
 * failed or denied it: zmm_archive_os_error() has the OS's code) and
 * ZMM_ERR_NOMEM; any that decodes blocks or the directory, ZMM_ERR_CORRUPT
 * (damaged data is never returned as data). After such a failure during a
 * write or commit, the archive or stream returns ZMM_ERR_STATE: reopen it.
 * Structs that start with `size_t struct_size`: set it to sizeof the struct
 * before the call. A program built against an older header passes an older,
 * shorter struct and keeps working: the library reads and fills only the
 * bytes that struct_size covers (fields appended later take their defaults);
 * a struct_size under the struct's first version is ZMM_ERR_INVALID_ARG.
 */
#ifndef ZMM_H
#define ZMM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ZMM_API marks the library's functions. The shared library (libzmm.so) is
 * built with every other symbol hidden, so it exports exactly the functions
 * declared here (tests/symbols checks it). Applications define nothing.
 */
#if defined(ZMM_BUILDING_LIBRARY) && defined(__GNUC__)
#define ZMM_API __attribute__((visibility("default")))
#else
#define ZMM_API
#endif

/* The version: CMake checks these against project(VERSION) when it
 * configures the build, so they cannot drift from the packages' version. */
#define ZMM_VERSION_MAJOR 0
#define ZMM_VERSION_MINOR 5
#define ZMM_VERSION_PATCH 0
#define ZMM_VERSION_STRING "0.5.0"

/* The library's version as "MAJOR.MINOR.PATCH", for checks at run time
 * (compare it with ZMM_VERSION_STRING, the header's). Never NULL. */
ZMM_API const char *zmm_version(void);

/* The highest archive format version this library reads and writes. */
#define ZMM_FORMAT_VERSION 1

/* Results. The numbers are frozen: new codes are only ever appended. */
typedef enum zmm_result {
    ZMM_OK = 0,
    ZMM_ERR_NOMEM = 1,          /* an allocation failed */
    ZMM_ERR_IO = 2,             /* the OS failed a read, write, sync... */
    ZMM_ERR_NOT_FOUND = 3,      /* no such file or member */
    ZMM_ERR_EXISTS = 4,         /* the file or member already exists */
    ZMM_ERR_NOT_ARCHIVE = 5,    /* the file is not a ZMM archive */
    ZMM_ERR_CORRUPT = 6,        /* damaged data: a CRC or a bound failed */
    ZMM_ERR_UNSUPPORTED = 7,    /* a newer format version or feature */
    ZMM_ERR_INVALID_ARG = 8,    /* a bad argument or option */
    ZMM_ERR_READ_ONLY = 9,      /* writing through a read-only handle */
    ZMM_ERR_ACCESS = 10,        /* the OS denied access */
    ZMM_ERR_SHARING = 11,       /* the file is locked by another opener */
    ZMM_ERR_LIMIT = 12,         /* a size or count over the format's limits */
    ZMM_ERR_BUSY = 13,          /* the member is open in another stream */
    ZMM_ERR_BAD_NAME = 14,      /* an empty, too long or invalid member name */
    ZMM_ERR_STATE = 15,         /* the handle failed earlier; reopen it */
    ZMM_ERR_CANCELLED = 16      /* the caller's cancel callback said stop */
} zmm_result;

/* A short English description of a result; never NULL ("unknown error" for
 * a value that is not a zmm_result). The string is static. */
ZMM_API const char *zmm_strerror(zmm_result result);

/* Limits of format version 1 (docs/FORMAT.md, "Limits"). */
#define ZMM_MIN_BLOCK_SIZE 4096u
#define ZMM_MAX_BLOCK_SIZE 1048576u
#define ZMM_DEFAULT_BLOCK_SIZE 65536u
#define ZMM_DEFAULT_LEVEL 6
#define ZMM_MAX_NAME_BYTES 255u
#define ZMM_MAX_MEMBERS 65535u

typedef struct zmm_archive zmm_archive;
typedef struct zmm_stream zmm_stream;

/* ---- archives ------------------------------------------------------------ */

/* zmm_archive_open() flags. */
#define ZMM_OPEN_READ 0x0u        /* read only (the default) */
#define ZMM_OPEN_WRITE 0x1u       /* read and write; one writer per file */
#define ZMM_OPEN_CREATE 0x2u      /* with WRITE: create an empty archive if missing */
#define ZMM_OPEN_EXCLUSIVE 0x4u   /* with CREATE: fail with ZMM_ERR_EXISTS if present */
#define ZMM_OPEN_DENY_READ 0x10u  /* other openers may not read meanwhile */
#define ZMM_OPEN_DENY_WRITE 0x20u /* other openers may not write meanwhile */
/* Every zmm_archive_open() flag this version knows; others are refused. */
#define ZMM_OPEN_KNOWN_FLAGS                                          \
    (ZMM_OPEN_WRITE | ZMM_OPEN_CREATE | ZMM_OPEN_EXCLUSIVE |          \
     ZMM_OPEN_DENY_READ | ZMM_OPEN_DENY_WRITE)

/*
 * Opens (or with ZMM_OPEN_CREATE creates) the archive at `path`.
 * On success stores a new archive in *out. On failure *out is NULL and, when
 * os_error is not NULL, *os_error receives the OS error (errno or Win32
 * GetLastError()) behind the failure, or 0.
 * Opening for writing locks the file against other writers: a second writer
 * gets ZMM_ERR_SHARING. Readers see the state committed when they opened.
 * Returns ZMM_OK; ZMM_ERR_INVALID_ARG (NULL path or out, a flag outside
 * ZMM_OPEN_KNOWN_FLAGS, CREATE without WRITE, EXCLUSIVE without CREATE);
 * ZMM_ERR_NOT_FOUND (no such file, without CREATE); ZMM_ERR_EXISTS
 * (EXCLUSIVE and the file exists); ZMM_ERR_NOT_ARCHIVE; ZMM_ERR_CORRUPT (no
 * header slot or directory passes its checks); ZMM_ERR_UNSUPPORTED (a newer
 * format version or feature); ZMM_ERR_LIMIT; ZMM_ERR_SHARING; ZMM_ERR_ACCESS;
 * ZMM_ERR_IO; ZMM_ERR_NOMEM.
 */
ZMM_API zmm_result zmm_archive_open(const char *path, unsigned flags,
                                    zmm_archive **out, long *os_error);

/*
 * Commits pending changes (as zmm_archive_commit) and closes. Streams still
 * open on the archive are flushed and closed first. Returns the first error of
 * that commit: the only report of a failed delayed write. Always frees the
 * archive, whatever it returns. NULL is a no-op (ZMM_OK).
 * Returns ZMM_OK or the commit's or closing's error: ZMM_ERR_IO,
 * ZMM_ERR_ACCESS, ZMM_ERR_NOMEM, ZMM_ERR_LIMIT, ZMM_ERR_STATE.
 */
ZMM_API zmm_result zmm_archive_close(zmm_archive *ar);
/* A close that fails (any error above) first cuts the file back to its length
 * at the last commit: what the failed commit appended is gone, and the file is
 * byte for byte as that commit left it. ZMM_ERR_IO etc. name the first failed
 * write's cause (zmm_archive_os_error() before the close gives the OS code). */

/*
 * Closes without committing: open streams are discarded, what was written
 * since the last commit (or checkpoint) is cut off the end of the file, which
 * is then byte for byte as the last commit left it. For a writer that gives up
 * (an error, Ctrl+C). Always frees the archive. NULL is a no-op (ZMM_OK).
 * Returns ZMM_OK or the closing's error (ZMM_ERR_IO).
 */
ZMM_API zmm_result zmm_archive_abandon(zmm_archive *ar);

/*
 * Makes every change written so far durable: open streams' modified blocks and
 * a new directory are appended and synced, then the header slot is switched.
 * The directory is whole: it folds the delta records of earlier checkpoints
 * (then it commits even with nothing new).
 * A crash at any point leaves either the previous or the new state. Does
 * nothing on an unmodified archive (or a read-only one).
 * Returns ZMM_OK; ZMM_ERR_IO, ZMM_ERR_ACCESS, ZMM_ERR_NOMEM; ZMM_ERR_LIMIT
 * (the directory would exceed the format's limits); ZMM_ERR_STATE (an
 * earlier write or commit failed: the archive keeps its last committed
 * state; close and reopen it).
 */
ZMM_API zmm_result zmm_archive_commit(zmm_archive *ar);

/*
 * Checkpoints while writing: a commit made by the library itself, after a
 * stream's write, once `bytes` bytes have been written since the last commit
 * or `interval_ms` milliseconds have passed since the first of them,
 * whichever comes first (0 turns either off). A crash of the application or
 * the machine then keeps everything written up to the last checkpoint. A due
 * checkpoint waits for a write that ends on or crosses a block edge (so a
 * sequential writer stores no short block that the next checkpoint would
 * store again), but no longer than twice the limit.
 * `clock_ms` (NULL: the OS's monotonic clock) returns milliseconds from any
 * origin, given `clock_context`: tests make time pass as they like.
 */
typedef struct zmm_checkpoint_policy {
    size_t struct_size;   /* sizeof(zmm_checkpoint_policy), set by the caller */
    uint64_t bytes;       /* new bytes that make a checkpoint due; 0 = no limit */
    uint32_t interval_ms; /* age of the oldest new byte that does; 0 = none */
    uint64_t (*clock_ms)(void *clock_context);
    void *clock_context;
} zmm_checkpoint_policy;

/*
 * Sets the archive's checkpoint policy (above); NULL turns checkpoints off
 * (the default: writes become durable at zmm_archive_commit or close).
 * The write that makes a checkpoint returns the checkpoint's error, if it
 * fails (then, as after any failed commit, ZMM_ERR_STATE follows).
 * Returns ZMM_OK; ZMM_ERR_INVALID_ARG (struct_size too small);
 * ZMM_ERR_READ_ONLY (an archive opened read-only).
 */
ZMM_API zmm_result zmm_archive_set_checkpoints(
    zmm_archive *ar, const zmm_checkpoint_policy *policy);

/* Checkpoints the archive made itself since it was opened (tests and
 * benchmarks count them). */
ZMM_API uint64_t zmm_archive_checkpoints(const zmm_archive *ar);

/* The OS error (errno or GetLastError()) behind the archive's most recent
 * ZMM_ERR_IO / ACCESS, or 0. */
ZMM_API long zmm_archive_os_error(const zmm_archive *ar);

typedef struct zmm_archive_info {
    size_t struct_size;        /* sizeof(zmm_archive_info), set by the caller */
    unsigned format_version;   /* of the file */
    uint64_t generation;       /* of the committed state that was opened or last written */
    uint64_t file_size;        /* bytes of the committed state */
    uint64_t live_bytes;       /* header, directory and referenced blocks */
    uint64_t garbage_bytes;    /* file_size - live_bytes: reclaimed by zmm_compact() */
    size_t member_count;
    unsigned flags;            /* ZMM_ARCHIVE_* below */
} zmm_archive_info;

/* zmm_archive_info.flags: the other header slot carries the magic but fails
 * its checks. A commit was torn by a crash, or the file is damaged: the
 * state opened may be older than the last commit attempted. */
#define ZMM_ARCHIVE_SLOT_DAMAGED 0x1u
/* The newest state's directory (or delta record chain) failed its checks or
 * lies past the end of the file (a cut copy): the older committed state was
 * opened instead (FORMAT.md, "Opening"). The newest commit's changes are
 * lost; `generation` is the older state's. A commit from this state
 * replaces the damaged one. */
#define ZMM_ARCHIVE_NEWEST_LOST 0x2u

/* Fills *info (as far as info->struct_size reaches). Returns ZMM_OK;
 * ZMM_ERR_INVALID_ARG (NULL info, struct_size too small). */
ZMM_API zmm_result zmm_archive_get_info(zmm_archive *ar,
                                        zmm_archive_info *info);

/* ---- members ------------------------------------------------------------- */

/* zmm_member_info.flags */
#define ZMM_MEMBER_DEFAULT 0x1u /* opened by an empty member name */
#define ZMM_MEMBER_PCM 0x2u     /* has a PCM layout (zmm_stream_set_pcm_layout) */
#define ZMM_MEMBER_DICT 0x4u    /* has a preset dictionary (zmm_stream_set_dictionary) */

typedef struct zmm_member_info {
    size_t struct_size;     /* sizeof(zmm_member_info), set by the caller */
    const char *name;       /* valid until the archive's directory next changes */
    uint64_t size;          /* logical bytes */
    uint64_t packed_size;   /* stored bytes of its blocks and dictionary */
    uint32_t block_size;
    uint32_t block_count;
    unsigned flags;         /* ZMM_MEMBER_* */
    int level;              /* deflate level used for its writes */
    /* Appended with PCM layouts: filled only when struct_size covers
     * them, and valid only when flags has ZMM_MEMBER_PCM (else 0). */
    uint64_t pcm_offset;    /* the member's PCM samples: first byte */
    uint64_t pcm_length;    /* their bytes */
    unsigned pcm_bits;      /* 8, 16, 24 or 32 */
    unsigned pcm_channels;  /* 1..32 */
    /* Appended with preset dictionaries: filled only when struct_size
     * covers it. */
    uint32_t dict_length;   /* bytes of its dictionary; 0 without one */
    /* Appended with metadata: filled only when struct_size covers
     * them. Each field is valid only when `meta` has its ZMM_META_* bit
     * (else 0). */
    unsigned meta;          /* ZMM_META_* */
    int64_t mtime;          /* modification time: seconds since 1970-01-01
                             * 00:00:00 UTC, negative before */
    uint32_t mtime_nsec;    /* and nanoseconds, 0..999999999 */
    unsigned mode;          /* POSIX permission bits, 0..07777 */
    /* Appended with linear prediction: filled only when struct_size
     * covers them. How its blocks are coded (docs/FORMAT.md, "PCM
     * blocks"): */
    uint32_t pcm_blocks;    /* by the PCM filter (block kinds 3 to 6) */
    uint32_t lpc_blocks;    /* of them, with linear predictors (5 and 6) */
} zmm_member_info;

/* zmm_member_info.meta and zmm_member_options.meta: which metadata a
 * member has (docs/FORMAT.md, "Metadata"). Readers that predate it
 * (zmmio 0.4.0 and earlier) ignore it and read the archive whole; their
 * writers drop it. */
#define ZMM_META_MTIME 0x1u /* mtime and mtime_nsec */
#define ZMM_META_MODE 0x2u  /* mode */

/* The number of members (cannot fail). */
ZMM_API size_t zmm_archive_member_count(const zmm_archive *ar);

/* Member `index` (0 .. count-1) in directory order, into *info (as far as
 * info->struct_size reaches: a caller built before the PCM or dictionary
 * fields gets the older fields). Returns ZMM_OK; ZMM_ERR_INVALID_ARG (NULL
 * info, struct_size too small, index out of range). */
ZMM_API zmm_result zmm_archive_member_info(zmm_archive *ar, size_t index,
                                           zmm_member_info *info);

/* Finds a member by exact name; NULL or "" finds the default member. Its
 * index goes to *index (which may be NULL). Returns ZMM_OK;
 * ZMM_ERR_NOT_FOUND (no such member, or no default member). */
ZMM_API zmm_result zmm_archive_find(zmm_archive *ar, const char *name,
                                    size_t *index);

/* Removes a member (not while a stream has it open); its blocks stay in the
 * file as garbage until zmm_compact(). In the archive at the next commit.
 * Returns ZMM_OK; ZMM_ERR_READ_ONLY; ZMM_ERR_NOT_FOUND; ZMM_ERR_BUSY (a
 * stream has it open). */
ZMM_API zmm_result zmm_archive_remove(zmm_archive *ar, const char *name);

/* Renames a member (not while a stream has it open). Returns ZMM_OK (also
 * when the names are equal); ZMM_ERR_BAD_NAME (new_name invalid);
 * ZMM_ERR_READ_ONLY; ZMM_ERR_NOT_FOUND; ZMM_ERR_BUSY; ZMM_ERR_EXISTS
 * (`new_name` is taken); ZMM_ERR_NOMEM. */
ZMM_API zmm_result zmm_archive_rename(zmm_archive *ar, const char *old_name,
                                      const char *new_name);

/* Makes `name` the default member (the one an empty name opens). Returns
 * ZMM_OK; ZMM_ERR_READ_ONLY; ZMM_ERR_BAD_NAME (NULL or "");
 * ZMM_ERR_NOT_FOUND. */
ZMM_API zmm_result zmm_archive_set_default(zmm_archive *ar, const char *name);

/*
 * A member name is 1..255 bytes of valid UTF-8 (no overlong forms, surrogates
 * or code points above U+10FFFF) without control characters (< 0x20, 0x7f) or
 * bidirectional controls (U+202A-202E, U+2066-2069). The library creates and
 * renames members only to such names; whether it is safe as a file name is
 * the caller's business (see zmm_name_is_portable_path). Returns nonzero for
 * a valid name, 0 otherwise (NULL too).
 */
ZMM_API int zmm_name_is_valid(const char *name);

/* Nonzero if `name` is safe to create below a directory on POSIX and Windows:
 * a relative path of '/'-separated parts, none empty, "." or "..", no drive
 * letter, no backslash, no ':' , no reserved device name (CON, NUL, COM1...),
 * no trailing dot or space. Returns 0 otherwise (NULL too). */
ZMM_API int zmm_name_is_portable_path(const char *name);

/* The UTF-8 character at `s` as the name rule reads it: its length in bytes
 * (1..4), its code point in *code; 0 when `s` starts no such character (a
 * stray or missing continuation byte, an overlong form, a surrogate, a code
 * point above U+10FFFF). For clients that show or match names character by
 * character, as `zmm` does. */
ZMM_API size_t zmm_utf8_char(const char *s, uint32_t *code);

/*
 * Reads every block of member `name` and checks its CRCs and bounds.
 * ZMM_OK when all are sound. On ZMM_ERR_CORRUPT (or IO) *bad_block, when not
 * NULL, receives the index of the first failing block (its logical offset is
 * index * block_size). A member's preset dictionary is checked with the
 * first deflate block, which needs it: a damaged dictionary fails that block
 * (a member without deflate blocks never reads its dictionary).
 * Returns ZMM_OK; ZMM_ERR_CORRUPT; ZMM_ERR_NOT_FOUND (no such member);
 * ZMM_ERR_BAD_NAME; ZMM_ERR_UNSUPPORTED; ZMM_ERR_IO; ZMM_ERR_NOMEM.
 */
ZMM_API zmm_result zmm_archive_verify_member(zmm_archive *ar, const char *name,
                                             uint32_t *bad_block);

/*
 * Rewrites the archive at `path` without garbage into a new file beside it,
 * syncs it, and renames it over the original. The original stays intact
 * until the rename. The new file gets the original's owner, group and mode
 * (POSIX) before anything is copied; when it cannot (another user's archive,
 * unless root) compact fails with ZMM_ERR_ACCESS and changes nothing. When
 * os_error is not NULL, *os_error receives the OS error behind a failure, or
 * 0.
 * Returns ZMM_OK; ZMM_ERR_INVALID_ARG (NULL path); ZMM_ERR_SHARING (another
 * writer has it); every error of zmm_archive_open() and of reading the
 * blocks (ZMM_ERR_CORRUPT: nothing is replaced); ZMM_ERR_IO, ZMM_ERR_ACCESS
 * (writing the new file, giving it the owner and mode, or the rename);
 * ZMM_ERR_NOMEM.
 */
ZMM_API zmm_result zmm_compact(const char *path, long *os_error);

typedef struct zmm_compact_options {
    size_t struct_size; /* sizeof(zmm_compact_options), set by the caller */
    /* Called before each block is copied (may be NULL): nonzero stops the
     * compaction (Ctrl+C). The new file is removed, the archive unchanged,
     * and zmm_compact_ex() returns ZMM_ERR_CANCELLED. */
    int (*cancel)(void *context);
    void *context;
} zmm_compact_options;

/* zmm_compact() with options (NULL: none). Returns as zmm_compact(), and
 * ZMM_ERR_CANCELLED; ZMM_ERR_INVALID_ARG (struct_size too small). */
ZMM_API zmm_result zmm_compact_ex(const char *path,
                                  const zmm_compact_options *options,
                                  long *os_error);

/* ---- member streams ------------------------------------------------------ */

/* zmm_stream_open() flags. */
#define ZMM_STREAM_READ 0x0u     /* read only */
#define ZMM_STREAM_WRITE 0x1u    /* read and write */
#define ZMM_STREAM_CREATE 0x2u   /* with WRITE: create the member if missing */
#define ZMM_STREAM_TRUNCATE 0x4u /* with WRITE: empty an existing member */
#define ZMM_STREAM_EXCLUSIVE 0x8u /* with CREATE: ZMM_ERR_EXISTS if it exists */
/* Read-only streams decode the next blocks on a second thread once reads
 * move forward from block to block (sequential, or a window moving
 * forward); random reads, and members of incompressible (raw) blocks, never
 * start it. A stream of an archive opened on its own starts a thread of its
 * own at the first forward run, joined by zmm_stream_close() (or the
 * archive's close); streams of a zmm_share share its few threads. This flag
 * turns it off. Writable streams never use it. */
#define ZMM_STREAM_NO_READAHEAD 0x10u
/* Every zmm_stream_open() flag this version knows; others are refused. */
#define ZMM_STREAM_KNOWN_FLAGS                                        \
    (ZMM_STREAM_WRITE | ZMM_STREAM_CREATE | ZMM_STREAM_TRUNCATE |     \
     ZMM_STREAM_EXCLUSIVE | ZMM_STREAM_NO_READAHEAD)

/* Options for members a stream creates or truncates (block_size, level)
 * and for a writing stream (threads); NULL means defaults. A shorter
 * struct_size (an older header) gives the later fields their defaults. */
typedef struct zmm_member_options {
    size_t struct_size; /* sizeof(zmm_member_options) */
    uint32_t block_size; /* a power of two, 4 KiB..1 MiB; 0 = 64 KiB */
    int level;           /* deflate level 0..9; -1 = ZMM_DEFAULT_LEVEL */
    /* Added after 0.3 (an older struct_size leaves it 0). Threads that
     * compress the blocks a writing stream stores while the caller writes
     * on: 0 or 1 = none, the caller's thread encodes (the default); up to
     * 64, or ZMM_THREADS_ALL = one per processor (none on one processor).
     * The archive's bytes are the same whatever the number. A stream's
     * flush, close and commits wait for its threads and report their
     * errors; memory: two blocks in flight per thread. */
    uint32_t threads;
    /* Appended with metadata (an older struct_size leaves `meta` 0): what a
     * writing stream gives its member, as zmm_member_info has it; the
     * fields whose ZMM_META_* bit is not in `meta` keep the member's
     * values (a new member has none). ZMM_ERR_INVALID_ARG for other bits,
     * mtime_nsec over 999999999 or mode over 07777. Nothing else changes
     * metadata: writes and ZMM_STREAM_TRUNCATE keep it. */
    unsigned meta;
    int64_t mtime;
    uint32_t mtime_nsec;
    unsigned mode;
    /* Appended with issue 16 (an older struct_size leaves it 0): the
     * highest PCM block kind (docs/FORMAT.md, "Blocks") a writing stream
     * stores. 0 or 6: any, linear predictors (kind 5, or 6 for two
     * channels or more) where they pack smaller; 5: kinds 3 to 5 only; 4:
     * kinds 3 and 4 only, as zmmio 0.4.0 wrote them (larger; for
     * comparisons, or blocks that readers before 0.5.0 decode).
     * ZMM_ERR_INVALID_ARG for other values. */
    unsigned pcm_max_kind;
} zmm_member_options;

#define ZMM_THREADS_ALL 0xFFFFFFFFu

/*
 * Opens member `name` (NULL or "" = the default member) as a stream positioned
 * at 0. Creating a member in an archive without a default member makes it the
 * default. A member may have many read streams or one write stream at once
 * (else ZMM_ERR_BUSY). The stream stays valid until zmm_stream_close() or the
 * archive is closed.
 * Returns ZMM_OK; ZMM_ERR_INVALID_ARG (a flag outside ZMM_STREAM_KNOWN_FLAGS,
 * CREATE or TRUNCATE without WRITE, options out of range or with too small
 * a struct_size); ZMM_ERR_READ_ONLY (WRITE on an archive opened read-only);
 * ZMM_ERR_BAD_NAME; ZMM_ERR_NOT_FOUND (no such member, without CREATE; no
 * default member); ZMM_ERR_EXISTS (EXCLUSIVE); ZMM_ERR_BUSY; ZMM_ERR_LIMIT
 * (too many members); ZMM_ERR_UNSUPPORTED (a member using a feature this
 * version lacks); ZMM_ERR_CORRUPT (its dictionary); ZMM_ERR_NOMEM;
 * ZMM_ERR_STATE.
 */
ZMM_API zmm_result zmm_stream_open(zmm_archive *ar, const char *name,
                                   unsigned flags,
                                   const zmm_member_options *options,
                                   zmm_stream **out);

/*
 * Reads up to `len` bytes at the position into `buf` and advances. *got (not
 * NULL) receives the count: less than len only at the end of the member. On
 * an error nothing is returned as data: the position is unchanged.
 * Returns ZMM_OK (0 bytes at or past the end); ZMM_ERR_CORRUPT (a damaged
 * block); ZMM_ERR_UNSUPPORTED; ZMM_ERR_IO; ZMM_ERR_NOMEM; ZMM_ERR_STATE.
 */
ZMM_API zmm_result zmm_stream_read(zmm_stream *s, void *buf, size_t len,
                                   size_t *got);

/*
 * Writes `len` bytes at the position and advances. Writing past the end
 * extends the member; a gap reads as zeros. The bytes are in the archive at
 * the next commit, or checkpoint (zmm_archive_set_checkpoints), which this
 * call may make once the bytes are written: its error is then the call's
 * (the position has advanced).
 * Returns ZMM_OK; ZMM_ERR_READ_ONLY; ZMM_ERR_LIMIT (past the format's
 * largest member); ZMM_ERR_CORRUPT (a damaged block being rewritten in
 * part); ZMM_ERR_IO; ZMM_ERR_NOMEM; ZMM_ERR_STATE (an earlier failure).
 */
ZMM_API zmm_result zmm_stream_write(zmm_stream *s, const void *buf, size_t len);

/* Seek origins (the same values as SEEK_SET, SEEK_CUR, SEEK_END). */
#define ZMM_SEEK_SET 0
#define ZMM_SEEK_CUR 1
#define ZMM_SEEK_END 2

/* Moves the position; ZMM_SEEK_END adds `offset` to the size (as lseek).
 * The new position goes to *pos (which may be NULL). Returns ZMM_OK;
 * ZMM_ERR_INVALID_ARG (an unknown origin, a negative or overflowing
 * target). */
ZMM_API zmm_result zmm_stream_seek(zmm_stream *s, int64_t offset, int origin,
                                   uint64_t *pos);

/* The position and the member's size (cannot fail). */
ZMM_API uint64_t zmm_stream_tell(const zmm_stream *s);
ZMM_API uint64_t zmm_stream_size(const zmm_stream *s);

/* Sets the member's size: shrinking drops the tail, growing adds zeros. The
 * position does not move. Returns ZMM_OK; ZMM_ERR_READ_ONLY; ZMM_ERR_LIMIT;
 * ZMM_ERR_CORRUPT (the new last block's kept part is damaged); ZMM_ERR_IO;
 * ZMM_ERR_NOMEM; ZMM_ERR_STATE. */
ZMM_API zmm_result zmm_stream_truncate(zmm_stream *s, uint64_t size);

/* Encodes the stream's modified blocks into the archive file (not yet
 * durable: that is zmm_archive_commit). Returns ZMM_OK (also on a read-only
 * stream); ZMM_ERR_IO; ZMM_ERR_NOMEM; ZMM_ERR_STATE. */
ZMM_API zmm_result zmm_stream_flush(zmm_stream *s);

/* Flushes and frees the stream (always freed; NULL is a no-op). Returns
 * ZMM_OK or the flush's error (see zmm_stream_flush). */
ZMM_API zmm_result zmm_stream_close(zmm_stream *s);

/* ---- shared reading: many members, many threads --------------------------- */

/*
 * A set of archives opened for reading and shared by the streams opened
 * through it: an application with thousands of sounds in one archive opens
 * each as cheaply as a plain file. The first open of an archive parses its
 * directory; later opens reuse it for as long as the file's header says no
 * commit has happened since (one small read per open) and the file is the
 * same one (by identity, so a file replaced under the same name is read
 * afresh). Each stream opens the archive file itself and closes it when it
 * closes, so with no stream open the file can be renamed, replaced or
 * deleted. A stream keeps the state it opened until it is closed, whatever
 * is committed meanwhile.
 *
 * Threads: every zmm_share_* call may be made from any thread at once;
 * each stream is used by one thread at a time, distinct streams by distinct
 * threads at once. Streams reading ahead share the share's workers, at most
 * one fewer than processors (at least one) however many streams read,
 * started when needed and joined when the last such stream closes.
 */
typedef struct zmm_share zmm_share;

/* A new, empty share. ZMM_ERR_NOMEM, ZMM_ERR_INVALID_ARG (out NULL). */
ZMM_API zmm_result zmm_share_new(zmm_share **out);

/* Forgets every archive. Streams still open stay valid (each keeps what it
 * needs) and are closed with zmm_stream_close() as usual. NULL is fine. */
ZMM_API void zmm_share_free(zmm_share *sh);

/*
 * Opens member `member` (NULL or "" = the default member) of the archive at
 * `path` as a read-only stream positioned at 0. `archive_flags`: 0, or
 * ZMM_OPEN_DENY_READ / ZMM_OPEN_DENY_WRITE (the OS sharing rules of the
 * stream's own open of the file); `stream_flags`: 0 or
 * ZMM_STREAM_NO_READAHEAD. Close the stream with zmm_stream_close(); the
 * zmm_stream_* calls of a read-only stream all apply.
 * Returns ZMM_OK; ZMM_ERR_NOT_FOUND (no such file or member), NOT_ARCHIVE,
 * CORRUPT, UNSUPPORTED, ACCESS, SHARING, IO (and *os_error, when not NULL,
 * the OS error behind it), BAD_NAME (an invalid member name), NOMEM,
 * INVALID_ARG.
 */
ZMM_API zmm_result zmm_share_open(zmm_share *sh, const char *path,
                                  unsigned archive_flags, const char *member,
                                  unsigned stream_flags, zmm_stream **out,
                                  long *os_error);

/*
 * The share keeps decoded blocks for every stream opened through it (a
 * sound played again is not inflated again), at most `bytes` of them in all
 * (by default 32 MiB; 0 keeps none). Lowering the limit evicts at once.
 * Returns the previous limit (0 for a NULL share).
 */
ZMM_API size_t zmm_share_set_cache_limit(zmm_share *sh, size_t bytes);

/* Bytes of decoded blocks the share holds now: never above its limit. */
ZMM_API size_t zmm_share_cache_bytes(zmm_share *sh);

/* ---- audio-aware compression (docs/FORMAT.md, "PCM blocks") -------------- */

/*
 * Where a member holds integer PCM samples: `length` bytes from `offset`
 * (a WAV file's `data` chunk), little-endian, interleaved frames of
 * `channels` samples of `bits` bits (8-bit samples unsigned, as in WAV).
 */
typedef struct zmm_pcm_layout {
    size_t struct_size; /* sizeof(zmm_pcm_layout), set by the caller */
    uint64_t offset;
    uint64_t length;
    unsigned bits;      /* 8, 16, 24 or 32 */
    unsigned channels;  /* 1..32 */
} zmm_pcm_layout;

/*
 * Sets the layout of the write stream's member (NULL clears it); it is kept
 * in the directory at the next commit. Blocks stored from now on whose bytes
 * include whole frames are filtered by a reversible predictor when that makes
 * them smaller; blocks already stored stay as they are (every block decodes
 * alone, whatever the layout says later). Opening with ZMM_STREAM_TRUNCATE
 * clears the layout. An archive with a layout or a filtered block is refused
 * by readers that predate PCM layouts ("made by a newer
 * version": incompat_features bit 0x1), and one with a block whose channels
 * are coded from the previous one by readers before 0.4.0 (bit 0x8).
 * Returns ZMM_OK; ZMM_ERR_INVALID_ARG (a layout outside the limits, or with
 * too small a struct_size); ZMM_ERR_READ_ONLY.
 */
ZMM_API zmm_result zmm_stream_set_pcm_layout(zmm_stream *s,
                                             const zmm_pcm_layout *layout);

/*
 * Finds the PCM layout of a RIFF WAVE file from its first `len` bytes (64 KiB
 * is plenty) and its size: WAVE_FORMAT_PCM or WAVE_FORMAT_EXTENSIBLE with the
 * PCM subformat, 8/16/24/32 bits, 1..32 channels, block align = channels x
 * bytes per sample; chunks before and after `fmt ` and `data` are skipped. The
 * `data` length is clamped to `member_size` (a recorder writes a provisional
 * size; 0 and 0xFFFFFFFF mean "to the end"). Fills *out as far as
 * out->struct_size reaches: set it first.
 * Returns ZMM_OK; ZMM_ERR_NOT_FOUND: not a RIFF WAVE, or no `fmt `/`data`
 * within `len` bytes; ZMM_ERR_UNSUPPORTED: a WAVE of another format (IEEE
 * float, ADPCM...) or layout, which stays unfiltered; ZMM_ERR_INVALID_ARG:
 * NULL pointers, out->struct_size too small.
 */
ZMM_API zmm_result zmm_detect_wav_layout(const void *head, size_t len,
                                         uint64_t member_size,
                                         zmm_pcm_layout *out);

/* ---- preset dictionaries (docs/FORMAT.md, "Preset dictionary") ---------- */

/* The largest preset dictionary: deflate's window. */
#define ZMM_MAX_DICTIONARY 32768u

/*
 * Gives the write stream's member a preset dictionary: `len` bytes (1..32
 * KiB) that every deflate block stored from now on may refer back into, as
 * if they preceded the block. Small blocks of text compress several percent
 * better; a block still decodes alone, with the member's dictionary (which a
 * reader loads once per stream). Put the most useful bytes at the end:
 * deflate codes near matches cheaper. `dict` NULL or `len` 0 removes it.
 * Allowed only while the member is empty (size 0), before any block is
 * stored against it. Later writers, however opened, keep using it, and
 * ZMM_STREAM_TRUNCATE removes it. The dictionary is stored now, as a block of
 * its own, and is in the archive at the next commit. An archive with a
 * dictionary is refused by readers that predate them ("made by a newer
 * version": incompat_features bit 0x2).
 * ZMM_ERR_READ_ONLY; ZMM_ERR_INVALID_ARG when the member is not empty;
 * ZMM_ERR_LIMIT over 32 KiB; errors of storing it (IO, NOMEM, STATE).
 */
ZMM_API zmm_result zmm_stream_set_dictionary(zmm_stream *s, const void *dict,
                                             size_t len);

/*
 * Builds a preset dictionary for data like `samples` (`len` bytes, e.g. a
 * whole file or a sample of it): at most `capacity` bytes (up to 32 KiB are
 * useful) into `dict`, its length into *dict_len. The strings shared by most
 * 64 KiB stretches of the samples, the most useful last. Deterministic; it
 * looks at 8 MiB of the samples at most (spread evenly), so time and memory
 * are bounded: about 50 ms and 12 MiB.
 * ZMM_ERR_INVALID_ARG for NULL pointers, under 1 KiB of samples or a
 * capacity under 256 bytes (*dict_len is then 0); ZMM_ERR_NOMEM.
 */
ZMM_API zmm_result zmm_train_dictionary(const void *samples, size_t len,
                                        void *dict, size_t capacity,
                                        size_t *dict_len);

/*
 * What a dictionary would save: codes `len` bytes of `samples` as blocks of
 * `block_size` (a power of two, 4 KiB..1 MiB; the last block may be short)
 * at `level` as a member stores them, without and then with `dict`
 * (`dict_len` 1..32 KiB). *plain and *with receive the stored bytes of the
 * blocks, *dict_cost the stored bytes of the dictionary itself.
 * Returns ZMM_OK; ZMM_ERR_INVALID_ARG (NULL pointers, a block size or
 * level or dictionary length out of range); ZMM_ERR_NOMEM.
 */
ZMM_API zmm_result zmm_measure_dictionary(const void *samples, size_t len,
                                          uint32_t block_size, int level,
                                          const void *dict, size_t dict_len,
                                          uint64_t *plain, uint64_t *with,
                                          uint64_t *dict_cost);

/* Members smaller than this get no dictionary from zmm_choose_dictionary. */
#define ZMM_DICT_MIN_MEMBER (256u << 10)

/*
 * Decides on a dictionary for a member of `member_size` bytes, the way
 * `zmm pack` does: when 256 KiB of pieces spread over `sample` (whole
 * blocks of `block_size` spread evenly over the member, or all of it; 8 MiB
 * is plenty) shrink by 1% at level 1 as one stream, and that stream is
 * 0.5% smaller than the pieces coded alone (distant parts share strings),
 * trains one on the sample, codes about 1 MiB of the sample's blocks with
 * and without it at `level` (half of them when their estimate is under 0%
 * or over 3%), and keeps it only when it saves at least 1% of the member
 * net of its own stored bytes. *dict_len receives its length in `dict` (0:
 * none is worth it, as for audio or compressed data, a member under
 * ZMM_DICT_MIN_MEMBER, or level 0), *saving the estimated fraction saved
 * (negative when it would cost; 0 when the pieces did not shrink or share
 * no strings). Returns ZMM_OK (also when none is worth it);
 * ZMM_ERR_INVALID_ARG (NULL pointers, a block size or level out of range);
 * ZMM_ERR_NOMEM.
 */
ZMM_API zmm_result zmm_choose_dictionary(const void *sample, size_t len,
                                         uint64_t member_size,
                                         uint32_t block_size, int level,
                                         void *dict, size_t capacity,
                                         size_t *dict_len, double *saving);

/* zmm_choose_dictionary on up to `threads` threads (1 to 64, or
 * ZMM_THREADS_ALL: one per processor): the same dictionary and the same
 * *saving whatever the number. ZMM_ERR_INVALID_ARG also for a thread count
 * out of range. */
ZMM_API zmm_result zmm_choose_dictionary_mt(const void *sample, size_t len,
                                            uint64_t member_size,
                                            uint32_t block_size, int level,
                                            void *dict, size_t capacity,
                                            size_t *dict_len, double *saving,
                                            uint32_t threads);

#ifdef __cplusplus
}
#endif

#endif /* ZMM_H */
