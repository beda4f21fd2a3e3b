/*
 * test_format_example.c -- the worked example of docs/FORMAT.md, decoded.
 *
 * The archive: one member "hi.txt", default, block size 4096, level 6, 4098
 * bytes ("hello, world\n" repeated and cut at 4096, then "!\n"), generation 3
 * in slot 0, slot 1 empty: what zmm_compact() writes for the archive made by
 * creating it (generation 1) and adding the member (generation 2). Its
 * bytes are embedded below (slot 0's 64 bytes
 * and the data area from 8192; everything else is zero) exactly as FORMAT.md
 * prints them. The test
 *   (a) decodes them on its own, following FORMAT.md field by field: its own
 *       little-endian readers, zlib's crc32() and raw inflate;
 *   (b) opens them through the library (an in-memory file) and reads the
 *       member back;
 *   (c) makes the same archive with the library (written, then compacted)
 *       and decodes that with (a)'s rules: the library still
 *       writes what the spec shows (deflate bytes may differ between zlib
 *       versions, so they are checked by decoding, not compared).
 * The second example, "hi.txt" of 200 bytes with a 130-byte preset
 * dictionary (FORMAT.md, "Worked example with a dictionary"), goes through
 * the same three steps; (a) also checks that its block does not decode
 * without the dictionary.
 * The third (a delta record) and the fourth (metadata: FORMAT.md, "Worked
 * example with metadata") have no deflate bytes, so (c) compares them byte
 * for byte; the fourth is also decoded by the spec reader of test_util.c,
 * and, (d), with compat bit 0x1 and slot bytes 48..59 cleared (what a
 * reader without the feature looks at) as an archive without metadata.
 * "test_format_example --generate" prints (c)'s bytes as the C arrays below
 * and as the hex for FORMAT.md, for the first, second and fourth examples.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "archive_file.h"
#include "test_util.h"

/* Slot 0 (offset 0), 64 bytes. */
static const unsigned char example_slot0[64] = {
    0x89, 0x5a, 0x4d, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x00, 0x40, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x20, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x52, 0x00, 0x00, 0x00, 0x92, 0x82, 0x6d, 0x50,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xae, 0x0b, 0x0f, 0xb5,
};

/* The data area (offset 8192): block 0, block 1, the directory. */
static const unsigned char example_data[] = {
    /* 0x2000: block 0, 42 bytes of raw deflate (kind 2) */
    0xed, 0xc7, 0xb1, 0x09, 0x00, 0x20, 0x0c, 0x00, 0xb0, 0xdd, 0x2b, 0x3c,
    0xc0, 0xb3, 0x14, 0x3a, 0x14, 0x0a, 0x5d, 0x7c, 0xdf, 0x3f, 0x24, 0xd9,
    0x12, 0x27, 0xb3, 0xd6, 0xbc, 0xd5, 0xb9, 0x47, 0x88, 0x88, 0x88, 0x88,
    0x88, 0x88, 0x88, 0xc8, 0x8f, 0x79,
    /* 0x202a: block 1, "!\n" stored raw (kind 1) */
    0x21, 0x0a,
    /* 0x202c: the directory, 82 bytes: "ZDIR", 1 member, flags, reserved */
    0x5a, 0x44, 0x49, 0x52, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    /* record: name_length 6, shift 12, level 6, flags 1 (default),
     * length 4098, block_count 2, "hi.txt" */
    0x06, 0x00, 0x0c, 0x06, 0x01, 0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x68, 0x69, 0x2e, 0x74,
    0x78, 0x74,
    /* block 0: offset 0x2000, size 42 | kind 2 << 24, stored_crc,
     * logical_crc */
    0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x02,
    0x3d, 0x61, 0x5a, 0x0a, 0xb5, 0xb1, 0x09, 0xb0,
    /* block 1: offset 0x202a, size 2 | kind 1 << 24, both CRCs */
    0x2a, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01,
    0x02, 0xee, 0x93, 0x2d, 0x02, 0xee, 0x93, 0x2d,
};

/* The second example: slot 0 (incompat_features 0x2, the directory at
 * 0x2016, 86 bytes) and the data area. */
static const unsigned char dict_slot0[64] = {
    0x89, 0x5a, 0x4d, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x00, 0x40, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x20, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x56, 0x00, 0x00, 0x00, 0x5f, 0xdc, 0xaf, 0xcc,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x75, 0x1a, 0xf5, 0x16,
};

static const unsigned char dict_data[] = {
    /* 0x2000: the dictionary, 18 bytes of plain raw deflate (kind 2) */
    0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x28, 0xcf, 0x2f, 0xca, 0x49,
    0xe1, 0xca, 0x18, 0x08, 0x0e, 0x00,
    /* 0x2012: block 0, 4 bytes of raw deflate preset with the dictionary */
    0x1b, 0x2e, 0x1c, 0x00,
    /* 0x2016: the directory, 86 bytes: "ZDIR", 1 member, flags, reserved */
    0x5a, 0x44, 0x49, 0x52, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    /* record: name_length 6, shift 12, level 6, flags 5 (default,
     * dictionary), length 200, block_count 1, "hi.txt" */
    0x06, 0x00, 0x0c, 0x06, 0x05, 0x00, 0x00, 0x00, 0xc8, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x68, 0x69, 0x2e, 0x74,
    0x78, 0x74,
    /* dictionary record: dict_length 130; offset 0x2000, size 18 | kind 2
     * << 24, stored_crc, logical_crc */
    0x82, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x12, 0x00, 0x00, 0x02, 0xda, 0x06, 0xbc, 0x0a, 0xd0, 0x0a, 0x9f, 0x48,
    /* block 0: offset 0x2012, size 4 | kind 2 << 24, stored_crc,
     * logical_crc */
    0x12, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02,
    0x35, 0x39, 0xf8, 0x72, 0xb4, 0x1c, 0xbd, 0x63,
};

/* ---- the expected content ------------------------------------------------ */

static unsigned char content[4098];
static unsigned char dict_text[130];    /* "hello, world\n" 10 times */
static unsigned char dict_content[200]; /* "hello, world\n" cut at 200 */

static void make_content(void)
{
    static const char line[] = "hello, world\n";
    size_t i;
    for (i = 0; i < 4096; i++)
        content[i] = (unsigned char)line[i % 13];
    content[4096] = '!';
    content[4097] = '\n';
    for (i = 0; i < sizeof dict_text; i++)
        dict_text[i] = (unsigned char)line[i % 13];
    for (i = 0; i < sizeof dict_content; i++)
        dict_content[i] = (unsigned char)line[i % 13];
}

/* ---- an independent decoder, FORMAT.md field by field -------------------- */

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint32_t crc_of(const void *p, size_t n)
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

/* Raw inflate that must end after exactly in_len and out_len bytes, with a
 * preset dictionary unless dict is NULL. */
static int raw_inflate_dict(const unsigned char *in, size_t in_len,
                            unsigned char *out, size_t out_len,
                            const unsigned char *dict, size_t dict_len)
{
    z_stream zs;
    int ret;
    memset(&zs, 0, sizeof zs);
    CHECK(inflateInit2(&zs, -15) == Z_OK);
    if (dict != NULL)
        CHECK(inflateSetDictionary(&zs, dict, (uInt)dict_len) == Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = out;
    zs.avail_out = (uInt)out_len;
    ret = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    return ret == Z_STREAM_END && zs.avail_in == 0 && zs.avail_out == 0;
}

static int raw_inflate(const unsigned char *in, size_t in_len,
                       unsigned char *out, size_t out_len)
{
    return raw_inflate_dict(in, in_len, out, out_len, NULL, 0);
}

/* Checks every field the worked example names. Returns the directory
 * offset (for the exact-value checks of the embedded bytes). */
static uint64_t decode_example(const unsigned char *f, size_t len)
{
    static const unsigned char magic[8] = {0x89, 'Z', 'M', 'M',
                                           0x0d, 0x0a, 0x1a, 0x0a};
    const unsigned char *s = f, *d, *rec, *e0, *e1;
    uint64_t dir_off, b0_off, b1_off;
    uint32_t dir_len, b0_size, b1_size, i;
    unsigned char block[4096];

    CHECK(len > 8192);
    /* Header slot 0. */
    CHECK(memcmp(s, magic, 8) == 0);
    CHECK_U64(rd16(s + 8), 1);           /* format_version */
    CHECK_U64(rd16(s + 10), 64);         /* slot_size */
    CHECK_U64(rd32(s + 12), 0);          /* incompat_features */
    CHECK_U64(rd32(s + 16), 0);          /* compat_features */
    CHECK_U64(rd32(s + 20), 0);          /* reserved */
    CHECK_U64(rd64(s + 24), 3);          /* generation */
    dir_off = rd64(s + 32);
    dir_len = rd32(s + 40);
    CHECK(dir_off >= 8192);
    CHECK(dir_len >= 16 && dir_len <= 64u << 20);
    CHECK(dir_off + dir_len == len);     /* the directory is last */
    for (i = 48; i < 60; i++)
        CHECK_U64(s[i], 0);              /* reserved */
    CHECK_U64(rd32(s + 60), crc_of(s, 60)); /* slot_crc */
    /* Zeros up to 8192: slot 0's padding and the empty slot 1. */
    for (i = 64; i < 8192; i++)
        CHECKF(f[i] == 0, "byte %u before the data area is not zero",
               (unsigned)i);

    /* The directory. */
    d = f + dir_off;
    CHECK_U64(rd32(s + 44), crc_of(d, dir_len)); /* directory_crc */
    CHECK(memcmp(d, "ZDIR", 4) == 0);
    CHECK_U64(rd32(d + 4), 1);           /* member_count */
    CHECK_U64(rd32(d + 8), 0);           /* flags */
    CHECK_U64(rd32(d + 12), 0);          /* reserved */
    rec = d + 16;
    CHECK_U64(rd16(rec), 6);             /* name_length */
    CHECK_U64(rec[2], 12);               /* block_shift */
    CHECK_U64(rec[3], 6);                /* level */
    CHECK_U64(rd32(rec + 4), 1);         /* flags: default */
    CHECK_U64(rd64(rec + 8), 4098);      /* length */
    CHECK_U64(rd32(rec + 16), 2);        /* block_count = ceil(4098/4096) */
    CHECK(memcmp(rec + 20, "hi.txt", 6) == 0);
    e0 = rec + 26;
    e1 = e0 + 20;
    CHECK_U64(16 + 20 + 6 + 2 * 20, dir_len); /* records fill it exactly */

    /* Block 0: deflate, 4096 logical bytes. */
    b0_off = rd64(e0);
    b0_size = rd32(e0 + 8) & 0xFFFFFFu;
    CHECK_U64(rd32(e0 + 8) >> 24, 2);
    CHECK_U64(b0_off, 8192);
    CHECK(b0_size >= 1 && b0_size < 4096);
    CHECK(b0_off + b0_size <= dir_off);
    CHECK_U64(rd32(e0 + 12), crc_of(f + b0_off, b0_size)); /* stored_crc */
    CHECK_U64(rd32(e0 + 16), crc_of(content, 4096));       /* logical_crc */
    CHECK(raw_inflate(f + b0_off, b0_size, block, 4096));
    CHECK_MEM(block, content, 4096);

    /* Block 1: raw, the 2 bytes "!\n". */
    b1_off = rd64(e1);
    b1_size = rd32(e1 + 8) & 0xFFFFFFu;
    CHECK_U64(rd32(e1 + 8) >> 24, 1);
    CHECK_U64(b1_size, 2);
    CHECK_U64(b1_off, b0_off + b0_size);
    CHECK(b1_off + b1_size <= dir_off);
    CHECK_U64(b1_off + b1_size, dir_off);
    CHECK(memcmp(f + b1_off, "!\n", 2) == 0);
    CHECK_U64(rd32(e1 + 12), crc_of("!\n", 2));
    CHECK_U64(rd32(e1 + 16), crc_of("!\n", 2));
    return dir_off;
}

/* The second example, field by field: a dictionary record after the name,
 * the dictionary a plain deflate block, block 0 deflated with it. */
static uint64_t decode_dict_example(const unsigned char *f, size_t len)
{
    const unsigned char *s = f, *d, *rec, *dr, *e0;
    uint64_t dir_off, dict_off, b0_off;
    uint32_t dir_len, dict_size, b0_size, i;
    unsigned char dict[130], block[200];

    CHECK(len > 8192);
    CHECK_U64(rd16(s + 8), 1);           /* format_version: still 1 */
    CHECK_U64(rd32(s + 12), 0x2);        /* incompat_features: dict */
    CHECK_U64(rd32(s + 16), 0);
    CHECK_U64(rd64(s + 24), 3);          /* generation */
    dir_off = rd64(s + 32);
    dir_len = rd32(s + 40);
    CHECK(dir_off + dir_len == len);
    CHECK_U64(rd32(s + 60), crc_of(s, 60));
    for (i = 64; i < 8192; i++)
        CHECKF(f[i] == 0, "byte %u before the data area is not zero",
               (unsigned)i);
    d = f + dir_off;
    CHECK_U64(rd32(s + 44), crc_of(d, dir_len));
    CHECK(memcmp(d, "ZDIR", 4) == 0);
    CHECK_U64(rd32(d + 4), 1);
    rec = d + 16;
    CHECK_U64(rd16(rec), 6);
    CHECK_U64(rec[2], 12);
    CHECK_U64(rec[3], 6);
    CHECK_U64(rd32(rec + 4), 0x5);       /* flags: default, dictionary */
    CHECK_U64(rd64(rec + 8), 200);
    CHECK_U64(rd32(rec + 16), 1);
    CHECK(memcmp(rec + 20, "hi.txt", 6) == 0);
    dr = rec + 26;                       /* no PCM layout: the dictionary */
    e0 = dr + 24;
    CHECK_U64(16 + 20 + 6 + 24 + 20, dir_len);

    /* The dictionary record: dict_length, then a block entry for it. */
    CHECK_U64(rd32(dr), 130);
    dict_off = rd64(dr + 4);
    dict_size = rd32(dr + 12) & 0xFFFFFFu;
    CHECK_U64(rd32(dr + 12) >> 24, 2);   /* deflate, plain */
    CHECK_U64(dict_off, 8192);
    CHECK(dict_size >= 1 && dict_size < 130);
    CHECK_U64(rd32(dr + 16), crc_of(f + dict_off, dict_size));
    CHECK_U64(rd32(dr + 20), crc_of(dict_text, 130));
    CHECK(raw_inflate(f + dict_off, dict_size, dict, 130));
    CHECK_MEM(dict, dict_text, 130);

    /* Block 0: deflate preset with the dictionary. */
    b0_off = rd64(e0);
    b0_size = rd32(e0 + 8) & 0xFFFFFFu;
    CHECK_U64(rd32(e0 + 8) >> 24, 2);
    CHECK_U64(b0_off, dict_off + dict_size);
    CHECK_U64(b0_off + b0_size, dir_off);
    CHECK(b0_size >= 1 && b0_size < 200);
    CHECK_U64(rd32(e0 + 12), crc_of(f + b0_off, b0_size));
    CHECK_U64(rd32(e0 + 16), crc_of(dict_content, 200));
    CHECK(raw_inflate_dict(f + b0_off, b0_size, block, 200, dict, 130));
    CHECK_MEM(block, dict_content, 200);
    /* It refers into the dictionary: without it, it does not decode. */
    CHECK(!raw_inflate(f + b0_off, b0_size, block, 200));
    return dir_off;
}

/* ---- through the library ------------------------------------------------- */

static void read_through_library(const unsigned char *f, size_t len)
{
    zmm_archive *ar = NULL;
    zmm_member_info info;
    zmm_archive_info ai;
    zmm_stream *s = NULL;
    unsigned char buf[5000];
    size_t got = 0, index = 9;

    CHECK_OK(tu_open_bytes(f, len, ZMM_OPEN_READ, &ar));
    memset(&ai, 0, sizeof ai);
    ai.struct_size = sizeof ai;
    CHECK_OK(zmm_archive_get_info(ar, &ai));
    CHECK_U64(ai.format_version, 1);
    CHECK_U64(ai.generation, 3);
    CHECK_U64(ai.file_size, len);
    CHECK_U64(ai.garbage_bytes, 0);
    CHECK_U64(ai.member_count, 1);
    CHECK_OK(zmm_archive_find(ar, "", &index));
    CHECK_U64(index, 0);
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_member_info(ar, 0, &info));
    CHECK(strcmp(info.name, "hi.txt") == 0);
    CHECK_U64(info.size, 4098);
    CHECK_U64(info.block_size, 4096);
    CHECK_U64(info.block_count, 2);
    CHECK_U64(info.level, 6);
    CHECK_U64(info.flags, ZMM_MEMBER_DEFAULT);
    CHECK_U64(info.packed_size, len - 8192 - (16 + 26 + 40));
    CHECK_OK(zmm_archive_verify_member(ar, "hi.txt", NULL));
    CHECK_OK(zmm_stream_open(ar, "", ZMM_STREAM_READ, NULL, &s));
    CHECK_OK(zmm_stream_read(s, buf, sizeof buf, &got));
    CHECK_U64(got, 4098);
    CHECK_MEM(buf, content, 4098);
    CHECK_OK(zmm_stream_seek(s, 4090, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_read(s, buf, 100, &got));
    CHECK_U64(got, 8);
    CHECK_MEM(buf, content + 4090, 8);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
}

static void read_dict_through_library(const unsigned char *f, size_t len)
{
    zmm_archive *ar = NULL;
    zmm_member_info info;
    zmm_stream *s = NULL;
    unsigned char buf[300];
    size_t got = 0;

    CHECK_OK(tu_open_bytes(f, len, ZMM_OPEN_READ, &ar));
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_member_info(ar, 0, &info));
    CHECK_U64(info.flags, ZMM_MEMBER_DEFAULT | ZMM_MEMBER_DICT);
    CHECK_U64(info.dict_length, 130);
    CHECK_U64(info.size, 200);
    CHECK_U64(info.packed_size, len - 8192 - (16 + 26 + 24 + 20));
    CHECK_OK(zmm_archive_verify_member(ar, "hi.txt", NULL));
    CHECK_OK(zmm_stream_open(ar, "", ZMM_STREAM_READ, NULL, &s));
    CHECK_OK(zmm_stream_seek(s, 190, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_read(s, buf, 100, &got));
    CHECK_U64(got, 10);
    CHECK_MEM(buf, dict_content + 190, 10);
    CHECK_OK(zmm_stream_seek(s, 0, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_read(s, buf, sizeof buf, &got));
    CHECK_U64(got, 200);
    CHECK_MEM(buf, dict_content, 200);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
}

/* The example made by the library: written, then compacted into a new file
 * whose one state (the next generation, 3) is in slot 0. With `dict`, the
 * second example. */
static unsigned char *make_with_library_as(size_t *len, int dict)
{
    char path[256];
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;
    unsigned char *bytes;
    tu_temp_path(path, sizeof path, "hi.zmm");
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 4096;
    o.level = 6;
    CHECK_OK(zmm_stream_open(ar, "hi.txt",
                             ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, &o, &s));
    if (dict) {
        CHECK_OK(zmm_stream_set_dictionary(s, dict_text, sizeof dict_text));
        CHECK_OK(zmm_stream_write(s, dict_content, sizeof dict_content));
    } else {
        CHECK_OK(zmm_stream_write(s, content, sizeof content));
    }
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_compact(path, NULL));
    bytes = tu_read_file(path, len);
    CHECK(bytes != NULL);
    remove(path);
    return bytes;
}

static unsigned char *make_with_library(size_t *len)
{
    return make_with_library_as(len, 0);
}

static void print_array(const char *name, const unsigned char *p, size_t n)
{
    size_t i;
    printf("static const unsigned char %s[%s] = {", name,
           n == 64 ? "64" : "");
    for (i = 0; i < n; i++)
        printf("%s0x%02x,", i % 12 ? " " : "\n    ", p[i]);
    printf("\n};\n");
}

static void print_hex(const unsigned char *p, size_t n, size_t base)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (i % 16 == 0)
            printf("%s%04llx:", i ? "\n" : "", (unsigned long long)(base + i));
        printf(i % 16 == 8 ? "  %02x" : " %02x", p[i]);
    }
    printf("\n");
}

/* ---- the third example: a delta record (FORMAT.md) ------------------------ */

/* Both slots and the data area of "Worked example with a delta record". */
static const unsigned char delta_slot0[64] = {
    0x89, 0x5a, 0x4d, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x00, 0x40, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4b, 0x20, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0x01, 0x6b, 0xb8, 0x0c,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x41, 0xa5, 0xe0, 0xf1,
};
static const unsigned char delta_slot1[64] = {
    0x89, 0x5a, 0x4d, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x00, 0x40, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x20, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x39, 0x00, 0x00, 0x00, 0x38, 0x40, 0xa4, 0xef,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x1e, 0x36, 0xe5, 0x64,
};
static const unsigned char delta_data[147] = {
    0x5a, 0x44, 0x49, 0x52, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x5a, 0x44, 0x49, 0x52, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0c, 0x06,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x72, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x21, 0x0a, 0x5a, 0x44, 0x4c, 0x54, 0x01, 0x00, 0x00, 0x00, 0x10,
    0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x39, 0x00, 0x00, 0x00, 0x38,
    0x40, 0xa4, 0xef, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x49, 0x20, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x02, 0xee, 0x93, 0x2d, 0x02,
    0xee, 0x93, 0x2d,
};

/* Makes the example with the library: 4096 zeros committed, then "!\n"
 * published by a checkpoint. */
static unsigned char *make_delta_example(size_t *len)
{
    static const unsigned char zeros[4096];
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;
    zmm_checkpoint_policy p;
    unsigned char *bytes;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 4096;
    o.level = 6;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.bytes = 1;
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    CHECK_OK(zmm_stream_open(ar, "r", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    CHECK_OK(zmm_stream_write(s, zeros, sizeof zeros));
    CHECK_OK(zmm_archive_commit(ar));
    CHECK_OK(zmm_archive_set_checkpoints(ar, &p));
    CHECK_OK(zmm_stream_write(s, "!\n", 2));
    CHECK_U64(zmm_archive_checkpoints(ar), 1);
    bytes = tu_memfile_copy(mem, len); /* before the close folds it */
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
    return bytes;
}

static void delta_example(void)
{
    size_t len = 8192 + sizeof delta_data, made_len, got = 0;
    unsigned char *file = tu_xcalloc(len), *made, back[4098 + 1];
    const unsigned char *rec;
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    size_t i;

    memcpy(file, delta_slot0, 64);
    memcpy(file + 4096, delta_slot1, 64);
    memcpy(file + 8192, delta_data, sizeof delta_data);
    tu_set_context("(a) the delta example's fields, as FORMAT.md prints them");
    CHECK_U64(rd32(file + 12), 0x4);             /* incompat: delta */
    CHECK_U64(rd64(file + 24), 3);               /* generation */
    CHECK_U64(rd64(file + 32), 0x204b);          /* the delta record */
    CHECK_U64(rd32(file + 40), 72);
    CHECK_U64(crc_of(file + 0x204b, 72), rd32(file + 44));
    CHECK_U64(crc_of(file, 60), rd32(file + 60));
    rec = file + 0x204b;
    CHECK(memcmp(rec, "ZDLT", 4) == 0);
    CHECK_U64(rd32(rec + 4), 1);                 /* one change */
    CHECK_U64(rd64(rec + 8), 0x2010);            /* base: slot 1's */
    CHECK_U64(rd64(rec + 8), rd64(file + 4096 + 32));
    CHECK_U64(rd32(rec + 16), 57);
    CHECK_U64(rd32(rec + 20), crc_of(file + 0x2010, 57));
    CHECK_U64(rd32(rec + 32), 0);                /* member 0 */
    CHECK_U64(rd32(rec + 36), 1);                /* first_block */
    CHECK_U64(rd64(rec + 40), 4098);             /* length */
    CHECK_U64(rd32(rec + 48), 1);                /* entries */
    CHECK_U64(rd64(rec + 52), 0x2049);           /* block 1's offset */
    CHECK_U64(rd32(rec + 60), 2u | (1u << 24));  /* 2 bytes, raw */
    CHECK_U64(rd32(rec + 64), 0x2d93ee02);       /* CRC-32 of "!\n" */

    tu_set_context("(b) reading the delta example with the library");
    CHECK_OK(tu_open_bytes(file, len, ZMM_OPEN_READ, &ar));
    CHECK_OK(zmm_stream_open(ar, "r", ZMM_STREAM_READ, NULL, &s));
    CHECK_U64(zmm_stream_size(s), 4098);
    CHECK_OK(zmm_stream_read(s, back, sizeof back, &got));
    CHECK_U64(got, 4098);
    for (i = 0; i < 4096; i++)
        CHECK(back[i] == 0);
    CHECK(back[4096] == '!' && back[4097] == '\n');
    zmm_stream_close(s);
    zmm_archive_close(ar);

    tu_set_context("(c) the delta example made by the library now");
    made = make_delta_example(&made_len);
    /* No deflate in it: the library must make it byte for byte. */
    CHECK_U64(made_len, len);
    CHECK(made_len == len && memcmp(made, file, len) == 0);
    free(made);
    free(file);
}

/* ---- the fourth example: metadata (FORMAT.md) ------------------------------ */

/* Slot 0 and the data area of "Worked example with metadata". */
static const unsigned char meta_slot0[64] = {
    0x89, 0x5a, 0x4d, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a, 0x01, 0x00, 0x40, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x20, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x3e, 0x00, 0x00, 0x00, 0x57, 0xab, 0xb3, 0x7a,
    0x0d, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
    0xe5, 0x91, 0x0e, 0xca,
};
static const unsigned char meta_data[] = {
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77, 0x6f, 0x72, 0x6c, 0x64,
    0x0a, 0x5a, 0x4d, 0x45, 0x54, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
    0x00, 0x4d, 0x5b, 0x57, 0x71, 0xe4, 0x95, 0x27, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x00, 0x65, 0xcd, 0x1d, 0xa4, 0x01, 0x03, 0x00, 0x5a, 0x44, 0x49,
    0x52, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x06, 0x00, 0x0c, 0x06, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x68, 0x69, 0x2e,
    0x74, 0x78, 0x74, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d,
    0x00, 0x00, 0x01, 0x53, 0x74, 0x24, 0xf4, 0x53, 0x74, 0x24, 0xf4,
};

#define META_MTIME (-14182940) /* 1969-07-20 20:17:40 UTC */

/* The example made by the library: "hi.txt" of "hello, world\n" (13 bytes,
 * stored raw: deflate does not shrink them), mtime half a second after
 * META_MTIME, mode 0644, compacted (generation 3 in slot 0). */
static unsigned char *make_meta_example(size_t *len)
{
    char path[256];
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;
    unsigned char *bytes;

    tu_temp_path(path, sizeof path, "meta.zmm");
    remove(path);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 4096;
    o.level = 6;
    o.meta = ZMM_META_MTIME | ZMM_META_MODE;
    o.mtime = META_MTIME;
    o.mtime_nsec = 500000000;
    o.mode = 0644;
    CHECK_OK(zmm_stream_open(ar, "hi.txt",
                             ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, &o, &s));
    CHECK_OK(zmm_stream_write(s, content, 13));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_compact(path, NULL));
    bytes = tu_read_file(path, len);
    CHECK(bytes != NULL);
    remove(path);
    return bytes;
}

static void meta_example(void)
{
    size_t len = 8192 + sizeof meta_data, made_len, got = 0;
    unsigned char *file, *made, back[20];
    const unsigned char *t, *r;
    tu_fmt_archive fa;
    zmm_archive *ar = NULL;
    zmm_member_info mi;
    zmm_stream *s = NULL;
    const char *err;

    CHECKF(sizeof meta_data > 1, "the metadata example's bytes are "
           "missing: run test_format_example --generate");
    file = tu_xcalloc(len);
    memcpy(file, meta_slot0, 64);
    memcpy(file + 8192, meta_data, sizeof meta_data);

    tu_set_context("(a) the metadata example's fields, as FORMAT.md prints "
                   "them");
    CHECK_U64(rd32(file + 12), 0);               /* incompat: none */
    CHECK_U64(rd32(file + 16), 0x1);             /* compat: metadata */
    CHECK_U64(rd64(file + 24), 3);               /* generation */
    CHECK_U64(rd64(file + 32), 0x202d);          /* the directory */
    CHECK_U64(rd32(file + 40), 62);
    CHECK_U64(rd32(file + 44), crc_of(file + 0x202d, 62));
    CHECK_U64(rd64(file + 48), 0x200d);          /* meta_offset */
    CHECK_U64(rd32(file + 56), 32);              /* meta_length */
    CHECK_U64(rd32(file + 60), crc_of(file, 60));
    t = file + 0x200d;
    CHECK(memcmp(t, "ZMET", 4) == 0);
    CHECK_U64(rd32(t + 4), 1);                   /* member_count */
    CHECK_U64(rd32(t + 8), 16);                  /* record_size */
    CHECK_U64(rd32(t + 12), crc_of(t + 16, 16)); /* records_crc */
    r = t + 16;
    CHECK_U64(rd64(r), (uint64_t)(int64_t)META_MTIME); /* s64 mtime */
    CHECK_U64(rd32(r + 8), 500000000);           /* mtime_nsec */
    CHECK_U64(rd16(r + 12), 0644);               /* mode */
    CHECK_U64(rd16(r + 14), 3);                  /* flags: both */
    CHECK(memcmp(file + 0x2000, content, 13) == 0); /* block 0, raw */
    /* The independent reader of the whole format agrees. */
    err = tu_fmt_parse(file, len, 1, &fa);
    CHECKF(err == NULL, "spec reader: %s", err);
    CHECK_U64(fa.members[0].meta, 3);
    CHECK_U64((uint64_t)fa.members[0].mtime, (uint64_t)(int64_t)META_MTIME);
    CHECK_U64(fa.members[0].mode, 0644);
    tu_fmt_free(&fa);

    tu_set_context("(b) reading the metadata example with the library");
    CHECK_OK(tu_open_bytes(file, len, ZMM_OPEN_READ, &ar));
    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    CHECK_OK(zmm_archive_member_info(ar, 0, &mi));
    CHECK_U64(mi.meta, ZMM_META_MTIME | ZMM_META_MODE);
    CHECK_U64((uint64_t)mi.mtime, (uint64_t)(int64_t)META_MTIME);
    CHECK_U64(mi.mtime_nsec, 500000000);
    CHECK_U64(mi.mode, 0644);
    CHECK_OK(zmm_stream_open(ar, "", ZMM_STREAM_READ, NULL, &s));
    CHECK_OK(zmm_stream_read(s, back, sizeof back, &got));
    CHECK_U64(got, 13);
    CHECK_MEM(back, content, 13);
    zmm_stream_close(s);
    zmm_archive_close(ar);

    tu_set_context("(c) the metadata example made by the library now");
    made = make_meta_example(&made_len);
    /* No deflate in it: the library must make it byte for byte. */
    CHECK_U64(made_len, len);
    CHECK(made_len == len && memcmp(made, file, len) == 0);
    free(made);

    /* (d) What a reader without the feature reads: the slot with bit 0x1
     * and bytes 48..59 ignored is a valid archive without metadata; the
     * table, outside the directory, is never looked at. */
    tu_set_context("(d) the metadata example by the rules before it");
    memset(file + 16, 0, 4);
    memset(file + 48, 0, 12);
    {
        uint32_t c = crc_of(file, 60);

        file[60] = (unsigned char)c;
        file[61] = (unsigned char)(c >> 8);
        file[62] = (unsigned char)(c >> 16);
        file[63] = (unsigned char)(c >> 24);
    }
    err = tu_fmt_parse(file, len, 1, &fa);
    CHECKF(err == NULL, "spec reader, no metadata: %s", err);
    CHECK_U64(fa.members[0].meta, 0);
    tu_fmt_free(&fa);
    free(file);
}

int main(int argc, char **argv)
{
    unsigned char *file, *made;
    size_t len, made_len;
    uint64_t dir_off;

    tu_init("test_format_example");
    make_content();

    if (argc == 2 && strcmp(argv[1], "--generate") == 0) {
        made = make_with_library(&made_len);
        tu_set_context("the archive the library makes now");
        decode_example(made, made_len);
        print_array("example_slot0", made, 64);
        print_array("example_data", made + 8192, made_len - 8192);
        printf("\nslot 0:\n");
        print_hex(made, 64, 0);
        printf("\ndata area:\n");
        print_hex(made + 8192, made_len - 8192, 8192);
        free(made);
        made = make_with_library_as(&made_len, 1);
        tu_set_context("the dictionary example the library makes now");
        decode_dict_example(made, made_len);
        print_array("dict_slot0", made, 64);
        print_array("dict_data", made + 8192, made_len - 8192);
        printf("\nslot 0:\n");
        print_hex(made, 64, 0);
        printf("\ndata area:\n");
        print_hex(made + 8192, made_len - 8192, 8192);
        free(made);
        made = make_meta_example(&made_len);
        print_array("meta_slot0", made, 64);
        print_array("meta_data", made + 8192, made_len - 8192);
        printf("\nslot 0:\n");
        print_hex(made, 64, 0);
        printf("\ndata area:\n");
        print_hex(made + 8192, made_len - 8192, 8192);
        free(made);
        return 0;
    }

    /* The embedded bytes: slot 0, zeros, the data area. */
    len = 8192 + sizeof example_data;
    CHECKF(sizeof example_data > 1,
           "the example bytes are missing: run test_format_example "
           "--generate");
    file = tu_xcalloc(len);
    memcpy(file, example_slot0, 64);
    memcpy(file + 8192, example_data, sizeof example_data);

    tu_set_context("(a) decoding FORMAT.md's worked example by the spec");
    dir_off = decode_example(file, len);
    /* The values FORMAT.md prints. */
    CHECK_U64(dir_off, 0x202c);
    CHECK_U64(len - dir_off, 82);
    CHECK_U64(rd32(file + 44), 0x506d8292);      /* directory_crc */
    CHECK_U64(rd32(file + 60), 0xb50f0bae);      /* slot_crc */
    CHECK_U64(rd32(file + dir_off + 54), 0x0a5a613d); /* block 0 CRCs */
    CHECK_U64(rd32(file + dir_off + 58), 0xb009b1b5);
    CHECK_U64(rd32(file + dir_off + 74), 0x2d93ee02); /* CRC-32 of "!\n" */
    CHECK_U64(crc_of("123456789", 9), 0xCBF43926);  /* FORMAT.md's check */

    tu_set_context("(b) reading FORMAT.md's worked example with the library");
    read_through_library(file, len);

    tu_set_context("(c) the same archive made by the library now");
    made = make_with_library(&made_len);
    decode_example(made, made_len);
    read_through_library(made, made_len);
    if (made_len == len && memcmp(made, file, len) == 0)
        printf("%s: the library makes the example byte for byte\n",
               tu_test_name);
    else
        printf("%s: the library's deflate bytes differ from the example "
               "(another zlib?); both decode by the spec\n", tu_test_name);
    free(made);
    free(file);

    /* The second example, the same three ways. */
    len = 8192 + sizeof dict_data;
    CHECKF(sizeof dict_data > 1, "the dictionary example's bytes are "
           "missing: run test_format_example --generate");
    file = tu_xcalloc(len);
    memcpy(file, dict_slot0, 64);
    memcpy(file + 8192, dict_data, sizeof dict_data);
    tu_set_context("(a) decoding FORMAT.md's dictionary example by the spec");
    dir_off = decode_dict_example(file, len);
    CHECK_U64(len - dir_off, 86);
    tu_set_context("(b) reading FORMAT.md's dictionary example with the "
                   "library");
    read_dict_through_library(file, len);
    tu_set_context("(c) the dictionary example made by the library now");
    made = make_with_library_as(&made_len, 1);
    decode_dict_example(made, made_len);
    read_dict_through_library(made, made_len);
    if (made_len == len && memcmp(made, file, len) == 0)
        printf("%s: the library makes the dictionary example byte for "
               "byte\n", tu_test_name);
    free(made);
    free(file);

    delta_example();
    meta_example();
    printf("%s: passed\n", tu_test_name);
    return 0;
}
