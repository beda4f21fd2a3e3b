/*
 * test_play.c -- real consumers of the procedure: PlaySound and MCI play a
 * WAV from an archive member; a sound recorder's RIFF writing through mmio.
 *
 *   test_play pack WAV ARCHIVE MEMBER   stores WAV as ARCHIVE's MEMBER (core API)
 *   test_play playsound NAME            PlaySound(NAME, SND_FILENAME | SND_SYNC)
 *   test_play mci NAME                  MCI: open NAME type waveaudio, play wait
 *   test_play record WAV NAME           copies WAV's format and samples into a
 *                                       new RIFF WAVE at NAME through buffered
 *                                       mmio (mmioCreateChunk / mmioAscend)
 *   test_play extract NAME RAW          writes the `data` chunk read through
 *                                       mmio (mmioDescend) from NAME to RAW
 *   test_play copy NAME FILE            copies NAME, read through mmio, to FILE
 *   test_play playasync NAME OTHER CAPTURE BYTES
 *                                       PlaySound(NAME, SND_ASYNC) -- played on
 *                                       Wine's own thread -- while this thread
 *                                       reads OTHER through mmio at random
 *                                       places, until CAPTURE holds BYTES (the
 *                                       sound is playing) and then until
 *                                       PlaySound says it is over
 *
 * play_capture.sh runs these under Wine with an ALSA capture and compares the
 * bytes played with the WAV's samples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h"
#include "zmm.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: test_play pack|playsound|mci|record|extract|copy|playasync ...\n");
    return 2;
}

/* The PCM layout of the archive's member (NULL: the default), or 0 bits. */
static zmm_member_info member_pcm(const char *archive, const char *member)
{
    zmm_archive *ar = NULL;
    zmm_member_info mi;
    size_t at;

    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    if (zmm_archive_open(archive, ZMM_OPEN_READ, &ar, NULL) == ZMM_OK) {
        if (zmm_archive_find(ar, member, &at) != ZMM_OK
            || zmm_archive_member_info(ar, at, &mi) != ZMM_OK)
            mi.flags = 0;
        zmm_archive_close(ar);
    }
    if (!(mi.flags & ZMM_MEMBER_PCM))
        mi.pcm_bits = 0;
    return mi;
}

/* Stores the WAV with the PCM layout it has, so the players read PCM
 * blocks (audio-aware compression). */
static int pack(const char *wav, const char *archive, const char *member)
{
    size_t len;
    unsigned char *data = tw_read_file(wav, &len);
    zmm_archive *ar = NULL;
    zmm_stream *st = NULL;
    zmm_pcm_layout layout = {sizeof layout, 0, 0, 0, 0};
    zmm_member_info mi;
    int rc = 1;

    if (!data) {
        fprintf(stderr, "cannot read %s\n", wav);
        return 1;
    }
    if (zmm_detect_wav_layout(data, len, len, &layout) != ZMM_OK) {
        fprintf(stderr, "%s is not a PCM WAV file\n", wav);
        free(data);
        return 1;
    }
    if (zmm_archive_open(archive, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar, NULL)
        == ZMM_OK) {
        if (zmm_stream_open(ar, member,
                            ZMM_STREAM_WRITE | ZMM_STREAM_CREATE
                                | ZMM_STREAM_TRUNCATE,
                            NULL, &st) == ZMM_OK) {
            rc = zmm_stream_set_pcm_layout(st, &layout) != ZMM_OK
                 || zmm_stream_write(st, data, len) != ZMM_OK;
            if (zmm_stream_close(st) != ZMM_OK)
                rc = 1;
        }
        if (zmm_archive_close(ar) != ZMM_OK)
            rc = 1;
    }
    free(data);
    if (rc) {
        fprintf(stderr, "cannot write %s member %s\n", archive, member);
        return 1;
    }
    mi = member_pcm(archive, member);
    printf("packed %s (%lu bytes) as %s+%s: %lu bytes, pcm %u-bit %uch\n",
           wav, (unsigned long)len, archive, member,
           (unsigned long)mi.packed_size, mi.pcm_bits, mi.pcm_channels);
    return mi.pcm_bits ? 0 : 1;
}

static int play_sound(const char *name)
{
    if (!PlaySoundA(name, NULL, SND_FILENAME | SND_SYNC | SND_NODEFAULT)) {
        fprintf(stderr, "PlaySound(%s) failed\n", name);
        return 1;
    }
    printf("PlaySound(%s): played\n", name);
    return 0;
}

static int mci(const char *command)
{
    char reply[256] = "";
    MCIERROR err = mciSendStringA(command, reply, sizeof reply, NULL);

    if (err) {
        char text[256] = "";

        mciGetErrorStringA(err, text, sizeof text);
        fprintf(stderr, "MCI '%s' failed: %lu %s\n", command,
                (unsigned long)err, text);
        return 1;
    }
    return 0;
}

static int play_mci(const char *name)
{
    char command[1024];
    int rc;

    snprintf(command, sizeof command,
             "open \"%s\" type waveaudio alias clip", name);
    if (mci(command))
        return 1;
    rc = mci("play clip wait");
    rc |= mci("close clip");
    if (!rc)
        printf("MCI play %s: played\n", name);
    return rc;
}

/* Reads the `fmt ` and `data` chunks of a RIFF WAVE through mmio. */
static int read_wave(const char *name, unsigned char **fmt, LONG *fmt_len,
                     unsigned char **data, LONG *data_len)
{
    MMCKINFO riff, ck;
    HMMIO h = tw_mmio_open(name, NULL, MMIO_READ | MMIO_ALLOCBUF);
    int rc = 1;

    *fmt = *data = NULL;
    if (!h) {
        fprintf(stderr, "mmioOpen(%s) failed\n", name);
        return 1;
    }
    memset(&riff, 0, sizeof riff);
    riff.fccType = mmioFOURCC('W', 'A', 'V', 'E');
    if (mmioDescend(h, &riff, NULL, MMIO_FINDRIFF))
        goto done;
    memset(&ck, 0, sizeof ck);
    ck.ckid = mmioFOURCC('f', 'm', 't', ' ');
    if (mmioDescend(h, &ck, &riff, MMIO_FINDCHUNK))
        goto done;
    *fmt_len = (LONG)ck.cksize;
    *fmt = malloc(ck.cksize ? ck.cksize : 1);
    if (!*fmt || mmioRead(h, (HPSTR)*fmt, *fmt_len) != *fmt_len)
        goto done;
    mmioAscend(h, &ck, 0);
    memset(&ck, 0, sizeof ck);
    ck.ckid = mmioFOURCC('d', 'a', 't', 'a');
    if (mmioDescend(h, &ck, &riff, MMIO_FINDCHUNK))
        goto done;
    *data_len = (LONG)ck.cksize;
    *data = malloc(ck.cksize ? ck.cksize : 1);
    if (!*data || mmioRead(h, (HPSTR)*data, *data_len) != *data_len)
        goto done;
    rc = 0;
done:
    mmioClose(h, 0);
    if (rc) {
        fprintf(stderr, "%s: not a readable RIFF WAVE\n", name);
        free(*fmt);
        free(*data);
        *fmt = *data = NULL;
    }
    return rc;
}

/* Writes a RIFF WAVE as a recorder does: buffered, chunk by chunk, the
 * samples in pieces of varying size. */
static int record(const char *wav, const char *name)
{
    unsigned char *fmt, *data;
    LONG fmt_len, data_len, done = 0, piece = 1;
    MMCKINFO riff, ck;
    HMMIO h;
    int rc = 1;

    if (read_wave(wav, &fmt, &fmt_len, &data, &data_len))
        return 1;
    h = tw_mmio_open(name, NULL, MMIO_CREATE | MMIO_WRITE | MMIO_ALLOCBUF);
    if (!h) {
        fprintf(stderr, "mmioOpen(%s) for writing failed\n", name);
        goto done;
    }
    memset(&riff, 0, sizeof riff);
    riff.fccType = mmioFOURCC('W', 'A', 'V', 'E');
    if (mmioCreateChunk(h, &riff, MMIO_CREATERIFF))
        goto fail;
    memset(&ck, 0, sizeof ck);
    ck.ckid = mmioFOURCC('f', 'm', 't', ' ');
    if (mmioCreateChunk(h, &ck, 0) || mmioWrite(h, (HPSTR)fmt, fmt_len)
        != fmt_len || mmioAscend(h, &ck, 0))
        goto fail;
    memset(&ck, 0, sizeof ck);
    ck.ckid = mmioFOURCC('d', 'a', 't', 'a');
    if (mmioCreateChunk(h, &ck, 0))
        goto fail;
    while (done < data_len) {
        LONG n = piece < data_len - done ? piece : data_len - done;

        if (mmioWrite(h, (HPSTR)data + done, n) != n)
            goto fail;
        done += n;
        piece = piece * 3 % 20011 + 1; /* 1, 4, 13, ... odd and even sizes */
    }
    if (mmioAscend(h, &ck, 0) || mmioAscend(h, &riff, 0))
        goto fail;
    rc = mmioClose(h, 0) ? 1 : 0;
    h = NULL;
    if (!rc)
        printf("recorded %ld bytes of samples into %s\n", (long)data_len,
               name);
    /* zmmio.dll found the recording's PCM layout (from its header) */
    if (!rc && strstr(name, ".zmm+")) {
        char archive[MAX_PATH];
        const char *plus = strrchr(name, '+');
        zmm_member_info mi;

        snprintf(archive, sizeof archive, "%.*s", (int)(plus - name), name);
        mi = member_pcm(archive, plus[1] ? plus + 1 : NULL);
        printf("%s: %lu bytes stored, pcm %u-bit %uch @%lu+%lu\n", name,
               (unsigned long)mi.packed_size, mi.pcm_bits, mi.pcm_channels,
               (unsigned long)mi.pcm_offset, (unsigned long)mi.pcm_length);
        if (mi.pcm_bits == 0 || mi.pcm_length != (uint64_t)data_len) {
            fprintf(stderr, "%s: no PCM layout for the recording\n", name);
            rc = 1;
        }
    }
fail:
    if (h)
        mmioClose(h, 0);
done:
    free(fmt);
    free(data);
    return rc;
}

static int extract(const char *name, const char *raw)
{
    unsigned char *fmt, *data;
    LONG fmt_len, data_len;
    int rc;

    if (read_wave(name, &fmt, &fmt_len, &data, &data_len))
        return 1;
    rc = tw_write_file(raw, data, (size_t)data_len) ? 1 : 0;
    printf("%s: fmt %ld bytes, data %ld bytes\n", name, (long)fmt_len,
           (long)data_len);
    free(fmt);
    free(data);
    return rc;
}

static int copy(const char *name, const char *file)
{
    static char buf[65536];
    FILE *out;
    HMMIO h = tw_mmio_open(name, NULL, MMIO_READ);
    LONG n;
    int rc = 0;

    if (!h) {
        fprintf(stderr, "mmioOpen(%s) failed\n", name);
        return 1;
    }
    out = fopen(file, "wb");
    if (!out) {
        mmioClose(h, 0);
        return 1;
    }
    while ((n = mmioRead(h, buf, sizeof buf)) > 0)
        rc |= fwrite(buf, 1, (size_t)n, out) != (size_t)n;
    rc |= n < 0;
    rc |= fclose(out) != 0;
    rc |= mmioClose(h, 0) != 0;
    return rc;
}

/* Reads `name` through mmio at random places, checking every byte against
 * the same member read through the core library. Returns the reads made, or
 * -1 on a wrong byte. */
static long read_other(const char *name, uint64_t *rng, int rounds)
{
    static char buf[30000];
    const char *plus = strrchr(name, '+');
    char archive[MAX_PATH];
    unsigned char *want;
    size_t len;
    long reads = 0;
    HMMIO h;

    if (!plus || (size_t)(plus - name) >= sizeof archive)
        return -1;
    memcpy(archive, name, (size_t)(plus - name));
    archive[plus - name] = '\0';
    want = tw_read_member(archive, plus + 1, &len);
    h = tw_mmio_open(name, NULL, MMIO_READ | MMIO_ALLOCBUF);
    if (!want || !h || len < 2) {
        free(want);
        if (h)
            mmioClose(h, 0);
        return -1;
    }
    while (rounds-- > 0) {
        LONG pos = (LONG)tw_below(rng, (uint32_t)len);
        LONG n = (LONG)tw_below(rng, sizeof buf);
        LONG expect = pos + n > (LONG)len ? (LONG)len - pos : n;

        if (mmioSeek(h, pos, SEEK_SET) != pos
            || mmioRead(h, buf, n) != expect
            || memcmp(buf, want + pos, (size_t)expect)) {
            reads = -1;
            break;
        }
        reads++;
    }
    mmioClose(h, 0);
    free(want);
    return reads;
}

static int play_async(const char *name, const char *other,
                      const char *capture, long bytes)
{
    uint64_t rng = 5;
    long reads = 0, r;
    int playing = 0;
    DWORD start = GetTickCount();
    WIN32_FILE_ATTRIBUTE_DATA fa;

    if (!PlaySoundA(name, NULL, SND_FILENAME | SND_ASYNC | SND_NODEFAULT)) {
        fprintf(stderr, "PlaySound(%s, SND_ASYNC) failed\n", name);
        return 1;
    }
    for (;;) {
        r = read_other(other, &rng, 50);
        if (r < 0) {
            fprintf(stderr, "reading %s during playback: wrong bytes\n",
                    other);
            PlaySoundA(NULL, NULL, 0);
            return 1;
        }
        reads += r;
        /* The capture holds as many bytes as the samples: the sound is
         * playing (Wine's silence, inserted when its device thread falls
         * behind, may make it that long before every sample went out).
         * From then on, PlaySound(NULL, SND_NOSTOP) fails while a sound of
         * this process plays and succeeds, doing nothing, once it is over:
         * no stop is sent, so every sample is played. */
        if (!playing
            && GetFileAttributesExA(capture, GetFileExInfoStandard, &fa)
            && (long)fa.nFileSizeLow >= bytes)
            playing = 1;
        if (playing && PlaySoundA(NULL, NULL, SND_NOSTOP))
            break;
        if (GetTickCount() - start > 120000) { /* a hang, not a slow run */
            fprintf(stderr, "playback did not finish within 120 s\n");
            PlaySoundA(NULL, NULL, 0);
            return 1;
        }
    }
    printf("PlaySound(%s, SND_ASYNC): played while %ld reads of %s through "
           "mmio on the main thread were right\n", name, reads, other);
    return 0;
}

int main(int argc, char **argv)
{
    int rc;

    if (argc < 3)
        return usage();
    if (!strcmp(argv[1], "pack"))
        return argc == 5 ? pack(argv[2], argv[3], argv[4]) : usage();
    tw_install();
    if (!strcmp(argv[1], "playsound"))
        rc = play_sound(argv[2]);
    else if (!strcmp(argv[1], "mci"))
        rc = play_mci(argv[2]);
    else if (!strcmp(argv[1], "record") && argc == 4)
        rc = record(argv[2], argv[3]);
    else if (!strcmp(argv[1], "extract") && argc == 4)
        rc = extract(argv[2], argv[3]);
    else if (!strcmp(argv[1], "copy") && argc == 4)
        rc = copy(argv[2], argv[3]);
    else if (!strcmp(argv[1], "playasync") && argc == 6)
        rc = play_async(argv[2], argv[3], argv[4], atol(argv[5]));
    else
        return usage();
    if (!ZmmRemoveIOProc()) {
        fprintf(stderr, "ZmmRemoveIOProc failed: a handle left open\n");
        rc = 1;
    }
    return rc;
}
