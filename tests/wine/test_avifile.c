/*
 * test_avifile.c -- AVIFile, another real consumer: an AVI written with
 * AVIFileOpen(OF_CREATE) / AVIFileCreateStream / AVIStreamWrite to
 * "movie.zmm+clip.avi" must be byte-identical to the same AVI written to a
 * plain file, and read back frame by frame with AVIStreamRead. (AVIFile's
 * default handler opens the file with mmioOpen on the caller's name, so the
 * name reaches the procedure.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* vfw.h needs the whole of windows.h (OLE), not the lean part zmmio.h takes. */
#include <windows.h>
#include <vfw.h>

#include "wine_test.h"

#define WIDTH 64
#define HEIGHT 48
#define FRAMES 12
#define FRAME_BYTES (WIDTH * HEIGHT * 3)
#define AUDIO_BYTES 17640 /* 0.2 s of 22050 Hz 16-bit stereo */

static unsigned char frames[FRAMES][FRAME_BYTES];
static unsigned char audio[AUDIO_BYTES];

static void make_content(void)
{
    uint64_t rng = 42;
    int f, x, y;

    for (f = 0; f < FRAMES; f++)
        for (y = 0; y < HEIGHT; y++)
            for (x = 0; x < WIDTH; x++) {
                unsigned char *p = frames[f] + (y * WIDTH + x) * 3;

                p[0] = (unsigned char)(x * 4 + f);
                p[1] = (unsigned char)(y * 5);
                p[2] = (unsigned char)((x ^ y) + f * 20);
                if ((x + y + f) % 13 == 0)
                    p[0] = (unsigned char)tw_rand(&rng);
            }
    tw_fill_random(&rng, audio, sizeof audio);
}

static int write_avi(const char *name)
{
    PAVIFILE file = NULL;
    PAVISTREAM video = NULL, sound = NULL;
    AVISTREAMINFOA info;
    BITMAPINFOHEADER bih;
    PCMWAVEFORMAT wf;
    HRESULT hr;
    int f, ok = 1;

    DeleteFileA(name);
    hr = AVIFileOpenA(&file, name, OF_CREATE | OF_WRITE, NULL);
    if (hr != AVIERR_OK) {
        printf("AVIFileOpen(%s, OF_CREATE) failed: 0x%lx\n", name,
               (unsigned long)hr);
        return 0;
    }
    memset(&info, 0, sizeof info);
    info.fccType = streamtypeVIDEO;
    info.fccHandler = mmioFOURCC('D', 'I', 'B', ' ');
    info.dwScale = 1;
    info.dwRate = 15;
    info.dwSuggestedBufferSize = FRAME_BYTES;
    SetRect(&info.rcFrame, 0, 0, WIDTH, HEIGHT);
    strcpy(info.szName, "video");
    ok &= AVIFileCreateStreamA(file, &video, &info) == AVIERR_OK;
    memset(&bih, 0, sizeof bih);
    bih.biSize = sizeof bih;
    bih.biWidth = WIDTH;
    bih.biHeight = HEIGHT;
    bih.biPlanes = 1;
    bih.biBitCount = 24;
    bih.biCompression = BI_RGB;
    bih.biSizeImage = FRAME_BYTES;
    ok &= video && AVIStreamSetFormat(video, 0, &bih, sizeof bih) == AVIERR_OK;

    memset(&info, 0, sizeof info);
    info.fccType = streamtypeAUDIO;
    info.dwScale = 4;
    info.dwRate = 22050 * 4;
    info.dwSampleSize = 4;
    strcpy(info.szName, "audio");
    ok &= AVIFileCreateStreamA(file, &sound, &info) == AVIERR_OK;
    memset(&wf, 0, sizeof wf);
    wf.wf.wFormatTag = WAVE_FORMAT_PCM;
    wf.wf.nChannels = 2;
    wf.wf.nSamplesPerSec = 22050;
    wf.wf.nAvgBytesPerSec = 22050 * 4;
    wf.wf.nBlockAlign = 4;
    wf.wBitsPerSample = 16;
    ok &= sound && AVIStreamSetFormat(sound, 0, &wf, sizeof wf) == AVIERR_OK;

    for (f = 0; f < FRAMES && ok; f++) {
        LONG samples = AUDIO_BYTES / 4 / FRAMES;

        hr = AVIStreamWrite(video, f, 1, frames[f], FRAME_BYTES,
                            AVIIF_KEYFRAME, NULL, NULL);
        if (hr != AVIERR_OK)
            printf("%s: AVIStreamWrite video %d: 0x%lx\n", name, f,
                   (unsigned long)hr);
        ok &= hr == AVIERR_OK;
        hr = AVIStreamWrite(sound, -1, samples, /* append */
                            audio + f * samples * 4, samples * 4, 0, NULL,
                            NULL);
        if (hr != AVIERR_OK)
            printf("%s: AVIStreamWrite audio %d: 0x%lx\n", name, f,
                   (unsigned long)hr);
        ok &= hr == AVIERR_OK;
    }
    if (sound)
        AVIStreamRelease(sound);
    if (video)
        AVIStreamRelease(video);
    AVIFileRelease(file);
    if (!ok)
        printf("writing %s failed\n", name);
    return ok;
}

static void read_avi(const char *name)
{
    static unsigned char buf[FRAME_BYTES + 64];
    PAVIFILE file = NULL;
    PAVISTREAM video = NULL;
    AVIFILEINFOA fi;
    HRESULT hr;
    int f;

    hr = AVIFileOpenA(&file, name, OF_READ | OF_SHARE_DENY_WRITE, NULL);
    CHECK_EQ(hr, AVIERR_OK);
    if (hr != AVIERR_OK)
        return;
    memset(&fi, 0, sizeof fi);
    CHECK_EQ(AVIFileInfoA(file, &fi, sizeof fi), AVIERR_OK);
    CHECK_EQ(fi.dwStreams, 2);
    CHECK_EQ(fi.dwLength, FRAMES);
    CHECK_EQ(AVIFileGetStream(file, &video, streamtypeVIDEO, 0), AVIERR_OK);
    if (video) {
        CHECK_EQ(AVIStreamLength(video), FRAMES);
        for (f = 0; f < FRAMES; f++) {
            LONG bytes = 0, samples = 0;

            CHECK_EQ(AVIStreamRead(video, f, 1, buf, sizeof buf, &bytes,
                                   &samples), AVIERR_OK);
            CHECK_EQ(bytes, FRAME_BYTES);
            CHECK(!memcmp(buf, frames[f], FRAME_BYTES));
        }
        /* And backwards, as a player scrubbing does. */
        for (f = FRAMES - 1; f >= 0; f -= 3) {
            LONG bytes = 0;

            CHECK_EQ(AVIStreamRead(video, f, 1, buf, sizeof buf, &bytes, NULL),
                     AVIERR_OK);
            CHECK(bytes == FRAME_BYTES && !memcmp(buf, frames[f], FRAME_BYTES));
        }
        AVIStreamRelease(video);
    }
    AVIFileRelease(file);
}

int main(void)
{
    unsigned char *plain, *member;
    size_t plain_len, member_len;

    tw_enter_workdir("avifile");
    make_content();
    tw_install();
    AVIFileInit();
    CHECK(write_avi("movie.avi"));
    CHECK(write_avi("movie.zmm+clip.avi"));
    plain = tw_read_file("movie.avi", &plain_len);
    member = tw_read_member("movie.zmm", "clip.avi", &member_len);
    CHECK(plain != NULL && plain_len > FRAMES * FRAME_BYTES);
    CHECK(member != NULL);
    CHECK_EQ(member_len, plain_len);
    CHECK(plain && member && plain_len == member_len
          && !memcmp(plain, member, plain_len));
    printf("AVI: %lu bytes written to movie.avi and to movie.zmm+clip.avi: "
           "%s\n", (unsigned long)plain_len,
           plain && member && plain_len == member_len
                   && !memcmp(plain, member, plain_len)
               ? "identical"
               : "DIFFERENT");
    free(plain);
    free(member);
    read_avi("movie.avi");
    read_avi("movie.zmm+clip.avi");
    AVIFileExit();
    CHECK(ZmmRemoveIOProc());
    return tw_finish("test_avifile");
}
