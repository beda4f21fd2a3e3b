/*
 * stream_dict.c -- a member's preset dictionary (docs/FORMAT.md, "Preset
 * dictionary"): loaded and checked once per stream, on the first deflate
 * block read or stored, then kept with the stream's decoder; and set on an
 * empty member by a writer.
 */
#include <string.h>

#include "alloc.h"
#include "archive.h"
#include "crc32.h"
#include "stream.h"

/* Reads the dictionary's stored bytes into out (its dict_length bytes),
 * checking both CRCs. The dictionary itself is plain: raw or deflate
 * without a dictionary. */
static zmm_result read_dictionary(zmm_stream *s, unsigned char *out)
{
    const zmm_block_ref *ref = &s->m->dict;
    unsigned char *stored;
    zmm_result rc;

    if (ref->kind == ZMM_KIND_RAW) /* the directory checked the sizes */
        return zmm_stream_read_stored(s, ref, out);
    stored = zmm_malloc(ref->stored_size); /* < dict_length <= 32 KiB */
    if (stored == NULL)
        return ZMM_ERR_NOMEM;
    rc = zmm_stream_read_stored(s, ref, stored);
    zmm_codec_use_dictionary(s->decoder, NULL, 0);
    if (rc == ZMM_OK)
        rc = zmm_codec_decode_block(s->decoder, ref, stored,
                                    s->m->dict_length, out);
    zmm_free(stored);
    return rc;
}

zmm_result zmm_stream_load_dictionary(zmm_stream *s)
{
    unsigned char *dict;
    zmm_result rc;

    if (!(s->m->flags & ZMM_MEMBER_DICT) || s->dict != NULL)
        return ZMM_OK;
    s->inflating = NULL; /* the decoder is about to inflate the dictionary */
    dict = zmm_malloc(s->m->dict_length);
    if (dict == NULL)
        return ZMM_ERR_NOMEM;
    rc = read_dictionary(s, dict);
    if (rc != ZMM_OK) {
        zmm_free(dict); /* tried again by the next read: still an error */
        return rc;
    }
    s->dict = dict;
    s->dict_len = s->m->dict_length;
    zmm_codec_use_dictionary(s->decoder, s->dict, s->dict_len);
    return ZMM_OK;
}

/* Stores the dictionary as a block of its own, at level 9: it is stored
 * once a member. A dictionary of zeros is stored raw, since kind 0 is not
 * allowed for it. */
static zmm_result store_dictionary(zmm_archive *ar, const unsigned char *dict,
                                   uint32_t len, zmm_block_ref *ref)
{
    zmm_result rc = zmm_archive_store_block(ar, 9, dict, len, NULL, 0, 0, NULL,
                                            0, ref);

    if (rc != ZMM_OK || ref->kind != ZMM_KIND_ZERO)
        return rc;
    ref->kind = ZMM_KIND_RAW;
    ref->stored_size = len;
    ref->logical_crc = ref->stored_crc = zmm_crc32(0, dict, len);
    return zmm_archive_append(ar, dict, len, &ref->offset);
}

zmm_result zmm_stream_set_dictionary(zmm_stream *s, const void *dict,
                                     size_t len)
{
    zmm_member *m = s->m;
    unsigned char *copy = NULL;
    zmm_block_ref ref;
    zmm_result rc;

    if (!s->writable)
        return ZMM_ERR_READ_ONLY;
    /* Blocks stored before would decode with the wrong dictionary. */
    if (m->length != 0)
        return ZMM_ERR_INVALID_ARG;
    if (dict == NULL)
        len = 0;
    if (len > ZMM_MAX_DICTIONARY)
        return ZMM_ERR_LIMIT;
    memset(&ref, 0, sizeof ref);
    if (len != 0) {
        copy = zmm_malloc(len);
        if (copy == NULL)
            return ZMM_ERR_NOMEM;
        memcpy(copy, dict, len);
        rc = store_dictionary(s->ar, copy, (uint32_t)len, &ref);
        if (rc != ZMM_OK) {
            zmm_free(copy);
            return rc;
        }
    }
    zmm_free(s->dict);
    s->dict = copy;
    s->dict_len = (uint32_t)len;
    zmm_codec_use_dictionary(s->decoder, s->dict, s->dict_len);
    if (len != 0)
        m->flags |= ZMM_MEMBER_DICT;
    else
        m->flags &= ~ZMM_MEMBER_DICT;
    m->dict_length = (uint32_t)len;
    m->dict = ref;
    zmm_archive_mark_modified(s->ar);
    return ZMM_OK;
}
