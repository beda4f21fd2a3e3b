/* state.c -- reading the header slots and the directory they publish. */
#include "state.h"

#include <string.h>
#include <zlib.h>

#include "alloc.h"
#include "delta.h"
#include "metadata.h"

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

/* One delta record of a chain: its bytes and where they are. */
typedef struct chain_link {
    const unsigned char *buf;
    unsigned char *owned; /* buf if read here, NULL for the caller's */
    uint64_t offset;
    uint32_t length;
} chain_link;

/* Reads `length` bytes at `offset` and checks their CRC. */
static zmm_result read_checked(zmm_file *f, uint64_t offset, uint32_t length,
                               uint32_t crc, unsigned char **out)
{
    unsigned char *buf = zmm_malloc(length);
    zmm_result rc;

    *out = NULL;
    if (buf == NULL)
        return ZMM_ERR_NOMEM;
    rc = f->methods->read_at(f, offset, buf, length);
    if (rc == ZMM_OK && (uint32_t)crc32(0, buf, length) != crc)
        rc = ZMM_ERR_CORRUPT;
    if (rc != ZMM_OK) {
        zmm_free(buf);
        return rc;
    }
    *out = buf;
    return ZMM_OK;
}

zmm_result zmm_state_decode(zmm_file *f, const zmm_slot *slot,
                            const unsigned char *bytes, int flat,
                            zmm_directory *dir, uint64_t *state_bytes,
                            uint32_t *chain)
{
    chain_link *links;
    const unsigned char *cur = bytes;
    unsigned char *owned = NULL; /* cur, when read here */
    uint64_t cur_offset = slot->directory_offset;
    uint32_t cur_length = slot->directory_length, n = 0, i;
    uint64_t total = cur_length;
    int delta = zmm_delta_is(bytes, cur_length);
    zmm_result rc = ZMM_OK;

    memset(dir, 0, sizeof *dir);
    *state_bytes = 0;
    *chain = 0;
    /* The feature bit says which the slot points at. */
    if (delta != ((slot->incompat_features & ZMM_INCOMPAT_DELTA) != 0))
        return ZMM_ERR_CORRUPT;
    if (!delta) {
        rc = flat ? zmm_directory_decode_flat(bytes, cur_length, cur_offset,
                                              dir)
                  : zmm_directory_decode(bytes, cur_length, cur_offset, dir);
        if (rc == ZMM_OK)
            rc = zmm_meta_load(f, slot, dir);
        if (rc != ZMM_OK) {
            zmm_directory_free(dir);
            return rc;
        }
        *state_bytes = cur_length;
        return ZMM_OK;
    }
    links = zmm_calloc(ZMM_MAX_CHAIN, sizeof *links);
    if (links == NULL)
        return ZMM_ERR_NOMEM;
    /* Back along the chain, newest first, to a directory. */
    while (rc == ZMM_OK && zmm_delta_is(cur, cur_length)) {
        uint64_t base_offset;
        uint32_t base_length, base_crc;

        if (n == ZMM_MAX_CHAIN) {
            zmm_free(owned);
            rc = ZMM_ERR_CORRUPT;
            break;
        }
        links[n].buf = cur;
        links[n].owned = owned;
        links[n].offset = cur_offset;
        links[n].length = cur_length;
        n++;
        rc = zmm_delta_base(cur, cur_length, cur_offset, &base_offset,
                            &base_length, &base_crc);
        if (rc == ZMM_OK && base_length > ZMM_MAX_DIRECTORY - total)
            rc = ZMM_ERR_CORRUPT;
        if (rc == ZMM_OK) {
            total += base_length;
            rc = read_checked(f, base_offset, base_length, base_crc, &owned);
            cur = owned;
            cur_offset = base_offset;
            cur_length = base_length;
        }
    }
    if (rc == ZMM_OK) {
        rc = zmm_directory_decode(cur, cur_length, cur_offset, dir);
        zmm_free(owned);
    }
    for (i = n; rc == ZMM_OK && i-- > 0;)
        rc = zmm_delta_apply(dir, links[i].buf, links[i].length,
                             links[i].offset);
    for (i = 0; i < n; i++)
        zmm_free(links[i].owned);
    zmm_free(links);
    /* The table gives the state's members, after the chain is applied
     * (delta records never add, remove or reorder members). */
    if (rc == ZMM_OK)
        rc = zmm_meta_load(f, slot, dir);
    if (rc != ZMM_OK) {
        zmm_directory_free(dir);
        return rc;
    }
    *state_bytes = total;
    *chain = n;
    return ZMM_OK;
}

/* Reads and decodes the state slot `s` publishes. */
static zmm_result load_slot(zmm_file *f, uint64_t size, const zmm_slot *s,
                            int flat, zmm_directory *dir,
                            uint64_t *state_bytes, uint32_t *chain)
{
    unsigned char *buf;
    zmm_result rc;

    if (s->directory_offset > size ||
        s->directory_length > size - s->directory_offset)
        return ZMM_ERR_CORRUPT; /* cut short */
    rc = read_checked(f, s->directory_offset, s->directory_length,
                      s->directory_crc, &buf);
    if (rc != ZMM_OK)
        return rc;
    rc = zmm_state_decode(f, s, buf, flat, dir, state_bytes, chain);
    zmm_free(buf);
    return rc;
}

zmm_result zmm_state_load(zmm_file *f, uint64_t size,
                          const zmm_slot_bytes *slots, int flat,
                          zmm_state *out)
{
    zmm_slot older, s[2];
    uint64_t newest = 0;
    zmm_result rc;
    int i, valid[2];

    memset(out, 0, sizeof *out);
    rc = zmm_header_choose(slots->slot[0], slots->slot[1], size, &out->slot,
                           &out->slot_index, &out->other_damaged);
    if (rc == ZMM_OK)
        rc = load_slot(f, size, &out->slot, flat, &out->dir,
                       &out->state_bytes, &out->chain);
    if (rc != ZMM_OK && rc != ZMM_ERR_CORRUPT)
        return rc;
    if (rc == ZMM_OK) {
        /* The other slot fails its checks and the file goes on past this
         * state's end: that slot published a newer commit (a commit
         * appends, then writes its slot), now unreadable. Lost, as when
         * its directory fails (below); else the damaged slot was the
         * older one and nothing committed is missing. */
        if (out->other_damaged &&
            size > out->slot.directory_offset + out->slot.directory_length)
            out->lost_generation = out->slot.generation + 1;
        return ZMM_OK;
    }
    /* The newest state fails its checks (cut, overwritten): the older slot
     * holds a committed state too. Reading it and saying so beats reading
     * nothing (FORMAT.md, "Opening", step 4). */
    for (i = 0; i < 2; i++) {
        valid[i] = zmm_slot_decode(slots->slot[i], &s[i]) == ZMM_SLOT_VALID;
        if (valid[i] && s[i].generation > newest)
            newest = s[i].generation;
    }
    for (i = 0; i < 2; i++) {
        zmm_result older_rc;

        older = s[i];
        if (!valid[i] || older.generation >= newest ||
            older.format_version > ZMM_FORMAT_VERSION ||
            (older.incompat_features & ~(uint32_t)ZMM_KNOWN_INCOMPAT) != 0)
            continue;
        older_rc = load_slot(f, size, &older, flat, &out->dir,
                             &out->state_bytes, &out->chain);
        if (older_rc != ZMM_OK)
            return older_rc == ZMM_ERR_CORRUPT ? rc : older_rc;
        out->lost_generation = newest;
        out->slot = older;
        out->slot_index = i;
        out->other_damaged = 0; /* the slot is sound; its state is not */
        return ZMM_OK;
    }
    return rc;
}
