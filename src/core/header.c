/* header.c -- encoding, checking and choosing the header slots. */
#include "header.h"

#include <string.h>
#include <zlib.h>

#include "bytes.h"

static const unsigned char slot_magic[8] = {0x89, 'Z', 'M', 'M',
                                            '\r', '\n', 0x1a, '\n'};

void zmm_slot_encode(const zmm_slot *slot, unsigned char out[ZMM_SLOT_SIZE])
{
    memset(out, 0, ZMM_SLOT_SIZE);
    memcpy(out, slot_magic, sizeof slot_magic);
    zmm_store16(out + 8, (uint16_t)slot->format_version);
    zmm_store16(out + 10, ZMM_SLOT_SIZE);
    zmm_store32(out + 12, slot->incompat_features);
    zmm_store32(out + 16, slot->compat_features);
    zmm_store64(out + 24, slot->generation);
    zmm_store64(out + 32, slot->directory_offset);
    zmm_store32(out + 40, slot->directory_length);
    zmm_store32(out + 44, slot->directory_crc);
    if (slot->compat_features & ZMM_COMPAT_META) {
        zmm_store64(out + 48, slot->meta_offset);
        zmm_store32(out + 56, slot->meta_length);
    }
    zmm_store32(out + 60, (uint32_t)crc32(0, out, 60));
}

static int all_zero(const unsigned char *p, size_t n)
{
    while (n--)
        if (*p++)
            return 0;
    return 1;
}

zmm_slot_state zmm_slot_decode(const unsigned char in[ZMM_SLOT_SIZE],
                               zmm_slot *slot)
{
    if (all_zero(in, ZMM_SLOT_SIZE))
        return ZMM_SLOT_EMPTY;
    if (memcmp(in, slot_magic, sizeof slot_magic) != 0)
        return ZMM_SLOT_FOREIGN;
    if (zmm_load32(in + 60) != (uint32_t)crc32(0, in, 60))
        return ZMM_SLOT_DAMAGED;
    slot->format_version = zmm_load16(in + 8);
    slot->incompat_features = zmm_load32(in + 12);
    slot->compat_features = zmm_load32(in + 16);
    slot->generation = zmm_load64(in + 24);
    slot->directory_offset = zmm_load64(in + 32);
    slot->directory_length = zmm_load32(in + 40);
    slot->directory_crc = zmm_load32(in + 44);
    /* Reserved to readers without the metadata feature, which ignore
     * them; their rules are checked with the state (metadata.c). */
    slot->meta_offset = 0;
    slot->meta_length = 0;
    if (slot->compat_features & ZMM_COMPAT_META) {
        slot->meta_offset = zmm_load64(in + 48);
        slot->meta_length = zmm_load32(in + 56);
    }
    /* The CRC held, so bad fields mean a buggy writer: the slot is not
     * valid. A newer version may lay out the rest differently: its fields
     * are left for zmm_header_choose to refuse as unsupported. */
    if (zmm_load16(in + 10) != ZMM_SLOT_SIZE || slot->generation == 0 ||
        slot->format_version == 0)
        return ZMM_SLOT_DAMAGED;
    if (slot->format_version > ZMM_FORMAT_VERSION)
        return ZMM_SLOT_VALID;
    if (slot->directory_offset < ZMM_DATA_START ||
        slot->directory_length < ZMM_MIN_DIRECTORY ||
        slot->directory_length > ZMM_MAX_DIRECTORY)
        return ZMM_SLOT_DAMAGED;
    return ZMM_SLOT_VALID;
}

zmm_result zmm_header_choose(const unsigned char slot0[ZMM_SLOT_SIZE],
                             const unsigned char slot1[ZMM_SLOT_SIZE],
                             uint64_t size, zmm_slot *slot, int *index,
                             int *other_damaged)
{
    zmm_slot s[2];
    zmm_slot_state st[2];
    int best = -1, i;

    st[0] = zmm_slot_decode(slot0, &s[0]);
    st[1] = zmm_slot_decode(slot1, &s[1]);
    if ((st[0] == ZMM_SLOT_FOREIGN || st[0] == ZMM_SLOT_EMPTY) &&
        (st[1] == ZMM_SLOT_FOREIGN || st[1] == ZMM_SLOT_EMPTY))
        return ZMM_ERR_NOT_ARCHIVE;
    for (i = 0; i < 2; i++)
        if (st[i] == ZMM_SLOT_VALID &&
            (best < 0 || s[i].generation > s[best].generation))
            best = i;
    if (best < 0)
        return ZMM_ERR_CORRUPT;
    if (s[best].format_version > ZMM_FORMAT_VERSION ||
        (s[best].incompat_features & ~(uint32_t)ZMM_KNOWN_INCOMPAT) != 0)
        return ZMM_ERR_UNSUPPORTED;
    /* A directory past the end of the file: the file was cut. That is damage
     * to the newest state, not a reason to open an older one. */
    if (s[best].directory_offset > size ||
        s[best].directory_length > size - s[best].directory_offset)
        return ZMM_ERR_CORRUPT;
    *slot = s[best];
    *index = best;
    *other_damaged = st[1 - best] == ZMM_SLOT_DAMAGED;
    return ZMM_OK;
}
