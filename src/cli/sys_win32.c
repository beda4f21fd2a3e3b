/*
 * sys_win32.c -- sys.h on Windows: wmain with a UTF-8 argv, wide-character
 * file calls, console-aware text output, Ctrl+C.
 *
 * Files are opened with CreateFileW and wrapped in C streams
 * (_open_osfhandle + _fdopen), so every failure leaves a Win32 error code and
 * open files may still be renamed or deleted by others, as on POSIX.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

#ifndef STATUS_CONTROL_C_EXIT
#define STATUS_CONTROL_C_EXIT ((DWORD)0xC000013AL)
#endif

/* No wildcard expansion by the C runtime (mingw-w64's CRT startup reads
 * this variable): it would turn a MEMBER pattern such as `*.wav`, meant
 * for the archive, into the names of files in the current folder. cmd.exe
 * and PowerShell pass `*.wav` through unexpanded; pack and add expand FILE
 * operands themselves (sys_glob). */
int _dowildcard = 0;

static DWORD last_error;
static volatile LONG interrupted;

static int failed(void)
{
    last_error = GetLastError();
    return -1;
}

/* ---- UTF-8 <-> UTF-16 --------------------------------------------------- */

/* A new UTF-16 copy of a UTF-8 string (free() it); NULL on invalid UTF-8. */
static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0) {
        failed();
        return NULL;
    }
    w = malloc((size_t)n * sizeof *w);
    if (w == NULL) {
        last_error = ERROR_NOT_ENOUGH_MEMORY;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

/* A new UTF-8 copy of a UTF-16 string; NULL on unpaired surrogates. */
static char *narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, NULL, 0,
                                NULL, NULL);
    char *s;

    if (n <= 0)
        return NULL;
    s = malloc((size_t)n);
    if (s != NULL)
        WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, s, n, NULL,
                            NULL);
    return s;
}

/* ---- start-up and Ctrl+C ------------------------------------------------ */

int wmain(int argc, wchar_t **wargv);

int wmain(int argc, wchar_t **wargv)
{
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    int i, rc;

    sys_init();
    if (argv == NULL) {
        fputs("zmm: out of memory\n", stderr);
        return 1;
    }
    for (i = 0; i < argc; i++) {
        argv[i] = narrow(wargv[i]);
        if (argv[i] == NULL) {
            fprintf(stderr, "zmm: argument %d is not valid Unicode\n", i);
            return 2;
        }
    }
    rc = zmm_main(argc, argv);
    for (i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return rc;
}

/* Runs on a thread of its own: it only raises the flag the main loop checks
 * between blocks. Returning TRUE keeps the process alive for that cleanup. */
static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT) {
        InterlockedExchange(&interrupted, 1);
        return TRUE;
    }
    return FALSE;
}

void sys_init(void)
{
    /* cat writes and pack reads member bytes: no CR/LF translation. */
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stdin), _O_BINARY);
    SetConsoleCtrlHandler(on_ctrl, TRUE);
}

int sys_interrupted(void)
{
    return InterlockedCompareExchange(&interrupted, 0, 0) != 0;
}

void sys_reraise_interrupt(void)
{
    if (sys_interrupted()) {
        fflush(NULL);
        /* The status Ctrl+C ends a program with. */
        ExitProcess(STATUS_CONTROL_C_EXIT);
    }
}

/* ---- errors ------------------------------------------------------------- */

long sys_last_error(void)
{
    return (long)last_error;
}

const char *sys_error_text(long os_error, char *buf, size_t size)
{
    wchar_t wide[512];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, (DWORD)os_error, 0, wide,
                             sizeof wide / sizeof wide[0], NULL);

    if (size == 0)
        return buf;
    buf[0] = '\0';
    while (n > 0 && (wide[n - 1] == L'\n' || wide[n - 1] == L'\r' ||
                     wide[n - 1] == L' ' || wide[n - 1] == L'.'))
        n--;
    if (n > 0) {
        wide[n] = L'\0';
        if (WideCharToMultiByte(CP_UTF8, 0, wide, -1, buf, (int)size, NULL,
                                NULL) > 0)
            return buf;
    }
    snprintf(buf, size, "Windows error %ld", os_error);
    return buf;
}

int sys_error_is_exists(long os_error)
{
    return os_error == ERROR_FILE_EXISTS || os_error == ERROR_ALREADY_EXISTS;
}

/* ---- files -------------------------------------------------------------- */

enum sys_file_type sys_stat(const char *path, uint64_t *size)
{
    WIN32_FILE_ATTRIBUTE_DATA fa;
    wchar_t *w = widen(path);
    BOOL ok;

    if (size != NULL)
        *size = 0;
    if (w == NULL)
        return SYS_MISSING;
    ok = GetFileAttributesExW(w, GetFileExInfoStandard, &fa);
    if (!ok)
        failed();
    free(w);
    if (!ok)
        return SYS_MISSING;
    if (fa.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        return SYS_DIR;
    if (fa.dwFileAttributes & FILE_ATTRIBUTE_DEVICE)
        return SYS_OTHER;
    if (size != NULL)
        *size = ((uint64_t)fa.nFileSizeHigh << 32) | fa.nFileSizeLow;
    return SYS_FILE;
}

int sys_is_link(const char *path)
{
    wchar_t *w = widen(path);
    DWORD attrs;

    if (w == NULL)
        return 0;
    attrs = GetFileAttributesW(w);
    free(w);
    return attrs != INVALID_FILE_ATTRIBUTES &&
           (attrs & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
}

int sys_same_file(const char *path, FILE *f)
{
    BY_HANDLE_FILE_INFORMATION a, b;
    intptr_t fh = _get_osfhandle(_fileno(f));
    wchar_t *w = widen(path);
    HANDLE h;
    int same = 0;

    if (w == NULL || fh == -1) {
        free(w);
        return 0;
    }
    /* No access needed to read the identity; share everything. */
    h = CreateFileW(w, 0,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    if (GetFileInformationByHandle(h, &a) &&
        GetFileInformationByHandle((HANDLE)fh, &b))
        same = a.dwVolumeSerialNumber == b.dwVolumeSerialNumber &&
               a.nFileIndexHigh == b.nFileIndexHigh &&
               a.nFileIndexLow == b.nFileIndexLow;
    CloseHandle(h);
    return same;
}

/* Wraps a Win32 handle in a C stream; closes it on failure. */
static FILE *stream_on(HANDLE h, int read)
{
    int fd = _open_osfhandle((intptr_t)h,
                             (read ? _O_RDONLY : _O_WRONLY) | _O_BINARY);
    FILE *f;

    if (fd < 0) {
        CloseHandle(h);
        last_error = ERROR_TOO_MANY_OPEN_FILES;
        return NULL;
    }
    f = _fdopen(fd, read ? "rb" : "wb");
    if (f == NULL) {
        _close(fd);
        last_error = ERROR_NOT_ENOUGH_MEMORY;
    }
    return f;
}

static FILE *open_file(const char *path, int read)
{
    wchar_t *w = widen(path);
    HANDLE h;

    if (w == NULL)
        return NULL;
    h = CreateFileW(w, read ? GENERIC_READ : GENERIC_WRITE,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, read ? OPEN_EXISTING : CREATE_NEW,
                    read ? FILE_FLAG_SEQUENTIAL_SCAN : FILE_ATTRIBUTE_NORMAL,
                    NULL);
    if (h == INVALID_HANDLE_VALUE)
        failed();
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    return stream_on(h, read);
}

FILE *sys_fopen(const char *path, const char *mode)
{
    if (mode[0] != 'r') { /* the tool only reads through this */
        last_error = ERROR_INVALID_PARAMETER;
        return NULL;
    }
    return open_file(path, 1);
}

int sys_fseek(FILE *f, uint64_t offset)
{
    if (offset > (uint64_t)INT64_MAX ||
        _fseeki64(f, (__int64)offset, SEEK_SET) != 0) {
        last_error = ERROR_SEEK;
        return -1;
    }
    return 0;
}

FILE *sys_create_new(const char *path)
{
    return open_file(path, 0);
}

/* FILETIME counts 100 ns from 1601-01-01 UTC; Unix time from 1970. */
#define UNIX_EPOCH_TICKS 116444736000000000LL

int sys_file_meta(FILE *f, sys_meta *out)
{
    HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
    FILETIME ft;
    int64_t ticks, sec;

    memset(out, 0, sizeof *out);
    if (h == INVALID_HANDLE_VALUE || !GetFileTime(h, NULL, NULL, &ft))
        return failed();
    ticks = (int64_t)(((uint64_t)ft.dwHighDateTime << 32) |
                      ft.dwLowDateTime) - UNIX_EPOCH_TICKS;
    sec = ticks / 10000000;
    if (ticks % 10000000 < 0) /* floor, for times before 1970 */
        sec--;
    out->has_mtime = 1;
    out->mtime = sec;
    out->mtime_nsec = (uint32_t)((ticks - sec * 10000000) * 100);
    return 0; /* no POSIX mode on Windows */
}

int sys_set_file_meta(FILE *f, const sys_meta *m)
{
    HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
    FILETIME ft;
    int64_t ticks;

    if (fflush(f) != 0) {
        last_error = ERROR_WRITE_FAULT;
        return -1;
    }
    if (!m->has_mtime) /* the mode has no meaning here: ignored */
        return 0;
    /* FILETIME reaches from 1601 to 30828: times outside stay unset. */
    if (m->mtime < -11644473600LL || m->mtime > 910692730085LL) {
        last_error = ERROR_INVALID_PARAMETER;
        return -1;
    }
    ticks = m->mtime * 10000000 + m->mtime_nsec / 100 + UNIX_EPOCH_TICKS;
    ft.dwLowDateTime = (DWORD)((uint64_t)ticks & 0xFFFFFFFFu);
    ft.dwHighDateTime = (DWORD)((uint64_t)ticks >> 32);
    if (h == INVALID_HANDLE_VALUE || !SetFileTime(h, NULL, NULL, &ft))
        return failed();
    return 0;
}

unsigned sys_umask(void)
{
    return 0;
}

int sys_holes(void)
{
    return 0;
}

int sys_set_size(FILE *f, uint64_t size)
{
    if (fflush(f) != 0 || size > (uint64_t)INT64_MAX ||
        _chsize_s(_fileno(f), (__int64)size) != 0) {
        last_error = ERROR_WRITE_FAULT;
        return -1;
    }
    return 0;
}

int sys_mkdir(const char *path)
{
    wchar_t *w = widen(path);
    int rc;

    if (w == NULL)
        return -1;
    rc = CreateDirectoryW(w, NULL) ? 0 : failed();
    free(w);
    return rc;
}

/* Appends `item` to a list growing by doubling (*n used of *cap); 0 when
 * there is no memory (the item is not taken then). */
static int list_append(char ***list, size_t *n, size_t *cap, char *item)
{
    if (*n == *cap) {
        size_t more = *cap ? *cap * 2 : 16;
        char **grown = realloc(*list, more * sizeof **list);

        if (grown == NULL)
            return 0;
        *list = grown;
        *cap = more;
    }
    (*list)[(*n)++] = item;
    return 1;
}

static void list_free(char **list, size_t n)
{
    while (n > 0)
        free(list[--n]);
    free(list);
}

int sys_list_dir(const char *path, char ***names, size_t *count)
{
    size_t len = strlen(path), n = 0, cap = 0;
    char *pattern = malloc(len + 3), **list = NULL;
    wchar_t *w = NULL;
    WIN32_FIND_DATAW fd;
    HANDLE h = INVALID_HANDLE_VALUE;
    int ok = 0, bad = 0;

    *names = NULL;
    *count = 0;
    if (pattern != NULL) {
        memcpy(pattern, path, len);
        if (len > 0 && !sys_is_separator(path[len - 1]))
            pattern[len++] = '\\';
        memcpy(pattern + len, "*", 2);
        w = widen(pattern);
    }
    if (w != NULL)
        h = FindFirstFileW(w, &fd);
    if (h == INVALID_HANDLE_VALUE) {
        if (pattern == NULL)
            last_error = ERROR_NOT_ENOUGH_MEMORY;
        else if (w != NULL)
            failed();
        free(w);
        free(pattern);
        return -1;
    }
    do {
        char *name;

        if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
            continue;
        /* A name with an unpaired surrogate has no UTF-8 form. */
        if ((name = narrow(fd.cFileName)) == NULL) {
            bad = ERROR_INVALID_NAME;
            break;
        }
        if (!list_append(&list, &n, &cap, name)) {
            free(name);
            bad = ERROR_NOT_ENOUGH_MEMORY;
            break;
        }
    } while (FindNextFileW(h, &fd));
    ok = !bad && GetLastError() == ERROR_NO_MORE_FILES;
    if (bad)
        last_error = (DWORD)bad;
    else if (!ok)
        failed();
    FindClose(h);
    free(w);
    free(pattern);
    if (!ok) {
        list_free(list, n);
        return -1;
    }
    *names = list;
    *count = n;
    return 0;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sys_glob(const char *pattern, char ***names, size_t *count)
{
    size_t dir_len = strlen(pattern), n = 0, cap = 0;
    wchar_t *w = widen(pattern);
    WIN32_FIND_DATAW fd;
    HANDLE h;
    char **list = NULL;
    int bad = 0;

    *names = NULL;
    *count = 0;
    while (dir_len > 0 && !sys_is_separator(pattern[dir_len - 1]))
        dir_len--;
    /* Only the last part may hold wildcards, as cmd.exe's own commands. */
    if (w == NULL || strpbrk(pattern + dir_len, "*?") == NULL ||
        (h = FindFirstFileW(w, &fd)) == INVALID_HANDLE_VALUE) {
        free(w);
        return 0;
    }
    do {
        char *name, *path;

        if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
            continue;
        name = narrow(fd.cFileName);
        path = name ? malloc(dir_len + strlen(name) + 1) : NULL;
        if (path != NULL) {
            memcpy(path, pattern, dir_len);
            strcpy(path + dir_len, name);
        }
        free(name);
        if (path == NULL || !list_append(&list, &n, &cap, path)) {
            free(path);
            bad = 1;
            break;
        }
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    free(w);
    if (bad) {
        list_free(list, n);
        last_error = ERROR_NOT_ENOUGH_MEMORY;
        return -1;
    }
    qsort(list, n, sizeof *list, by_string);
    *names = list;
    *count = n;
    return 0;
}

size_t sys_root_length(const char *path)
{
    size_t n = 0;

    if (((path[0] >= 'A' && path[0] <= 'Z') ||
         (path[0] >= 'a' && path[0] <= 'z')) && path[1] == ':')
        n = 2;
    while (path[n] == '/' || path[n] == '\\')
        n++;
    return n;
}

int sys_remove(const char *path)
{
    wchar_t *w = widen(path);
    int rc;

    if (w == NULL)
        return -1;
    rc = DeleteFileW(w) ? 0 : failed();
    free(w);
    return rc;
}

int sys_rename(const char *from, const char *to, int replace)
{
    wchar_t *wfrom = widen(from), *wto = widen(to);
    int rc = -1;

    /* Without MOVEFILE_REPLACE_EXISTING an existing target makes it fail
     * with ERROR_ALREADY_EXISTS: atomic, like link() on POSIX. */
    if (wfrom != NULL && wto != NULL)
        rc = MoveFileExW(wfrom, wto,
                         replace ? MOVEFILE_REPLACE_EXISTING : 0) ? 0
                                                                  : failed();
    free(wfrom);
    free(wto);
    return rc;
}

int sys_is_separator(char c)
{
    return c == '/' || c == '\\' || c == ':';
}

unsigned long sys_pid(void)
{
    return (unsigned long)GetCurrentProcessId();
}

/* ---- terminal and output ------------------------------------------------ */

/* The console behind f, or NULL when f is a file, a pipe or NUL (which
 * _isatty() would call a terminal). */
static HANDLE console_of(FILE *f)
{
    intptr_t h = _get_osfhandle(_fileno(f));
    DWORD mode;

    if (h == -1 || !GetConsoleMode((HANDLE)h, &mode))
        return NULL;
    return (HANDLE)h;
}

int sys_is_terminal(FILE *f)
{
    return console_of(f) != NULL;
}

void sys_write_text(FILE *f, const char *text)
{
    HANDLE console = console_of(f);
    wchar_t *w;

    if (console != NULL && (w = widen(text)) != NULL) {
        DWORD written;

        fflush(f);
        WriteConsoleW(console, w, (DWORD)wcslen(w), &written, NULL);
        free(w);
        return;
    }
    fputs(text, f);
}

uint64_t sys_millis(void)
{
    return (uint64_t)GetTickCount64();
}
