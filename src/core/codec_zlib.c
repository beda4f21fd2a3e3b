/* codec_zlib.c -- block coding with zlib's raw deflate, plain or after the
 * PCM filter (filter_pcm.c). */
#include "codec.h"

#include <string.h>
#include <zlib.h>

#include "alloc.h"
#include "crc32.h"
#include "filter_pcm.h"

struct zmm_codec {
    z_stream inflater;
    z_stream deflater;
    int inflater_ready;
    int deflater_level; /* -1: no deflater yet */
    /* PCM blocks: the filtered bytes, and a PCM block's stored bytes while
     * they compete with plain deflate's in the caller's scratch. */
    unsigned char *pcm_content;
    unsigned char *pcm_stored;
    uint32_t pcm_room;
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
    zmm_free(c->pcm_content);
    zmm_free(c->pcm_stored);
    zmm_free(c);
}

/* Room for n bytes in both PCM buffers. */
static zmm_result pcm_reserve(zmm_codec *c, uint32_t n)
{
    unsigned char *a, *b;

    if (n <= c->pcm_room)
        return ZMM_OK;
    a = zmm_malloc(n);
    b = zmm_malloc(n);
    if (a == NULL || b == NULL) {
        zmm_free(a);
        zmm_free(b);
        return ZMM_ERR_NOMEM;
    }
    zmm_free(c->pcm_content);
    zmm_free(c->pcm_stored);
    c->pcm_content = a;
    c->pcm_stored = b;
    c->pcm_room = n;
    return ZMM_OK;
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

/* Deflates n bytes into out if the stream fits in `room` bytes: *size gets
 * its length, or 0 when it does not fit. */
static zmm_result deflate_into(zmm_codec *c, int level,
                               const unsigned char *in, uint32_t n,
                               unsigned char *out, uint32_t room,
                               uint32_t *size)
{
    zmm_result rc = prepare_deflater(c, level);
    int zrc;

    *size = 0;
    if (rc != ZMM_OK)
        return rc;
    c->deflater.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const */
    c->deflater.avail_in = n;
    c->deflater.next_out = out;
    c->deflater.avail_out = room;
    zrc = deflate(&c->deflater, Z_FINISH);
    if (zrc == Z_STREAM_END) {
        *size = (uint32_t)c->deflater.total_out;
        return ZMM_OK;
    }
    return zrc == Z_OK || zrc == Z_BUF_ERROR ? ZMM_OK : ZMM_ERR_NOMEM;
}

/* The block as kind PCM, if that is shorter than `best` bytes: *size gets
 * the stored size in c->pcm_stored, or 0. */
static zmm_result encode_pcm(zmm_codec *c, int level,
                             const unsigned char *in, uint32_t n,
                             const zmm_pcm_layout *pcm, uint64_t offset,
                             uint32_t best, uint32_t *size)
{
    zmm_pcm_block b;
    size_t header;
    uint32_t deflated;
    zmm_result rc;

    *size = 0;
    if (zmm_pcm_block_range(pcm, offset, n, &b) == 0)
        return ZMM_OK;
    header = zmm_pcm_header_size(&b);
    if (best <= header + 1)
        return ZMM_OK;
    rc = pcm_reserve(c, n);
    if (rc != ZMM_OK)
        return rc;
    zmm_pcm_choose_orders(&b, in);
    zmm_pcm_forward(&b, in, n, c->pcm_content);
    rc = deflate_into(c, level, c->pcm_content, n, c->pcm_stored + header,
                      best - (uint32_t)header - 1, &deflated);
    if (rc != ZMM_OK || deflated == 0)
        return rc;
    zmm_pcm_header_encode(&b, c->pcm_stored);
    *size = (uint32_t)header + deflated;
    return ZMM_OK;
}

zmm_result zmm_codec_encode(zmm_codec *c, int level, const unsigned char *in,
                            uint32_t n, const zmm_pcm_layout *pcm,
                            uint64_t offset, unsigned char *scratch,
                            zmm_block_ref *ref, const unsigned char **stored)
{
    uint32_t plain = 0, filtered = 0;
    zmm_result rc;

    ref->logical_crc = 0;
    if (zmm_is_zero(in, n)) {
        ref->kind = ZMM_KIND_ZERO;
        ref->stored_size = 0;
        ref->stored_crc = 0;
        *stored = NULL;
        return ZMM_OK;
    }
    ref->logical_crc = zmm_crc32(0, in, n);
    if (level > 0 && n > 1) {
        /* deflate only if strictly smaller; PCM only if smaller still */
        rc = deflate_into(c, level, in, n, scratch, n - 1, &plain);
        if (rc == ZMM_OK && pcm != NULL)
            rc = encode_pcm(c, level, in, n, pcm, offset,
                            plain != 0 ? plain : n, &filtered);
        if (rc != ZMM_OK)
            return rc;
    }
    if (filtered != 0) {
        ref->kind = ZMM_KIND_PCM;
        ref->stored_size = filtered;
        *stored = c->pcm_stored;
    } else if (plain != 0) {
        ref->kind = ZMM_KIND_DEFLATE;
        ref->stored_size = plain;
        *stored = scratch;
    } else {
        ref->kind = ZMM_KIND_RAW;
        ref->stored_size = n;
        ref->stored_crc = ref->logical_crc;
        *stored = in;
        return ZMM_OK;
    }
    ref->stored_crc = zmm_crc32(0, *stored, ref->stored_size);
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
        /* Z_FINISH for the last bytes: when the stream ends in this call,
         * zlib then skips copying the output's last 32 KiB into its window,
         * which nothing would read. Z_BUF_ERROR from it only says the
         * output is full before the end was seen: checked below. */
        zrc = inflate(zs, want == n ? Z_FINISH : Z_NO_FLUSH);
        *done = want - zs->avail_out;
        if (zrc == Z_BUF_ERROR && want == n && *done == want)
            zrc = Z_OK;
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

zmm_result zmm_codec_decode_pcm(zmm_codec *c, const unsigned char *stored,
                                uint32_t stored_size, unsigned char *out,
                                uint32_t n)
{
    zmm_pcm_block b;
    size_t header;
    uint32_t done = 0;
    zmm_result rc = zmm_pcm_header_decode(stored, stored_size, n, &b,
                                          &header);

    if (rc == ZMM_OK)
        rc = pcm_reserve(c, n);
    if (rc == ZMM_OK)
        rc = zmm_codec_inflate_begin(c, stored + header,
                                     stored_size - (uint32_t)header);
    /* The planes put a sample's bytes far apart: the block inflates whole. */
    if (rc == ZMM_OK)
        rc = zmm_codec_inflate_more(c, c->pcm_content, &done, n, n);
    if (rc == ZMM_OK)
        zmm_pcm_inverse(&b, c->pcm_content, n, out);
    return rc;
}
