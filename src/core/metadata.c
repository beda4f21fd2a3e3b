/*
 * metadata.c -- the metadata table (docs/FORMAT.md, "Metadata"): one
 * 16-byte record per member, in directory order, after a 16-byte header
 * whose CRC covers the records. Checked whole before any member takes its
 * record, so a damaged table changes nothing.
 */
#include "metadata.h"

#include <string.h>
#include <zlib.h>

#include "alloc.h"
#include "bytes.h"

static const unsigned char meta_magic[4] = {'Z', 'M', 'E', 'T'};

#define KNOWN_META (ZMM_META_MTIME | ZMM_META_MODE)

int zmm_meta_valid(unsigned meta, int64_t mtime, uint32_t mtime_nsec,
                   unsigned mode)
{
    if ((meta & ~KNOWN_META) != 0 || mtime_nsec > 999999999u ||
        mode > 07777u)
        return 0;
    /* An absent field is 0, so that a table has one spelling. */
    if (!(meta & ZMM_META_MTIME) && (mtime != 0 || mtime_nsec != 0))
        return 0;
    return (meta & ZMM_META_MODE) || mode == 0;
}

int zmm_directory_uses_meta(const zmm_directory *dir)
{
    uint32_t i;

    for (i = 0; i < dir->count; i++)
        if (dir->members[i]->meta != 0)
            return 1;
    return 0;
}

size_t zmm_meta_encoded_size(const zmm_directory *dir)
{
    return ZMM_META_HEADER_SIZE + (size_t)dir->count * ZMM_META_RECORD_SIZE;
}

void zmm_meta_encode(const zmm_directory *dir, unsigned char *out)
{
    unsigned char *p = out + ZMM_META_HEADER_SIZE;
    size_t records = (size_t)dir->count * ZMM_META_RECORD_SIZE;
    uint32_t i;

    for (i = 0; i < dir->count; i++, p += ZMM_META_RECORD_SIZE) {
        const zmm_member *m = dir->members[i];
        int has_time = (m->meta & ZMM_META_MTIME) != 0;

        zmm_store64(p, has_time ? (uint64_t)m->mtime : 0);
        zmm_store32(p + 8, has_time ? m->mtime_nsec : 0);
        zmm_store16(p + 12,
                    (uint16_t)((m->meta & ZMM_META_MODE) ? m->mode : 0));
        zmm_store16(p + 14, (uint16_t)m->meta);
    }
    memcpy(out, meta_magic, 4);
    zmm_store32(out + 4, dir->count);
    zmm_store32(out + 8, ZMM_META_RECORD_SIZE);
    zmm_store32(out + 12, (uint32_t)crc32(0, out + ZMM_META_HEADER_SIZE,
                                          (uInt)records));
}

zmm_result zmm_meta_decode(const unsigned char *buf, size_t len,
                           zmm_directory *dir)
{
    uint32_t count, size, i;
    const unsigned char *p;

    if (len < ZMM_META_HEADER_SIZE || memcmp(buf, meta_magic, 4) != 0)
        return ZMM_ERR_CORRUPT;
    count = zmm_load32(buf + 4);
    size = zmm_load32(buf + 8);
    if (count != dir->count || size < ZMM_META_RECORD_SIZE ||
        size > ZMM_META_MAX_RECORD ||
        (uint64_t)count * size != len - ZMM_META_HEADER_SIZE ||
        zmm_load32(buf + 12) !=
            (uint32_t)crc32(0, buf + ZMM_META_HEADER_SIZE,
                            (uInt)(len - ZMM_META_HEADER_SIZE)))
        return ZMM_ERR_CORRUPT;
    /* Every record first: a broken one leaves every member as it was. */
    for (i = 0, p = buf + ZMM_META_HEADER_SIZE; i < count; i++, p += size)
        if (!zmm_meta_valid(zmm_load16(p + 14), (int64_t)zmm_load64(p),
                            zmm_load32(p + 8), zmm_load16(p + 12)))
            return ZMM_ERR_CORRUPT;
    for (i = 0, p = buf + ZMM_META_HEADER_SIZE; i < count; i++, p += size) {
        zmm_member *m = dir->members[i];

        m->mtime = (int64_t)zmm_load64(p);
        m->mtime_nsec = zmm_load32(p + 8);
        m->mode = zmm_load16(p + 12);
        m->meta = zmm_load16(p + 14);
    }
    return ZMM_OK;
}

zmm_result zmm_meta_load(zmm_file *f, const zmm_slot *slot,
                         zmm_directory *dir)
{
    unsigned char *buf;
    zmm_result rc;

    if (!(slot->compat_features & ZMM_COMPAT_META))
        return ZMM_OK;
    /* In the data area, before the directory (or delta record) the slot
     * points at, which lies in the file: bounded before allocating. */
    if (slot->meta_offset < ZMM_DATA_START ||
        slot->meta_length < ZMM_META_HEADER_SIZE ||
        slot->meta_length > ZMM_MAX_DIRECTORY ||
        slot->meta_offset > slot->directory_offset ||
        slot->meta_length > slot->directory_offset - slot->meta_offset)
        return ZMM_ERR_CORRUPT;
    buf = zmm_malloc(slot->meta_length);
    if (buf == NULL)
        return ZMM_ERR_NOMEM;
    rc = f->methods->read_at(f, slot->meta_offset, buf, slot->meta_length);
    if (rc == ZMM_OK)
        rc = zmm_meta_decode(buf, slot->meta_length, dir);
    zmm_free(buf);
    return rc;
}
