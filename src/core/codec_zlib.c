/* codec_zlib.c -- block coding with zlib's raw deflate. */
#include "codec.h"

#include <string.h>
#include <zlib.h>

#include "alloc.h"

struct zmm_codec {
    z_stream inflater;
    z_stream deflater;
    int inflater_ready;
    int deflater_level; /* -1: no deflater yet */
};

/* zlib allocates through the core's allocator, so the failure hook covers
 * its windows and state too. */
static voidpf codec_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return zmm_calloc(items, size);
}

static void codec_free(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    zmm_free(ptr);
}

zmm_codec *zmm_codec_new(void)
{
    zmm_codec *c = zmm_calloc(1, sizeof *c);

    if (c != NULL)
        c->deflater_level = -1;
    return c;
}

void zmm_codec_free(zmm_codec *c)
{
    if (c == NULL)
        return;
    if (c->inflater_ready)
        inflateEnd(&c->inflater);
    if (c->deflater_level >= 0)
        deflateEnd(&c->deflater);
    zmm_free(c);
}

int zmm_is_zero(const unsigned char *p, size_t n)
{
    static const unsigned char zeros[256];

    while (n >= sizeof zeros) {
        if (memcmp(p, zeros, sizeof zeros) != 0)
            return 0;
        p += sizeof zeros;
        n -= sizeof zeros;
    }
    return memcmp(p, zeros, n) == 0;
}

static zmm_result prepare_deflater(zmm_codec *c, int level)
{
    if (c->deflater_level == level)
        return deflateReset(&c->deflater) == Z_OK ? ZMM_OK : ZMM_ERR_NOMEM;
    if (c->deflater_level >= 0) {
        deflateEnd(&c->deflater);
        c->deflater_level = -1;
    }
    memset(&c->deflater, 0, sizeof c->deflater);
    c->deflater.zalloc = codec_alloc;
    c->deflater.zfree = codec_free;
    if (deflateInit2(&c->deflater, level, Z_DEFLATED, -15, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return ZMM_ERR_NOMEM;
    c->deflater_level = level;
    return ZMM_OK;
}

zmm_result zmm_codec_encode(zmm_codec *c, int level, const unsigned char *in,
                            uint32_t n, unsigned char *scratch,
                            zmm_block_ref *ref, const unsigned char **stored)
{
    ref->logical_crc = 0;
    if (zmm_is_zero(in, n)) {
        ref->kind = ZMM_KIND_ZERO;
        ref->stored_size = 0;
        ref->stored_crc = 0;
        *stored = NULL;
        return ZMM_OK;
    }
    ref->logical_crc = (uint32_t)crc32(0, in, n);
    if (level > 0 && n > 1) {
        zmm_result rc = prepare_deflater(c, level);
        int zrc;

        if (rc != ZMM_OK)
            return rc;
        c->deflater.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const */
        c->deflater.avail_in = n;
        c->deflater.next_out = scratch;
        c->deflater.avail_out = n - 1; /* deflate only if strictly smaller */
        zrc = deflate(&c->deflater, Z_FINISH);
        if (zrc == Z_STREAM_END) {
            ref->kind = ZMM_KIND_DEFLATE;
            ref->stored_size = (uint32_t)c->deflater.total_out;
            ref->stored_crc = (uint32_t)crc32(0, scratch, ref->stored_size);
            *stored = scratch;
            return ZMM_OK;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR)
            return ZMM_ERR_NOMEM;
    }
    ref->kind = ZMM_KIND_RAW;
    ref->stored_size = n;
    ref->stored_crc = ref->logical_crc;
    *stored = in;
    return ZMM_OK;
}

zmm_result zmm_codec_inflate_begin(zmm_codec *c, const unsigned char *stored,
                                   uint32_t stored_size)
{
    if (!c->inflater_ready) {
        memset(&c->inflater, 0, sizeof c->inflater);
        c->inflater.zalloc = codec_alloc;
        c->inflater.zfree = codec_free;
        if (inflateInit2(&c->inflater, -15) != Z_OK)
            return ZMM_ERR_NOMEM;
        c->inflater_ready = 1;
    } else if (inflateReset(&c->inflater) != Z_OK) {
        return ZMM_ERR_NOMEM;
    }
    c->inflater.next_in = (Bytef *)(uintptr_t)stored;
    c->inflater.avail_in = stored_size;
    return ZMM_OK;
}

static zmm_result inflate_result(int zrc)
{
    return zrc == Z_MEM_ERROR ? ZMM_ERR_NOMEM : ZMM_ERR_CORRUPT;
}

zmm_result zmm_codec_inflate_more(zmm_codec *c, unsigned char *out,
                                  uint32_t *done, uint32_t want, uint32_t n)
{
    z_stream *zs = &c->inflater;
    int zrc = Z_OK;

    if (*done < want) {
        zs->next_out = out + *done;
        zs->avail_out = want - *done;
        zrc = inflate(zs, Z_NO_FLUSH);
        *done = want - zs->avail_out;
        if (zrc != Z_OK && zrc != Z_STREAM_END)
            return inflate_result(zrc);
        if (*done < want)
            return ZMM_ERR_CORRUPT; /* the stream ended or ran out early */
        if (zrc == Z_STREAM_END && want < n)
            return ZMM_ERR_CORRUPT;
    }
    if (want == n && zrc != Z_STREAM_END) {
        /* All n bytes are out; the end-of-stream code may still be unread.
         * One byte of room shows whether the stream would write more. */
        unsigned char extra;

        zs->next_out = &extra;
        zs->avail_out = 1;
        zrc = inflate(zs, Z_NO_FLUSH);
        if (zrc != Z_STREAM_END || zs->avail_out != 1)
            return zrc == Z_MEM_ERROR ? ZMM_ERR_NOMEM : ZMM_ERR_CORRUPT;
    }
    if (want == n && zs->avail_in != 0)
        return ZMM_ERR_CORRUPT; /* stored bytes after the end of the stream */
    return ZMM_OK;
}
