/*
 * win32_file.c -- zmm_file on a Win32 file handle (as SQLite's os_win.c,
 * much reduced): UTF-8 paths, share modes, positioned reads and writes.
 */

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdint.h>

#include "alloc.h"
#include "platform.h"

/* The largest offset a LARGE_INTEGER holds. */
#define MAX_OFFSET ((uint64_t)INT64_MAX)

/* At most this much per ReadFile/WriteFile call (a DWORD count). */
#define MAX_CHUNK ((DWORD)1 << 30)

typedef struct win32_file {
    zmm_file base; /* first: a zmm_file * is a win32_file * */
    HANDLE handle;
} win32_file;

static zmm_result result_from_win32(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME: /* e.g. "a:b" or "x\0y": no such file can exist */
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
        return ZMM_ERR_NOT_FOUND;
    case ERROR_ACCESS_DENIED: /* also CreateFileW on a directory */
    case ERROR_WRITE_PROTECT:
        return ZMM_ERR_ACCESS;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
        return ZMM_ERR_SHARING;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return ZMM_ERR_EXISTS;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ZMM_ERR_NOMEM;
    case ERROR_NO_UNICODE_TRANSLATION: /* the path is not valid UTF-8 */
        return ZMM_ERR_INVALID_ARG;
    default:
        return ZMM_ERR_IO;
    }
}

/* Records the error in the file and maps it. */
static zmm_result fail(zmm_file *f, DWORD e)
{
    f->os_error = (long)e;
    return result_from_win32(e);
}

/* Maps an error for a call without a file, storing it in *os_error. */
static zmm_result fail_path(long *os_error, DWORD e)
{
    if (os_error)
        *os_error = (long)e;
    return result_from_win32(e);
}

/*
 * Converts a UTF-8 path to a new wide string (zmm_free it). Invalid UTF-8 is
 * refused rather than replaced, so no two names map to one file.
 */
static zmm_result widen(const char *path, wchar_t **out, long *os_error)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1,
                                NULL, 0);
    wchar_t *w;

    *out = NULL;
    if (n <= 0)
        return fail_path(os_error, GetLastError());
    w = zmm_malloc((size_t)n * sizeof *w);
    if (!w)
        return ZMM_ERR_NOMEM;
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, w, n)
        != n) {
        DWORD e = GetLastError();
        zmm_free(w);
        return fail_path(os_error, e);
    }
    *out = w;
    return ZMM_OK;
}

static void set_offset(OVERLAPPED *ov, uint64_t offset)
{
    ZeroMemory(ov, sizeof *ov);
    ov->Offset = (DWORD)offset;
    ov->OffsetHigh = (DWORD)(offset >> 32);
}

/* ntdll's native calls, found at first use. */
static FARPROC ntdll_proc(const char *name)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");

    return ntdll != NULL ? GetProcAddress(ntdll, name) : NULL;
}

typedef struct io_status {
    ULONG_PTR status;
    ULONG_PTR information;
} io_status;

/* NtReadFile and NtWriteFile (FileHandle, Event, ApcRoutine, ApcContext,
 * IoStatusBlock, Buffer, Length, ByteOffset, Key). */
typedef LONG(NTAPI *transfer_fn)(HANDLE, HANDLE, void *, void *, io_status *,
                                 void *, ULONG, LARGE_INTEGER *, ULONG *);

#define STATUS_END_OF_FILE ((LONG)0xC0000011)

static transfer_fn nt_read_file(void)
{
    static transfer_fn fn; /* set once; a race stores the same value */

    if (fn == NULL)
        fn = (transfer_fn)(void (*)(void))ntdll_proc("NtReadFile");
    return fn;
}

static transfer_fn nt_write_file(void)
{
    static transfer_fn fn;

    if (fn == NULL)
        fn = (transfer_fn)(void (*)(void))ntdll_proc("NtWriteFile");
    return fn;
}

/*
 * One positioned transfer of up to MAX_CHUNK bytes on a synchronous handle,
 * like pread/pwrite, without a separate seek. 1: done, *moved set (0 at
 * the end of the file); 0: failed, GetLastError() tells why.
 *
 * ReadFile/WriteFile with an OVERLAPPED offset would do, but they pass the
 * OVERLAPPED as the APC context, and for any call with a context Wine asks
 * its server whether the handle posts to a completion port: a round trip
 * (~40 us) per read, as long as the read itself. NtReadFile/NtWriteFile
 * with no context are the same positioned transfer without it. Any status
 * but success (and, reading, the end of the file) goes again through
 * ReadFile/WriteFile, which set the Win32 error.
 */
static int transfer(HANDLE h, int write, uint64_t offset, void *buf,
                    DWORD len, DWORD *moved)
{
    transfer_fn fn = write ? nt_write_file() : nt_read_file();
    OVERLAPPED ov;

    if (fn != NULL) {
        io_status io = {0, 0};
        LARGE_INTEGER at;
        LONG st;

        at.QuadPart = (LONGLONG)offset;
        st = fn(h, NULL, NULL, NULL, &io, buf, len, &at, NULL);
        if (st == 0 || (!write && st == STATUS_END_OF_FILE)) {
            *moved = st == 0 ? (DWORD)io.information : 0;
            return 1;
        }
    }
    *moved = 0;
    set_offset(&ov, offset);
    if (write)
        return WriteFile(h, buf, len, moved, &ov) != 0;
    if (ReadFile(h, buf, len, moved, &ov))
        return 1;
    return GetLastError() == ERROR_HANDLE_EOF; /* *moved is 0 */
}

/* Reads len bytes at offset; *e gets the error on failure, 0 if the file
 * ends first. Touches nothing shared: two threads may read one synchronous
 * handle at once, each call with its own offset (the I/O manager
 * serialises them; the file pointer it moves is never used). */
static zmm_result read_handle(HANDLE h, uint64_t offset, void *buf,
                              size_t len, DWORD *e)
{
    unsigned char *p = buf;

    *e = 0;
    /* No file holds bytes past a LARGE_INTEGER: a short (damaged) file. */
    if (len > 0 && (offset > MAX_OFFSET || len > MAX_OFFSET - offset))
        return ZMM_ERR_CORRUPT;
    while (len > 0) {
        DWORD chunk = len < MAX_CHUNK ? (DWORD)len : MAX_CHUNK;
        DWORD got = 0;

        if (!transfer(h, 0, offset, p, chunk, &got)) {
            *e = GetLastError();
            return result_from_win32(*e);
        }
        if (got == 0) /* end of file before len bytes */
            return ZMM_ERR_CORRUPT;
        p += got;
        offset += got;
        len -= got;
    }
    return ZMM_OK;
}

static zmm_result win32_read_at(zmm_file *f, uint64_t offset, void *buf,
                                size_t len)
{
    DWORD e;
    zmm_result rc =
        read_handle(((win32_file *)f)->handle, offset, buf, len, &e);

    if (rc != ZMM_OK)
        f->os_error = (long)e;
    return rc;
}

static zmm_result win32_read_shared(zmm_file *f, uint64_t offset, void *buf,
                                    size_t len)
{
    DWORD e;

    return read_handle(((win32_file *)f)->handle, offset, buf, len, &e);
}

static zmm_result win32_write_at(zmm_file *f, uint64_t offset,
                                 const void *buf, size_t len)
{
    HANDLE h = ((win32_file *)f)->handle;
    const unsigned char *p = buf;

    if (len > 0 && (offset > MAX_OFFSET || len > MAX_OFFSET - offset))
        return fail(f, ERROR_FILE_TOO_LARGE);
    while (len > 0) {
        DWORD chunk = len < MAX_CHUNK ? (DWORD)len : MAX_CHUNK;
        DWORD put = 0;

        /* Through an integer: transfer() takes one buffer type for both
         * directions, and writing only reads it. */
        if (!transfer(h, 1, offset, (void *)(uintptr_t)p, chunk, &put))
            return fail(f, GetLastError());
        if (put == 0) /* no progress: treat as a full disk, as SQLite does */
            return fail(f, ERROR_DISK_FULL);
        p += put;
        offset += put;
        len -= put;
    }
    return ZMM_OK;
}

static zmm_result win32_size(zmm_file *f, uint64_t *size)
{
    LARGE_INTEGER li;

    if (!GetFileSizeEx(((win32_file *)f)->handle, &li))
        return fail(f, GetLastError());
    *size = (uint64_t)li.QuadPart;
    return ZMM_OK;
}

static zmm_result win32_truncate(zmm_file *f, uint64_t size)
{
    HANDLE h = ((win32_file *)f)->handle;
    LARGE_INTEGER li;

    if (size > MAX_OFFSET)
        return fail(f, ERROR_FILE_TOO_LARGE);
    /* The file pointer is otherwise unused (transfers carry their offset),
     * so moving it here disturbs nothing. Growing fills with zeros. */
    li.QuadPart = (LONGLONG)size;
    if (!SetFilePointerEx(h, li, NULL, FILE_BEGIN) || !SetEndOfFile(h))
        return fail(f, GetLastError());
    return ZMM_OK;
}

static zmm_result win32_sync(zmm_file *f)
{
    if (!FlushFileBuffers(((win32_file *)f)->handle))
        return fail(f, GetLastError());
    return ZMM_OK;
}

static zmm_result win32_close(zmm_file *f)
{
    zmm_result rc = ZMM_OK;

    if (!CloseHandle(((win32_file *)f)->handle))
        rc = result_from_win32(GetLastError());
    zmm_free(f);
    return rc;
}

/* The file's index, from ntdll's NtQueryInformationFile (the same
 * number GetFileInformationByHandle reports): that call also asks for the
 * volume, which under Wine costs as much as opening the file. The volume
 * stays 0: two files of one index on two volumes share an entry of
 * zmm_share's table, whose header check still tells their states apart. */
typedef LONG(NTAPI *query_file_fn)(HANDLE, io_status *, void *, ULONG,
                                   int);

static query_file_fn query_file(void)
{
    static query_file_fn fn; /* set once; a race stores the same value */

    if (fn == NULL)
        fn = (query_file_fn)(void (*)(void))ntdll_proc(
            "NtQueryInformationFile");
    return fn;
}

static zmm_result win32_identity(zmm_file *f, zmm_file_id *id)
{
    enum { FILE_INTERNAL_INFORMATION = 6 };
    query_file_fn fn = query_file();
    io_status io;
    LARGE_INTEGER index;

    if (fn == NULL ||
        fn(((win32_file *)f)->handle, &io, &index, sizeof index,
           FILE_INTERNAL_INFORMATION) != 0)
        return ZMM_ERR_IO;
    id->volume = 0;
    id->index = (uint64_t)index.QuadPart;
    return ZMM_OK;
}

static const zmm_file_methods win32_methods = {
    win32_read_at, win32_write_at, win32_size,  win32_truncate,
    win32_sync,    win32_close,    win32_read_shared, win32_identity,
};

zmm_result zmm_platform_open(const char *path, unsigned flags, zmm_file **out,
                             long *os_error)
{
    DWORD access = GENERIC_READ;
    /* FILE_SHARE_DELETE: holding a file open does not stop others from
     * renaming or deleting it, as on POSIX. */
    DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    DWORD disposition = OPEN_EXISTING;
    win32_file *wf;
    wchar_t *wpath;
    HANDLE h;
    zmm_result rc;

    *out = NULL;
    if (os_error)
        *os_error = 0;
    if (flags & ZMM_FILE_WRITE)
        access |= GENERIC_WRITE;
    if (flags & ZMM_FILE_CREATE)
        disposition = (flags & ZMM_FILE_EXCLUSIVE) ? CREATE_NEW : OPEN_ALWAYS;
    if (flags & ZMM_FILE_DENY_READ)
        share &= ~(DWORD)FILE_SHARE_READ;
    /* A writer lock is a share mode that denies other writers: a second
     * writer gets ERROR_SHARING_VIOLATION while readers still open. */
    if (flags & (ZMM_FILE_DENY_WRITE | ZMM_FILE_LOCK_WRITER))
        share &= ~(DWORD)FILE_SHARE_WRITE;

    rc = widen(path, &wpath, os_error);
    if (rc != ZMM_OK)
        return rc;
    wf = zmm_malloc(sizeof *wf);
    if (!wf) {
        zmm_free(wpath);
        return ZMM_ERR_NOMEM;
    }
    /* Without FILE_FLAG_BACKUP_SEMANTICS a directory fails with
     * ERROR_ACCESS_DENIED: the ZMM_ERR_ACCESS the contract asks for. */
    h = CreateFileW(wpath, access, share, NULL, disposition,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    zmm_free(wpath);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        zmm_free(wf);
        return fail_path(os_error, e);
    }
    wf->base.methods = &win32_methods;
    wf->base.os_error = 0;
    wf->handle = h;
    *out = &wf->base;
    return ZMM_OK;
}

zmm_result zmm_platform_copy_access(const char *from, const char *to,
                                    long *os_error)
{
    (void)from;
    (void)to;
    if (os_error)
        *os_error = 0;
    return ZMM_OK; /* the new file inherits its folder's permissions */
}

zmm_result zmm_platform_replace(const char *from, const char *to,
                                long *os_error)
{
    wchar_t *wfrom, *wto;
    zmm_result rc;

    if (os_error)
        *os_error = 0;
    rc = widen(from, &wfrom, os_error);
    if (rc != ZMM_OK)
        return rc;
    rc = widen(to, &wto, os_error);
    if (rc != ZMM_OK) {
        zmm_free(wfrom);
        return rc;
    }
    /* WRITE_THROUGH: returns once the rename is on disk (the POSIX side
     * syncs the directory for the same reason). */
    if (!MoveFileExW(wfrom, wto,
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        rc = fail_path(os_error, GetLastError());
    zmm_free(wfrom);
    zmm_free(wto);
    return rc;
}

zmm_result zmm_platform_remove(const char *path, long *os_error)
{
    wchar_t *wpath;
    zmm_result rc;

    if (os_error)
        *os_error = 0;
    rc = widen(path, &wpath, os_error);
    if (rc != ZMM_OK)
        return rc;
    if (!DeleteFileW(wpath))
        rc = fail_path(os_error, GetLastError());
    zmm_free(wpath);
    return rc;
}
