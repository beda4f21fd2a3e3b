#!/bin/bash
# samples/demo.sh -- zmmio's demo (the README's first command). From a fresh
# Debian 12 machine, as root:
#
#   1. setup:  cmake/setup-debian.sh installs whatever package is missing;
#   2. build:  the `linux` preset's pack_demo and zmm tool, the `windows-x64`
#              preset's zmmio.dll and playsound_demo.exe;
#   3. wav:    makes a real WAV at run time: espeak-ng speaks a few sentences,
#              sox converts them to 44.1 kHz, 16-bit, stereo;
#   4. pack:   pack_demo stores the WAV in an archive with the core library
#              (include/zmm.h), reopens it read-only, reads it back, compares
#              it byte for byte and prints the sizes, the ratio and the members;
#   5. zmm:    the same with the command-line tool: zmm pack, list, verify;
#   6. play:   under Wine, playsound_demo.exe installs zmmio.dll's I/O
#              procedure and calls PlaySound("demo.zmm+speech.wav"); ALSA's
#              file plugin captures what Wine's waveOut played, and the
#              capture is compared with the WAV's samples byte for byte;
#   7. zmmplay: the sample player plays the same member in console mode
#              (mmioOpen, RIFF parsing with mmioDescend, waveOut), captured
#              and compared the same way (samples/player/play-demo.sh).
#
# Everything it makes is in build/demo/. Exits non-zero if any step fails.
# Steps are the functions named in STEPS below.
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

# build_preset PRESET TARGET...: configures and builds, quietly unless it fails.
build_preset() {
    local preset=$1
    shift
    cmake --preset "$preset" >"$out/configure-$preset.log" 2>&1 ||
        { cat "$out/configure-$preset.log"; return 1; }
    cmake --build --preset "$preset" --target "$@" >"$out/build-$preset.log" 2>&1 ||
        { tail -n 100 "$out/build-$preset.log"; return 1; }
}

step_build() {
    say "build: pack_demo and zmm (linux), zmmio.dll and playsound_demo.exe (windows-x64)"
    build_preset linux pack_demo zmm_tool
    build_preset windows-x64 zmmio playsound_demo zmmplay
    echo "built build/linux/samples/pack_demo, build/linux/src/cli/zmm," \
        "build/windows-x64/bin/zmmio.dll, playsound_demo.exe, zmmplay.exe"
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

step_zmm() {
    say "zmm: the command-line tool packs, lists and verifies the same WAV"
    local zmm=build/linux/src/cli/zmm
    rm -f "$archive"
    # -j: the member is speech.wav, not the path given (members keep
    # relative paths, as tar stores them)
    (set -x; "$zmm" pack -j -o "$archive" "$wav")
    (set -x; "$zmm" list "$archive")
    (set -x; "$zmm" verify "$archive")
}

step_play() {
    say "play: PlaySound(\"demo.zmm+$member\") through zmmio.dll under Wine, captured by ALSA"
    local home=$out/home
    rm -rf "$home"
    sh tests/wine/alsa-capture-env.sh "$home"
    sox "$wav" -t raw "$out/expected.raw" # the WAV's samples, no header
    # Wine runs the program from build/demo, so the relative name resolves there.
    local rc=0 try
    for try in 1 2; do
        rc=0
        (cd "$out" && HOME="$home" "$root/cmake/wine-run.sh" \
            "$root/build/windows-x64/bin/playsound_demo.exe" "demo.zmm+$member") || rc=$?
        # Rarely, on a loaded machine, the Wine process itself dies by a
        # signal at exit, after PlaySound returned: said, and tried again.
        [ "$rc" -ge 128 ] && [ "$try" = 1 ] || break
        echo "note: the Wine process died by signal $((rc - 128)) after playing; trying once more"
    done
    [ "$rc" = 0 ] || return 1
    if cmp -s "$home/capture.raw" "$out/expected.raw"; then
        echo "captured $(stat -c %s "$home/capture.raw") bytes of audio:" \
            "identical to the WAV's $(stat -c %s "$out/expected.raw") bytes of samples"
    else
        echo "MISMATCH: captured $(stat -c %s "$home/capture.raw" 2>/dev/null || echo 0)" \
            "bytes, the WAV has $(stat -c %s "$out/expected.raw") bytes of samples" >&2
        return 1
    fi
}

step_zmmplay() {
    say "zmmplay: the sample player plays demo.zmm+$member under Wine, captured by ALSA"
    bash samples/player/play-demo.sh "$archive+$member" "$wav" build/windows-x64
    echo "window mode: HOME=\$PWD/${out#"$root"/}/home xvfb-run -a cmake/wine-run.sh explorer /desktop=zmmplay,800x600 \\"
    echo "    build/windows-x64/bin/zmmplay.exe --gui \"${archive#"$root"/}+$member\""
}

STEPS=(step_setup step_build step_wav step_pack step_zmm step_play step_zmmplay)

mkdir -p "$out"
for step in "${STEPS[@]}"; do
    "$step"
done
say "demo done: the archive is ${archive#"$root"/}"
