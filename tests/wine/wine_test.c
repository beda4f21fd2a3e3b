/*
 * wine_test.c -- the shared harness of the Windows integration tests.
 */
#include "wine_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmm.h"

#include "../splitmix64.h"

unsigned long tw_checks;
unsigned long tw_failures;

void tw_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    tw_failures++;
    if (tw_failures > 50)
        return; /* the count still says how many */
    fprintf(stdout, "FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

/* Deletes the files in `dir` (one level: the tests make no subfolders
 * except where they remove them themselves). */
static void empty_dir(const char *dir)
{
    char pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAA fd;
    HANDLE find;

    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    find = FindFirstFileA(pattern, &fd);
    if (find == INVALID_HANDLE_VALUE)
        return;
    do {
        if (!strcmp(fd.cFileName, ".") || !strcmp(fd.cFileName, ".."))
            continue;
        snprintf(path, sizeof path, "%s\\%s", dir, fd.cFileName);
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
            empty_dir(path);
            RemoveDirectoryA(path);
        } else {
            SetFileAttributesA(path, FILE_ATTRIBUTE_NORMAL);
            DeleteFileA(path);
        }
    } while (FindNextFileA(find, &fd));
    FindClose(find);
}

void tw_enter_workdir(const char *name)
{
    char dir[MAX_PATH];

    snprintf(dir, sizeof dir, "%s.dir", name);
    CreateDirectoryA(dir, NULL);
    empty_dir(dir);
    if (!SetCurrentDirectoryA(dir)) {
        printf("cannot enter %s\n", dir);
        exit(2);
    }
}

int tw_finish(const char *name)
{
    printf("%s: %lu checks, %lu failed\n", name, tw_checks, tw_failures);
    fflush(stdout);
    return tw_failures ? 1 : 0;
}

int tw_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}

unsigned char *tw_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;

    *len = 0;
    if (!f)
        return NULL;
    for (;;) {
        size_t got;

        if (n == cap) {
            unsigned char *grown = realloc(buf, cap ? cap * 2 : 65536);

            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
            cap = cap ? cap * 2 : 65536;
        }
        got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf ? buf : malloc(1);
}

unsigned char *tw_read_member(const char *archive, const char *member,
                              size_t *len)
{
    zmm_archive *ar = NULL;
    zmm_stream *st = NULL;
    unsigned char *buf = NULL;
    size_t size, got = 0;

    *len = 0;
    if (zmm_archive_open(archive, ZMM_OPEN_READ, &ar, NULL) != ZMM_OK)
        return NULL;
    if (zmm_stream_open(ar, member, ZMM_STREAM_READ, NULL, &st) == ZMM_OK) {
        size = (size_t)zmm_stream_size(st);
        buf = malloc(size ? size : 1);
        if (buf && (zmm_stream_read(st, buf, size, &got) != ZMM_OK
                    || got != size)) {
            free(buf);
            buf = NULL;
        }
        zmm_stream_close(st);
        *len = buf ? size : 0;
    }
    zmm_archive_close(ar);
    return buf;
}

int tw_write_member(const char *archive, const char *member,
                    const void *data, size_t len)
{
    zmm_archive *ar = NULL;
    zmm_stream *st = NULL;
    int rc = -1;

    if (zmm_archive_open(archive, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar, NULL)
        != ZMM_OK)
        return -1;
    if (zmm_stream_open(ar, member,
                        ZMM_STREAM_WRITE | ZMM_STREAM_CREATE
                            | ZMM_STREAM_TRUNCATE,
                        NULL, &st) == ZMM_OK) {
        rc = zmm_stream_write(st, data, len) == ZMM_OK ? 0 : -1;
        if (zmm_stream_close(st) != ZMM_OK)
            rc = -1;
    }
    if (zmm_archive_close(ar) != ZMM_OK)
        rc = -1;
    return rc;
}

uint64_t tw_rand(uint64_t *state)
{
    return splitmix64(state);
}

uint32_t tw_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(tw_rand(state) % n);
}

void tw_fill_random(uint64_t *state, unsigned char *buf, size_t len)
{
    size_t i;
    /* Half the time compressible (runs and a small alphabet), so both the
     * deflate and the raw block kinds occur. */
    int compressible = tw_below(state, 2);

    for (i = 0; i < len; i++)
        buf[i] = compressible ? (unsigned char)("abcab\0\0\0"[tw_below(state, 8)])
                              : (unsigned char)tw_rand(state);
}

void tw_install(void)
{
    if (!ZmmInstallIOProc()) {
        printf("FAIL: ZmmInstallIOProc\n");
        exit(1);
    }
}

HMMIO tw_mmio_open(const char *name, MMIOINFO *info, DWORD flags)
{
    char copy[1024];

    if (strlen(name) >= sizeof copy)
        return NULL;
    strcpy(copy, name);
    return mmioOpenA(copy, info, flags);
}
