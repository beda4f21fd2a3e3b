/* state.c -- reading the header slots and the directory they publish. */
#include "state.h"

#include <string.h>
#include <zlib.h>

#include "alloc.h"

zmm_result zmm_state_read_slots(zmm_file *f, uint64_t size,
                                zmm_slot_bytes *out)
{
    unsigned char head[ZMM_SLOT1_OFFSET + ZMM_SLOT_SIZE];
    zmm_result rc;

    memset(out, 0, sizeof *out);
    if (size == 0)
        return ZMM_ERR_NOT_ARCHIVE;
    if (size < sizeof head) /* a cut file: what there is of slot 0 */
        return f->methods->read_at(f, 0, out->slot[0],
                                   size < ZMM_SLOT_SIZE ? (size_t)size
                                                        : ZMM_SLOT_SIZE);
    /* Both slots in one read: each read may cost a system call. */
    rc = f->methods->read_at(f, 0, head, sizeof head);
    if (rc == ZMM_OK) {
        memcpy(out->slot[0], head, ZMM_SLOT_SIZE);
        memcpy(out->slot[1], head + ZMM_SLOT1_OFFSET, ZMM_SLOT_SIZE);
    }
    return rc;
}

zmm_result zmm_state_read(zmm_file *f, uint64_t size,
                          const zmm_slot_bytes *slots, zmm_slot *slot,
                          int *slot_index, int *other_damaged,
                          unsigned char **dir_bytes)
{
    unsigned char *buf;
    zmm_result rc;

    *dir_bytes = NULL;
    rc = zmm_header_choose(slots->slot[0], slots->slot[1], size, slot,
                           slot_index, other_damaged);
    if (rc != ZMM_OK)
        return rc;
    buf = zmm_malloc(slot->directory_length);
    if (buf == NULL)
        return ZMM_ERR_NOMEM;
    rc = f->methods->read_at(f, slot->directory_offset, buf,
                             slot->directory_length);
    if (rc == ZMM_OK &&
        (uint32_t)crc32(0, buf, slot->directory_length) != slot->directory_crc)
        rc = ZMM_ERR_CORRUPT;
    if (rc != ZMM_OK) {
        zmm_free(buf);
        return rc;
    }
    *dir_bytes = buf;
    return ZMM_OK;
}
