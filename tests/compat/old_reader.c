/*
 * old_reader.c -- a client of zmmio 0.4.0's core library (built from commit
 * bf807cf by this folder's CMakeLists.txt, before the metadata feature), to
 * show that archives written with metadata still read whole in it
 * (FORMAT.md, "Metadata": a compat feature).
 *
 *   old_reader version            the library's version
 *   old_reader list ARCHIVE       "NAME SIZE" per member, after verifying it
 *   old_reader cat ARCHIVE NAME   the member's bytes on stdout
 *   old_reader rewrite ARCHIVE    a commit by the old writer (the default
 *                                 flag given again), which drops metadata
 *
 * Uses only 0.4.0's zmm.h. Exit status 0, or 1 with the error on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "zmm.h"

static int fail(const char *what, zmm_result rc)
{
    fprintf(stderr, "old_reader: %s: %s\n", what, zmm_strerror(rc));
    return 1;
}

static int list(zmm_archive *ar)
{
    size_t i, n = zmm_archive_member_count(ar);

    for (i = 0; i < n; i++) {
        zmm_member_info mi;
        zmm_result rc;

        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        rc = zmm_archive_member_info(ar, i, &mi);
        if (rc == ZMM_OK)
            rc = zmm_archive_verify_member(ar, mi.name, NULL);
        if (rc != ZMM_OK)
            return fail("verify", rc);
        printf("%s %llu\n", mi.name, (unsigned long long)mi.size);
    }
    return 0;
}

static int cat(zmm_archive *ar, const char *name)
{
    static unsigned char buf[65536];
    zmm_stream *s = NULL;
    size_t got;
    zmm_result rc = zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s);

    while (rc == ZMM_OK) {
        rc = zmm_stream_read(s, buf, sizeof buf, &got);
        if (rc != ZMM_OK || got == 0)
            break;
        fwrite(buf, 1, got, stdout);
    }
    zmm_stream_close(s);
    return rc == ZMM_OK ? 0 : fail(name, rc);
}

static int rewrite(zmm_archive *ar)
{
    zmm_member_info mi;
    size_t at;
    zmm_result rc = zmm_archive_find(ar, NULL, &at);

    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    if (rc == ZMM_OK)
        rc = zmm_archive_member_info(ar, at, &mi);
    if (rc == ZMM_OK)
        rc = zmm_archive_set_default(ar, mi.name);
    return rc == ZMM_OK ? 0 : fail("set default", rc);
}

int main(int argc, char **argv)
{
    zmm_archive *ar = NULL;
    int write = argc == 3 && strcmp(argv[1], "rewrite") == 0, status;
    zmm_result rc;

    if (argc == 2 && strcmp(argv[1], "version") == 0) {
        printf("%s\n", zmm_version());
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: old_reader list|cat|rewrite ARCHIVE [NAME]\n");
        return 2;
    }
    rc = zmm_archive_open(argv[2], write ? ZMM_OPEN_WRITE : ZMM_OPEN_READ,
                          &ar, NULL);
    if (rc != ZMM_OK)
        return fail(argv[2], rc);
    if (strcmp(argv[1], "list") == 0)
        status = list(ar);
    else if (strcmp(argv[1], "cat") == 0 && argc == 4)
        status = cat(ar, argv[3]);
    else if (write)
        status = rewrite(ar);
    else
        status = 2;
    rc = zmm_archive_close(ar);
    if (status == 0 && rc != ZMM_OK)
        return fail("close", rc);
    return status;
}
