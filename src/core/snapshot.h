/*
 * snapshot.h -- one committed state of an archive file, parsed once and
 * shared, read-only, by every stream opened on it (zmm_share).
 *
 * Immutable once made, so streams on many threads read it without locks;
 * reference-counted, so a stream keeps the state it opened for as long as
 * it is open, whatever is committed meanwhile. The directory is compact
 * (32 bytes a member, flat arrays of block entries and names, nothing
 * allocated per member) with a hash index of the names: finding a member
 * costs the same in 10 or 65,535.
 */
#ifndef ZMM_SNAPSHOT_H
#define ZMM_SNAPSHOT_H

#include <stdatomic.h>

#include "directory.h"
#include "state.h"

/* A member as a snapshot keeps it, in 32 bytes: its blocks, name and rarer
 * fields are in the snapshot's shared arrays (zmm_snapshot_member_get
 * makes a zmm_member of it). */
typedef struct zmm_snapshot_member {
    uint64_t length;
    uint32_t name;        /* offset in names */
    uint32_t first_block; /* index in blocks */
    uint32_t block_count;
    uint32_t extra;       /* 1 + index in extras, or 0: no PCM, no dict */
    uint32_t flags;
    uint8_t block_shift;
    int8_t level;
} zmm_snapshot_member;

/* What few members have: a PCM layout, a preset dictionary. */
typedef struct zmm_snapshot_extra {
    zmm_pcm_layout pcm;
    uint32_t dict_length;
    zmm_block_ref dict;
} zmm_snapshot_extra;

/* A member's metadata (FORMAT.md, "Metadata"), kept only for a state
 * that has a metadata table. */
typedef struct zmm_snapshot_meta {
    int64_t mtime;
    uint32_t mtime_nsec;
    uint16_t mode;
    uint16_t meta;
} zmm_snapshot_meta;

typedef struct zmm_snapshot {
    atomic_uint refs;
    zmm_slot_bytes slots; /* the header bytes it was made from */
    zmm_slot slot;        /* the committed state they chose */
    uint64_t lost_generation; /* nonzero: a newer state failed its checks */
    uint32_t count;
    zmm_snapshot_member *members;
    zmm_block_ref *blocks; /* every member's, in directory order */
    zmm_snapshot_extra *extras;
    char *names;           /* every name, NUL-terminated */
    zmm_snapshot_meta *meta; /* one per member, or NULL: none has any */
    size_t bytes;          /* of the five arrays above */
    /* Open addressing: member index + 1 (ZMM_MAX_MEMBERS fits), 0 = empty;
     * at most 2/3 full. */
    uint16_t *index;
    uint32_t index_mask;
    long default_member;  /* or -1 */
} zmm_snapshot;

/* Reads the state `slots` (read from f, of `size` bytes) publish and
 * makes a snapshot of it, with one reference. */
zmm_result zmm_snapshot_load(zmm_file *f, uint64_t size,
                             const zmm_slot_bytes *slots, zmm_snapshot **out);

/* Whether the snapshot is the state a file whose header slots hold `slots`
 * publishes now: the same header bytes. */
int zmm_snapshot_is_current(const zmm_snapshot *snap,
                            const zmm_slot_bytes *slots);

/* Index of member `name` (NULL or "" = the default member), or -1. */
long zmm_snapshot_find(const zmm_snapshot *snap, const char *name);

/* Member `index` as a zmm_member whose name and blocks point into the
 * snapshot (valid while a reference is held); nobody's reader or writer. */
void zmm_snapshot_member_get(const zmm_snapshot *snap, uint32_t index,
                             zmm_member *out);

void zmm_snapshot_ref(zmm_snapshot *snap);
/* Drops a reference; the last one frees it. NULL is fine. */
void zmm_snapshot_unref(zmm_snapshot *snap);

/* Bytes the snapshot holds in memory (its directory and index). */
size_t zmm_snapshot_memory(const zmm_snapshot *snap);

#endif
