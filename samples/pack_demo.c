/*
 * pack_demo -- packs one file into a ZMM archive with the core library, reads
 * it back and checks it byte for byte. A client of include/zmm.h only, as any
 * application would be.
 *
 *   pack_demo INPUT ARCHIVE [MEMBER]
 *
 * Creates ARCHIVE if missing and stores INPUT as member MEMBER (default: the
 * file name of INPUT), replacing a member of that name. Then reopens the
 * archive read-only, reads the member back, compares it with INPUT, verifies
 * every block's CRCs, and prints the sizes, the ratio and the member list.
 * Exits 0 only when the round trip is exact. Paths are UTF-8 (on Windows, keep
 * them ASCII: argv arrives in the ANSI code page).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmm.h"

#define CHUNK 100000u /* deliberately not a multiple of the block size */

static int fail(const char *what, zmm_result r, long os_error)
{
    if (os_error != 0)
        fprintf(stderr, "pack_demo: %s: %s (OS error %ld)\n", what,
                zmm_strerror(r), os_error);
    else
        fprintf(stderr, "pack_demo: %s: %s\n", what, zmm_strerror(r));
    return 1;
}

/* Reads a whole file into a new buffer; NULL with a message on failure. */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL) {
        perror(path);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1u << 20;
            unsigned char *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                fprintf(stderr, "pack_demo: out of memory\n");
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        perror(path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* The last path component of `path` (after '/' or '\\'). */
static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

static int pack(const char *archive, const char *member,
                const unsigned char *data, size_t len)
{
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    long os_error = 0;
    zmm_result r;

    r = zmm_archive_open(archive, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                         &os_error);
    if (r != ZMM_OK)
        return fail(archive, r, os_error);
    r = zmm_stream_open(ar, member,
                        ZMM_STREAM_WRITE | ZMM_STREAM_CREATE | ZMM_STREAM_TRUNCATE,
                        NULL, &s);
    if (r != ZMM_OK) {
        zmm_archive_close(ar);
        return fail(member, r, 0);
    }
    for (size_t off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        r = zmm_stream_write(s, data + off, n);
        if (r != ZMM_OK) {
            zmm_stream_close(s);
            zmm_archive_close(ar);
            return fail("write", r, 0);
        }
    }
    r = zmm_stream_close(s);
    if (r != ZMM_OK) {
        zmm_archive_close(ar);
        return fail("close member", r, 0);
    }
    /* Closing commits: the only place a failed delayed write shows up. */
    r = zmm_archive_close(ar);
    if (r != ZMM_OK)
        return fail("commit", r, 0);
    return 0;
}

static int check(const char *archive, const char *member,
                 const unsigned char *data, size_t len)
{
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_archive_info info;
    long os_error = 0;
    unsigned char *buf;
    size_t off = 0, got = 0;
    uint32_t bad_block = 0;
    int status = 1;
    zmm_result r;

    r = zmm_archive_open(archive, ZMM_OPEN_READ, &ar, &os_error);
    if (r != ZMM_OK)
        return fail(archive, r, os_error);
    buf = malloc(CHUNK);
    if (buf == NULL) {
        fprintf(stderr, "pack_demo: out of memory\n");
        goto out;
    }

    r = zmm_stream_open(ar, member, ZMM_STREAM_READ, NULL, &s);
    if (r != ZMM_OK) {
        fail(member, r, 0);
        goto out;
    }
    for (;;) {
        r = zmm_stream_read(s, buf, CHUNK, &got);
        if (r != ZMM_OK) {
            fail("read", r, 0);
            goto out;
        }
        if (got == 0)
            break;
        if (got > len - off || memcmp(buf, data + off, got) != 0) {
            fprintf(stderr, "pack_demo: MISMATCH in the %zu bytes read at offset %zu\n",
                    got, off);
            goto out;
        }
        off += got;
    }
    if (off != len) {
        fprintf(stderr, "pack_demo: MISMATCH: read back %zu bytes, expected %zu\n",
                off, len);
        goto out;
    }
    r = zmm_archive_verify_member(ar, member, &bad_block);
    if (r != ZMM_OK) {
        fprintf(stderr, "pack_demo: verify: %s at block %" PRIu32 "\n",
                zmm_strerror(r), bad_block);
        goto out;
    }

    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    r = zmm_archive_get_info(ar, &info);
    if (r != ZMM_OK) {
        fail("archive info", r, 0);
        goto out;
    }
    printf("original:   %zu bytes\n", len);
    printf("archive:    %" PRIu64 " bytes (format version %u, generation %" PRIu64 ")\n",
           info.file_size, info.format_version, info.generation);
    if (len > 0)
        printf("ratio:      %.3f (archive / original), %.2fx smaller\n",
               (double)info.file_size / (double)len,
               info.file_size ? (double)len / (double)info.file_size : 0.0);
    printf("members:    %zu\n", info.member_count);
    for (size_t i = 0; i < info.member_count; i++) {
        zmm_member_info mi;
        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        r = zmm_archive_member_info(ar, i, &mi);
        if (r != ZMM_OK) {
            fail("member info", r, 0);
            goto out;
        }
        printf("  %-24s %10" PRIu64 " -> %10" PRIu64 " bytes, %" PRIu32
               " blocks of %" PRIu32 "%s\n",
               mi.name, mi.size, mi.packed_size, mi.block_count, mi.block_size,
               (mi.flags & ZMM_MEMBER_DEFAULT) ? " (default)" : "");
    }
    printf("round trip verified: %zu bytes read back identical, all block CRCs good\n",
           len);
    status = 0;
out:
    if (s != NULL)
        zmm_stream_close(s);
    zmm_archive_close(ar);
    free(buf);
    return status;
}

int main(int argc, char **argv)
{
    unsigned char *data;
    size_t len = 0;
    int status;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: pack_demo INPUT ARCHIVE [MEMBER]\n"
                        "zmm library %s\n", zmm_version());
        return 2;
    }
    const char *member = argc == 4 ? argv[3] : base_name(argv[1]);
    if (!zmm_name_is_valid(member)) {
        fprintf(stderr, "pack_demo: invalid member name \"%s\"\n", member);
        return 2;
    }
    data = read_file(argv[1], &len);
    if (data == NULL)
        return 1;
    printf("packing %s into %s as member \"%s\" (zmm %s)\n", argv[1], argv[2],
           member, zmm_version());
    status = pack(argv[2], member, data, len);
    if (status == 0)
        status = check(argv[2], member, data, len);
    free(data);
    return status;
}
