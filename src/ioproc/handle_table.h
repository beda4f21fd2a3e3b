/*
 * handle_table.h -- per-handle state of the I/O procedure, found by a 32-bit
 * id that lives in MMIOINFO.adwInfo[0].
 *
 * adwInfo[] holds DWORDs even in a 64-bit process, so a pointer does not fit
 * there. An id packs a tag, a slot index and the slot's generation:
 *
 *     bits 31..24  0x5A ('Z'), never 0, so 0 is never a valid id
 *     bits 23..12  generation of the slot (bumped at each removal)
 *     bits 11..0   slot index
 *
 * Such a value is far above any Win32 handle value (handles are below 2^26),
 * so an mmio that calls GetFileSize() on adwInfo[0] fails harmlessly, and a
 * stale id (a slot reused since) or a forged one is rejected.
 *
 * Threads: every function may be called from any thread (one critical
 * section guards the table). A slot being used (acquired) by one thread is
 * refused to another until released, so one handle used from two threads at
 * once fails cleanly instead of corrupting its state.
 */
#ifndef ZMMIO_HANDLE_TABLE_H
#define ZMMIO_HANDLE_TABLE_H

#include <windows.h>

#define ZMMIO_TABLE_SLOTS 4096u

/* Sets up and tears down the table's lock (DllMain attach and detach). */
void zmmio_table_init(void);
void zmmio_table_cleanup(void);

/* Stores `state` (not NULL) in a free slot and returns its id, acquired by
 * the caller; 0 when every slot is taken. */
DWORD zmmio_table_insert(void *state);

/* The state of id, marked as in use by the caller, or NULL if the id is not
 * a live one or the slot is already in use. Release it with
 * zmmio_table_release() or zmmio_table_remove(). */
void *zmmio_table_acquire(DWORD id);
void zmmio_table_release(DWORD id);

/* Frees the slot of an acquired id (later lookups of id fail) and returns its
 * state, which the caller now owns. */
void *zmmio_table_remove(DWORD id);

/* Number of live ids. */
unsigned zmmio_table_count(void);

#endif
