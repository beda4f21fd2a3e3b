/*
 * replay_driver.c -- runs a fuzz target over files, as an ordinary test (the
 * idea of zstd's tests/fuzz/regression_driver.c).
 *
 * usage: <target>_replay PATH...
 * Each PATH is a file or a directory whose files (not subdirectories) are
 * each passed to LLVMFuzzerTestOneInput. Fails when no input was found, so
 * a missing corpus does not pass silently.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* opendir() under -std=c11 */
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <dirent.h>
#include <sys/stat.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long inputs;
static unsigned long long bytes;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, got;
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 0;
    }
    do {
        if (len == cap) {
            unsigned char *p;
            cap = cap ? cap * 2 : 65536;
            p = realloc(buf, cap);
            if (!p) {
                fprintf(stderr, "replay: out of memory reading %s\n", path);
                free(buf);
                fclose(f);
                return 0;
            }
            buf = p;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    /* A copy of exactly `len` bytes, so ASan sees reads past the input. */
    {
        unsigned char *exact = malloc(len ? len : 1);
        if (!exact) {
            free(buf);
            return 0;
        }
        memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    inputs++;
    bytes += len;
    return 1;
}

/* Runs every regular file of a directory, in name order. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int ok = 1;
#ifdef _WIN32
    char pattern[MAX_PATH];
    WIN32_FIND_DATAA fd;
    HANDLE h;
    DWORD attr = GetFileAttributesA(path);
    if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY))
        return run_file(path);
    snprintf(pattern, sizeof pattern, "%s\\*", path);
    h = FindFirstFileA(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return 1; /* an empty directory */
    do {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n] = malloc(strlen(path) + strlen(fd.cFileName) + 2);
        sprintf(names[n], "%s\\%s", path, fd.cFileName);
        n++;
    } while (FindNextFileA(h, &fd));
    FindClose(h);
#else
    struct stat st;
    DIR *d;
    struct dirent *e;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return run_file(path);
    d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot list %s\n", path);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        char *full = malloc(strlen(path) + strlen(e->d_name) + 2);
        sprintf(full, "%s/%s", path, e->d_name);
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(full);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = full;
    }
    closedir(d);
#endif
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (i = 0; i < n; i++) {
        ok &= run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return ok;
}

int main(int argc, char **argv)
{
    int i, ok = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++)
        ok &= run_path(argv[i]);
    printf("replay: %lu inputs, %llu bytes\n", inputs, bytes);
    if (!ok || inputs == 0) {
        fprintf(stderr, "replay: %s\n", ok ? "no inputs found" : "failed");
        return 1;
    }
    return 0;
}
