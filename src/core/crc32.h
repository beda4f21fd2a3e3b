/*
 * crc32.h -- the CRC-32 of docs/FORMAT.md (zlib's crc32()), fast where the
 * CPU allows: every block read checks one or two CRCs, and zlib 1.2's
 * table-driven crc32() (about 4 GB/s here) costs as much as a tenth of
 * inflating the block, and most of reading a raw one.
 */
#ifndef ZMM_CRC32_H
#define ZMM_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Returns crc32(crc, buf, len) exactly as zlib computes it (crc = 0 to
 * start). Thread-safe; no allocation. */
uint32_t zmm_crc32(uint32_t crc, const void *buf, size_t len);

#endif
