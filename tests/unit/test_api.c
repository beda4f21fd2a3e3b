/*
 * test_api.c -- the contract of include/zmm.h: flags, results, names, the
 * default member, rename/remove, member and archive info, version checks,
 * sharing between openers and readers' snapshots.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "archive_file.h"
#include "archive_private.h"
#include "test_util.h"

static zmm_archive *new_mem_archive(zmm_file **mem)
{
    zmm_archive *ar = NULL;
    *mem = zmm_memfile_new(NULL, 0);
    CHECK(*mem != NULL);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(*mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    return ar;
}

static zmm_archive *reopen_mem(zmm_file *mem, unsigned flags)
{
    zmm_archive *ar = NULL;
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), flags, &ar));
    return ar;
}

static void put(zmm_archive *ar, const char *name, const void *data,
                size_t len, uint32_t block_size)
{
    zmm_member_options o;
    zmm_stream *s = NULL;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = block_size;
    o.level = -1;
    CHECK_OK(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                           ZMM_STREAM_TRUNCATE,
                             &o, &s));
    if (len)
        CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
}

/* Reads a member whole; returns a malloc'ed copy. */
static unsigned char *get(zmm_archive *ar, const char *name, size_t *len)
{
    zmm_stream *s = NULL;
    unsigned char *buf;
    size_t got = 0;
    uint64_t size;
    CHECK_OK(zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s));
    size = zmm_stream_size(s);
    buf = tu_xmalloc((size_t)size + 1);
    CHECK_OK(zmm_stream_read(s, buf, (size_t)size + 1, &got));
    CHECK_U64(got, size);
    CHECK_OK(zmm_stream_close(s));
    *len = got;
    return buf;
}

static zmm_member_info info_of(zmm_archive *ar, const char *name)
{
    zmm_member_info info;
    size_t index = 0;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_find(ar, name, &index));
    CHECK_OK(zmm_archive_member_info(ar, index, &info));
    return info;
}

static zmm_archive_info archive_info(zmm_archive *ar)
{
    zmm_archive_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_get_info(ar, &info));
    CHECK_U64(info.live_bytes + info.garbage_bytes, info.file_size);
    return info;
}

/* ---- version, results, names --------------------------------------------- */

static void test_version_and_errors(void)
{
    int i, j;
    tu_set_context("version and zmm_strerror");
    CHECK(zmm_version() != NULL);
    CHECK(strcmp(zmm_version(), ZMM_VERSION_STRING) == 0);
    for (i = 0; i <= ZMM_ERR_CANCELLED; i++) {
        CHECKF(zmm_strerror(i) != NULL && zmm_strerror(i)[0] != '\0',
               "zmm_strerror(%d) is NULL or empty", i);
        for (j = 0; j < i; j++)
            CHECKF(strcmp(zmm_strerror(i), zmm_strerror(j)) != 0,
                   "zmm_strerror(%d) == zmm_strerror(%d)", i, j);
    }
    CHECK(zmm_strerror(-1) != NULL);
    CHECK(zmm_strerror(ZMM_ERR_CANCELLED + 1) != NULL);
    CHECK(zmm_strerror(1000000) != NULL);
}

static void test_names(void)
{
    static const char *const valid[] = {"a", "intro.wav", "a/b.wav",
                                        "musique/\xc3\xa9t\xc3\xa9.wav",
                                        "with space", "..", "C:x", "/abs",
                                        "\xe6\x97\xa5.wav", /* U+65E5 */
                                        "\xf0\x9f\x8e\xb5", /* U+1F3B5 */
                                        "nnbsp\xe2\x80\xaf", /* U+202F */
                                        "x\xe2\x81\xaa", /* U+206A */
                                        "\xef\xbf\xbd"}; /* U+FFFD */
    static const char *const invalid[] = {
        "", "a\001b", "tab\tname", "nl\n", "del\x7f", "\x1f",
        /* not UTF-8 (issue 14): Latin-1, a lone continuation, overlong
         * '/', a surrogate, above U+10FFFF, cut sequences */
        "caf\xe9.wav", "\x80", "\xc0\xaf", "\xe0\x80\xaf",
        "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xc3",
        "a\xe6\x97", "\xf0\x9f\x8e",
        /* bidirectional controls: U+202A, U+202E, U+2066, U+2069 */
        "\xe2\x80\xaa", "evil\xe2\x80\xaetxt.exe", "\xe2\x81\xa6x",
        "x\xe2\x81\xa9"};
    static const char *const portable[] = {"a/b.wav", "intro.wav", "x",
                                           "dir/sub/file.txt", "a.b.c",
                                           "CONSOLE.wav", "nul2.txt",
                                           "musique/\xc3\xa9t\xc3\xa9.wav"};
    static const char *const unportable[] = {
        "..", "../x", "a/../b", ".", "./a", "/abs", "a//b", "a/", "C:x",
        "c:\\x", "a\\b", "a:b", "CON", "con", "NUL", "nul.txt", "aux.wav",
        "COM1", "lpt9.dat", "PRN", "dir/CON", "trailing.", "trailing ",
        "dir./x", "ctl\x01", "", "tab\tname"};
    char name[300];
    size_t i;
    tu_set_context("zmm_name_is_valid / zmm_name_is_portable_path");
    for (i = 0; i < sizeof valid / sizeof valid[0]; i++)
        CHECKF(zmm_name_is_valid(valid[i]), "\"%s\" refused", valid[i]);
    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        CHECKF(!zmm_name_is_valid(invalid[i]), "invalid name %u accepted",
               (unsigned)i);
    memset(name, 'n', sizeof name);
    name[255] = '\0';
    CHECK(zmm_name_is_valid(name));
    name[255] = 'n';
    name[256] = '\0';
    CHECK(!zmm_name_is_valid(name));
    for (i = 0; i < sizeof portable / sizeof portable[0]; i++)
        CHECKF(zmm_name_is_portable_path(portable[i]), "\"%s\" refused",
               portable[i]);
    for (i = 0; i < sizeof unportable / sizeof unportable[0]; i++)
        CHECKF(!zmm_name_is_portable_path(unportable[i]),
               "\"%s\" accepted as a portable path", unportable[i]);
}

static void test_utf8_char(void)
{
    static const struct {
        const char *s;
        size_t length; /* 0: not a character */
        uint32_t code;
    } cases[] = {
        {"a", 1, 'a'}, {"\x7f", 1, 0x7f}, {"\xc3\xa9", 2, 0xe9},
        {"\xe6\x97\xa5", 3, 0x65e5}, {"\xef\xbf\xbd", 3, 0xfffd},
        {"\xf0\x9f\x8e\xb5", 4, 0x1f3b5}, {"\xf4\x8f\xbf\xbf", 4, 0x10ffff},
        {"\xe2\x80\xaex", 3, 0x202e}, /* the rule's bidi test is apart */
        {"\x80", 0, 0}, {"\xc0\xaf", 0, 0}, {"\xc1\xbf", 0, 0},
        {"\xe0\x80\xaf", 0, 0}, {"\xed\xa0\x80", 0, 0},
        {"\xf0\x8f\xbf\xbf", 0, 0}, {"\xf4\x90\x80\x80", 0, 0},
        {"\xf5\x80\x80\x80", 0, 0}, {"\xff", 0, 0}, {"\xc3", 0, 0},
        {"\xe6\x97", 0, 0}, {"\xc3" "a", 0, 0}};
    size_t i;
    uint32_t code;

    tu_set_context("zmm_utf8_char");
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        code = 0xdeadbeef;
        CHECKF(zmm_utf8_char(cases[i].s, &code) == cases[i].length,
               "case %u: length", (unsigned)i);
        if (cases[i].length != 0)
            CHECKF(code == cases[i].code, "case %u: U+%lX", (unsigned)i,
                   (unsigned long)code);
    }
}

/* ---- opening archives ---------------------------------------------------- */

static void test_open_flags(void)
{
    char path[256], text_path[256];
    zmm_archive *ar = NULL, *ar2 = NULL;
    long os_error = 12345;
    static const char text[] = "This is a text file, not an archive.\n";
    unsigned char *big;

    tu_set_context("zmm_archive_open flags");
    tu_temp_path(path, sizeof path, "flags.zmm");
    CHECK_RES(zmm_archive_open(path, ZMM_OPEN_READ, &ar, &os_error),
              ZMM_ERR_NOT_FOUND);
    CHECK(ar == NULL);
    CHECK(os_error != 0);
    CHECK_RES(zmm_archive_open(path, ZMM_OPEN_WRITE, &ar, NULL),
              ZMM_ERR_NOT_FOUND);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE |
                                        ZMM_OPEN_EXCLUSIVE,
                              &ar, &os_error));
    CHECK(ar != NULL);
    CHECK_U64(archive_info(ar).generation, 1);
    CHECK_U64(zmm_archive_member_count(ar), 0);
    put(ar, "x", "abc", 3, 0);
    CHECK_OK(zmm_archive_close(ar));
    ar = NULL;
    CHECK_RES(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE |
                                         ZMM_OPEN_EXCLUSIVE,
                               &ar, NULL),
              ZMM_ERR_EXISTS);
    CHECK(ar == NULL);
    /* CREATE without EXCLUSIVE opens what is there. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    CHECK_U64(zmm_archive_member_count(ar), 1);
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_archive_close(NULL));

    /* Not an archive: text, and a file of zeros. */
    tu_temp_path(text_path, sizeof text_path, "text.txt");
    CHECK(tu_write_file(text_path, text, sizeof text - 1));
    CHECK_RES(zmm_archive_open(text_path, ZMM_OPEN_READ, &ar, NULL),
              ZMM_ERR_NOT_ARCHIVE);
    CHECK_RES(zmm_archive_open(text_path, ZMM_OPEN_WRITE, &ar, NULL),
              ZMM_ERR_NOT_ARCHIVE);
    big = tu_xcalloc(20000);
    memcpy(big, "RIFF\x24\x08\x00\x00WAVEfmt ", 16);
    CHECK(tu_write_file(text_path, big, 20000));
    CHECK_RES(zmm_archive_open(text_path, ZMM_OPEN_READ, &ar, NULL),
              ZMM_ERR_NOT_ARCHIVE);
    CHECK_RES(tu_open_bytes(big, 20000, ZMM_OPEN_READ, &ar),
              ZMM_ERR_NOT_ARCHIVE);
    /* CREATE does not overwrite a file that is not an archive. */
    CHECK_RES(zmm_archive_open(text_path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE,
                               &ar, NULL),
              ZMM_ERR_NOT_ARCHIVE);
    free(big);
    remove(text_path);

    /* A directory. */
    CHECK_RES(zmm_archive_open(".", ZMM_OPEN_READ, &ar, NULL),
              ZMM_ERR_ACCESS);

    /* A read-only archive refuses every change. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL));
    {
        zmm_stream *s = NULL;
        CHECK_RES(zmm_stream_open(ar, "x", ZMM_STREAM_WRITE, NULL, &s),
                  ZMM_ERR_READ_ONLY);
        CHECK(s == NULL);
        CHECK_RES(zmm_stream_open(ar, "y", ZMM_STREAM_WRITE |
                                               ZMM_STREAM_CREATE,
                                  NULL, &s),
                  ZMM_ERR_READ_ONLY);
        CHECK_RES(zmm_archive_remove(ar, "x"), ZMM_ERR_READ_ONLY);
        CHECK_RES(zmm_archive_rename(ar, "x", "z"), ZMM_ERR_READ_ONLY);
        CHECK_RES(zmm_archive_set_default(ar, "x"), ZMM_ERR_READ_ONLY);
        CHECK_OK(zmm_archive_commit(ar)); /* nothing to do */
        CHECK_OK(zmm_stream_open(ar, "x", ZMM_STREAM_READ, NULL, &s));
        CHECK_RES(zmm_stream_write(s, "q", 1), ZMM_ERR_READ_ONLY);
        CHECK_RES(zmm_stream_truncate(s, 0), ZMM_ERR_READ_ONLY);
        CHECK_U64(zmm_stream_size(s), 3);
        CHECK_OK(zmm_stream_close(s));
    }
    /* Two read-only openers at once. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar2, NULL));
    CHECK_OK(zmm_archive_close(ar2));
    CHECK_OK(zmm_archive_close(ar));
    remove(path);
}

/* ---- streams ------------------------------------------------------------- */

static void test_stream_flags(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    zmm_stream *s = NULL, *s2 = NULL;
    zmm_member_options o;
    unsigned char buf[64];
    size_t got = 0;
    uint64_t pos = 0;
    zmm_member_info info;

    tu_set_context("stream flags and options");
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_READ, NULL, &s),
              ZMM_ERR_NOT_FOUND);
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE, NULL, &s),
              ZMM_ERR_NOT_FOUND);
    CHECK(s == NULL);

    /* Options: block sizes must be powers of two in 4 KiB..1 MiB. */
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.level = 6;
    o.block_size = 3000;
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s),
              ZMM_ERR_INVALID_ARG);
    o.block_size = 2048;
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s),
              ZMM_ERR_INVALID_ARG);
    o.block_size = 12288;
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s),
              ZMM_ERR_INVALID_ARG);
    o.block_size = 2u << 20;
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s),
              ZMM_ERR_INVALID_ARG);
    o.block_size = 4096;
    o.level = 10;
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s),
              ZMM_ERR_INVALID_ARG);
    o.level = -2;
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s),
              ZMM_ERR_INVALID_ARG);
    CHECK(s == NULL);
    CHECK_U64(zmm_archive_member_count(ar), 0);

    /* Defaults: NULL options, and 0 / -1 in the struct. */
    CHECK_OK(zmm_stream_open(ar, "defaults", ZMM_STREAM_WRITE |
                                                 ZMM_STREAM_CREATE,
                             NULL, &s));
    CHECK_OK(zmm_stream_close(s));
    info = info_of(ar, "defaults");
    CHECK_U64(info.block_size, ZMM_DEFAULT_BLOCK_SIZE);
    CHECK_U64(info.level, ZMM_DEFAULT_LEVEL);
    CHECK_U64(info.size, 0);
    CHECK_U64(info.block_count, 0);
    CHECK_U64(info.packed_size, 0);
    o.block_size = 0;
    o.level = -1;
    CHECK_OK(zmm_stream_open(ar, "defaults2", ZMM_STREAM_WRITE |
                                                  ZMM_STREAM_CREATE,
                             &o, &s));
    CHECK_OK(zmm_stream_close(s));
    info = info_of(ar, "defaults2");
    CHECK_U64(info.block_size, 65536);
    CHECK_U64(info.level, 6);

    /* EXCLUSIVE, TRUNCATE. */
    o.block_size = 4096;
    o.level = 1;
    CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                          ZMM_STREAM_EXCLUSIVE,
                             &o, &s));
    CHECK_OK(zmm_stream_write(s, "0123456789", 10));
    CHECK_OK(zmm_stream_close(s));
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                           ZMM_STREAM_EXCLUSIVE,
                              &o, &s),
              ZMM_ERR_EXISTS);
    /* Without TRUNCATE, CREATE opens the existing member as it is. */
    CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             NULL, &s));
    CHECK_U64(zmm_stream_size(s), 10);
    CHECK_U64(zmm_stream_tell(s), 0);

    /* Seeking: SET, CUR, END as lseek; negative targets refused. */
    CHECK_OK(zmm_stream_seek(s, -4, ZMM_SEEK_END, &pos));
    CHECK_U64(pos, 6);
    CHECK_OK(zmm_stream_read(s, buf, sizeof buf, &got));
    CHECK_U64(got, 4);
    CHECK(memcmp(buf, "6789", 4) == 0);
    CHECK_OK(zmm_stream_seek(s, -3, ZMM_SEEK_CUR, &pos));
    CHECK_U64(pos, 7);
    CHECK_RES(zmm_stream_seek(s, -8, ZMM_SEEK_CUR, &pos), ZMM_ERR_INVALID_ARG);
    CHECK_U64(zmm_stream_tell(s), 7);
    CHECK_RES(zmm_stream_seek(s, -11, ZMM_SEEK_END, NULL),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_stream_seek(s, -1, ZMM_SEEK_SET, NULL),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_stream_seek(s, 0, 3, NULL), ZMM_ERR_INVALID_ARG);
    CHECK_U64(zmm_stream_tell(s), 7);
    CHECK_OK(zmm_stream_seek(s, 5, ZMM_SEEK_END, &pos));
    CHECK_U64(pos, 15);
    CHECK_OK(zmm_stream_read(s, buf, 1, &got)); /* past the end: 0 bytes */
    CHECK_U64(got, 0);
    CHECK_U64(zmm_stream_size(s), 10);
    CHECK_OK(zmm_stream_write(s, "!", 1)); /* a gap of zeros */
    CHECK_U64(zmm_stream_size(s), 16);
    CHECK_OK(zmm_stream_seek(s, 8, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_read(s, buf, sizeof buf, &got));
    CHECK_U64(got, 8);
    CHECK(memcmp(buf, "89\0\0\0\0\0!", 8) == 0);
    /* Truncate does not move the position. */
    CHECK_OK(zmm_stream_truncate(s, 4));
    CHECK_U64(zmm_stream_tell(s), 16);
    CHECK_U64(zmm_stream_size(s), 4);
    CHECK_OK(zmm_stream_truncate(s, 6));
    CHECK_OK(zmm_stream_seek(s, 0, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_read(s, buf, sizeof buf, &got));
    CHECK_U64(got, 6);
    CHECK(memcmp(buf, "0123\0\0", 6) == 0);
    CHECK_OK(zmm_stream_flush(s));

    /* BUSY: one writer, or many readers. */
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE, NULL, &s2),
              ZMM_ERR_BUSY);
    CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_READ, NULL, &s2),
              ZMM_ERR_BUSY);
    CHECK_RES(zmm_archive_remove(ar, "m"), ZMM_ERR_BUSY);
    CHECK(s2 == NULL);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_READ, NULL, &s));
    CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_READ, NULL, &s2));
    {
        zmm_stream *x = NULL;
        CHECK_RES(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE, NULL, &x),
                  ZMM_ERR_BUSY);
        CHECK(x == NULL);
    }
    CHECK_RES(zmm_archive_remove(ar, "m"), ZMM_ERR_BUSY);
    CHECK_RES(zmm_stream_write(s, "x", 1), ZMM_ERR_READ_ONLY);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_stream_close(s2));

    /* TRUNCATE empties and applies the new options. */
    o.block_size = 8192;
    o.level = 9;
    CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_TRUNCATE,
                             &o, &s));
    CHECK_U64(zmm_stream_size(s), 0);
    CHECK_OK(zmm_stream_close(s));
    info = info_of(ar, "m");
    CHECK_U64(info.size, 0);
    CHECK_U64(info.block_size, 8192);
    CHECK_U64(info.level, 9);

    /* Sizes beyond the format's limits fail cleanly, here or at commit. */
    o.block_size = 65536;
    o.level = 6;
    CHECK_OK(zmm_stream_open(ar, "huge", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    {
        zmm_result r1, r2;
        CHECK_OK(zmm_stream_seek(s, (int64_t)1 << 40, ZMM_SEEK_SET, NULL));
        r1 = zmm_stream_write(s, "x", 1);
        CHECKF(r1 == ZMM_OK || r1 == ZMM_ERR_LIMIT,
               "a write at 1 TiB (16 M blocks of 64 KiB) returned %s",
               tu_result_name(r1));
        r2 = zmm_stream_close(s);
        if (r1 == ZMM_OK) {
            zmm_result r3 = zmm_archive_commit(ar);
            CHECKF(r2 == ZMM_ERR_LIMIT || r3 == ZMM_ERR_LIMIT,
                   "a member of 16 M blocks was accepted (close %s, "
                   "commit %s)", tu_result_name(r2), tu_result_name(r3));
        }
    }
    zmm_archive_close(ar);
    mem->methods->close(mem);
}

static void test_bad_names(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    zmm_stream *s = NULL;
    char name[300];
    static const char *const bad[] = {"a\001b", "tab\tx", "del\x7f",
                                      "line\n"};
    size_t i;
    tu_set_context("bad member names");
    memset(name, 'x', sizeof name);
    name[256] = '\0';
    CHECK_RES(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              NULL, &s),
              ZMM_ERR_BAD_NAME);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_RES(zmm_stream_open(ar, bad[i],
                                  ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, NULL,
                                  &s),
                  ZMM_ERR_BAD_NAME);
    CHECK(s == NULL);
    name[255] = '\0';
    put(ar, name, "255", 3, 0);
    put(ar, "ok", "ok", 2, 0);
    CHECK_RES(zmm_archive_rename(ar, "ok", "bad\x02"), ZMM_ERR_BAD_NAME);
    name[255] = 'x';
    CHECK_RES(zmm_archive_rename(ar, "ok", name), ZMM_ERR_BAD_NAME);
    CHECK_RES(zmm_archive_rename(ar, "ok", ""), ZMM_ERR_BAD_NAME);
    CHECK_U64(zmm_archive_member_count(ar), 2);
    CHECK_OK(zmm_archive_close(ar));
    ar = reopen_mem(mem, ZMM_OPEN_READ);
    name[255] = '\0';
    CHECK_U64(info_of(ar, name).size, 3);
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
}

static void test_default_member(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    size_t index = 99, n;
    zmm_stream *s = NULL;
    unsigned char *data;

    tu_set_context("default member rules");
    CHECK_RES(zmm_archive_find(ar, "", &index), ZMM_ERR_NOT_FOUND);
    CHECK_RES(zmm_archive_find(ar, NULL, &index), ZMM_ERR_NOT_FOUND);
    CHECK_RES(zmm_stream_open(ar, "", ZMM_STREAM_READ, NULL, &s),
              ZMM_ERR_NOT_FOUND);
    put(ar, "first.wav", "first", 5, 0);
    put(ar, "second.wav", "second", 6, 0);
    CHECK(info_of(ar, "first.wav").flags & ZMM_MEMBER_DEFAULT);
    CHECK(!(info_of(ar, "second.wav").flags & ZMM_MEMBER_DEFAULT));
    CHECK_OK(zmm_archive_find(ar, "", &index));
    CHECK_OK(zmm_archive_find(ar, NULL, &n));
    CHECK_U64(index, n);
    {
        zmm_member_info info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        CHECK_OK(zmm_archive_member_info(ar, index, &info));
        CHECK(strcmp(info.name, "first.wav") == 0);
    }
    CHECK_OK(zmm_stream_open(ar, "", ZMM_STREAM_READ, NULL, &s));
    CHECK_U64(zmm_stream_size(s), 5);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_stream_open(ar, NULL, ZMM_STREAM_READ, NULL, &s));
    CHECK_U64(zmm_stream_size(s), 5);
    CHECK_OK(zmm_stream_close(s));

    CHECK_OK(zmm_archive_set_default(ar, "second.wav"));
    CHECK(!(info_of(ar, "first.wav").flags & ZMM_MEMBER_DEFAULT));
    CHECK(info_of(ar, "second.wav").flags & ZMM_MEMBER_DEFAULT);
    CHECK_RES(zmm_archive_set_default(ar, "missing"), ZMM_ERR_NOT_FOUND);
    CHECK(info_of(ar, "second.wav").flags & ZMM_MEMBER_DEFAULT);
    data = get(ar, "", &n);
    CHECK(n == 6 && memcmp(data, "second", 6) == 0);
    free(data);

    /* The default flag is stored. */
    CHECK_OK(zmm_archive_close(ar));
    ar = reopen_mem(mem, ZMM_OPEN_WRITE);
    CHECK(info_of(ar, "second.wav").flags & ZMM_MEMBER_DEFAULT);
    CHECK(!(info_of(ar, "first.wav").flags & ZMM_MEMBER_DEFAULT));

    /* Removing the default leaves none; the next created member takes it. */
    CHECK_RES(zmm_archive_remove(ar, "missing"), ZMM_ERR_NOT_FOUND);
    CHECK_OK(zmm_archive_remove(ar, "second.wav"));
    CHECK_RES(zmm_archive_find(ar, "second.wav", &index), ZMM_ERR_NOT_FOUND);
    CHECK_RES(zmm_archive_find(ar, "", &index), ZMM_ERR_NOT_FOUND);
    CHECK(!(info_of(ar, "first.wav").flags & ZMM_MEMBER_DEFAULT));
    put(ar, "third.wav", "third", 5, 0);
    CHECK(info_of(ar, "third.wav").flags & ZMM_MEMBER_DEFAULT);
    CHECK(!(info_of(ar, "first.wav").flags & ZMM_MEMBER_DEFAULT));
    CHECK_U64(zmm_archive_member_count(ar), 2);
    CHECK_OK(zmm_archive_close(ar));
    ar = reopen_mem(mem, ZMM_OPEN_READ);
    CHECK_U64(zmm_archive_member_count(ar), 2);
    data = get(ar, "", &n);
    CHECK(n == 5 && memcmp(data, "third", 5) == 0);
    free(data);
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
}

static void test_rename(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    size_t index, n;
    unsigned char *data;
    zmm_stream *s = NULL;

    tu_set_context("rename");
    put(ar, "a", "alpha", 5, 0);
    put(ar, "b", "beta", 4, 0);
    CHECK_RES(zmm_archive_rename(ar, "a", "b"), ZMM_ERR_EXISTS);
    CHECK_RES(zmm_archive_rename(ar, "missing", "c"), ZMM_ERR_NOT_FOUND);
    CHECK_OK(zmm_archive_rename(ar, "a", "dir/renamed.wav"));
    CHECK_RES(zmm_archive_find(ar, "a", &index), ZMM_ERR_NOT_FOUND);
    CHECK(info_of(ar, "dir/renamed.wav").flags & ZMM_MEMBER_DEFAULT);
    data = get(ar, "dir/renamed.wav", &n);
    CHECK(n == 5 && memcmp(data, "alpha", 5) == 0);
    free(data);
    /* The old name is free again. */
    put(ar, "a", "new a", 5, 0);
    CHECK(!(info_of(ar, "a").flags & ZMM_MEMBER_DEFAULT));
    CHECK_OK(zmm_archive_commit(ar));
    CHECK_OK(zmm_stream_open(ar, "b", ZMM_STREAM_READ, NULL, &s));
    {
        zmm_result r = zmm_archive_rename(ar, "b", "b2");
        CHECKF(r == ZMM_OK || r == ZMM_ERR_BUSY,
               "rename of an open member returned %s", tu_result_name(r));
        CHECK_OK(zmm_stream_close(s));
        if (r == ZMM_OK)
            CHECK_OK(zmm_archive_rename(ar, "b2", "b"));
    }
    CHECK_OK(zmm_archive_close(ar));
    ar = reopen_mem(mem, ZMM_OPEN_READ);
    CHECK_U64(zmm_archive_member_count(ar), 3);
    data = get(ar, "dir/renamed.wav", &n);
    CHECK(n == 5 && memcmp(data, "alpha", 5) == 0);
    free(data);
    data = get(ar, "a", &n);
    CHECK(n == 5 && memcmp(data, "new a", 5) == 0);
    free(data);
    data = get(ar, "b", &n);
    CHECK(n == 4 && memcmp(data, "beta", 4) == 0);
    free(data);
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
}

static void test_infos(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    zmm_archive_info a1, a2, a3;
    zmm_member_info mi;
    unsigned char *buf = tu_xmalloc(100000);
    tu_rng r;
    size_t flen = 0;

    tu_set_context("member and archive info");
    a1 = archive_info(ar);
    CHECK_U64(a1.format_version, 1);
    CHECK_U64(a1.generation, 1);
    CHECK_U64(a1.member_count, 0);
    zmm_memfile_data(mem, &flen);
    CHECK_U64(a1.file_size, flen);
    CHECK_U64(a1.garbage_bytes, 0);
    CHECK_U64(a1.flags, 0);
    /* No change, no commit. */
    CHECK_OK(zmm_archive_commit(ar));
    CHECK_U64(archive_info(ar).generation, 1);

    tu_rng_seed(&r, 3);
    tu_fill(&r, TU_DATA_TEXT, buf, 100000);
    put(ar, "text", buf, 100000, 16384);
    CHECK_OK(zmm_archive_commit(ar));
    a2 = archive_info(ar);
    CHECK_U64(a2.generation, 2);
    CHECK_U64(a2.member_count, 1);
    zmm_memfile_data(mem, &flen);
    CHECK_U64(a2.file_size, flen);
    CHECK_U64(a2.garbage_bytes, a1.file_size - 8192); /* the old directory */
    mi = info_of(ar, "text");
    CHECK(strcmp(mi.name, "text") == 0);
    CHECK_U64(mi.size, 100000);
    CHECK_U64(mi.block_size, 16384);
    CHECK_U64(mi.block_count, 7);
    CHECK(mi.packed_size > 0 && mi.packed_size < 50000);
    CHECK_U64(mi.level, 6);
    CHECK(mi.flags == ZMM_MEMBER_DEFAULT);
    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    {
        zmm_result res = zmm_archive_member_info(ar, 1, &mi);
        CHECKF(res == ZMM_ERR_INVALID_ARG || res == ZMM_ERR_NOT_FOUND,
               "member_info(index = count) returned %s",
               tu_result_name(res));
    }

    /* Overwriting a block leaves the old one as garbage. */
    {
        zmm_stream *s = NULL;
        CHECK_OK(zmm_stream_open(ar, "text", ZMM_STREAM_WRITE, NULL, &s));
        CHECK_OK(zmm_stream_seek(s, 20000, ZMM_SEEK_SET, NULL));
        CHECK_OK(zmm_stream_write(s, "patch", 5));
        CHECK_OK(zmm_stream_close(s));
    }
    CHECK_OK(zmm_archive_commit(ar));
    a3 = archive_info(ar);
    CHECK_U64(a3.generation, 3);
    CHECK(a3.garbage_bytes > a2.garbage_bytes);
    CHECK_U64(info_of(ar, "text").size, 100000);
    CHECK_OK(zmm_archive_close(ar));
    ar = reopen_mem(mem, ZMM_OPEN_READ);
    CHECK_U64(archive_info(ar).generation, 3);
    CHECK_U64(archive_info(ar).garbage_bytes, a3.garbage_bytes);
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
    free(buf);
}

/* Two members whose block entries name the same stored bytes (FORMAT.md:
 * a writer never does it, a reader need not check), made through the
 * library's own commit so that every CRC is right: the archive opens, both
 * members read right, and each stored byte is counted once, so the live
 * bytes stay within the file and the garbage does not wrap around. */
static void test_shared_stored_bytes(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    unsigned char *buf = tu_xmalloc(30000), *got = tu_xmalloc(30000);
    zmm_archive_info before, after;
    zmm_stream *s = NULL;
    size_t flen = 0, n = 0;
    tu_rng r;

    tu_set_context("members sharing stored bytes");
    tu_rng_seed(&r, 5);
    tu_fill(&r, TU_DATA_TEXT, buf, 30000);
    put(ar, "a", buf, 30000, 65536);
    put(ar, "b", buf, 30000, 65536);
    CHECK_OK(zmm_archive_commit(ar));
    before = archive_info(ar);
    /* b's only block now names a's stored bytes: the same content, so the
     * same CRCs; b's own copy becomes garbage. */
    ar->dir.members[1]->blocks[0] = ar->dir.members[0]->blocks[0];
    ar->modified = 1;
    CHECK_OK(zmm_archive_close(ar));
    ar = reopen_mem(mem, ZMM_OPEN_READ);
    after = archive_info(ar);
    zmm_memfile_data(mem, &flen);
    CHECK_U64(after.file_size, flen);
    CHECKF(after.live_bytes <= after.file_size &&
               after.garbage_bytes == after.file_size - after.live_bytes,
           "live %llu, garbage %llu, file %llu",
           (unsigned long long)after.live_bytes,
           (unsigned long long)after.garbage_bytes,
           (unsigned long long)after.file_size);
    /* Once: the live bytes lost b's copy (and the directory is as long). */
    CHECK_U64(after.live_bytes, before.live_bytes -
                                    ar->dir.members[0]->blocks[0].stored_size);
    CHECK_OK(zmm_stream_open(ar, "b", ZMM_STREAM_READ, NULL, &s));
    CHECK_OK(zmm_stream_read(s, got, 30000, &n));
    CHECK_U64(n, 30000);
    CHECK_MEM(got, buf, 30000);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
    free(buf);
    free(got);
}

/* ---- damaged blocks and newer versions ----------------------------------- */

static void test_verify_member(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    unsigned char *buf = tu_xmalloc(5 * 4096), *file;
    size_t len;
    tu_rng r;
    tu_fmt_archive fa;
    uint32_t bad = 0;

    tu_set_context("verify_member");
    tu_rng_seed(&r, 11);
    tu_fill(&r, TU_DATA_TEXT, buf, 5 * 4096);
    put(ar, "v", buf, 5 * 4096, 4096);
    put(ar, "w", buf, 100, 4096);
    CHECK_OK(zmm_archive_close(ar));
    file = tu_memfile_copy(mem, &len);
    CHECK(tu_fmt_parse(file, len, 0, &fa) == NULL);
    CHECK(strcmp(fa.members[0].name, "v") == 0);
    CHECK(fa.members[0].blocks[3].kind == 2);
    file[fa.members[0].blocks[3].offset + 3] ^= 0x40;
    CHECK_OK(tu_open_bytes(file, len, ZMM_OPEN_READ, &ar));
    CHECK_RES(zmm_archive_verify_member(ar, "v", &bad), ZMM_ERR_CORRUPT);
    CHECK_U64(bad, 3);
    CHECK_OK(zmm_archive_verify_member(ar, "w", &bad));
    CHECK_OK(zmm_archive_verify_member(ar, "w", NULL));
    CHECK_RES(zmm_archive_verify_member(ar, "missing", &bad),
              ZMM_ERR_NOT_FOUND);
    /* Reads of the other blocks still work; of block 3 they fail. */
    {
        zmm_stream *s = NULL;
        unsigned char out[4096];
        size_t got = 0;
        CHECK_OK(zmm_stream_open(ar, "v", ZMM_STREAM_READ, NULL, &s));
        CHECK_OK(zmm_stream_seek(s, 4 * 4096, ZMM_SEEK_SET, NULL));
        CHECK_OK(zmm_stream_read(s, out, 4096, &got));
        CHECK_U64(got, 4096);
        CHECK_MEM(out, buf + 4 * 4096, 4096);
        CHECK_OK(zmm_stream_seek(s, 3 * 4096 + 10, ZMM_SEEK_SET, NULL));
        CHECK_RES(zmm_stream_read(s, out, 10, &got), ZMM_ERR_CORRUPT);
        CHECK_U64(zmm_stream_tell(s), 3 * 4096 + 10);
        CHECK_OK(zmm_stream_close(s));
    }
    CHECK_OK(zmm_archive_close(ar));
    tu_fmt_free(&fa);
    free(file);
    free(buf);
    mem->methods->close(mem);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void reseal_slot(unsigned char *slot)
{
    put_le32(slot + 60, (uint32_t)crc32(crc32(0L, Z_NULL, 0), slot, 60));
}

static void test_versions(void)
{
    zmm_file *mem;
    zmm_archive *ar = new_mem_archive(&mem);
    unsigned char *file, *patched;
    size_t len;
    tu_fmt_archive fa;
    unsigned char *slot;

    tu_set_context("format version and feature bits");
    put(ar, "m", "content", 7, 0);
    CHECK_OK(zmm_archive_close(ar)); /* generation 2, in slot 1 */
    file = tu_memfile_copy(mem, &len);
    mem->methods->close(mem);
    CHECK(tu_fmt_parse(file, len, 1, &fa) == NULL);
    slot = NULL;
    patched = tu_xmalloc(len);

    /* format_version 2 in the newest slot: refused as newer, not as damage
     * (and no fallback to the older slot). */
    memcpy(patched, file, len);
    slot = patched + 4096 * fa.slot;
    slot[8] = 2;
    reseal_slot(slot);
    CHECK_RES(tu_open_bytes(patched, len, ZMM_OPEN_READ, &ar),
              ZMM_ERR_UNSUPPORTED);

    /* An unknown incompat_features bit. */
    memcpy(patched, file, len);
    slot = patched + 4096 * fa.slot;
    put_le32(slot + 12, 0x100);
    reseal_slot(slot);
    CHECK_RES(tu_open_bytes(patched, len, ZMM_OPEN_READ, &ar),
              ZMM_ERR_UNSUPPORTED);
    CHECK_RES(tu_open_bytes(patched, len, ZMM_OPEN_WRITE, &ar),
              ZMM_ERR_UNSUPPORTED);

    /* An unknown compat_features bit is ignored, and cleared by a writer. */
    memcpy(patched, file, len);
    slot = patched + 4096 * fa.slot;
    put_le32(slot + 16, 0x80000002u); /* 0x1 is metadata now */
    reseal_slot(slot);
    CHECK_OK(tu_open_bytes(patched, len, ZMM_OPEN_READ, &ar));
    CHECK_U64(zmm_archive_member_count(ar), 1);
    CHECK_OK(zmm_archive_close(ar));
    {
        zmm_file *m4 = zmm_memfile_new(patched, len);
        const unsigned char *d;
        size_t dlen = 0;
        tu_fmt_archive fb;
        const char *err;
        CHECK_OK(zmm_archive_open_file(tu_borrow_file(m4), ZMM_OPEN_WRITE,
                                       &ar));
        put(ar, "n", "more", 4, 0);
        CHECK_OK(zmm_archive_close(ar));
        d = zmm_memfile_data(m4, &dlen);
        CHECK(dlen > 8192);
        CHECK(memcmp(d + 4096 * (1 - fa.slot) + 16, "\0\0\0\0", 4) == 0);
        /* Hide the patched older slot from our strict decoder. */
        {
            unsigned char *c = tu_xmalloc(dlen);
            memcpy(c, d, dlen);
            memset(c + 4096 * fa.slot, 0, 64);
            err = tu_fmt_parse(c, dlen, 1, &fb);
            CHECKF(err == NULL, "%s", err);
            CHECK_U64(fb.generation, 3);
            tu_fmt_free(&fb);
            free(c);
        }
        m4->methods->close(m4);
    }

    /* A bad slot_size is damage. */
    memcpy(patched, file, len);
    slot = patched + 4096 * fa.slot;
    slot[10] = 128;
    reseal_slot(slot);
    {
        /* The other slot (generation 1) is still valid: the reader takes
         * it, since the newest slot is not valid. */
        zmm_result r = tu_open_bytes(patched, len, ZMM_OPEN_READ, &ar);
        CHECK_OK(r);
        CHECK_U64(archive_info(ar).generation, 1);
        CHECK(archive_info(ar).flags & ZMM_ARCHIVE_SLOT_DAMAGED);
        CHECK_OK(zmm_archive_close(ar));
    }
    tu_fmt_free(&fa);
    free(patched);
    free(file);
}

/* ---- sharing and snapshots on real files --------------------------------- */

static void test_sharing_and_snapshots(void)
{
    char path[256];
    zmm_archive *w1 = NULL, *w2 = NULL, *r1 = NULL, *r2 = NULL;
    zmm_stream *s = NULL;
    unsigned char *old_data = tu_xmalloc(200000), *new_data, *got;
    tu_rng r;
    size_t n;
    long os_error = 0;

    tu_set_context("two writers, readers' snapshots");
    tu_temp_path(path, sizeof path, "sharing.zmm");
    tu_rng_seed(&r, 21);
    tu_fill(&r, TU_DATA_MIXED, old_data, 200000);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &w1,
                              NULL));
    put(w1, "song.wav", old_data, 200000, 4096);
    put(w1, "other", "other", 5, 0);
    CHECK_OK(zmm_archive_commit(w1));

    /* A second writer is refused while the first one has the file. */
    CHECK_RES(zmm_archive_open(path, ZMM_OPEN_WRITE, &w2, &os_error),
              ZMM_ERR_SHARING);
    CHECK(w2 == NULL);
    CHECK_RES(zmm_compact(path, NULL), ZMM_ERR_SHARING);
    /* Readers may open meanwhile. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &r1, NULL));
    CHECK_U64(zmm_archive_member_count(r1), 2);
    /* Start reading: only the first block. */
    CHECK_OK(zmm_stream_open(r1, "song.wav", ZMM_STREAM_READ, NULL, &s));
    {
        unsigned char first[100];
        size_t gotn = 0;
        CHECK_OK(zmm_stream_read(s, first, 100, &gotn));
        CHECK_U64(gotn, 100);
        CHECK_MEM(first, old_data, 100);
    }

    /* The writer changes everything and commits, twice. */
    new_data = tu_xmalloc(250000);
    tu_fill(&r, TU_DATA_MIXED, new_data, 250000);
    put(w1, "song.wav", new_data, 250000, 4096);
    CHECK_OK(zmm_archive_remove(w1, "other"));
    CHECK_OK(zmm_archive_commit(w1));
    put(w1, "new", "new", 3, 0);
    CHECK_OK(zmm_archive_commit(w1));

    /* The reader still sees its snapshot, blocks it never read included. */
    CHECK_U64(zmm_archive_member_count(r1), 2);
    CHECK_U64(zmm_stream_size(s), 200000);
    {
        unsigned char *rest = tu_xmalloc(200000);
        size_t gotn = 0;
        CHECK_OK(zmm_stream_read(s, rest, 200000, &gotn));
        CHECK_U64(gotn, 200000 - 100);
        CHECK_MEM(rest, old_data + 100, 200000 - 100);
        free(rest);
    }
    CHECK_OK(zmm_stream_close(s));
    got = get(r1, "other", &n);
    CHECK(n == 5 && memcmp(got, "other", 5) == 0);
    free(got);

    /* A reader opened now sees the newest state. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &r2, NULL));
    CHECK_U64(zmm_archive_member_count(r2), 2);
    got = get(r2, "song.wav", &n);
    CHECK_U64(n, 250000);
    CHECK_MEM(got, new_data, 250000);
    free(got);
    CHECK_OK(zmm_archive_close(r2));

    CHECK_OK(zmm_archive_close(w1));
    /* The lock goes with the writer. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE, &w2, NULL));
    CHECK_OK(zmm_archive_close(w2));
    CHECK_OK(zmm_archive_close(r1));
    CHECK_OK(zmm_compact(path, NULL));
    remove(path);
    free(old_data);
    free(new_data);
}

int main(void)
{
    tu_init("test_api");
    test_version_and_errors();
    test_names();
    test_utf8_char();
    test_open_flags();
    test_stream_flags();
    test_bad_names();
    test_default_member();
    test_rename();
    test_infos();
    test_shared_stored_bytes();
    test_verify_member();
    test_versions();
    test_sharing_and_snapshots();
    printf("%s: passed\n", tu_test_name);
    return 0;
}
