/*
 * archive_private.h -- the archive object's fields, for archive.c and
 * compact.c (which rewrites a whole archive) only. Streams and everything
 * above use the interface of archive.h.
 */
#ifndef ZMM_ARCHIVE_PRIVATE_H
#define ZMM_ARCHIVE_PRIVATE_H

#include "archive.h"
#include "codec.h"
#include "directory.h"
#include "header.h"

struct zmm_archive {
    zmm_file *file;
    int writable;
    zmm_directory dir;
    zmm_slot slot;            /* the committed state */
    int slot_index;           /* the slot holding it */
    uint64_t committed_live;  /* live bytes of the committed state */
    uint64_t append_pos;      /* where the next stored bytes go */
    /* The file's length at the last commit (or at open): a failed close or
     * zmm_archive_abandon() cuts the file back to it, byte for byte. */
    uint64_t published_end;
    int modified;             /* the directory changed since the commit */
    /* Members added, removed, renamed, or their flags, layout, dictionary
     * or block size changed since the commit: the next commit writes a
     * whole directory, not a delta record (delta.h). */
    int structure_changed;
    uint64_t state_bytes;     /* the committed directory and delta records */
    uint32_t chain;           /* delta records in the committed state */
    zmm_codec *encoder;
    unsigned char *scratch;   /* room for one encoded block */
    size_t scratch_size;
    zmm_stream **streams;     /* the open streams */
    size_t stream_count, stream_capacity;
    long os_error;
    int other_slot_damaged;   /* found so at open; cleared by a commit */
    uint64_t lost_generation; /* a newer state that failed its checks */
    /* The first failed write or sync, or a flush whose blocks were lost:
     * after it no commit may publish (a half-written state, or one missing
     * acknowledged writes), and every commit returns ZMM_ERR_STATE. */
    zmm_result failed;
    /* Checkpoints (zmm_archive_set_checkpoints): the policy, bytes written
     * since the last commit, when the first of them was, how many so far. */
    int checkpoints_on;
    zmm_checkpoint_policy policy;
    uint64_t unpublished;
    uint64_t unpublished_since;
    uint64_t checkpoints;
};

#endif
