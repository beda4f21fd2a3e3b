/*
 * consumer.c -- a program of someone else's, built against an installed
 * zmm (include/zmm.h and libzmm) through CMake's zmm::zmm or pkg-config:
 * writes a member to a new archive, reads it back and compares.
 *
 *     consumer ARCHIVE    (the file is created, and replaced if present)
 *
 * Prints the library's version and "consumer: OK" and exits 0, or names
 * what failed and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include <zmm.h>

static int check(zmm_result rc, const char *what)
{
    if (rc != ZMM_OK)
        fprintf(stderr, "consumer: %s: %s\n", what, zmm_strerror(rc));
    return rc == ZMM_OK;
}

int main(int argc, char **argv)
{
    static const char text[] = "a member written by a program of someone else's";
    char back[sizeof text];
    zmm_archive *ar;
    zmm_stream *s;
    size_t got = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: consumer ARCHIVE\n");
        return 2;
    }
    if (strcmp(zmm_version(), ZMM_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: header %s, library %s\n",
                ZMM_VERSION_STRING, zmm_version());
        return 1;
    }
    remove(argv[1]);
    if (!check(zmm_archive_open(argv[1], ZMM_OPEN_WRITE | ZMM_OPEN_CREATE,
                                &ar, NULL), "create") ||
        !check(zmm_stream_open(ar, "hello.txt",
                               ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, NULL,
                               &s), "open member") ||
        !check(zmm_stream_write(s, text, sizeof text), "write") ||
        !check(zmm_stream_close(s), "close member") ||
        !check(zmm_archive_close(ar), "commit"))
        return 1;
    if (!check(zmm_archive_open(argv[1], ZMM_OPEN_READ, &ar, NULL), "reopen") ||
        !check(zmm_stream_open(ar, "hello.txt", ZMM_STREAM_READ, NULL, &s),
               "open member for reading") ||
        !check(zmm_stream_read(s, back, sizeof back, &got), "read"))
        return 1;
    zmm_archive_close(ar);
    if (got != sizeof text || memcmp(back, text, sizeof text) != 0) {
        fprintf(stderr, "consumer: read back %zu bytes that differ\n", got);
        return 1;
    }
    printf("consumer: libzmm %s: wrote and read back %zu bytes: OK\n",
           zmm_version(), got);
    return 0;
}
