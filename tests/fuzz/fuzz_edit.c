/*
 * fuzz_edit.c -- libFuzzer target: hostile archives whose every CRC is
 * right, because the library itself wrote them.
 *
 * A valid archive is made once: members of every block kind (deflate text,
 * raw noise, zeros, PCM blocks of 16-bit stereo and 8-bit mono audio) and
 * one with a preset dictionary. Each input is a list of edits, 6 bytes
 * each, made to that archive's directory in memory (white box:
 * archive_private.h) -- block entries copied between members, kinds, stored
 * sizes, offsets and logical CRCs changed, the last block's length, member
 * flags, PCM layouts and dictionary references -- before the library
 * commits it. So the slot, the directory and every stored block pass their
 * CRCs, and only the reader's own rules (and the logical CRCs) stand
 * between the edit and the bytes returned. The result then goes through
 * every check of fuzz_archive.c (fuzz_check_archive).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "archive_private.h"
#include "platform.h"
#include "zmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_check_archive(const uint8_t *data, size_t size);

static unsigned char *base;
static size_t base_len;

static void put(zmm_archive *ar, const char *name, uint32_t block_size,
                const void *data, size_t len, unsigned bits,
                unsigned channels, int with_dict)
{
    zmm_member_options o;
    zmm_stream *s = NULL;

    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = block_size;
    o.level = 6;
    if (zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, &o,
                        &s) != ZMM_OK)
        abort();
    if (bits != 0) {
        zmm_pcm_layout l;

        memset(&l, 0, sizeof l);
        l.struct_size = sizeof l;
        l.offset = 44;
        l.length = len - 44;
        l.bits = bits;
        l.channels = channels;
        if (zmm_stream_set_pcm_layout(s, &l) != ZMM_OK)
            abort();
    }
    if (with_dict && zmm_stream_set_dictionary(s, data, 2000) != ZMM_OK)
        abort();
    if (zmm_stream_write(s, data, len) != ZMM_OK ||
        zmm_stream_close(s) != ZMM_OK)
        abort();
}

/* The valid archive every input starts from. */
static void make_base(void)
{
    enum { N = 20000 };
    static unsigned char text[N], noise[N], zeros[N], wav16[N], wav8[N];
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    uint32_t x = 12345, i;
    const unsigned char *d;

    for (i = 0; i < N; i++) {
        static const char words[] = "the quick brown fox jumps over a dog ";

        x = x * 1103515245u + 12345u;
        text[i] = (unsigned char)words[(i * 7 + (x >> 28)) % 37];
        noise[i] = (unsigned char)(x >> 24);
        /* a slow wave with a little noise: PCM blocks win */
        wav16[i] = (unsigned char)((i & 1) ? (i / 400) & 0x0f : (x >> 30));
        wav8[i] = (unsigned char)(128 + ((i / 16) % 32) - 16);
    }
    if (mem == NULL ||
        zmm_archive_open_file(mem, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar) !=
            ZMM_OK)
        abort();
    put(ar, "text.txt", 4096, text, N, 0, 0, 0);
    put(ar, "noise.bin", 8192, noise, N, 0, 0, 0);
    put(ar, "zeros.bin", 4096, zeros, N, 0, 0, 0);
    put(ar, "s16.wav", 8192, wav16, N, 16, 2, 0);
    put(ar, "u8.wav", 4096, wav8, N, 8, 1, 0);
    put(ar, "dict.txt", 4096, text, N, 0, 0, 1);
    if (zmm_archive_commit(ar) != ZMM_OK)
        abort();
    d = zmm_memfile_data(mem, &base_len);
    base = malloc(base_len);
    if (base == NULL)
        abort();
    memcpy(base, d, base_len);
    zmm_archive_close(ar);
}

static zmm_block_ref *some_block(zmm_archive *ar, unsigned a, unsigned b)
{
    zmm_member *m = ar->dir.members[a % ar->dir.count];

    return m->block_count ? &m->blocks[b % m->block_count] : NULL;
}

/* One edit: op, two indexes, a 24-bit value. */
static void edit(zmm_archive *ar, const uint8_t *e)
{
    unsigned op = e[0] % 10, a = e[1], b = e[2];
    uint32_t v = (uint32_t)e[3] | (uint32_t)e[4] << 8 | (uint32_t)e[5] << 16;
    zmm_member *m = ar->dir.members[a % ar->dir.count];
    zmm_block_ref *ref = some_block(ar, a, b), *other;
    uint32_t size = 1u << m->block_shift;

    switch (op) {
    case 0: /* a block entry copied from another member's */
        other = some_block(ar, v, v >> 8);
        if (ref != NULL && other != NULL)
            *ref = *other;
        break;
    case 1:
        if (ref != NULL)
            ref->kind = (unsigned char)(v % 6);
        break;
    case 2:
        if (ref != NULL)
            ref->stored_size = (v & 1) ? (ref->stored_size + (v >> 1)) &
                                             0xffffffu
                                       : (v >> 1) % (size + 64);
        break;
    case 3:
        if (ref != NULL)
            ref->offset = (v & 1) ? ref->offset + (v >> 1) % 64 - 32
                                  : (uint64_t)(v >> 1);
        break;
    case 4:
        if (ref != NULL)
            ref->logical_crc = (v & 1) ? ref->stored_crc : v;
        break;
    case 5: /* the last block's length, the block count kept */
        if (m->block_count > 0)
            m->length = (uint64_t)(m->block_count - 1) * size + 1 +
                        v % size;
        break;
    case 6:
        m->flags ^= 1u << (v % 3);
        break;
    case 7: /* a PCM layout, however odd */
        m->flags |= ZMM_MEMBER_PCM;
        m->pcm.offset = v % 97;
        m->pcm.length = (uint64_t)v * 3;
        m->pcm.bits = 8u << (b % 4);
        m->pcm.channels = 1 + b % 8;
        break;
    case 8: /* the dictionary: another block's bytes, a length */
        other = some_block(ar, v, b);
        if (other != NULL) {
            m->flags |= ZMM_MEMBER_DICT;
            m->dict = *other;
            m->dict_length = 1 + v % 32768;
        }
        break;
    default: /* a block's offset made another's, its own CRCs kept */
        other = some_block(ar, v, b);
        if (ref != NULL && other != NULL)
            ref->offset = other->offset;
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zmm_file *mem;
    zmm_archive *ar = NULL;
    const unsigned char *d;
    unsigned char *copy;
    size_t i, len;

    if (base == NULL)
        make_base();
    mem = zmm_memfile_new(base, base_len);
    if (mem == NULL)
        return 0;
    if (zmm_archive_open_file(mem, ZMM_OPEN_WRITE, &ar) != ZMM_OK)
        abort(); /* the base archive is valid */
    for (i = 0; i + 6 <= size && i < 6 * 64; i += 6)
        edit(ar, data + i);
    ar->modified = 1;
    if (zmm_archive_commit(ar) != ZMM_OK) {
        zmm_archive_close(ar);
        return 0;
    }
    d = zmm_memfile_data(mem, &len);
    copy = malloc(len + 64);
    if (copy != NULL) {
        /* fuzz_archive's seek script reads the input's last bytes: the
         * rest of this input, after its edits */
        memcpy(copy, d, len);
        memset(copy + len, 0, 64);
        if (size > 6 * 64)
            memcpy(copy + len, data + 6 * 64,
                   size - 6 * 64 < 64 ? size - 6 * 64 : 64);
        fuzz_check_archive(copy, len + 64);
        free(copy);
    }
    zmm_archive_close(ar);
    return 0;
}
