/*
 * metadata.h -- the metadata table: members' modification times and modes
 * (docs/FORMAT.md, "Metadata"). A compat feature: the slot points at the
 * table through fields older readers ignore, and it lies before the
 * directory, so an older reader reads the archive whole without it.
 */
#ifndef ZMM_METADATA_H
#define ZMM_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "directory.h"
#include "header.h"
#include "platform.h"

#define ZMM_META_HEADER_SIZE 16u
#define ZMM_META_RECORD_SIZE 16u /* what this version writes */
#define ZMM_META_MAX_RECORD 1024u /* what a reader accepts */

/* Nonzero if any member has metadata: the state then needs a table. */
int zmm_directory_uses_meta(const zmm_directory *dir);

/* Bytes of the table of dir's members, and the table itself. */
size_t zmm_meta_encoded_size(const zmm_directory *dir);
void zmm_meta_encode(const zmm_directory *dir, unsigned char *out);

/* Checks a table's `len` bytes against FORMAT.md's rules and gives each
 * of dir's members its record. ZMM_ERR_CORRUPT on any broken rule (no
 * member is changed then). */
zmm_result zmm_meta_decode(const unsigned char *buf, size_t len,
                           zmm_directory *dir);

/* Reads the table the slot points at (it must lie in the data area,
 * before the directory) and decodes it into dir. ZMM_OK at once for a
 * slot without ZMM_COMPAT_META. ZMM_ERR_CORRUPT, IO, NOMEM. */
zmm_result zmm_meta_load(zmm_file *f, const zmm_slot *slot,
                         zmm_directory *dir);

/* Whether a member's metadata keeps the rules (the API's and the
 * table's). */
int zmm_meta_valid(unsigned meta, int64_t mtime, uint32_t mtime_nsec,
                   unsigned mode);

#endif
