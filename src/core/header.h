/*
 * header.h -- the two header slots that publish a committed state
 * (docs/FORMAT.md, "Header slot").
 */
#ifndef ZMM_HEADER_H
#define ZMM_HEADER_H

#include <stdint.h>

#include "zmm.h"

#define ZMM_SLOT_SIZE 64u
#define ZMM_SLOT1_OFFSET 4096u
#define ZMM_DATA_START 8192u
#define ZMM_MAX_DIRECTORY (64u << 20)
#define ZMM_MIN_DIRECTORY 16u

/* incompat_features: PCM layouts in the directory or PCM blocks (kinds 3
 * and 4). */
#define ZMM_INCOMPAT_PCM 0x1u

/* incompat_features: a member has a preset dictionary that its deflate
 * blocks need. */
#define ZMM_INCOMPAT_DICT 0x2u

/* incompat_features: the slot points at a delta record (FORMAT.md, "Delta
 * records"), chained to earlier directories. */
#define ZMM_INCOMPAT_DELTA 0x4u

/* incompat_features: PCM blocks of kind 4, whose channels may be coded
 * from the previous channel (FORMAT.md, "Inter-channel prediction"). */
#define ZMM_INCOMPAT_PCM_CHAN 0x8u

/* incompat_features: PCM blocks of kind 5, with linear predictors
 * (FORMAT.md, "Linear prediction"). */
#define ZMM_INCOMPAT_PCM_LPC 0x10u

/* incompat_features: PCM blocks of kind 6, kind 5 with each group's planes
 * channel by channel (FORMAT.md, "Planes channel by channel"). */
#define ZMM_INCOMPAT_PCM_PLANAR 0x20u

/* compat_features: the slot points at a metadata table (FORMAT.md,
 * "Metadata"): members' modification times and modes. Readers without it
 * ignore the table (it lies before the directory, and the slot fields that
 * point at it are reserved to them). */
#define ZMM_COMPAT_META 0x1u

/* Feature bits known to this version. */
#define ZMM_KNOWN_INCOMPAT                                                 \
    (ZMM_INCOMPAT_PCM | ZMM_INCOMPAT_DICT | ZMM_INCOMPAT_DELTA |           \
     ZMM_INCOMPAT_PCM_CHAN | ZMM_INCOMPAT_PCM_LPC | ZMM_INCOMPAT_PCM_PLANAR)

typedef struct zmm_slot {
    unsigned format_version;
    uint32_t incompat_features;
    uint32_t compat_features;
    uint64_t generation;
    uint64_t directory_offset;
    uint32_t directory_length;
    uint32_t directory_crc;
    /* With ZMM_COMPAT_META (else 0): the metadata table (bytes 48..59). */
    uint64_t meta_offset;
    uint32_t meta_length;
} zmm_slot;

void zmm_slot_encode(const zmm_slot *slot, unsigned char out[ZMM_SLOT_SIZE]);

/* Outcome of decoding one slot's bytes. */
typedef enum zmm_slot_state {
    ZMM_SLOT_VALID,
    ZMM_SLOT_EMPTY,    /* all zero: never written */
    ZMM_SLOT_FOREIGN,  /* no magic: not a ZMM slot */
    ZMM_SLOT_DAMAGED   /* magic, but a CRC or field rule fails */
} zmm_slot_state;

zmm_slot_state zmm_slot_decode(const unsigned char in[ZMM_SLOT_SIZE],
                               zmm_slot *slot);

/*
 * Picks the committed state from both slots' bytes (`size` is the file size,
 * for bounds). Stores it in *slot and its index (0 or 1) in *index.
 * *other_damaged is set when the slot not chosen is ZMM_SLOT_DAMAGED.
 * Returns ZMM_ERR_NOT_ARCHIVE when neither slot has the magic, CORRUPT when
 * no slot is valid, UNSUPPORTED for a newer version or feature.
 */
zmm_result zmm_header_choose(const unsigned char slot0[ZMM_SLOT_SIZE],
                             const unsigned char slot1[ZMM_SLOT_SIZE],
                             uint64_t size, zmm_slot *slot, int *index,
                             int *other_damaged);

#endif
