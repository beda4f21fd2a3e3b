/*
 * test_struct_size.c -- every function that takes a struct with a
 * struct_size accepts an older, shorter struct (a program built against an
 * older zmm.h) and never writes past it; one byte under the struct's first
 * version is refused; a longer struct (a newer header) is accepted. Uses
 * only the public API, as such a program would.
 *
 * First versions: zmm_member_info through `level` (the PCM and dictionary
 * fields were appended later); zmm_archive_info through `flags`;
 * zmm_member_options through `level`; zmm_pcm_layout through `channels`.
 *
 * Mutation seen failing (2026-12-02): zmm_archive_get_info filling
 * sizeof(zmm_archive_info) whatever struct_size says ("byte 60 of a
 * 60-byte zmm_archive_info written", on x86-64).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "zmm.h"

#define THROUGH(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define CANARY 0xA5
#define PAD 64 /* bytes of canary after the largest struct */

/* A buffer holding a struct of `size` bytes then canaries. */
typedef union {
    unsigned char bytes[256];
    size_t align_size;
    uint64_t align_u64;
    void *align_ptr;
} buffer;

static void *short_struct(buffer *b, size_t size)
{
    memset(b->bytes, CANARY, sizeof b->bytes);
    memcpy(b->bytes, &size, sizeof size);
    return b->bytes;
}

static void check_untouched(const buffer *b, size_t size, const char *what)
{
    size_t i;

    for (i = size; i < sizeof b->bytes; i++)
        CHECKF(b->bytes[i] == CANARY, "byte %lu of a %lu-byte %s written",
               (unsigned long)i, (unsigned long)size, what);
}

/* A PCM WAV: 44-byte header, then `frames` frames of 16-bit stereo. */
static size_t make_wav(unsigned char *out, uint32_t frames)
{
    static const unsigned char head[36] = {
        'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E',
        'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 2, 0,
        0x44, 0xac, 0, 0, 0x10, 0xb1, 2, 0, 4, 0, 16, 0};
    uint32_t data = frames * 4, riff = 36 + data;
    size_t i;

    memcpy(out, head, sizeof head);
    for (i = 0; i < 4; i++)
        out[4 + i] = (unsigned char)(riff >> (8 * i));
    memcpy(out + 36, "data", 4);
    for (i = 0; i < 4; i++)
        out[40 + i] = (unsigned char)(data >> (8 * i));
    for (i = 0; i < data; i++)
        out[44 + i] = (unsigned char)(i * 7);
    return 44 + data;
}

static unsigned char wav[44 + 4 * 1000];

static zmm_archive *make_archive(const char *path)
{
    zmm_archive *ar;
    zmm_stream *s;
    buffer b;
    zmm_member_options *o;
    zmm_pcm_layout *l;
    size_t len = make_wav(wav, 1000);

    remove(path);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    /* Options: the first version's size, then a longer struct (a newer
     * header's: unknown fields after ours), then one byte short. */
    o = short_struct(&b, THROUGH(zmm_member_options, level));
    o->block_size = 4096;
    o->level = 9;
    CHECK_OK(zmm_stream_open(ar, "a.wav", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             o, &s));
    /* PCM layout: first version, then too short. */
    l = short_struct(&b, THROUGH(zmm_pcm_layout, channels) - 1);
    CHECK_RES(zmm_detect_wav_layout(wav, len, len, l), ZMM_ERR_INVALID_ARG);
    check_untouched(&b, sizeof(size_t), "zmm_pcm_layout (refused)");
    l = short_struct(&b, THROUGH(zmm_pcm_layout, channels));
    CHECK_OK(zmm_detect_wav_layout(wav, len, len, l));
    check_untouched(&b, THROUGH(zmm_pcm_layout, channels), "zmm_pcm_layout");
    CHECK_U64(l->offset, 44);
    CHECK_U64(l->length, len - 44);
    CHECK(l->bits == 16 && l->channels == 2);
    l->struct_size = THROUGH(zmm_pcm_layout, channels) - 1;
    CHECK_RES(zmm_stream_set_pcm_layout(s, l), ZMM_ERR_INVALID_ARG);
    l->struct_size = sizeof *l + 16; /* a newer header's, longer */
    CHECK_OK(zmm_stream_set_pcm_layout(s, l));
    l->struct_size = THROUGH(zmm_pcm_layout, channels);
    CHECK_OK(zmm_stream_set_pcm_layout(s, l));
    CHECK_OK(zmm_stream_write(s, wav, len));
    CHECK_OK(zmm_stream_close(s));

    o = short_struct(&b, sizeof *o + 32);
    o->block_size = 0;
    o->level = -1;
    o->threads = 2;
    o->meta = 0; /* the other metadata fields are then not read */
    o->pcm_max_kind = 0;
    CHECK_OK(zmm_stream_open(ar, "b", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             o, &s));
    CHECK_OK(zmm_stream_write(s, "bee", 3));
    CHECK_OK(zmm_stream_close(s));
    o = short_struct(&b, THROUGH(zmm_member_options, level) - 1);
    o->block_size = 0;
    CHECK_RES(zmm_stream_open(ar, "c", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              o, &s), ZMM_ERR_INVALID_ARG);
    CHECK_OK(zmm_archive_commit(ar));
    return ar;
}

static void test_archive_info(zmm_archive *ar)
{
    size_t v1 = THROUGH(zmm_archive_info, flags);
    zmm_archive_info full;
    zmm_archive_info *old;
    buffer b;

    memset(&full, 0, sizeof full);
    full.struct_size = sizeof full;
    CHECK_OK(zmm_archive_get_info(ar, &full));
    old = short_struct(&b, v1);
    CHECK_OK(zmm_archive_get_info(ar, old));
    check_untouched(&b, v1, "zmm_archive_info");
    CHECK(old->struct_size == v1);
    CHECK_U64(old->generation, full.generation);
    CHECK_U64(old->file_size, full.file_size);
    CHECK(old->member_count == 2 && old->flags == full.flags);
    old = short_struct(&b, v1 - 1);
    CHECK_RES(zmm_archive_get_info(ar, old), ZMM_ERR_INVALID_ARG);
    check_untouched(&b, sizeof(size_t), "zmm_archive_info (refused)");
}

static void test_member_info(zmm_archive *ar)
{
    size_t v1 = THROUGH(zmm_member_info, level);
    size_t v2 = THROUGH(zmm_member_info, pcm_channels);
    zmm_member_info *mi;
    buffer b;

    /* Before PCM layouts: the first fields only. */
    mi = short_struct(&b, v1);
    CHECK_OK(zmm_archive_member_info(ar, 0, mi));
    check_untouched(&b, v1, "zmm_member_info");
    CHECK(strcmp(mi->name, "a.wav") == 0);
    CHECK(mi->block_size == 4096 && mi->level == 9);
    CHECK(mi->flags & ZMM_MEMBER_PCM);
    /* Before dictionaries: the PCM fields too. */
    mi = short_struct(&b, v2);
    CHECK_OK(zmm_archive_member_info(ar, 0, mi));
    check_untouched(&b, v2, "zmm_member_info");
    CHECK(mi->pcm_bits == 16 && mi->pcm_channels == 2);
    CHECK_U64(mi->pcm_offset, 44);
    /* Today's and a newer, longer one. */
    mi = short_struct(&b, sizeof *mi + 24);
    CHECK_OK(zmm_archive_member_info(ar, 1, mi));
    check_untouched(&b, sizeof *mi, "zmm_member_info");
    CHECK(mi->dict_length == 0 && mi->block_size == ZMM_DEFAULT_BLOCK_SIZE);
    CHECK_U64(mi->size, 3);
    mi = short_struct(&b, v1 - 1);
    CHECK_RES(zmm_archive_member_info(ar, 0, mi), ZMM_ERR_INVALID_ARG);
    check_untouched(&b, sizeof(size_t), "zmm_member_info (refused)");
}

int main(void)
{
    zmm_archive *ar;

    tu_init("test_struct_size");
    ar = make_archive("test_struct_size.zmm");
    test_archive_info(ar);
    test_member_info(ar);
    CHECK_OK(zmm_archive_close(ar));
    remove("test_struct_size.zmm");
    printf("%s: passed\n", tu_test_name);
    return 0;
}
