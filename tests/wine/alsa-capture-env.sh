#!/bin/sh
# alsa-capture-env.sh DIR [CAPTURE_FILE]
#
# Makes DIR a HOME in which everything a program plays through ALSA's default
# device lands, byte-exact, in CAPTURE_FILE (default DIR/capture.raw), and
# prints nothing. It writes DIR/.asoundrc defining pcm.!default as ALSA's
# `file` plugin (format "raw": the bare samples, no header) over the `null`
# device, which consumes audio at about 4x real time. Wine's waveOut (so
# PlaySound, MCI waveaudio, waveOutWrite) then has a device, and the capture
# holds exactly the PCM frames it was sent, in the format of the stream that
# opened the device. The plugin truncates the file each time the device is
# opened, so one capture holds one playback.
#
# Usage, in a test or a script (WINEPREFIX stays shared; HOME is per test, so
# tests running in parallel capture to their own files):
#
#   dir=$(mktemp -d)
#   tests/wine/alsa-capture-env.sh "$dir"
#   HOME="$dir" wine player.exe song.zmm+     # or HOME="$dir" cmake/wine-run.sh ...
#   cmp "$dir/capture.raw" expected.raw
#
# From CMake, a test can run it first, e.g.
#   add_test(NAME t COMMAND sh -c "alsa-capture-env.sh \"$0\" && HOME=\"$0\" \"$1\" \"$2\"" DIR EMULATOR EXE)
# or a C test can write the same .asoundrc itself (the text is below) and
# spawn the Wine program with HOME set.
#
# The capture is raw frames: compare it with the WAV's `data` chunk (for a
# WAV made by sox: `sox in.wav -t raw expected.raw`, same rate/format).
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 DIR [CAPTURE_FILE]" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
capture=${2:-$dir/capture.raw}
case $capture in
/*) ;;
*) capture=$(pwd)/$capture ;;
esac

cat >"$dir/.asoundrc" <<ASOUNDRC
# Written by tests/wine/alsa-capture-env.sh: play to a file, no hardware.
pcm.!default {
    type file
    slave.pcm "null"
    file "$capture"
    format "raw"
}
ASOUNDRC
