/*
 * delta.c -- delta records (docs/FORMAT.md, "Delta records"): decoding and
 * applying one to the directory before it, and encoding a writer's changes.
 *
 * A reader follows the chain from the slot back to a directory (state.c),
 * decodes that, then applies the delta records oldest first. Every rule is
 * checked before the directory changes in a way a later check relies on, so
 * damaged input is an error, never a wrong block table.
 */
#include "delta.h"

#include <string.h>

#include "bytes.h"
#include "header.h"

static const unsigned char delta_magic[4] = {'Z', 'D', 'L', 'T'};

int zmm_delta_is(const unsigned char *buf, size_t len)
{
    return len >= 4 && memcmp(buf, delta_magic, 4) == 0;
}

zmm_result zmm_delta_base(const unsigned char *buf, size_t len,
                          uint64_t own_offset, uint64_t *base_offset,
                          uint32_t *base_length, uint32_t *base_crc)
{
    if (len < ZMM_DELTA_HEADER_SIZE || !zmm_delta_is(buf, len) ||
        zmm_load32(buf + 4) == 0 || zmm_load32(buf + 24) != 0 ||
        zmm_load32(buf + 28) != 0)
        return ZMM_ERR_CORRUPT;
    *base_offset = zmm_load64(buf + 8);
    *base_length = zmm_load32(buf + 16);
    *base_crc = zmm_load32(buf + 20);
    /* Wholly before the delta: offsets fall along the chain, so it ends. */
    if (*base_offset < ZMM_DATA_START || *base_length < ZMM_MIN_DIRECTORY ||
        *base_length > ZMM_MAX_DIRECTORY || *base_offset > own_offset ||
        *base_length > own_offset - *base_offset)
        return ZMM_ERR_CORRUPT;
    return ZMM_OK;
}

/* Logical bytes of block k of a member of `length` bytes (k in range). */
static uint32_t block_length_at(uint64_t length, unsigned shift, uint32_t k)
{
    uint64_t left = length - ((uint64_t)k << shift);

    return left < (1u << shift) ? (uint32_t)left : 1u << shift;
}

zmm_result zmm_delta_apply(zmm_directory *dir, const unsigned char *buf,
                           size_t len, uint64_t own_offset)
{
    uint32_t changes, i, j;
    size_t pos = ZMM_DELTA_HEADER_SIZE;
    uint64_t next_member = 0;
    uint64_t base_offset;
    uint32_t base_length, base_crc;
    zmm_result rc = zmm_delta_base(buf, len, own_offset, &base_offset,
                                   &base_length, &base_crc);

    if (rc != ZMM_OK)
        return rc;
    changes = zmm_load32(buf + 4);
    for (i = 0; i < changes; i++) {
        const unsigned char *p = buf + pos;
        uint32_t index, first, n, old_count;
        uint64_t length, new_count;
        zmm_member *m;

        if (len - pos < ZMM_DELTA_CHANGE_SIZE)
            return ZMM_ERR_CORRUPT;
        index = zmm_load32(p);
        first = zmm_load32(p + 4);
        length = zmm_load64(p + 8);
        n = zmm_load32(p + 16);
        /* Members in increasing order, each at most once. */
        if (index < next_member || index >= dir->count ||
            length > (uint64_t)INT64_MAX)
            return ZMM_ERR_CORRUPT;
        next_member = (uint64_t)index + 1;
        m = dir->members[index];
        old_count = m->block_count;
        new_count = (length >> m->block_shift) +
                    ((length & ((1u << m->block_shift) - 1)) != 0);
        /* The entries run from `first` to the new end; the blocks kept
         * before it keep their lengths (only a last block is short). */
        if (first > old_count || first > new_count ||
            n != new_count - first ||
            (uint64_t)n * ZMM_BLOCK_ENTRY_SIZE >
                len - pos - ZMM_DELTA_CHANGE_SIZE ||
            (first > 0 &&
             block_length_at(m->length, m->block_shift, first - 1) !=
                 block_length_at(length, m->block_shift, first - 1)))
            return ZMM_ERR_CORRUPT;
        rc = zmm_member_resize(dir, m, length);
        if (rc != ZMM_OK)
            return rc;
        p += ZMM_DELTA_CHANGE_SIZE;
        for (j = 0; j < n; j++, p += ZMM_BLOCK_ENTRY_SIZE) {
            zmm_block_ref *b = &m->blocks[first + j];

            zmm_block_entry_decode(p, b);
            if (!zmm_block_ref_sound(b, zmm_member_block_length(m, first + j),
                                     own_offset))
                return ZMM_ERR_CORRUPT;
        }
        pos += ZMM_DELTA_CHANGE_SIZE + (size_t)n * ZMM_BLOCK_ENTRY_SIZE;
    }
    return pos == len ? ZMM_OK : ZMM_ERR_CORRUPT;
}

/* Where member m's entries in the delta start. */
static uint32_t first_changed(const zmm_member *m)
{
    return m->changed_from < m->block_count ? m->changed_from
                                            : m->block_count;
}

size_t zmm_delta_encoded_size(const zmm_directory *dir)
{
    size_t total = ZMM_DELTA_HEADER_SIZE;
    uint32_t i;
    int any = 0;

    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];

        if (m->changed_from == ZMM_UNCHANGED)
            continue;
        any = 1;
        total += ZMM_DELTA_CHANGE_SIZE +
                 (size_t)(m->block_count - first_changed(m)) *
                     ZMM_BLOCK_ENTRY_SIZE;
    }
    return any ? total : 0;
}

void zmm_delta_encode(const zmm_directory *dir, uint64_t base_offset,
                      uint32_t base_length, uint32_t base_crc,
                      unsigned char *out)
{
    unsigned char *p = out + ZMM_DELTA_HEADER_SIZE;
    uint32_t i, j, changes = 0;

    for (i = 0; i < dir->count; i++) {
        const zmm_member *m = dir->members[i];
        uint32_t first = first_changed(m);

        if (m->changed_from == ZMM_UNCHANGED)
            continue;
        changes++;
        zmm_store32(p, i);
        zmm_store32(p + 4, first);
        zmm_store64(p + 8, m->length);
        zmm_store32(p + 16, m->block_count - first);
        p += ZMM_DELTA_CHANGE_SIZE;
        for (j = first; j < m->block_count; j++, p += ZMM_BLOCK_ENTRY_SIZE)
            zmm_block_entry_encode(&m->blocks[j], p);
    }
    memcpy(out, delta_magic, 4);
    zmm_store32(out + 4, changes);
    zmm_store64(out + 8, base_offset);
    zmm_store32(out + 16, base_length);
    zmm_store32(out + 20, base_crc);
    zmm_store32(out + 24, 0);
    zmm_store32(out + 28, 0);
}
