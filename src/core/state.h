/*
 * state.h -- reading an archive file's committed state: the two header
 * slots, the one they choose, and the directory it points at, checked. The
 * writable archive (archive.c) and the shared read-only snapshot
 * (snapshot.c) both start here.
 */
#ifndef ZMM_STATE_H
#define ZMM_STATE_H

#include "directory.h"
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

/*
 * Decodes the state that zmm_state_read gave: `bytes` (slot->directory_length
 * of them, at slot->directory_offset) are a directory, or a delta record,
 * whose chain is read from f back to a directory (at most ZMM_MAX_CHAIN
 * records, ZMM_MAX_DIRECTORY bytes in all), decoded, then the records
 * applied oldest first. `flat`: a read-only directory in one allocation when
 * there is no chain. *state_bytes gets the bytes of the directory and its
 * records, *chain the number of records. ZMM_ERR_CORRUPT, IO, NOMEM, LIMIT.
 */
zmm_result zmm_state_decode(zmm_file *f, const zmm_slot *slot,
                            const unsigned char *bytes, int flat,
                            zmm_directory *dir, uint64_t *state_bytes,
                            uint32_t *chain);

/* A committed state, read and decoded. */
typedef struct zmm_state {
    zmm_slot slot;
    int slot_index;
    int other_damaged;        /* the other slot is damaged, or lost below */
    uint64_t lost_generation; /* nonzero: that newer state failed its checks
                               * and this older one was opened instead */
    zmm_directory dir;
    uint64_t state_bytes;
    uint32_t chain;
} zmm_state;

/*
 * Reads and decodes the newest committed state that passes its checks: the
 * state of the newest valid slot (zmm_state_read, zmm_state_decode) or, when
 * that one is cut or damaged (ZMM_ERR_CORRUPT), the older valid slot's, with
 * out->lost_generation set to the newer one's generation. `flat` as for
 * zmm_state_decode. On failure, the newest state's error.
 */
zmm_result zmm_state_load(zmm_file *f, uint64_t size,
                          const zmm_slot_bytes *slots, int flat,
                          zmm_state *out);

#endif
