/*
 * platform.h -- the narrow file interface between the core library and the OS.
 *
 * The core reads and writes archives only through a zmm_file: a methods table
 * first, as SQLite's sqlite3_file. POSIX and Win32 implement it for real
 * files; tests plug in an in-memory file and a fault-injecting wrapper.
 * Every method returns a zmm_result and, on an OS failure, stores the OS error
 * (errno or GetLastError) in file->os_error.
 */
#ifndef ZMM_PLATFORM_H
#define ZMM_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "zmm.h"

typedef struct zmm_file zmm_file;

/* Which file an open file is, whatever the path it was opened by: device
 * and inode on POSIX, volume serial and file index on Windows. */
typedef struct zmm_file_id {
    uint64_t volume;
    uint64_t index;
} zmm_file_id;

typedef struct zmm_file_methods {
    /* Reads exactly len bytes at offset; ZMM_ERR_CORRUPT if the file ends
     * first (a short file is damage, not an I/O error). */
    zmm_result (*read_at)(zmm_file *f, uint64_t offset, void *buf, size_t len);
    /* Writes exactly len bytes at offset, extending the file if needed. */
    zmm_result (*write_at)(zmm_file *f, uint64_t offset, const void *buf,
                           size_t len);
    zmm_result (*size)(zmm_file *f, uint64_t *size);
    zmm_result (*truncate)(zmm_file *f, uint64_t size);
    /* Returns once everything written so far is durable. */
    zmm_result (*sync)(zmm_file *f);
    /* Releases the file and the zmm_file itself. */
    zmm_result (*close)(zmm_file *f);
    /* As read_at, but safe to call from another thread while this one
     * calls any method but close, and it leaves f->os_error alone (the
     * read-ahead thread that calls it drops any failure: the caller's own
     * read_at then reports it). NULL if the file cannot promise that:
     * streams on it read no blocks ahead. */
    zmm_result (*read_shared)(zmm_file *f, uint64_t offset, void *buf,
                              size_t len);
    /* The file's identity (above). NULL for files that have none (in
     * memory): nothing parsed from them is shared (zmm_share). */
    zmm_result (*identity)(zmm_file *f, zmm_file_id *id);
} zmm_file_methods;

struct zmm_file {
    const zmm_file_methods *methods;
    long os_error;
};

/* zmm_platform_open() flags. */
#define ZMM_FILE_WRITE 0x1u      /* open for reading and writing */
#define ZMM_FILE_CREATE 0x2u     /* create if missing */
#define ZMM_FILE_EXCLUSIVE 0x4u  /* with CREATE: fail with ZMM_ERR_EXISTS */
#define ZMM_FILE_DENY_READ 0x10u /* sharing: others may not read */
#define ZMM_FILE_DENY_WRITE 0x20u /* sharing: others may not write */
#define ZMM_FILE_LOCK_WRITER 0x40u /* fail with ZMM_ERR_SHARING if another
                                      ZMM_FILE_LOCK_WRITER opener has it */

/* Opens a real file. `path` is UTF-8. On failure *os_error gets the OS code.
 * A directory is ZMM_ERR_ACCESS. */
zmm_result zmm_platform_open(const char *path, unsigned flags, zmm_file **out,
                             long *os_error);

/* Tests only (POSIX): the background data syncs of files written from now
 * on (posix_file.c) fail with errno `e` instead of syncing; 0 restores
 * them. Set it while no file is being written. */
void zmm_posix_fail_data_syncs(int e);

/* Gives the file `to` the owner, group and permissions of `from` (POSIX), so
 * that a file renamed over `from` does not widen or change them. Fails
 * (ZMM_ERR_ACCESS, *os_error EPERM) when `to` cannot have them: an owner
 * other than the caller's, unless root. On Windows a new file takes its
 * folder's inherited permissions: nothing is done. */
zmm_result zmm_platform_copy_access(const char *from, const char *to,
                                    long *os_error);

/* Atomically replaces `to` with `from` (rename over an existing file). */
zmm_result zmm_platform_replace(const char *from, const char *to,
                                long *os_error);

/* Deletes a file. */
zmm_result zmm_platform_remove(const char *path, long *os_error);

/* A monotonic clock in milliseconds from an arbitrary origin (checkpoint
 * policies measure the age of unpublished writes with it). */
uint64_t zmm_platform_clock_ms(void);

/*
 * A heap of its own, for long-lived blocks of many sizes (the shared
 * cache's decoded blocks), apart from the heap that each open's short-lived
 * buffers come and go in. Wine's process heap searches a size's free list
 * block by block: with 300 MB of cached blocks interleaved with the holes
 * that each open's freed buffers leave, opens spent 60% of their time in
 * RtlAllocateHeap and ran 20 times slower than natively. zmm_heap_new()
 * returns NULL where the platform has no such heap (POSIX) or is out of
 * memory: callers use zmm_malloc() then. zmm_heap_alloc() returns NULL when
 * out of memory; any thread may call these at once. zmm_heap_destroy()
 * (NULL is fine) frees what is left.
 */
typedef struct zmm_heap zmm_heap;

zmm_heap *zmm_heap_new(void);
void *zmm_heap_alloc(zmm_heap *h, size_t size);
void zmm_heap_free(zmm_heap *h, void *p);
void zmm_heap_destroy(zmm_heap *h);

/* ---- test implementations (zmm_test_support library) --------------------- */

/* A growable in-memory file. `data` (may be NULL) is copied in. */
zmm_file *zmm_memfile_new(const void *data, size_t len);
/* The file's current bytes and length (owned by the file). */
const unsigned char *zmm_memfile_data(zmm_file *f, size_t *len);

/*
 * A wrapper that forwards to `inner` and injects faults. It owns `inner`.
 * Writes, truncates and syncs are counted from 1 in one sequence of "events".
 */
typedef struct zmm_fault_plan {
    /* Fail (return ZMM_ERR_IO, changing nothing) at this event; 0 = never. */
    unsigned long fail_at;
    /* Simulated power loss at this event: the event and every later one is
     * dropped (reported as success), and writes not yet synced before it are
     * each kept, dropped or torn according to `seed`. 0 = never. */
    unsigned long crash_at;
    uint64_t seed;
    /* Fail reads (ZMM_ERR_IO) from this read count on (counted from 1);
     * 0 = never. */
    unsigned long fail_read_at;
} zmm_fault_plan;

zmm_file *zmm_faultfile_new(zmm_file *inner, const zmm_fault_plan *plan);
/* Events (writes + truncates + syncs) seen so far. */
unsigned long zmm_faultfile_events(zmm_file *f);
/* True once the simulated crash has happened. */
int zmm_faultfile_crashed(zmm_file *f);
/* After a crash: applies the plan's fate to the unsynced writes, giving the
 * inner file as it would be found after the power came back. Called before
 * the crash, the power fails now. Read the inner file (zmm_memfile_data)
 * after this and before closing the fault file, which closes `inner`. */
void zmm_faultfile_settle(zmm_file *f);
/* The wrapped file (still owned by the fault file). */
zmm_file *zmm_faultfile_inner(zmm_file *f);

#endif /* ZMM_PLATFORM_H */
