/*
 * archive.h -- what a writable archive offers the streams opened on it: a
 * narrow interface (read, append, store a block, edit a member's entry,
 * mark the directory modified, latch a failure, register a stream). The
 * fields stay in archive_private.h; streams never set them.
 */
#ifndef ZMM_ARCHIVE_H
#define ZMM_ARCHIVE_H

#include "directory.h"
#include "platform.h"
#include "zmm.h"

/* zmm_archive_open_file() flag, with CREATE: publish no state until the
 * first commit. Compaction's new file so holds its one state in slot 0 and
 * no garbage, and no empty state a damaged slot could fall back to. */
#define ZMM_OPEN_UNPUBLISHED 0x100u

/* Reads stored bytes, keeping the OS error. */
zmm_result zmm_archive_read(zmm_archive *ar, uint64_t offset, void *buf,
                            size_t len);

/* Encodes the n logical bytes of one block and appends them: *ref gets
 * their kind, place and CRCs. `pcm` (or NULL) is the member's layout and
 * `offset` the block's offset in the member, pcm_max_kind the highest PCM
 * kind it may be stored as (zmm_codec_encode); `dict` (or NULL) its preset
 * dictionary of dict_len bytes. Marks the archive modified. */
zmm_result zmm_archive_store_block(zmm_archive *ar, int level,
                                   const unsigned char *data, uint32_t n,
                                   const zmm_pcm_layout *pcm, uint64_t offset,
                                   unsigned pcm_max_kind,
                                   const unsigned char *dict,
                                   uint32_t dict_len, zmm_block_ref *ref);

/* Appends a block encoded elsewhere (a pool's thread): `stored` (NULL for
 * a zero block) of ref->stored_size bytes; sets ref->offset. Marks the
 * archive modified. */
zmm_result zmm_archive_store_encoded(zmm_archive *ar,
                                     const unsigned char *stored,
                                     zmm_block_ref *ref);

/* Appends already-encoded stored bytes (compaction copies blocks so). */
zmm_result zmm_archive_append(zmm_archive *ar, const void *buf, size_t len,
                              uint64_t *offset);

/* Whether the archive was opened for writing. */
int zmm_archive_writable(const zmm_archive *ar);

/* The file its streams read blocks from. */
zmm_file *zmm_archive_file(zmm_archive *ar);

/* A member's layout or dictionary changed: the next commit publishes a
 * whole directory (no delta record can say it). */
void zmm_archive_mark_modified(zmm_archive *ar);

/* Gives member m the metadata whose ZMM_META_* bits are in `meta` (the
 * values already checked); the next commit publishes a whole directory
 * and a new metadata table. */
void zmm_archive_set_member_meta(zmm_archive *ar, zmm_member *m,
                                 unsigned meta, int64_t mtime,
                                 uint32_t mtime_nsec, unsigned mode);

/* Blocks that were acknowledged are lost (a stream could not store them):
 * from now on no commit may publish; the first such result is kept. */
void zmm_archive_latch_failure(zmm_archive *ar, zmm_result rc);

/*
 * The member a stream opens, by the stream flags' rules: found, or with
 * ZMM_STREAM_CREATE made (the default member if there is none), emptied
 * with ZMM_STREAM_TRUNCATE (new block size and level, no layout or
 * dictionary); ZMM_ERR_BUSY when the open streams forbid it. Counts the
 * stream as a reader or writer of it (zmm_archive_release_member undoes).
 */
zmm_result zmm_archive_open_member(zmm_archive *ar, const char *name,
                                   unsigned flags, unsigned shift, int level,
                                   zmm_member **out);
void zmm_archive_release_member(zmm_archive *ar, zmm_member *m, int writer);

/* Sets member m's length (zmm_member_resize) and marks the archive
 * modified. */
zmm_result zmm_archive_resize_member(zmm_archive *ar, zmm_member *m,
                                     uint64_t length);

/* Whether a checkpoint policy is set: writers then store each block as soon
 * as a write completes it, so a checkpoint has little left to encode. */
int zmm_archive_checkpointing(const zmm_archive *ar);

/* A stream wrote `len` bytes; `at_edge`: the write ended on or crossed a
 * block edge. Commits when the checkpoint policy says one is due (see
 * zmm_checkpoint_policy) and returns that commit's result; else ZMM_OK. */
zmm_result zmm_archive_wrote(zmm_archive *ar, size_t len, int at_edge);

/* Registers an open stream, flushed by every commit and freed by the
 * archive's close; unregistered by the stream when it is freed. */
zmm_result zmm_archive_add_stream(zmm_archive *ar, zmm_stream *s);
void zmm_archive_remove_stream(zmm_archive *ar, zmm_stream *s);

/* From stream.c: frees a stream without flushing it (the archive's close,
 * after its commit flushed every stream). */
void zmm_stream_discard(zmm_stream *s);

#endif
