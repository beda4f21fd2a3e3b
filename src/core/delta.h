/*
 * delta.h -- delta records: a commit that gives only the block entries and
 * lengths that changed, chained to the directory before it (docs/FORMAT.md,
 * "Delta records"). A recording's checkpoints write them, so that a
 * directory is not rewritten whole every few seconds.
 */
#ifndef ZMM_DELTA_H
#define ZMM_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "directory.h"

#define ZMM_DELTA_HEADER_SIZE 32u
#define ZMM_DELTA_CHANGE_SIZE 20u
/* Delta records a reader follows back to a directory at most. */
#define ZMM_MAX_CHAIN 1024u

/* Nonzero if the `len` bytes start as a delta record ("ZDLT"). */
int zmm_delta_is(const unsigned char *buf, size_t len);

/*
 * The directory or delta record a delta record at `own_offset` chains to,
 * checked against the header rules (it lies wholly before the delta).
 * ZMM_ERR_CORRUPT otherwise.
 */
zmm_result zmm_delta_base(const unsigned char *buf, size_t len,
                          uint64_t own_offset, uint64_t *base_offset,
                          uint32_t *base_length, uint32_t *base_crc);

/* Applies a delta record at `own_offset` (its blocks lie before it) to a
 * directory decoded with zmm_directory_decode (not flat). ZMM_ERR_CORRUPT
 * on any broken rule (dir is then half changed: free it), ZMM_ERR_NOMEM,
 * ZMM_ERR_LIMIT. */
zmm_result zmm_delta_apply(zmm_directory *dir, const unsigned char *buf,
                           size_t len, uint64_t own_offset);

/* Bytes of the delta record of dir's changes since the last commit (its
 * members' changed_from), or 0 if no member changed. */
size_t zmm_delta_encoded_size(const zmm_directory *dir);

/* Writes that delta record, chained to the directory or delta record at
 * base_offset (base_length bytes, CRC base_crc). */
void zmm_delta_encode(const zmm_directory *dir, uint64_t base_offset,
                      uint32_t base_length, uint32_t base_crc,
                      unsigned char *out);

#endif
