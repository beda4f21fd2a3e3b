/*
 * state.h -- reading an archive file's committed state: the two header
 * slots, the one they choose, and the directory it points at, checked. The
 * writable archive (archive.c) and the shared read-only snapshot
 * (snapshot.c) both start here.
 */
#ifndef ZMM_STATE_H
#define ZMM_STATE_H

#include "header.h"
#include "platform.h"
#include "zmm.h"

/* The bytes of both header slots of a file of `size` bytes. A file shorter
 * than a slot is read as far as it goes (the rest zero): without the magic
 * it is no archive, with it a cut one. */
typedef struct zmm_slot_bytes {
    unsigned char slot[2][ZMM_SLOT_SIZE];
} zmm_slot_bytes;

zmm_result zmm_state_read_slots(zmm_file *f, uint64_t size,
                                zmm_slot_bytes *out);

/*
 * Reads the committed state of a file: picks the slot from `slots`
 * (zmm_header_choose) and reads the directory it points at, checking its
 * CRC. *dir_bytes receives a new buffer of slot->directory_length bytes
 * (zmm_free it). ZMM_ERR_NOT_ARCHIVE, CORRUPT, UNSUPPORTED, IO, NOMEM.
 */
zmm_result zmm_state_read(zmm_file *f, uint64_t size,
                          const zmm_slot_bytes *slots, zmm_slot *slot,
                          int *slot_index, int *other_damaged,
                          unsigned char **dir_bytes);

#endif
