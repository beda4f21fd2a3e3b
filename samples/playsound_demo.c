/*
 * playsound_demo.c -- the smallest program that plays a WAV from a ZMM
 * archive: install the I/O procedure once, then give PlaySound an mmio name.
 *
 *     playsound_demo "pack.zmm+intro.wav"
 *
 * PlaySound opens the name with mmioOpen, which routes "*.zmm+..." to
 * zmmio.dll's procedure; nothing else in the program knows about archives.
 */
#include <stdio.h>

#include "zmmio.h"

int main(int argc, char **argv)
{
    BOOL played;

    if (argc != 2) {
        fprintf(stderr, "usage: playsound_demo ARCHIVE.zmm+MEMBER\n");
        return 2;
    }
    if (!ZmmInstallIOProc()) {
        fprintf(stderr, "playsound_demo: ZmmInstallIOProc failed\n");
        return 1;
    }
    played = PlaySoundA(argv[1], NULL, SND_FILENAME | SND_SYNC | SND_NODEFAULT);
    ZmmRemoveIOProc();
    if (!played) {
        fprintf(stderr, "playsound_demo: PlaySound could not play %s "
                        "(no audio device, or not a playable WAV)\n", argv[1]);
        return 1;
    }
    printf("played %s\n", argv[1]);
    return 0;
}
