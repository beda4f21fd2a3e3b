/*
 * codec.h -- one block's bytes to their stored form and back, with zlib
 * and the PCM filter (docs/FORMAT.md, "Block entry", "PCM blocks"). A codec
 * keeps its zlib streams and buffers between blocks, so coding a block
 * allocates nothing once the codec has coded one of that size.
 */
#ifndef ZMM_CODEC_H
#define ZMM_CODEC_H

#include <stdint.h>

#include "directory.h"
#include "zmm.h"

typedef struct zmm_codec zmm_codec;

zmm_codec *zmm_codec_new(void);
void zmm_codec_free(zmm_codec *c);

/*
 * Deflate blocks (kind 2) coded from now on, both ways, are preset with
 * `dict` (len 1..32 KiB; NULL: none): a member's dictionary (docs/FORMAT.md,
 * "Preset dictionary"). The caller keeps the bytes alive meanwhile. PCM
 * blocks never use it.
 */
void zmm_codec_use_dictionary(zmm_codec *c, const unsigned char *dict,
                              uint32_t len);

/*
 * Encodes the n logical bytes at `in` as the smallest of zero, PCM (when
 * `pcm` is not NULL and the block, at member offset `offset`, holds whole
 * frames of it: of kinds 3 and 4, and of kinds 5 and 6 up to pcm_max_kind),
 * deflate (at `level`) and raw. `scratch` has room for n
 * bytes. Fills ref's kind, stored_size and CRCs (not its offset) and points
 * *stored at the bytes to write (NULL for a zero block), valid until the
 * codec's next call.
 */
zmm_result zmm_codec_encode(zmm_codec *c, int level, const unsigned char *in,
                            uint32_t n, const zmm_pcm_layout *pcm,
                            uint64_t offset, unsigned pcm_max_kind,
                            unsigned char *scratch,
                            zmm_block_ref *ref, const unsigned char **stored);

/*
 * A PCM block (kind 3 or 4), resumable like inflating below: begin() checks
 * the header of
 * its stored bytes (checked against stored_crc by the caller, who keeps them
 * alive) for a block of n logical bytes; each more() call decodes logical
 * bytes [*valid, at least want) into out and sets *valid to the end of what
 * is decoded: a group's end (docs/FORMAT.md, "PCM blocks"), or n, where the
 * stream's exact end is checked (the caller checks logical_crc). Uses the
 * inflater: a resumable inflate in progress is lost.
 * ZMM_ERR_CORRUPT on any broken rule, ZMM_ERR_NOMEM.
 */
zmm_result zmm_codec_pcm_begin(zmm_codec *c, unsigned kind,
                               const unsigned char *stored,
                               uint32_t stored_size, uint32_t n);
zmm_result zmm_codec_pcm_more(zmm_codec *c, unsigned char *out,
                              uint32_t *valid, uint32_t want, uint32_t n);

/*
 * Inflating, resumable, with the codec's dictionary (if any): begin() takes
 * a deflate block's stored bytes (which
 * the caller has checked against stored_crc and keeps alive); each more()
 * call inflates into out[*done .. want), where out holds the block's n
 * logical bytes. When want == n it also checks that the stream ends exactly
 * there, at the end of its input. ZMM_ERR_CORRUPT on any mismatch.
 */
zmm_result zmm_codec_inflate_begin(zmm_codec *c, const unsigned char *stored,
                                   uint32_t stored_size);
zmm_result zmm_codec_inflate_more(zmm_codec *c, unsigned char *out,
                                  uint32_t *done, uint32_t want, uint32_t n);

/* A whole deflate or PCM block (kind from ref) from its stored bytes,
 * checked against stored_crc by the caller, into out (its n logical bytes),
 * checking logical_crc: begin() and one more() to n. */
zmm_result zmm_codec_decode_block(zmm_codec *c, const zmm_block_ref *ref,
                                  const unsigned char *stored, uint32_t n,
                                  unsigned char *out);

/* Nonzero if all n bytes are zero. */
int zmm_is_zero(const unsigned char *p, size_t n);

#endif
