/*
 * archive.h -- the archive object shared by archive.c, stream.c and
 * compact.c: the open file, the directory being edited, the committed state
 * and where the next appended bytes go.
 */
#ifndef ZMM_ARCHIVE_H
#define ZMM_ARCHIVE_H

#include "codec.h"
#include "directory.h"
#include "header.h"
#include "platform.h"
#include "zmm.h"

struct zmm_archive {
    zmm_file *file;
    int writable;
    zmm_directory dir;
    zmm_slot slot;            /* the committed state */
    int slot_index;           /* the slot holding it */
    uint64_t committed_live;  /* live bytes of the committed state */
    uint64_t append_pos;      /* where the next stored bytes go */
    int modified;             /* the directory changed since the commit */
    zmm_codec *encoder;
    unsigned char *scratch;   /* room for one encoded block */
    size_t scratch_size;
    zmm_stream *streams;      /* open streams, linked through next */
    long os_error;
    int other_slot_damaged;   /* found so at open; cleared by a commit */
    /* The first failed write or sync, or a flush whose blocks were lost:
     * after it no commit may publish (a half-written state, or one missing
     * acknowledged writes), and every commit returns ZMM_ERR_STATE. */
    zmm_result failed;
};

/* zmm_archive_open_file() flag, with CREATE: publish no state until the
 * first commit. Compaction's new file so holds its one state in slot 0 and
 * no garbage, and no empty state a damaged slot could fall back to. */
#define ZMM_OPEN_UNPUBLISHED 0x100u

/* Reads stored bytes, keeping the OS error. */
zmm_result zmm_archive_read(zmm_archive *ar, uint64_t offset, void *buf,
                            size_t len);

/* Encodes the n logical bytes of one block and appends them: *ref gets
 * their kind, place and CRCs. `pcm` (or NULL) is the member's layout and
 * `offset` the block's offset in the member; `dict` (or NULL) its preset
 * dictionary of dict_len bytes. Marks the archive modified. */
zmm_result zmm_archive_store_block(zmm_archive *ar, int level,
                                   const unsigned char *data, uint32_t n,
                                   const zmm_pcm_layout *pcm, uint64_t offset,
                                   const unsigned char *dict,
                                   uint32_t dict_len, zmm_block_ref *ref);

/* Appends already-encoded stored bytes (compaction copies blocks so). */
zmm_result zmm_archive_append(zmm_archive *ar, const void *buf, size_t len,
                              uint64_t *offset);

/* Streams, from stream.c: the archive flushes and closes them. */
void zmm_stream_detach_all(zmm_archive *ar);

#endif
