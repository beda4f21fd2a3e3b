#!/bin/bash
# samples/demo.sh -- zmmio's demo (the README's first command). From a fresh
# Debian 12 machine, as root:
#
#   1. setup:  cmake/setup-debian.sh installs whatever package is missing;
#   2. build:  the `linux` preset's pack_demo (samples/pack_demo.c);
#   3. wav:    makes a real WAV at run time: espeak-ng speaks a few sentences,
#              sox converts them to 44.1 kHz, 16-bit, stereo;
#   4. pack:   pack_demo stores the WAV in an archive with the core library
#              (include/zmm.h), reopens it read-only, reads it back, compares
#              it byte for byte and prints the sizes, the ratio and the members.
#
# Everything it makes is in build/demo/. Exits non-zero if any step fails.
# Steps are the functions named in STEPS below: a later one (playing the
# archive through zmmio.dll under Wine) is added by writing its function and
# appending its name.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
exec </dev/null

out=$root/build/demo
wav=$out/speech.wav
archive=$out/demo.zmm
member=speech.wav

say() { printf '\n== %s\n' "$*"; }

step_setup() {
    say "setup: installing missing packages (cmake/setup-debian.sh)"
    sh cmake/setup-debian.sh
}

step_build() {
    say "build: cmake --preset linux, pack_demo"
    cmake --preset linux >"$out/configure.log" 2>&1 ||
        { cat "$out/configure.log"; return 1; }
    cmake --build --preset linux --target pack_demo >"$out/build.log" 2>&1 ||
        { tail -n 100 "$out/build.log"; return 1; }
    echo "built build/linux/samples/pack_demo"
}

step_wav() {
    say "wav: espeak-ng speech, converted by sox to 44.1 kHz 16-bit stereo"
    local text="Hello from zmmio. This sound was spoken by e speak, \
converted by socks to CD quality stereo, and stored in a compressed archive. \
Any program that reads wave files through the Windows multimedia I O \
functions can read it from the archive, with no change to its code."
    espeak-ng -s 150 -w "$out/speech-raw.wav" "$text"
    sox -R "$out/speech-raw.wav" -r 44100 -b 16 -c 2 "$wav" # -R: repeatable dither
    rm -f "$out/speech-raw.wav"
    echo "$(soxi -D "$wav") s, $(soxi -r "$wav") Hz, $(soxi -b "$wav")-bit," \
        "$(soxi -c "$wav") channels: $(stat -c %s "$wav") bytes (${wav#"$root"/})"
}

step_pack() {
    say "pack: store the WAV in ${archive#"$root"/}, read it back, compare"
    rm -f "$archive"
    build/linux/samples/pack_demo "$wav" "$archive" "$member"
}

STEPS=(step_setup step_build step_wav step_pack)

mkdir -p "$out"
for step in "${STEPS[@]}"; do
    "$step"
done
say "demo done: the archive is ${archive#"$root"/}"
