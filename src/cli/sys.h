/*
 * sys.h -- the few things the zmm tool needs from the OS, in one narrow
 * interface with a POSIX (sys_posix.c) and a Win32 (sys_win32.c) side.
 *
 * Every path is UTF-8. On Windows the tool receives its command line as
 * UTF-16 (wmain) and converts it once; these functions convert paths back to
 * UTF-16 for the wide file APIs, so any file name works, whatever the ANSI
 * code page.
 *
 * Functions that fail return nonzero (or NULL) and leave the OS error where
 * sys_last_error() finds it.
 */
#ifndef ZMM_CLI_SYS_H
#define ZMM_CLI_SYS_H

#include <stdint.h>
#include <stdio.h>

/* The program proper, called with UTF-8 arguments by main (POSIX) or wmain
 * (Windows), which also call sys_init() first. */
int zmm_main(int argc, char **argv);

/* Sets up the standard streams (binary mode on Windows) and the interrupt
 * handler (SIGINT, SIGTERM; Ctrl+C on Windows). */
void sys_init(void);

/* Nonzero once Ctrl+C (SIGINT) or SIGTERM arrived. Long loops check it
 * between blocks and clean up (temporary files) before exiting. */
int sys_interrupted(void);

/* After the cleanup: ends the process as the signal would have (so a shell
 * sees "killed by SIGINT"), or returns when there is no such signal. */
void sys_reraise_interrupt(void);

/* The OS error of the last failed call here (errno or GetLastError()), and
 * a description of an OS error code into buf. */
long sys_last_error(void);
const char *sys_error_text(long os_error, char *buf, size_t size);

/* Nonzero if `os_error` means "the file already exists". */
int sys_error_is_exists(long os_error);

/* ---- files -------------------------------------------------------------- */

enum sys_file_type { SYS_MISSING, SYS_FILE, SYS_DIR, SYS_OTHER };

/* What `path` is (following symbolic links); its size when a regular file.
 * SYS_MISSING also when it cannot be examined (sys_last_error() says why). */
enum sys_file_type sys_stat(const char *path, uint64_t *size);

/* Nonzero if `path` itself (not followed) is a symbolic link or another
 * kind of redirection (a Windows reparse point). */
int sys_is_link(const char *path);

/* Nonzero if the open stream f reads the file at `path` (same device and
 * inode; same volume and file index on Windows). */
int sys_same_file(const char *path, FILE *f);

/* fopen() with a UTF-8 path; mode as fopen's, always binary. */
FILE *sys_fopen(const char *path, const char *mode);

/* Moves a stream's position to `offset` bytes from the start, beyond 2 GiB
 * too. 0 on success, else -1 (sys_last_error() says why). */
int sys_fseek(FILE *f, uint64_t offset);

/* Creates a new file for writing in binary mode, failing if it exists. */
FILE *sys_create_new(const char *path);

/* A file's modification time (seconds since 1970-01-01 UTC, negative
 * before, and nanoseconds) and POSIX mode bits (07777), as members keep
 * them. Windows has no mode: has_mode is 0 there. */
typedef struct sys_meta {
    int has_mtime, has_mode;
    int64_t mtime;
    uint32_t mtime_nsec;
    unsigned mode;
} sys_meta;

/* The metadata of the file open as f (fstat; GetFileTime). 0 or -1. */
int sys_file_meta(FILE *f, sys_meta *out);

/* Gives the file written through f (flushed first) the metadata that `m`
 * has: the times with futimens (SetFileTime), the mode with fchmod as
 * given (the caller masks it); Windows ignores the mode. 0 or -1. */
int sys_set_file_meta(FILE *f, const sys_meta *m);

/* The process's umask (0 on Windows). */
unsigned sys_umask(void);

/* Nonzero where a file written with gaps (a seek past its end) keeps the
 * gaps as holes that take no space: POSIX file systems that support them
 * do so by themselves. 0 on Windows, where the tool writes the zeros. */
int sys_holes(void);

/* Sets the size of the file written through f (flushed first): a gap at
 * its end reads as zeros. 0 or -1. */
int sys_set_size(FILE *f, uint64_t size);

/* Creates one directory (its parent must exist). */
int sys_mkdir(const char *path);

/* The entries of directory `path` except "." and "..", in the order the OS
 * gives them, as a new array of new strings: free each and *names. */
int sys_list_dir(const char *path, char ***names, size_t *count);

/* The files a FILE operand with wildcards in its last part ('*', '?')
 * names, sorted, as new strings (free each and *names); none on POSIX,
 * where the shell expands them. Windows shells pass `*.wav` on as it is,
 * and the C runtime is told not to expand it (a MEMBER pattern is matched
 * inside the archive): pack and add call this. 0, or -1 out of memory. */
int sys_glob(const char *pattern, char ***names, size_t *count);

/* The bytes at the start of `path` that make it absolute: leading '/' on
 * POSIX; on Windows a drive ("C:") and leading '/' or '\\'. 0 if relative. */
size_t sys_root_length(const char *path);

/* Deletes a file. */
int sys_remove(const char *path);

/* Renames `from` to `to` in one step. With `replace`, an existing `to` is
 * replaced (rename(), MoveFileExW REPLACE_EXISTING); without, an existing
 * `to` makes it fail with an "exists" error and nothing changes. */
int sys_rename(const char *from, const char *to, int replace);

/* Nonzero if c separates path components: '/', and on Windows also '\\'
 * and the ':' of a drive letter. */
int sys_is_separator(char c);

/* The process id, for unique temporary names. */
unsigned long sys_pid(void);

/* ---- terminal and output ------------------------------------------------ */

/* Nonzero if the stream is an interactive terminal (a console on Windows). */
int sys_is_terminal(FILE *f);

/* Writes UTF-8 text to f: to a Windows console as UTF-16 (so names show
 * right whatever the console's code page), elsewhere as the bytes. */
void sys_write_text(FILE *f, const char *text);

/* A monotonic clock in milliseconds, for the progress display. */
uint64_t sys_millis(void);

#endif
