/*
 * output.c -- output files appear whole or not at all: the bytes go to a
 * temporary file in the target's directory (so the final rename stays on one
 * file system), which is renamed into place once complete. An existing file
 * is replaced only with -f; without it the rename itself refuses to replace
 * (sys_rename), so a file created meanwhile is not lost either.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

char *cli_temp_name(const char *path, unsigned n)
{
    const char *base = path + strlen(path);
    size_t dir_len;
    char *temp;

    while (base > path && !sys_is_separator(base[-1]))
        base--;
    dir_len = (size_t)(base - path);
    temp = malloc(dir_len + 48);
    if (temp == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    memcpy(temp, path, dir_len);
    snprintf(temp + dir_len, 48, "zmm-%lu-%u.tmp", sys_pid(), n);
    return temp;
}

int cli_check_new_file(const char *path, int force)
{
    switch (sys_stat(path, NULL)) {
    case SYS_MISSING:
        return CLI_OK;
    case SYS_FILE:
        if (force)
            return CLI_OK;
        cli_error("%s: already exists (use -f to overwrite it)", path);
        return CLI_FAIL;
    case SYS_DIR:
        cli_error("%s: is a directory", path);
        return CLI_FAIL;
    default:
        cli_error("%s: exists and is not a regular file", path);
        return CLI_FAIL;
    }
}

int cli_output_open(cli_output *o, const char *path, int force)
{
    unsigned n;
    char os[256];

    memset(o, 0, sizeof *o);
    o->force = force;
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        return CLI_OK;
    }
    o->path = path;
    o->sparse = sys_holes();
    if (cli_check_new_file(path, force) != CLI_OK)
        return CLI_FAIL;
    for (n = 0; n < 1000; n++) {
        o->temp = cli_temp_name(path, n);
        if (o->temp == NULL)
            return CLI_FAIL;
        o->f = sys_create_new(o->temp);
        if (o->f != NULL)
            return CLI_OK;
        if (!sys_error_is_exists(sys_last_error()))
            break;
        free(o->temp);
        o->temp = NULL;
    }
    cli_error("%s: cannot create a temporary file%s%s: %s", path,
              o->temp ? " " : "", o->temp ? o->temp : "",
              cli_os_text(sys_last_error(), os, sizeof os));
    free(o->temp);
    o->temp = NULL;
    return CLI_FAIL;
}

static int all_zero(const unsigned char *p, size_t n)
{
    while (n > 0 && *p == 0) {
        p++;
        n--;
    }
    return n == 0;
}

/* Writes n bytes at o->pos, after seeking over a hole left before. */
static int write_at_pos(cli_output *o, const unsigned char *p, size_t n)
{
    char os[256];

    if (n == 0)
        return CLI_OK;
    if (o->at != o->pos && sys_fseek(o->f, o->pos) != 0) {
        cli_error("%s: cannot seek: %s", o->temp,
                  cli_os_text(sys_last_error(), os, sizeof os));
        return CLI_FAIL;
    }
    if (fwrite(p, 1, n, o->f) != n) {
        cli_error("%s: cannot write: %s",
                  o->path ? o->path : "standard output", strerror(errno));
        return CLI_FAIL;
    }
    o->pos += n;
    o->at = o->pos;
    return CLI_OK;
}

int cli_output_write(cli_output *o, const void *buf, size_t len)
{
    const unsigned char *p = buf, *run = buf;

    if (!o->sparse)
        return write_at_pos(o, p, len);
    /* Runs of data are written whole; aligned blocks of zeros between
     * them are holes (zero blocks of a sparse member, silence...). */
    while (len > 0) {
        size_t n = CLI_HOLE_BYTES -
                   (size_t)((o->pos + (uint64_t)(p - run)) % CLI_HOLE_BYTES);

        if (n > len)
            n = len;
        if (n == CLI_HOLE_BYTES && all_zero(p, n)) {
            if (write_at_pos(o, run, (size_t)(p - run)) != CLI_OK)
                return CLI_FAIL;
            o->pos += n;
            run = p + n;
        }
        p += n;
        len -= n;
    }
    return write_at_pos(o, run, (size_t)(p - run));
}

int cli_output_finish(cli_output *o)
{
    char os[256];
    int failed;

    if (o->path == NULL) {
        if (fflush(o->f) != 0 || ferror(o->f)) {
            cli_error("standard output: cannot write: %s", strerror(errno));
            return CLI_FAIL;
        }
        return CLI_OK;
    }
    failed = fflush(o->f) != 0 || ferror(o->f);
    /* A hole at the end: the size says where the file ends. */
    if (!failed && o->at != o->pos && sys_set_size(o->f, o->pos) != 0) {
        cli_error("%s: cannot set its size: %s", o->temp,
                  cli_os_text(sys_last_error(), os, sizeof os));
        cli_output_abort(o);
        return CLI_FAIL;
    }
    /* Before the close and the rename, on the file we wrote (not on a
     * name someone could replace meanwhile); a time or mode that cannot be
     * set is worth a warning, not the member. */
    if (!failed && o->has_meta && sys_set_file_meta(o->f, o->meta) != 0)
        cli_warning("%s: cannot set its modification time or mode: %s",
                    o->path, cli_os_text(sys_last_error(), os, sizeof os));
    if (fclose(o->f) != 0)
        failed = 1;
    o->f = NULL;
    if (failed) {
        cli_error("%s: cannot write: %s", o->temp, strerror(errno));
        cli_output_abort(o);
        return CLI_FAIL;
    }
    if (sys_rename(o->temp, o->path, o->force) != 0) {
        long e = sys_last_error();

        if (sys_error_is_exists(e))
            cli_error("%s: already exists (use -f to overwrite it)", o->path);
        else
            cli_error("%s: cannot rename %s into place: %s", o->path,
                      o->temp, cli_os_text(e, os, sizeof os));
        cli_output_abort(o);
        return CLI_FAIL;
    }
    free(o->temp);
    o->temp = NULL;
    return CLI_OK;
}

void cli_output_abort(cli_output *o)
{
    if (o->path == NULL) {
        fflush(o->f);
        return;
    }
    if (o->f != NULL)
        fclose(o->f);
    o->f = NULL;
    if (o->temp != NULL)
        sys_remove(o->temp);
    free(o->temp);
    o->temp = NULL;
}
