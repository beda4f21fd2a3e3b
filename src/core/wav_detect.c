/*
 * wav_detect.c -- the PCM layout of a RIFF WAVE file, from its first bytes.
 *
 * Recorders write the header first with provisional sizes and patch them
 * when they finish (mmioAscend), so the `data` size is only trusted as far
 * as the member goes; the layout is a compression hint, never needed to
 * decode (every PCM block describes itself).
 */
#include <string.h>

#include "bytes.h"
#include "filter_pcm.h"
#include "struct_size.h"
#include "zmm.h"

#define WAVE_FORMAT_PCM 0x0001u
#define WAVE_FORMAT_EXTENSIBLE 0xFFFEu

/* KSDATAFORMAT_SUBTYPE_PCM: {00000001-0000-0010-8000-00aa00389b71}. */
static const unsigned char pcm_subformat[16] = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
    0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};

/* The `fmt ` chunk's body (size bytes, all present): ZMM_OK with bits and
 * channels for integer PCM, else ZMM_ERR_UNSUPPORTED. */
static zmm_result parse_fmt(const unsigned char *p, uint32_t size,
                            zmm_pcm_layout *out)
{
    unsigned tag, channels, align, bits;

    if (size < 16)
        return ZMM_ERR_UNSUPPORTED;
    tag = zmm_load16(p);
    channels = zmm_load16(p + 2);
    align = zmm_load16(p + 12);
    bits = zmm_load16(p + 14);
    if (tag == WAVE_FORMAT_EXTENSIBLE) {
        /* cbSize (22), valid bits, channel mask, then the subformat. */
        if (size < 40 || zmm_load16(p + 16) < 22 ||
            memcmp(p + 24, pcm_subformat, sizeof pcm_subformat) != 0)
            return ZMM_ERR_UNSUPPORTED;
    } else if (tag != WAVE_FORMAT_PCM) {
        return ZMM_ERR_UNSUPPORTED; /* IEEE float, ADPCM, MP3... */
    }
    if ((bits != 8 && bits != 16 && bits != 24 && bits != 32) ||
        channels < 1 || channels > ZMM_PCM_MAX_CHANNELS ||
        align != channels * (bits / 8))
        return ZMM_ERR_UNSUPPORTED;
    out->bits = bits;
    out->channels = channels;
    return ZMM_OK;
}

zmm_result zmm_detect_wav_layout(const void *head, size_t len,
                                 uint64_t member_size, zmm_pcm_layout *out)
{
    const unsigned char *p = head;
    zmm_pcm_layout found;
    int have_fmt = 0, have_data = 0;
    uint64_t pos = 12;
    zmm_result rc;

    if (head == NULL || out == NULL || out->struct_size < ZMM_PCM_LAYOUT_V1)
        return ZMM_ERR_INVALID_ARG;
    memset(&found, 0, sizeof found);
    found.struct_size = sizeof found;
    if (len < 12 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WAVE", 4) != 0)
        return ZMM_ERR_NOT_FOUND;
    /* Chunks in any order; stop once both are known or the head ends. */
    while (!(have_fmt && have_data) && pos + 8 <= len) {
        const unsigned char *c = p + pos;
        uint32_t size = zmm_load32(c + 4);

        if (memcmp(c, "fmt ", 4) == 0 && !have_fmt) {
            if (size > len - pos - 8)
                return ZMM_ERR_NOT_FOUND; /* cut off by the head's end */
            rc = parse_fmt(c + 8, size, &found);
            if (rc != ZMM_OK)
                return rc;
            have_fmt = 1;
        } else if (memcmp(c, "data", 4) == 0 && !have_data) {
            found.offset = pos + 8;
            found.length = size;
            have_data = 1;
            if (size == 0 || size == 0xffffffffu)
                found.length = UINT64_MAX; /* a placeholder: to the end */
        }
        pos += 8 + (uint64_t)size + (size & 1); /* odd chunks are padded */
    }
    if (!have_fmt || !have_data)
        return ZMM_ERR_NOT_FOUND;
    if (member_size > (uint64_t)INT64_MAX)
        member_size = (uint64_t)INT64_MAX; /* unknown: the format's limit */
    if (found.offset >= member_size)
        return ZMM_ERR_UNSUPPORTED; /* no sample in the member */
    if (found.length > member_size - found.offset)
        found.length = member_size - found.offset;
    /* As far as the caller's struct_size reaches (struct_size.h). */
    return zmm_struct_out(out, &found, sizeof found, ZMM_PCM_LAYOUT_V1);
}
