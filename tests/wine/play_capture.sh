#!/bin/sh
# play_capture.sh MODE TEST_PLAY_EXE EMULATOR SOURCE_DIR -- the real-consumer
# tests of zmmio.dll under Wine, with audio captured by ALSA's file plugin
# (alsa-capture-env.sh: a HOME of our own whose .asoundrc plays to a file).
#
# MODE:
#   playsound  PlaySound("sounds.zmm+clip.wav", SND_FILENAME | SND_SYNC)
#   mci        MCI "open ... type waveaudio", "play ... wait"
#   playasync  PlaySound(SND_ASYNC), which plays on a thread of its own,
#              while the main thread reads another member of the archive
#   record     a RIFF WAVE recorded through buffered mmio into rec.zmm+ and
#              into rec.wav: the same bytes
#
# The clip is speech made now (espeak-ng), converted by sox to 44.1 kHz,
# 16-bit, stereo: Wine's waveOut passes that format to ALSA unchanged, so the
# capture must be the WAV's `data` chunk with Wine's own silence exactly
# where its ALSA trace (wine.log) says its driver wrote it
# (check-capture.sh). A few seconds long: ALSA's null device plays at about
# 4x real time.
set -eu
mode=$1
exe=$2
emulator=$3
src=$4

work=$(pwd)/$mode.capture.dir
rm -rf "$work"
mkdir -p "$work"
cd "$work"

run() { "$emulator" "$exe" "$@"; }

espeak-ng -w speech.wav "Zed M M I O plays this clip from a compressed archive, through P C M samples, byte for byte."
sox speech.wav -r 44100 -c 2 -b 16 -e signed-integer clip.wav
sox clip.wav -t raw expected.raw
run pack clip.wav sounds.zmm clip.wav

case $mode in
playsound | mci | playasync)
    sh "$src/alsa-capture-env.sh" "$work/home"
    if [ "$mode" = playasync ]; then
        run pack speech.wav sounds.zmm other.wav
    fi
    # Wine's ALSA trace, from which check-capture.sh knows its silence.
    WINEDEBUG="${WINEDEBUG:+$WINEDEBUG,}trace+alsa"
    export WINEDEBUG
    if [ "$mode" = playasync ]; then
        # The capture file is a Unix path; Wine sees it as Z:\...
        HOME="$work/home" run playasync "sounds.zmm+clip.wav" \
            "sounds.zmm+other.wav" "Z:$work/home/capture.raw" \
            "$(wc -c <expected.raw)" 2>wine.log
    else
        HOME="$work/home" run "$mode" "sounds.zmm+clip.wav" 2>wine.log
    fi
    if [ ! -f home/capture.raw ]; then
        echo "FAIL: nothing was captured (no ALSA device for Wine?)"
        exit 1
    fi
    want=$(wc -c <expected.raw)
    # The capture must be the samples, with silence only where and as long
    # as Wine's ALSA trace says its driver wrote it (check-capture.sh).
    if verdict=$(sh "$src/check-capture.sh" home/capture.raw expected.raw 4 \
        0 - 00 wine.log); then
        echo "$mode: $verdict (the WAV has $want bytes of samples)"
    else
        echo "FAIL: $mode: $verdict (the WAV has $want bytes of samples)"
        exit 1
    fi
    ;;
record)
    run record clip.wav rec.zmm+
    run record clip.wav rec.wav
    run copy rec.zmm+ rec-from-archive.wav
    run extract rec.zmm+ rec.raw
    cmp rec-from-archive.wav rec.wav
    cmp rec.raw expected.raw
    echo "record: rec.zmm+ reads back as the $(wc -c <rec.wav)-byte rec.wav" \
         "($(wc -c <rec.zmm) bytes in the archive)"
    ;;
*)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
