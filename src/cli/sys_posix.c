/*
 * sys_posix.c -- sys.h on POSIX systems. Paths are bytes; the tool treats
 * them as UTF-8 but never needs to convert them here.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

static long last_error;
static volatile sig_atomic_t caught_signal;

static int failed(void)
{
    last_error = errno;
    return -1;
}

static void on_signal(int sig)
{
    caught_signal = sig;
}

int main(int argc, char **argv)
{
    sys_init();
    return zmm_main(argc, argv);
}

void sys_init(void)
{
    struct sigaction sa, old;

    /* No SA_RESTART: a read from a terminal or a pipe returns with EINTR, so
     * Ctrl+C stops `zmm pack -o x.zmm -` even while it waits for input. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    /* A shell starts background jobs with SIGINT ignored: keep it so, or
     * Ctrl+C meant for the foreground job would stop this one too. */
    sigaction(SIGINT, NULL, &old);
    if (old.sa_handler != SIG_IGN)
        sigaction(SIGINT, &sa, NULL);
}

int sys_interrupted(void)
{
    return caught_signal != 0;
}

void sys_reraise_interrupt(void)
{
    int sig = caught_signal;

    if (sig != 0) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

long sys_last_error(void)
{
    return last_error;
}

const char *sys_error_text(long os_error, char *buf, size_t size)
{
    if (size > 0) {
        const char *text = strerror((int)os_error);

        strncpy(buf, text ? text : "unknown error", size - 1);
        buf[size - 1] = '\0';
    }
    return buf;
}

int sys_error_is_exists(long os_error)
{
    return os_error == EEXIST;
}

enum sys_file_type sys_stat(const char *path, uint64_t *size)
{
    struct stat st;

    if (size != NULL)
        *size = 0;
    if (stat(path, &st) != 0) {
        failed();
        return SYS_MISSING;
    }
    if (S_ISDIR(st.st_mode))
        return SYS_DIR;
    if (!S_ISREG(st.st_mode))
        return SYS_OTHER;
    if (size != NULL)
        *size = (uint64_t)st.st_size;
    return SYS_FILE;
}

int sys_is_link(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

int sys_same_file(const char *path, FILE *f)
{
    struct stat a, b;

    return stat(path, &a) == 0 && fstat(fileno(f), &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

FILE *sys_fopen(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);

    if (f == NULL)
        failed();
    return f;
}

int sys_fseek(FILE *f, uint64_t offset)
{
    if (offset > (uint64_t)INT64_MAX ||
        fseeko(f, (off_t)offset, SEEK_SET) != 0) {
        failed();
        return -1;
    }
    return 0;
}

FILE *sys_create_new(const char *path)
{
    int fd;
    FILE *f;

    do {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        failed();
        return NULL;
    }
    f = fdopen(fd, "wb");
    if (f == NULL) {
        failed();
        close(fd);
        unlink(path);
    }
    return f;
}

int sys_file_meta(FILE *f, sys_meta *out)
{
    struct stat st;

    memset(out, 0, sizeof *out);
    if (fstat(fileno(f), &st) != 0)
        return failed();
    out->has_mtime = out->has_mode = 1;
    out->mtime = (int64_t)st.st_mtim.tv_sec;
    out->mtime_nsec = (uint32_t)st.st_mtim.tv_nsec;
    out->mode = (unsigned)st.st_mode & 07777u;
    return 0;
}

int sys_set_file_meta(FILE *f, const sys_meta *m)
{
    struct timespec t[2];
    int fd = fileno(f);

    if (fflush(f) != 0)
        return failed();
    /* The mode first: fchmod may not change the times, but keep the order
     * tar uses anyway. */
    if (m->has_mode && fchmod(fd, (mode_t)m->mode) != 0)
        return failed();
    if (m->has_mtime) {
        t[0].tv_sec = 0;
        t[0].tv_nsec = UTIME_OMIT; /* the access time stays */
        t[1].tv_sec = (time_t)m->mtime;
        t[1].tv_nsec = (long)m->mtime_nsec;
        if (futimens(fd, t) != 0)
            return failed();
    }
    return 0;
}

unsigned sys_umask(void)
{
    mode_t old = umask(022);

    umask(old);
    return (unsigned)old;
}

int sys_holes(void)
{
    return 1;
}

int sys_set_size(FILE *f, uint64_t size)
{
    if (fflush(f) != 0)
        return failed();
    if (size > (uint64_t)INT64_MAX || ftruncate(fileno(f), (off_t)size) != 0)
        return failed();
    return 0;
}

int sys_mkdir(const char *path)
{
    return mkdir(path, 0777) == 0 ? 0 : failed();
}

int sys_list_dir(const char *path, char ***names, size_t *count)
{
    DIR *d = opendir(path);
    struct dirent *e;
    size_t n = 0, cap = 0;
    char **list = NULL;

    *names = NULL;
    *count = 0;
    if (d == NULL)
        return failed();
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name) + 1;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            char **grown = realloc(list, (cap = cap ? cap * 2 : 16) *
                                             sizeof *list);

            if (grown == NULL)
                break;
            list = grown;
        }
        if ((list[n] = malloc(len)) == NULL)
            break;
        memcpy(list[n++], e->d_name, len);
        errno = 0;
    }
    if (e != NULL || errno != 0) { /* out of memory, or readdir failed */
        if (e != NULL)
            errno = ENOMEM;
        failed();
        while (n > 0)
            free(list[--n]);
        free(list);
        closedir(d);
        return -1;
    }
    closedir(d);
    *names = list;
    *count = n;
    return 0;
}

int sys_glob(const char *pattern, char ***names, size_t *count)
{
    (void)pattern; /* the shell expanded the wildcards it meant to */
    *names = NULL;
    *count = 0;
    return 0;
}

size_t sys_root_length(const char *path)
{
    size_t n = 0;

    while (path[n] == '/')
        n++;
    return n;
}

int sys_remove(const char *path)
{
    return unlink(path) == 0 ? 0 : failed();
}

int sys_rename(const char *from, const char *to, int replace)
{
    struct stat st;

    if (replace)
        return rename(from, to) == 0 ? 0 : failed();
    /* link() never replaces: it fails with EEXIST, atomically. */
    if (link(from, to) == 0) {
        unlink(from);
        return 0;
    }
    if (errno == EEXIST)
        return failed();
    /* A file system without hard links (FAT, some network shares): check,
     * then rename, accepting the small window between the two. */
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return failed();
    }
    return rename(from, to) == 0 ? 0 : failed();
}

int sys_is_separator(char c)
{
    return c == '/';
}

unsigned long sys_pid(void)
{
    return (unsigned long)getpid();
}

int sys_is_terminal(FILE *f)
{
    return isatty(fileno(f));
}

void sys_write_text(FILE *f, const char *text)
{
    fputs(text, f);
}

uint64_t sys_millis(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
