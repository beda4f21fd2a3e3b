/*
 * test_doc_player.c -- the player's WAV reader (samples/player/wavefile.c)
 * through docmmio, mmio as Microsoft documents Windows' (its mmio calls go
 * through wavefile_use_mmio): a RIFF WAVE with a JUNK chunk of odd size
 * before `fmt ` and a LIST after `data`, opened from "sounds.zmm+clip.wav"
 * through ZmmIOProc and from "clip.wav" through the DOS procedure, parsed,
 * read whole and from a block in the middle: the samples must be the WAV's,
 * and the two must agree. Then the same through Wine's winmm, to show the
 * indirection changes only who calls the procedure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docmmio.h"
#include "wavefile.h"
#include "wine_test.h"

#define FRAMES 30000 /* 16-bit stereo: 120,000 bytes of samples */

static unsigned char wav[44 + 12 + 4 * FRAMES + 64];
static size_t wav_len;
static const unsigned char *samples; /* inside wav */

static void put32(unsigned char *p, DWORD v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* RIFF WAVE: JUNK (5 bytes + pad), fmt (PCM 16-bit stereo 44.1 kHz), data,
 * LIST (4 bytes). */
static void make_wav(void)
{
    static const unsigned char fmt[16] = {
        1, 0, 2, 0, 0x44, 0xac, 0, 0, 0x10, 0xb1, 2, 0, 4, 0, 16, 0};
    unsigned char *p = wav;
    uint64_t rng = 18;
    unsigned v = 0;
    size_t i;

    memcpy(p, "RIFF\0\0\0\0WAVE", 12);
    p += 12;
    memcpy(p, "JUNK", 4);
    put32(p + 4, 5);
    memcpy(p + 8, "junk\0", 6); /* 5 bytes and the pad byte */
    p += 14;
    memcpy(p, "fmt ", 4);
    put32(p + 4, 16);
    memcpy(p + 8, fmt, 16);
    p += 24;
    memcpy(p, "data", 4);
    put32(p + 4, 4 * FRAMES);
    p += 8;
    samples = p;
    for (i = 0; i < 4 * FRAMES; i += 2) { /* a random walk, like audio */
        v += (unsigned)tw_below(&rng, 65) - 32;
        p[i] = (unsigned char)v;
        p[i + 1] = (unsigned char)(v >> 8);
    }
    p += 4 * FRAMES;
    memcpy(p, "LIST\4\0\0\0INFO", 12);
    p += 12;
    wav_len = (size_t)(p - wav);
    put32(wav + 4, (DWORD)(wav_len - 8));
}

/* Opens `name` through the current calls and checks what the player sees. */
static void play(const char *name)
{
    static unsigned char got[4 * FRAMES];
    char err[200];
    wavefile wf;
    long n;

    CHECK_EQ(wavefile_open(&wf, name, err, sizeof err), WAVEFILE_OK);
    if (!wf.h) {
        printf("  %s: %s\n", name, err);
        return;
    }
    CHECK_EQ(wf.frames, FRAMES);
    CHECK_EQ(wf.block_align, 4);
    CHECK_EQ(wf.rate, 44100);
    /* The player asks for what wf.blocks says is left. */
    n = wavefile_read(&wf, got, wf.blocks);
    CHECK_EQ(n, FRAMES);
    CHECK(memcmp(got, samples, 4 * FRAMES) == 0);
    /* Scrubbing back to the middle. */
    CHECK_EQ(wavefile_seek(&wf, FRAMES / 3), 0);
    n = wavefile_read(&wf, got, 1000);
    CHECK_EQ(n, 1000);
    CHECK(memcmp(got, samples + 4 * (FRAMES / 3), 4000) == 0);
    wavefile_close(&wf);
}

static const wavefile_mmio doc_calls = {
    dm_open, dm_close, dm_read, dm_seek, dm_descend, dm_ascend,
};

int main(void)
{
    LPMMIOPROC dos = mmioInstallIOProcA(FOURCC_DOS, NULL, MMIO_FINDPROC);
    unsigned long opens;

    tw_enter_workdir("doc_player");
    CHECK(dos != NULL);
    if (!dos)
        return tw_finish("test_doc_player");
    tw_install();
    dm_install(FOURCC_DOS, dos);
    dm_install(FOURCC_ZMM, ZmmIOProc);
    make_wav();
    CHECK_EQ(tw_write_file("clip.wav", wav, wav_len), 0);
    CHECK_EQ(tw_write_member("sounds.zmm", "clip.wav", wav, wav_len), 0);

    wavefile_use_mmio(&doc_calls);
    opens = dm_sent[MMIOM_OPEN];
    play("sounds.zmm+clip.wav");
    play("clip.wav");
    /* Both opens went through docmmio, none through winmm. */
    CHECK_EQ(dm_sent[MMIOM_OPEN] - opens, 2);

    wavefile_use_mmio(NULL);
    play("sounds.zmm+clip.wav");
    CHECK_EQ(dm_sent[MMIOM_OPEN] - opens, 2);
    return tw_finish("test_doc_player");
}
