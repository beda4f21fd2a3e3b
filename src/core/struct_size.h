/*
 * struct_size.h -- the rule for the public structs that start with
 * `size_t struct_size` (zmm.h): a caller built against an older header
 * passes an older, shorter struct and keeps working.
 *
 * - Output structs: the library fills a whole struct of its own, then copies
 *   to the caller only the bytes the caller's struct_size covers.
 * - Input structs: the library starts from its defaults and takes from the
 *   caller only the bytes the caller's struct_size covers; fields appended
 *   later keep their defaults. A longer struct (from a newer header) is
 *   accepted, the fields this version does not know ignored.
 * - Either way, a struct_size below the struct's first version is
 *   ZMM_ERR_INVALID_ARG.
 */
#ifndef ZMM_STRUCT_SIZE_H
#define ZMM_STRUCT_SIZE_H

#include <stddef.h>
#include <string.h>

#include "zmm.h"

/* Bytes of `type` up to and including `field`: the size of a version of the
 * struct whose last field was `field`. */
#define ZMM_SIZE_THROUGH(type, field) \
    (offsetof(type, field) + sizeof(((type *)0)->field))

/* The first versions, the smallest struct_size each function accepts. */
#define ZMM_ARCHIVE_INFO_V1 ZMM_SIZE_THROUGH(zmm_archive_info, flags)
#define ZMM_MEMBER_INFO_V1 ZMM_SIZE_THROUGH(zmm_member_info, level)
#define ZMM_MEMBER_OPTIONS_V1 ZMM_SIZE_THROUGH(zmm_member_options, level)
#define ZMM_PCM_LAYOUT_V1 ZMM_SIZE_THROUGH(zmm_pcm_layout, channels)
#define ZMM_CHECKPOINT_POLICY_V1 \
    ZMM_SIZE_THROUGH(zmm_checkpoint_policy, clock_context)
#define ZMM_COMPACT_OPTIONS_V1 ZMM_SIZE_THROUGH(zmm_compact_options, context)

/* Copies the filled struct `full` (`size` bytes) into the caller's `out`,
 * as far as out->struct_size reaches; out->struct_size is left as it was.
 * ZMM_ERR_INVALID_ARG when it is under `min_size`. */
static inline zmm_result zmm_struct_out(void *out, const void *full,
                                        size_t size, size_t min_size)
{
    size_t room;

    memcpy(&room, out, sizeof room);
    if (room < min_size)
        return ZMM_ERR_INVALID_ARG;
    if (room > size)
        room = size;
    memcpy((unsigned char *)out + sizeof room,
           (const unsigned char *)full + sizeof room, room - sizeof room);
    return ZMM_OK;
}

/* Reads the caller's input struct `in` into `full` (`size` bytes, holding
 * the defaults), as far as in->struct_size reaches; full's struct_size
 * becomes `size`. ZMM_ERR_INVALID_ARG when in->struct_size is under
 * `min_size`. */
static inline zmm_result zmm_struct_in(void *full, size_t size,
                                       const void *in, size_t min_size)
{
    size_t given;

    memcpy(&given, in, sizeof given);
    if (given < min_size)
        return ZMM_ERR_INVALID_ARG;
    if (given > size)
        given = size;
    memcpy(full, in, given);
    memcpy(full, &size, sizeof size);
    return ZMM_OK;
}

#endif
