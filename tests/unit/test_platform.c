/* registered in tests/unit/CMakeLists.txt as test_platform */
/*
 * test_platform.c -- the platform file layer: this OS's real files (POSIX or
 * Win32) in a temporary directory, the memory file, and the fault file's
 * failures and crash model. Exits 0 on success; on a failure prints where
 * and exits 1.
 */
#ifndef _WIN32
#define _DEFAULT_SOURCE /* mkdtemp */
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "alloc.h"
#include "platform.h"

/* An allocator passed to the core that has no memory. */
static void *alloc_nothing(void *opaque, size_t size)
{
    (void)opaque;
    (void)size;
    return NULL;
}

static void *realloc_nothing(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    (void)ptr;
    (void)size;
    return NULL;
}

static void free_nothing(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static const zmm_allocator no_memory = { alloc_nothing, realloc_nothing,
                                         free_nothing, NULL };

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            return 1;                                                        \
        }                                                                    \
    } while (0)

#define CHECK_RC(expr, want)                                                 \
    do {                                                                     \
        zmm_result got_ = (expr);                                            \
        if (got_ != (want)) {                                                \
            fprintf(stderr, "%s:%d: %s returned %d, expected %d (%s)\n",     \
                    __FILE__, __LINE__, #expr, (int)got_, (int)(want),       \
                    #want);                                                  \
            return 1;                                                        \
        }                                                                    \
    } while (0)

#define RUN(test)                                                            \
    do {                                                                     \
        if (test) {                                                          \
            fprintf(stderr, "test_platform: FAILED in %s\n", #test);         \
            return 1;                                                        \
        }                                                                    \
    } while (0)

/* Method shorthands. */
#define READ(f, off, buf, n) ((f)->methods->read_at((f), (off), (buf), (n)))
#define WRITE(f, off, buf, n) ((f)->methods->write_at((f), (off), (buf), (n)))
#define TRUNC(f, n) ((f)->methods->truncate((f), (n)))
#define SYNC(f) ((f)->methods->sync(f))
#define CLOSE(f) ((f)->methods->close(f))

static uint64_t file_size(zmm_file *f)
{
    uint64_t size = UINT64_MAX;
    if (f->methods->size(f, &size) != ZMM_OK)
        return UINT64_MAX;
    return size;
}

/* Bytes of the "old" contents (0..99) and of a write over them: never the
 * same byte at the same offset, so what a region holds tells who wrote it. */
static unsigned char old_byte(uint64_t x)
{
    return (unsigned char)((x * 7 + 3) % 100);
}

static unsigned char new_byte(uint64_t x)
{
    return (unsigned char)(old_byte(x) ^ 0x80);
}

static void fill_old(unsigned char *p, uint64_t off, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = old_byte(off + i);
}

static void fill_new(unsigned char *p, uint64_t off, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = new_byte(off + i);
}

/* ---- a temporary directory ----------------------------------------------- */

static char temp_dir[1024];

#ifdef _WIN32
static wchar_t temp_dir_w[MAX_PATH + 64];

static int make_temp_dir(void)
{
    DWORD n = GetTempPathW(MAX_PATH + 1, temp_dir_w);
    if (n == 0 || n > MAX_PATH)
        return -1;
    _snwprintf(temp_dir_w + n, 63, L"zmm-platform-%lu-%lu",
               (unsigned long)GetCurrentProcessId(),
               (unsigned long)GetTickCount());
    if (!CreateDirectoryW(temp_dir_w, NULL))
        return -1;
    if (!WideCharToMultiByte(CP_UTF8, 0, temp_dir_w, -1, temp_dir,
                             (int)sizeof temp_dir, NULL, NULL))
        return -1;
    return 0;
}

static void remove_temp_dir(void)
{
    RemoveDirectoryW(temp_dir_w);
}
#else
static int make_temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(temp_dir, sizeof temp_dir, "%s/zmm-platform-XXXXXX", tmp);
    return mkdtemp(temp_dir) ? 0 : -1;
}

static void remove_temp_dir(void)
{
    rmdir(temp_dir);
}
#endif

/* A path in the temporary directory (one of a few static buffers). */
static const char *path_of(const char *name)
{
    static char buffers[4][1200];
    static int next;
    char *p = buffers[next++ % 4];
    snprintf(p, sizeof buffers[0], "%s/%s", temp_dir, name);
    return p;
}

/* Writes `text` as the whole contents of a new or existing file. */
static int put_file(const char *path, const char *text)
{
    zmm_file *f;
    long err;
    CHECK_RC(zmm_platform_open(path, ZMM_FILE_WRITE | ZMM_FILE_CREATE, &f,
                               &err),
             ZMM_OK);
    CHECK_RC(TRUNC(f, 0), ZMM_OK);
    CHECK_RC(WRITE(f, 0, text, strlen(text)), ZMM_OK);
    CHECK_RC(SYNC(f), ZMM_OK);
    CHECK_RC(CLOSE(f), ZMM_OK);
    return 0;
}

/* Checks that the file at `path` holds exactly `text`. */
static int check_file(const char *path, const char *text)
{
    char buf[256];
    size_t n = strlen(text);
    zmm_file *f;
    long err;
    CHECK(n < sizeof buf);
    CHECK_RC(zmm_platform_open(path, 0, &f, &err), ZMM_OK);
    CHECK(file_size(f) == n);
    CHECK_RC(READ(f, 0, buf, n), ZMM_OK);
    CHECK(memcmp(buf, text, n) == 0);
    CHECK_RC(CLOSE(f), ZMM_OK);
    return 0;
}

/* ---- real files ------------------------------------------------------------ */

static int test_open_errors(void)
{
    const char *a = path_of("a.bin");
    zmm_file *f = (zmm_file *)&f; /* must come back NULL */
    long err = 0;

    CHECK_RC(zmm_platform_open(a, 0, &f, &err), ZMM_ERR_NOT_FOUND);
    CHECK(f == NULL && err != 0);
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE, &f, &err),
             ZMM_ERR_NOT_FOUND);
    CHECK_RC(zmm_platform_open(path_of("no-such-dir/x.bin"),
                               ZMM_FILE_WRITE | ZMM_FILE_CREATE, &f, &err),
             ZMM_ERR_NOT_FOUND);
    CHECK(f == NULL);
    /* os_error may be NULL. */
    CHECK_RC(zmm_platform_open(a, 0, &f, NULL), ZMM_ERR_NOT_FOUND);

    /* A directory is ZMM_ERR_ACCESS, for reading and for writing. */
    err = 0;
    CHECK_RC(zmm_platform_open(temp_dir, 0, &f, &err), ZMM_ERR_ACCESS);
    CHECK(f == NULL && err != 0);
    err = 0;
    CHECK_RC(zmm_platform_open(temp_dir, ZMM_FILE_WRITE, &f, &err),
             ZMM_ERR_ACCESS);
    CHECK(err != 0);
    CHECK_RC(zmm_platform_open(temp_dir, ZMM_FILE_WRITE | ZMM_FILE_CREATE, &f,
                               &err),
             ZMM_ERR_ACCESS);

    /* The core's allocator failing. */
    zmm_set_allocator(&no_memory);
    CHECK_RC(zmm_platform_open(temp_dir, 0, &f, &err), ZMM_ERR_NOMEM);
    zmm_set_allocator(NULL);
    CHECK(f == NULL);

#ifdef _WIN32
    /* Invalid UTF-8 is refused, not guessed at. */
    CHECK_RC(zmm_platform_open(path_of("bad\xff\xfe.bin"),
                               ZMM_FILE_WRITE | ZMM_FILE_CREATE, &f, &err),
             ZMM_ERR_INVALID_ARG);
    CHECK(err == ERROR_NO_UNICODE_TRANSLATION);
#endif
    return 0;
}

static int test_create_read_write(void)
{
    const char *a = path_of("a.bin");
    const size_t big = 3 * 1024 * 1024 + 123;
    unsigned char *buf = malloc(big), *back = malloc(big);
    unsigned char small[64];
    zmm_file *f, *g;
    long err = -1;
    size_t i;

    CHECK(buf && back);
    CHECK_RC(zmm_platform_open(a,
                               ZMM_FILE_WRITE | ZMM_FILE_CREATE |
                                   ZMM_FILE_EXCLUSIVE,
                               &f, &err),
             ZMM_OK);
    CHECK(f != NULL && err == 0 && f->os_error == 0);
    CHECK(file_size(f) == 0);

    /* EXCLUSIVE on an existing file; plain CREATE opens it. */
    CHECK_RC(zmm_platform_open(a,
                               ZMM_FILE_WRITE | ZMM_FILE_CREATE |
                                   ZMM_FILE_EXCLUSIVE,
                               &g, &err),
             ZMM_ERR_EXISTS);
    CHECK(g == NULL && err != 0);
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE | ZMM_FILE_CREATE, &g, &err),
             ZMM_OK);
    CHECK_RC(CLOSE(g), ZMM_OK);

    /* A large write and read back. */
    fill_old(buf, 0, big);
    CHECK_RC(WRITE(f, 0, buf, big), ZMM_OK);
    CHECK(file_size(f) == big);
    memset(back, 0xEE, big);
    CHECK_RC(READ(f, 0, back, big), ZMM_OK);
    CHECK(memcmp(buf, back, big) == 0);
    CHECK_RC(READ(f, 1000001, back, 77), ZMM_OK);
    CHECK(memcmp(buf + 1000001, back, 77) == 0);

    /* Overwrite in the middle, at an odd offset. */
    fill_new(small, 4097, sizeof small);
    CHECK_RC(WRITE(f, 4097, small, sizeof small), ZMM_OK);
    CHECK_RC(READ(f, 4096, back, 66), ZMM_OK);
    CHECK(back[0] == old_byte(4096) && back[65] == old_byte(4096 + 65));
    CHECK(memcmp(back + 1, small, sizeof small) == 0);

    /* Reading past the end is a short (damaged) file, not an I/O error. */
    CHECK_RC(READ(f, big - 10, back, 20), ZMM_ERR_CORRUPT);
    CHECK_RC(READ(f, big, back, 1), ZMM_ERR_CORRUPT);
    CHECK_RC(READ(f, big + 100000, back, 1), ZMM_ERR_CORRUPT);
    CHECK_RC(READ(f, UINT64_MAX - 2, back, 8), ZMM_ERR_CORRUPT);
    CHECK_RC(READ(f, big, back, 0), ZMM_OK);
    CHECK_RC(READ(f, UINT64_MAX, back, 0), ZMM_OK);

    /* Writing past the end leaves a gap of zeros. */
    CHECK_RC(WRITE(f, big + 5000, "0123456789", 10), ZMM_OK);
    CHECK(file_size(f) == big + 5010);
    CHECK_RC(READ(f, big - 1, back, 5011), ZMM_OK);
    CHECK(back[0] == buf[big - 1]);
    for (i = 1; i <= 5000; i++)
        CHECK(back[i] == 0);
    CHECK(memcmp(back + 5001, "0123456789", 10) == 0);

    /* Truncate down, then up: the new tail reads as zeros. */
    CHECK_RC(TRUNC(f, 100), ZMM_OK);
    CHECK(file_size(f) == 100);
    CHECK_RC(READ(f, 0, back, 100), ZMM_OK);
    CHECK(memcmp(back, buf, 100) == 0);
    CHECK_RC(READ(f, 50, back, 51), ZMM_ERR_CORRUPT);
    CHECK_RC(TRUNC(f, 4096), ZMM_OK);
    CHECK(file_size(f) == 4096);
    CHECK_RC(READ(f, 0, back, 4096), ZMM_OK);
    CHECK(memcmp(back, buf, 100) == 0);
    for (i = 100; i < 4096; i++)
        CHECK(back[i] == 0);
    CHECK_RC(SYNC(f), ZMM_OK);
    CHECK_RC(CLOSE(f), ZMM_OK);

    /* A read-only open sees it all. */
    CHECK_RC(zmm_platform_open(a, 0, &f, &err), ZMM_OK);
    CHECK(file_size(f) == 4096);
    CHECK_RC(READ(f, 0, back, 100), ZMM_OK);
    CHECK(memcmp(back, buf, 100) == 0);
    CHECK_RC(CLOSE(f), ZMM_OK);

    free(buf);
    free(back);
    return 0;
}

static int test_sharing(void)
{
    const char *a = path_of("a.bin");
    zmm_file *w1, *w2, *r;
    long err = 0;
    char c;

    /* One writer holds the lock: a second writer is refused, a reader is
     * not. */
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE | ZMM_FILE_LOCK_WRITER, &w1,
                               &err),
             ZMM_OK);
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE | ZMM_FILE_LOCK_WRITER, &w2,
                               &err),
             ZMM_ERR_SHARING);
    CHECK(w2 == NULL && err != 0);
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE | ZMM_FILE_CREATE |
                                      ZMM_FILE_LOCK_WRITER,
                               &w2, &err),
             ZMM_ERR_SHARING);
    CHECK_RC(zmm_platform_open(a, 0, &r, &err), ZMM_OK);
    CHECK_RC(WRITE(w1, 0, "Z", 1), ZMM_OK);
    CHECK_RC(READ(r, 0, &c, 1), ZMM_OK);
    CHECK(c == 'Z');
    /* Released with its file. */
    CHECK_RC(CLOSE(w1), ZMM_OK);
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE | ZMM_FILE_LOCK_WRITER, &w2,
                               &err),
             ZMM_OK);
    CHECK_RC(CLOSE(w2), ZMM_OK);
    CHECK_RC(CLOSE(r), ZMM_OK);

    /* Share modes: enforced on Windows, accepted and ignored on POSIX. */
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_DENY_WRITE, &r, &err), ZMM_OK);
#ifdef _WIN32
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE, &w1, &err),
             ZMM_ERR_SHARING);
    CHECK(err == ERROR_SHARING_VIOLATION);
    CHECK_RC(zmm_platform_open(a, 0, &w1, &err), ZMM_OK);
#else
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE, &w1, &err), ZMM_OK);
#endif
    CHECK_RC(CLOSE(w1), ZMM_OK);
    CHECK_RC(CLOSE(r), ZMM_OK);

    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE | ZMM_FILE_DENY_READ, &w1,
                               &err),
             ZMM_OK);
#ifdef _WIN32
    CHECK_RC(zmm_platform_open(a, 0, &r, &err), ZMM_ERR_SHARING);
#else
    CHECK_RC(zmm_platform_open(a, 0, &r, &err), ZMM_OK);
    CHECK_RC(CLOSE(r), ZMM_OK);
#endif
    CHECK_RC(CLOSE(w1), ZMM_OK);
    return 0;
}

static int test_replace_remove(void)
{
    const char *a = path_of("a.bin"), *b = path_of("b.bin");
    /* "é-ü.bin" in UTF-8. */
    const char *u = path_of("\xc3\xa9-\xc3\xbc.bin");
    zmm_file *f;
    long err = 0;

    CHECK(put_file(a, "old contents") == 0);
    CHECK(put_file(b, "new") == 0);
    CHECK_RC(zmm_platform_replace(b, a, &err), ZMM_OK);
    CHECK(err == 0);
    CHECK(check_file(a, "new") == 0);
    CHECK_RC(zmm_platform_open(b, 0, &f, &err), ZMM_ERR_NOT_FOUND);
    CHECK_RC(zmm_platform_replace(b, a, &err), ZMM_ERR_NOT_FOUND);
    CHECK(err != 0);
    CHECK(check_file(a, "new") == 0);

    /* Onto a name that does not exist yet, and a non-ASCII name. */
    CHECK_RC(zmm_platform_replace(a, u, &err), ZMM_OK);
    CHECK(check_file(u, "new") == 0);
    CHECK(put_file(a, "newer") == 0);
    CHECK_RC(zmm_platform_replace(a, u, NULL), ZMM_OK);
    CHECK(check_file(u, "newer") == 0);

    CHECK_RC(zmm_platform_remove(u, &err), ZMM_OK);
    CHECK_RC(zmm_platform_remove(u, &err), ZMM_ERR_NOT_FOUND);
    CHECK(err != 0);
    CHECK_RC(zmm_platform_open(u, 0, &f, &err), ZMM_ERR_NOT_FOUND);
    CHECK_RC(zmm_platform_remove(temp_dir, &err), ZMM_ERR_ACCESS);
    return 0;
}

/* ---- the memory file ------------------------------------------------------- */

static int test_memfile(void)
{
    zmm_file *m = zmm_memfile_new("abc", 3);
    const unsigned char *d;
    unsigned char buf[16];
    size_t len, i;

    CHECK(m != NULL);
    d = zmm_memfile_data(m, &len);
    CHECK(len == 3 && memcmp(d, "abc", 3) == 0);
    CHECK(file_size(m) == 3);
    CHECK_RC(READ(m, 1, buf, 2), ZMM_OK);
    CHECK(memcmp(buf, "bc", 2) == 0);
    CHECK_RC(READ(m, 2, buf, 2), ZMM_ERR_CORRUPT);
    CHECK_RC(READ(m, 4, buf, 0), ZMM_OK); /* nothing to read */
    CHECK_RC(READ(m, UINT64_MAX, buf, 1), ZMM_ERR_CORRUPT);
    CHECK_RC(READ(m, 3, buf, 0), ZMM_OK);

    /* A gap reads as zeros; writing nothing extends nothing. */
    CHECK_RC(WRITE(m, 10, "xy", 2), ZMM_OK);
    CHECK_RC(WRITE(m, 100, "", 0), ZMM_OK);
    d = zmm_memfile_data(m, &len);
    CHECK(len == 12);
    for (i = 3; i < 10; i++)
        CHECK(d[i] == 0);
    CHECK(d[10] == 'x' && d[11] == 'y');

    CHECK_RC(TRUNC(m, 5), ZMM_OK);
    CHECK(file_size(m) == 5);
    CHECK_RC(WRITE(m, 3, "QQ", 2), ZMM_OK);
    CHECK_RC(TRUNC(m, 4), ZMM_OK);
    CHECK_RC(TRUNC(m, 8), ZMM_OK);
    d = zmm_memfile_data(m, &len);
    CHECK(len == 8 && memcmp(d, "abcQ\0\0\0\0", 8) == 0);

    /* Growing far. */
    CHECK_RC(WRITE(m, 1 << 20, "z", 1), ZMM_OK);
    d = zmm_memfile_data(m, &len);
    CHECK(len == (1u << 20) + 1 && d[1 << 20] == 'z' && d[1000] == 0);
    CHECK_RC(SYNC(m), ZMM_OK);
    CHECK_RC(CLOSE(m), ZMM_OK);

    m = zmm_memfile_new(NULL, 0);
    CHECK(m != NULL);
    d = zmm_memfile_data(m, &len);
    CHECK(d != NULL && len == 0);
    CHECK_RC(READ(m, 0, buf, 1), ZMM_ERR_CORRUPT);
    /* Not a memory file. */
    {
        zmm_fault_plan plan = {0, 0, 0, 0};
        zmm_file *ff = zmm_faultfile_new(m, &plan);
        CHECK(ff != NULL);
        CHECK(zmm_memfile_data(ff, &len) == NULL && len == 0);
        CHECK(zmm_faultfile_inner(ff) == m);
        CHECK(zmm_faultfile_inner(m) == NULL);
        CHECK(zmm_faultfile_events(m) == 0);
        CHECK_RC(CLOSE(ff), ZMM_OK); /* closes m */
    }
    return 0;
}

/* ---- the fault file: failures ---------------------------------------------- */

static int test_fault_fail(void)
{
    zmm_fault_plan plan = {0, 0, 0, 0};
    zmm_file *m = zmm_memfile_new("0123456789", 10), *f;
    const unsigned char *d;
    unsigned char buf[4];
    size_t len;

    plan.fail_at = 2;
    f = zmm_faultfile_new(m, &plan);
    CHECK(m && f);
    CHECK_RC(WRITE(f, 0, "A", 1), ZMM_OK);      /* event 1 */
    CHECK_RC(WRITE(f, 1, "B", 1), ZMM_ERR_IO);  /* event 2: fails */
    CHECK(f->os_error != 0);
    d = zmm_memfile_data(m, &len);
    CHECK(len == 10 && memcmp(d, "A123456789", 10) == 0);
    CHECK_RC(WRITE(f, 20, "C", 1), ZMM_OK);     /* 3: later events work */
    CHECK_RC(TRUNC(f, 5), ZMM_OK);              /* 4 */
    CHECK_RC(SYNC(f), ZMM_OK);                  /* 5 */
    CHECK(zmm_faultfile_events(f) == 5 && !zmm_faultfile_crashed(f));
    d = zmm_memfile_data(m, &len);
    CHECK(len == 5 && memcmp(d, "A1234", 5) == 0);
    /* Reads and size are not events. */
    CHECK_RC(READ(f, 0, buf, 4), ZMM_OK);
    CHECK(file_size(f) == 5);
    CHECK_RC(READ(f, 3, buf, 4), ZMM_ERR_CORRUPT);
    CHECK(zmm_faultfile_events(f) == 5);
    CHECK_RC(CLOSE(f), ZMM_OK);

    /* A failing truncate, and a failing sync. */
    m = zmm_memfile_new("0123456789", 10);
    plan.fail_at = 1;
    f = zmm_faultfile_new(m, &plan);
    CHECK_RC(TRUNC(f, 2), ZMM_ERR_IO);
    CHECK(file_size(f) == 10);
    CHECK_RC(TRUNC(f, 2), ZMM_OK);
    CHECK(file_size(f) == 2);
    CHECK_RC(CLOSE(f), ZMM_OK);

    m = zmm_memfile_new(NULL, 0);
    plan.fail_at = 2;
    f = zmm_faultfile_new(m, &plan);
    CHECK_RC(WRITE(f, 0, "x", 1), ZMM_OK);
    CHECK_RC(SYNC(f), ZMM_ERR_IO);
    CHECK_RC(SYNC(f), ZMM_OK);
    CHECK_RC(CLOSE(f), ZMM_OK);

    /* Reads fail from the third on. */
    m = zmm_memfile_new("0123456789", 10);
    plan.fail_at = 0;
    plan.fail_read_at = 3;
    f = zmm_faultfile_new(m, &plan);
    CHECK_RC(READ(f, 0, buf, 1), ZMM_OK);
    CHECK_RC(READ(f, 0, buf, 1), ZMM_OK);
    CHECK_RC(READ(f, 0, buf, 1), ZMM_ERR_IO);
    CHECK(f->os_error != 0);
    CHECK_RC(READ(f, 0, buf, 1), ZMM_ERR_IO);
    CHECK_RC(WRITE(f, 0, "w", 1), ZMM_OK);
    CHECK_RC(CLOSE(f), ZMM_OK);
    return 0;
}

/* ---- the fault file: crashes ----------------------------------------------- */

#define SECTOR 512u

/* A write the crash tests make, and how much of it came through. */
typedef struct test_write {
    uint64_t offset;
    size_t len;
} test_write;

/* A cut allowed for a torn write: none, all, at a sector boundary, or
 * anywhere in a write within one sector. */
static int allowed_prefix(uint64_t offset, size_t len, size_t p)
{
    uint64_t first_boundary = (offset / SECTOR + 1) * SECTOR;
    if (p == 0 || p == len || (offset + p) % SECTOR == 0)
        return 1;
    return first_boundary >= offset + len;
}

static int test_fault_crash_basic(void)
{
    zmm_fault_plan plan = {0, 0, 0, 0};
    unsigned char base[4096], x[100];
    zmm_file *m, *f;
    const unsigned char *d;
    size_t len;
    uint64_t seed;

    fill_old(base, 0, sizeof base);
    memset(x, 'x', sizeof x);
    for (seed = 0; seed < 50; seed++) {
        plan.crash_at = 3;
        plan.seed = seed;
        m = zmm_memfile_new(base, sizeof base);
        f = zmm_faultfile_new(m, &plan);
        CHECK(m && f);
        CHECK_RC(WRITE(f, 0, x, sizeof x), ZMM_OK);  /* 1 */
        CHECK_RC(SYNC(f), ZMM_OK);                   /* 2: makes it durable */
        CHECK(!zmm_faultfile_crashed(f));
        CHECK_RC(WRITE(f, 1000, x, sizeof x), ZMM_OK); /* 3: the crash */
        CHECK(zmm_faultfile_crashed(f));
        CHECK_RC(TRUNC(f, 10), ZMM_OK);              /* 4: no effect */
        CHECK_RC(WRITE(f, 5000, x, 1), ZMM_OK);      /* 5: no effect */
        CHECK_RC(SYNC(f), ZMM_OK);                   /* 6 */
        CHECK(zmm_faultfile_events(f) == 6);
        d = zmm_memfile_data(m, &len);
        CHECK(len == sizeof base);
        CHECK(memcmp(d, x, sizeof x) == 0);
        CHECK(memcmp(d + 100, base + 100, sizeof base - 100) == 0);

        zmm_faultfile_settle(f);
        zmm_faultfile_settle(f); /* twice is once */
        d = zmm_memfile_data(m, &len);
        CHECK(len == sizeof base);
        CHECK(memcmp(d, x, sizeof x) == 0);
        CHECK(memcmp(d + 100, base + 100, sizeof base - 100) == 0);
        CHECK_RC(CLOSE(f), ZMM_OK);
    }
    return 0;
}

/*
 * Unsynced writes of every shape, then a crash: each write must come out
 * whole, absent, or as a prefix cut at an allowed place, the file size must
 * follow the kept bytes, and the synced write must survive. Every fate must
 * occur over the seeds, and a seed must always give the same result.
 */
static int test_fault_crash_fates(void)
{
    enum { OLD_SIZE = 5000, NW = 4 };
    static const test_write writes[NW] = {
        {0, 64},      /* within one sector, like a header slot */
        {1000, 1500}, /* across three boundaries */
        {3000, 10},   /* within one sector */
        {4000, 2000}, /* across boundaries and past the end */
    };
    const test_write synced = {200, 50};
    zmm_fault_plan plan = {0, 0, 0, 0};
    unsigned char base[OLD_SIZE], buf[2048], first_image[6000];
    size_t first_len = 0;
    int seen[NW][3]; /* dropped, torn, kept */
    int differs = 0;
    uint64_t seed;
    size_t i, w;

    memset(seen, 0, sizeof seen);
    fill_old(base, 0, sizeof base);
    for (seed = 0; seed < 300; seed++) {
        unsigned char covered[6000];
        zmm_file *m = zmm_memfile_new(base, sizeof base), *f;
        const unsigned char *d;
        size_t len;

        plan.seed = seed % 150; /* each seed twice: the same outcome */
        plan.crash_at = 3 + NW; /* write, sync, NW writes, then the crash */
        f = zmm_faultfile_new(m, &plan);
        CHECK(m && f);
        fill_new(buf, synced.offset, synced.len);
        CHECK_RC(WRITE(f, synced.offset, buf, synced.len), ZMM_OK);
        CHECK_RC(SYNC(f), ZMM_OK);
        for (w = 0; w < NW; w++) {
            fill_new(buf, writes[w].offset, writes[w].len);
            CHECK_RC(WRITE(f, writes[w].offset, buf, writes[w].len), ZMM_OK);
        }
        CHECK(!zmm_faultfile_crashed(f));
        CHECK_RC(WRITE(f, 0, buf, 100), ZMM_OK);
        CHECK(zmm_faultfile_crashed(f));
        zmm_faultfile_settle(f);
        d = zmm_memfile_data(m, &len);
        CHECK(len >= OLD_SIZE && len <= 6000);

        /* The synced write survives. */
        for (i = synced.offset; i < synced.offset + synced.len; i++)
            CHECK(d[i] == new_byte(i));
        /* Each unsynced write: new bytes up to a cut p, old bytes after. */
        memset(covered, 0, sizeof covered);
        for (w = 0; w < NW; w++) {
            uint64_t off = writes[w].offset;
            size_t n = writes[w].len, p = 0;
            uint64_t end = off + n;
            while (p < n && off + p < len && d[off + p] == new_byte(off + p))
                p++;
            for (i = off + p; i < end && i < len; i++)
                CHECK(d[i] == old_byte(i));
            if (end > OLD_SIZE) /* the size follows the kept bytes */
                CHECK(len == (off + p > OLD_SIZE ? off + p : OLD_SIZE));
            if (!allowed_prefix(off, n, p)) {
                fprintf(stderr, "seed %lu: write %lu kept %lu bytes\n",
                        (unsigned long)plan.seed, (unsigned long)w,
                        (unsigned long)p);
                CHECK(0);
            }
            seen[w][p == 0 ? 0 : p == n ? 2 : 1]++;
            memset(covered + off, 1, n);
        }
        /* Bytes nobody wrote are untouched. */
        for (i = 0; i < OLD_SIZE; i++)
            if (!covered[i] && (i < synced.offset ||
                                i >= synced.offset + synced.len))
                CHECK(d[i] == old_byte(i));

        /* Determinism; and the seed matters. */
        if (seed == 0) {
            memcpy(first_image, d, len);
            first_len = len;
        } else if (seed == 150) {
            CHECK(len == first_len && memcmp(d, first_image, len) == 0);
        } else if (len != first_len || memcmp(d, first_image, len) != 0) {
            differs = 1;
        }
        CHECK_RC(CLOSE(f), ZMM_OK);
    }
    for (w = 0; w < NW; w++)
        for (i = 0; i < 3; i++)
            CHECK(seen[w][i] > 0);
    CHECK(differs);
    return 0;
}

/* The image a replay of two writes, A then B, each cut at its prefix, over
 * `base` would give; returns its length. */
static size_t replay(const unsigned char *base, size_t base_len,
                     int truncated, uint64_t trunc_to,
                     const test_write *a, unsigned char va, size_t pa,
                     const test_write *b, unsigned char vb, size_t pb,
                     unsigned char *out)
{
    size_t len = base_len;
    memcpy(out, base, base_len);
    if (truncated)
        len = (size_t)trunc_to;
    if (a && pa) {
        if (a->offset > len)
            memset(out + len, 0, (size_t)a->offset - len);
        memset(out + a->offset, va, pa);
        if (a->offset + pa > len)
            len = (size_t)(a->offset + pa);
    }
    if (b && pb) {
        if (b->offset > len)
            memset(out + len, 0, (size_t)b->offset - len);
        memset(out + b->offset, vb, pb);
        if (b->offset + pb > len)
            len = (size_t)(b->offset + pb);
    }
    return len;
}

/*
 * Overlapping unsynced writes A = [0, 2048) and B = [1000, 1500): the result
 * must be a replay of some allowed cuts of A then B, and every combination
 * must occur, including "A lost, B kept" (where B's bytes win), which an
 * undo of lost writes alone would get wrong. The crash here comes from
 * settle itself (no crash_at).
 */
static int test_fault_crash_overlap(void)
{
    static const size_t cuts_a[5] = {0, 512, 1024, 1536, 2048};
    static const size_t cuts_b[3] = {0, 24, 500};
    const test_write a = {0, 2048}, b = {1000, 500};
    zmm_fault_plan plan = {0, 0, 0, 0};
    unsigned char base[4096], buf[2048], expect[4096];
    int seen[5][3];
    uint64_t seed;
    size_t i, j;

    memset(seen, 0, sizeof seen);
    fill_old(base, 0, sizeof base);
    for (seed = 1000; seed < 1600; seed++) {
        zmm_file *m = zmm_memfile_new(base, sizeof base), *f;
        const unsigned char *d;
        size_t len;
        int found = 0;

        plan.seed = seed;
        f = zmm_faultfile_new(m, &plan);
        CHECK(m && f);
        memset(buf, 0xAA, sizeof buf);
        CHECK_RC(WRITE(f, a.offset, buf, a.len), ZMM_OK);
        memset(buf, 0xBB, sizeof buf);
        CHECK_RC(WRITE(f, b.offset, buf, b.len), ZMM_OK);
        zmm_faultfile_settle(f);
        CHECK(zmm_faultfile_crashed(f));
        CHECK_RC(WRITE(f, 0, buf, 10), ZMM_OK); /* after the crash: lost */
        d = zmm_memfile_data(m, &len);
        for (i = 0; i < 5 && !found; i++)
            for (j = 0; j < 3 && !found; j++) {
                size_t n = replay(base, sizeof base, 0, 0, &a, 0xAA,
                                  cuts_a[i], &b, 0xBB, cuts_b[j], expect);
                if (n == len && memcmp(d, expect, len) == 0) {
                    seen[i][j]++;
                    found = 1;
                }
            }
        if (!found) {
            fprintf(stderr, "seed %lu: not a replay of allowed cuts\n",
                    (unsigned long)seed);
            CHECK(0);
        }
        CHECK_RC(CLOSE(f), ZMM_OK);
    }
    for (i = 0; i < 5; i++)
        for (j = 0; j < 3; j++)
            CHECK(seen[i][j] > 0);
    return 0;
}

/*
 * An unsynced truncate, then a write that extends the file again: a dropped
 * truncate gives back the old size and bytes; the size follows what was kept.
 */
static int test_fault_crash_truncate(void)
{
    static const size_t cuts[4] = {0, 12, 524, 1000};
    const test_write w = {500, 1000};
    zmm_fault_plan plan = {0, 0, 0, 0};
    unsigned char base[8192], buf[1000], expect[8192];
    int seen[2][4];
    uint64_t seed;
    size_t i;
    int t;

    memset(seen, 0, sizeof seen);
    fill_old(base, 0, sizeof base);
    memset(buf, 0xCC, sizeof buf);
    for (seed = 0; seed < 400; seed++) {
        zmm_file *m = zmm_memfile_new(base, sizeof base), *f;
        const unsigned char *d;
        size_t len;
        int found = 0;

        plan.seed = seed;
        plan.crash_at = 4;
        f = zmm_faultfile_new(m, &plan);
        CHECK(m && f);
        CHECK_RC(SYNC(f), ZMM_OK);
        CHECK_RC(TRUNC(f, 1000), ZMM_OK);
        CHECK_RC(WRITE(f, w.offset, buf, w.len), ZMM_OK);
        CHECK(file_size(f) == 1500);
        CHECK_RC(SYNC(f), ZMM_OK); /* event 4: the crash, so not synced */
        CHECK(zmm_faultfile_crashed(f));
        zmm_faultfile_settle(f);
        d = zmm_memfile_data(m, &len);
        for (t = 0; t < 2 && !found; t++)
            for (i = 0; i < 4 && !found; i++) {
                size_t n = replay(base, sizeof base, t, 1000, &w, 0xCC,
                                  cuts[i], NULL, 0, 0, expect);
                if (n == len && memcmp(d, expect, len) == 0) {
                    seen[t][i]++;
                    found = 1;
                }
            }
        if (!found) {
            fprintf(stderr, "seed %lu: not a replay of allowed fates\n",
                    (unsigned long)seed);
            CHECK(0);
        }
        CHECK_RC(CLOSE(f), ZMM_OK);
    }
    for (t = 0; t < 2; t++)
        for (i = 0; i < 4; i++)
            CHECK(seen[t][i] > 0);
    return 0;
}

#if defined(__linux__)
/* A writer's data is synced in the background every few MiB (posix_file.c);
 * a failure there must fail the next sync, since Linux reports a failed
 * writeback to one fsync only, and the commit's sync would then succeed
 * over lost bytes. */
static int test_background_sync(void)
{
    const char *a = path_of("bg.bin");
    const size_t chunk = 1u << 20, chunks = 9;
    unsigned char *buf = malloc(chunk), *back = malloc(chunk);
    zmm_file *f;
    long err;
    size_t i;
    int fail;

    CHECK(buf && back);
    for (fail = 0; fail < 2; fail++) {
        zmm_posix_fail_data_syncs(fail ? EIO : 0);
        CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE | ZMM_FILE_CREATE, &f,
                                   &err),
                 ZMM_OK);
        CHECK_RC(TRUNC(f, 0), ZMM_OK);
        for (i = 0; i < chunks; i++) {
            fill_old(buf, i * chunk, chunk);
            CHECK_RC(WRITE(f, i * chunk, buf, chunk), ZMM_OK);
        }
        CHECK_RC(SYNC(f), fail ? ZMM_ERR_IO : ZMM_OK);
        CHECK(!fail || f->os_error == EIO);
        /* sticky: bytes may be lost, no later sync may say otherwise */
        CHECK_RC(SYNC(f), fail ? ZMM_ERR_IO : ZMM_OK);
        for (i = 0; i < chunks; i++) {
            fill_old(buf, i * chunk, chunk);
            CHECK_RC(READ(f, i * chunk, back, chunk), ZMM_OK);
            CHECK(memcmp(buf, back, chunk) == 0);
        }
        CHECK_RC(CLOSE(f), ZMM_OK);
        zmm_posix_fail_data_syncs(0);
    }
    /* a file of less than one step has no syncer: its sync is its own */
    zmm_posix_fail_data_syncs(EIO);
    CHECK_RC(zmm_platform_open(a, ZMM_FILE_WRITE, &f, &err), ZMM_OK);
    CHECK_RC(WRITE(f, 0, buf, chunk), ZMM_OK);
    CHECK_RC(SYNC(f), ZMM_OK);
    CHECK_RC(CLOSE(f), ZMM_OK);
    zmm_posix_fail_data_syncs(0);
    CHECK_RC(zmm_platform_remove(a, &err), ZMM_OK);
    free(buf);
    free(back);
    return 0;
}
#endif

int main(void)
{
    if (make_temp_dir() != 0) {
        fprintf(stderr, "test_platform: cannot create a temporary directory\n");
        return 1;
    }
    RUN(test_open_errors());
    RUN(test_create_read_write());
    RUN(test_sharing());
    RUN(test_replace_remove());
#if defined(__linux__)
    RUN(test_background_sync());
#endif
    zmm_platform_remove(path_of("a.bin"), NULL);
    zmm_platform_remove(path_of("b.bin"), NULL);
    remove_temp_dir();

    RUN(test_memfile());
    RUN(test_fault_fail());
    RUN(test_fault_crash_basic());
    RUN(test_fault_crash_fates());
    RUN(test_fault_crash_overlap());
    RUN(test_fault_crash_truncate());
    printf("test_platform: all passed\n");
    return 0;
}
