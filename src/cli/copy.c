/*
 * copy.c -- bytes into and out of members, a block at a time, with the
 * progress display and Ctrl+C checked between blocks.
 *
 * Reads stop at the first damaged block: the core returns no byte of a
 * block whose CRCs fail, and we write out only what it returned, so `cat`
 * prints a correct prefix and then fails, never a wrong byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sys.h"

int cli_copy_in(zmm_stream *s, FILE *in, const char *in_name,
                const char *archive, const char *member, uint32_t block_size,
                cli_progress *progress)
{
    unsigned char *buf = malloc(block_size);
    int rc = CLI_OK;

    if (buf == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    /* Whole, aligned blocks: the core then encodes each without reading
     * anything back. */
    while (rc == CLI_OK) {
        size_t n;

        if (sys_interrupted()) {
            rc = CLI_FAIL;
            break;
        }
        n = fread(buf, 1, block_size, in);
        if (n > 0) {
            zmm_result r = zmm_stream_write(s, buf, n);

            if (r != ZMM_OK) {
                cli_archive_error(archive, member, "cannot write", r, 0);
                rc = CLI_FAIL;
                break;
            }
            cli_progress_add(progress, n);
        }
        if (n < block_size) {
            if (ferror(in)) {
                if (!sys_interrupted())
                    cli_error("%s: cannot read: %s", in_name,
                              strerror(errno));
                rc = CLI_FAIL;
            }
            break; /* end of the input */
        }
    }
    free(buf);
    return rc;
}

int cli_copy_out(zmm_archive *ar, const char *archive, const char *member,
                 cli_output *out, cli_progress *progress)
{
    zmm_member_info info;
    zmm_stream *s = NULL;
    unsigned char *buf;
    zmm_result r;
    int rc = CLI_OK;

    if (cli_find_member(ar, archive, member, &info) != CLI_OK)
        return CLI_FAIL;
    member = info.name; /* "" named the default member */
    r = zmm_stream_open(ar, member, ZMM_STREAM_READ, NULL, &s);
    if (r != ZMM_OK) {
        cli_archive_error(archive, member, "cannot open", r,
                          zmm_archive_os_error(ar));
        return CLI_FAIL;
    }
    buf = malloc(info.block_size);
    if (buf == NULL) {
        cli_error("out of memory");
        zmm_stream_close(s);
        return CLI_FAIL;
    }
    while (rc == CLI_OK && !sys_interrupted()) {
        uint64_t at = zmm_stream_tell(s);
        size_t got = 0;

        r = zmm_stream_read(s, buf, info.block_size, &got);
        if (r != ZMM_OK) {
            char text[512];

            cli_error("%s: member '%s': block %lu at offset %llu: %s",
                      archive, member, (unsigned long)(at / info.block_size),
                      (unsigned long long)at,
                      cli_block_error_text(r, zmm_archive_os_error(ar),
                                           text, sizeof text));
            rc = CLI_FAIL;
            break;
        }
        if (got == 0)
            break;
        rc = cli_output_write(out, buf, got);
        cli_progress_add(progress, got);
    }
    if (sys_interrupted())
        rc = CLI_FAIL;
    free(buf);
    zmm_stream_close(s);
    return rc;
}
