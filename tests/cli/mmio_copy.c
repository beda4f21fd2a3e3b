/*
 * mmio_copy -- reads and writes archive members through zmmio.dll and the
 * Windows mmio API, as an application does, for the cross-platform test
 * (test_cross.sh): archives made by the native zmm must open through the DLL,
 * and archives the DLL writes must be readable by the native zmm.
 *
 *   mmio_copy get NAME OUT   copies "ARCHIVE+MEMBER" NAME to file OUT
 *   mmio_copy put IN NAME    copies file IN to NAME, creating the member
 *                            (and the archive if missing)
 *   mmio_copy riff NAME      descends RIFF WAVE, 'fmt ' and 'data' in NAME
 *                            and prints "CHANNELS RATE BITS DATA_BYTES"
 *
 * Exits 0 on success, 1 with a message on any failure. Names are ANSI code
 * page strings, as mmio takes them (keep them ASCII).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmmio.h"

#define CHUNK 10007 /* not a multiple of anything the archive uses */

static int fail(const char *what, const char *name)
{
    fprintf(stderr, "mmio_copy: %s: %s\n", name, what);
    return 1;
}

/* mmioOpenA takes a non-const name: a writable copy. */
static HMMIO open_name(const char *name, DWORD flags, MMIOINFO *info)
{
    char buf[MAX_PATH * 2];

    if (strlen(name) >= sizeof buf)
        return NULL;
    strcpy(buf, name);
    memset(info, 0, sizeof *info);
    return mmioOpenA(buf, info, flags);
}

static int get(const char *name, const char *out_path)
{
    static char buf[CHUNK];
    MMIOINFO info;
    HMMIO h = open_name(name, MMIO_READ | MMIO_ALLOCBUF, &info);
    FILE *out;
    LONG got;
    int rc = 0;

    if (h == NULL) {
        fprintf(stderr, "mmio_copy: %s: mmioOpen failed, error %u\n", name,
                info.wErrorRet);
        return 1;
    }
    out = fopen(out_path, "wb");
    if (out == NULL) {
        mmioClose(h, 0);
        return fail("cannot create", out_path);
    }
    while ((got = mmioRead(h, buf, CHUNK)) > 0)
        if (fwrite(buf, 1, (size_t)got, out) != (size_t)got) {
            rc = fail("cannot write", out_path);
            break;
        }
    if (got < 0)
        rc = fail("mmioRead failed", name);
    if (fclose(out) != 0)
        rc = fail("cannot write", out_path);
    if (mmioClose(h, 0) != 0)
        rc = fail("mmioClose failed", name);
    return rc;
}

static int put(const char *in_path, const char *name)
{
    static char buf[CHUNK];
    MMIOINFO info;
    FILE *in = fopen(in_path, "rb");
    HMMIO h;
    size_t n;
    int rc = 0;
    MMRESULT closed;

    if (in == NULL)
        return fail("cannot open", in_path);
    h = open_name(name, MMIO_CREATE | MMIO_WRITE | MMIO_ALLOCBUF, &info);
    if (h == NULL) {
        fprintf(stderr, "mmio_copy: %s: mmioOpen failed, error %u\n", name,
                info.wErrorRet);
        fclose(in);
        return 1;
    }
    while ((n = fread(buf, 1, CHUNK, in)) > 0)
        if (mmioWrite(h, buf, (LONG)n) != (LONG)n) {
            rc = fail("mmioWrite failed", name);
            break;
        }
    if (ferror(in))
        rc = fail("cannot read", in_path);
    fclose(in);
    closed = mmioClose(h, 0); /* commits: the only report of a failure */
    if (closed != 0) {
        fprintf(stderr, "mmio_copy: %s: mmioClose failed, error %u\n", name,
                closed);
        rc = 1;
    }
    return rc;
}

static int riff(const char *name)
{
    MMIOINFO info;
    MMCKINFO parent, chunk;
    PCMWAVEFORMAT fmt;
    HMMIO h = open_name(name, MMIO_READ | MMIO_ALLOCBUF, &info);
    int rc = 1;

    if (h == NULL) {
        fprintf(stderr, "mmio_copy: %s: mmioOpen failed, error %u\n", name,
                info.wErrorRet);
        return 1;
    }
    memset(&parent, 0, sizeof parent);
    memset(&chunk, 0, sizeof chunk);
    parent.fccType = mmioFOURCC('W', 'A', 'V', 'E');
    if (mmioDescend(h, &parent, NULL, MMIO_FINDRIFF) != 0) {
        fail("no RIFF WAVE chunk", name);
    } else {
        chunk.ckid = mmioFOURCC('f', 'm', 't', ' ');
        if (mmioDescend(h, &chunk, &parent, MMIO_FINDCHUNK) != 0 ||
            chunk.cksize < sizeof fmt ||
            mmioRead(h, (HPSTR)&fmt, sizeof fmt) != (LONG)sizeof fmt) {
            fail("no usable 'fmt ' chunk", name);
        } else {
            mmioAscend(h, &chunk, 0);
            chunk.ckid = mmioFOURCC('d', 'a', 't', 'a');
            if (mmioDescend(h, &chunk, &parent, MMIO_FINDCHUNK) != 0) {
                fail("no 'data' chunk", name);
            } else {
                printf("%u %lu %u %lu\n", fmt.wf.nChannels,
                       (unsigned long)fmt.wf.nSamplesPerSec,
                       fmt.wBitsPerSample, (unsigned long)chunk.cksize);
                rc = 0;
            }
        }
    }
    if (mmioClose(h, 0) != 0)
        rc = fail("mmioClose failed", name);
    return rc;
}

int main(int argc, char **argv)
{
    int rc;

    if (!ZmmInstallIOProc())
        return fail("ZmmInstallIOProc failed", "zmmio.dll");
    if (argc == 4 && strcmp(argv[1], "get") == 0)
        rc = get(argv[2], argv[3]);
    else if (argc == 4 && strcmp(argv[1], "put") == 0)
        rc = put(argv[2], argv[3]);
    else if (argc == 3 && strcmp(argv[1], "riff") == 0)
        rc = riff(argv[2]);
    else {
        fputs("usage: mmio_copy get NAME OUT | put IN NAME | riff NAME\n",
              stderr);
        rc = 2;
    }
    if (!ZmmRemoveIOProc())
        rc = fail("ZmmRemoveIOProc failed", "zmmio.dll");
    return rc;
}
