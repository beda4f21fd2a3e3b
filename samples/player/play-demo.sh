#!/bin/bash
# samples/player/play-demo.sh ARCHIVE+MEMBER WAV [BUILD_DIR]
#
# The demo's last step (samples/demo.sh calls it): plays ARCHIVE's MEMBER
# with zmmplay.exe in console mode under Wine -- zmmio.dll installed,
# mmioOpen("ARCHIVE+MEMBER"), RIFF parsing, waveOut -- with ALSA's output
# captured to a file (tests/wine/alsa-capture-env.sh), and reports whether
# the captured audio is byte for byte the samples of WAV, the original file.
#
#   ARCHIVE+MEMBER   e.g. build/demo/demo.zmm+speech.wav
#   WAV              the WAV the member was packed from
#   BUILD_DIR        a Windows build (default build/windows-x64), with
#                    zmmplay.exe and zmmio.dll in BUILD_DIR/bin
#
# Wine runs through cmake/wine-run.sh (WINEPREFIX, when unset,
# build/wineprefix; WINEDEBUG=-all). The capture and zmmplay's output are
# kept in BUILD_DIR/play-demo/. Exits 0 if the audio matches, 1 if not (or
# if anything failed), 2 on bad arguments.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 ARCHIVE+MEMBER WAV [BUILD_DIR]" >&2
    exit 2
fi
name=$1
wav=$2
build=${3:-$root/build/windows-x64}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
case $wav in /*) ;; *) wav=$(pwd)/$wav ;; esac
player=$build/bin/zmmplay.exe
archive=${name%+*}
member=${name##*+}
if [ "$archive" = "$name" ]; then
    echo "play-demo: '$name' has no '+': expected ARCHIVE.zmm+MEMBER" >&2
    exit 2
fi
for f in "$player" "$build/bin/zmmio.dll" "$wav" "$archive"; do
    if [ ! -f "$f" ]; then
        echo "play-demo: missing $f" >&2
        exit 1
    fi
done

out=$build/play-demo
rm -rf "$out"
mkdir -p "$out"
# The samples as the WAV holds them, in its own encoding.
sox "$wav" -t raw "$out/expected.raw"
sh "$root/tests/wine/alsa-capture-env.sh" "$out/home" "$out/capture.raw"

# Wine resolves a relative name against the directory it starts in: run in
# the archive's directory with the bare "archive.zmm+member".
want=$(stat -c %s "$out/expected.raw")
echo "play-demo: zmmplay $(basename "$archive")+$member (in $(dirname "$archive"))"
rm -f "$out/capture.raw"
status=0
(cd "$(dirname "$archive")" &&
    WINEDEBUG="${WINEDEBUG:+$WINEDEBUG,}trace+alsa" HOME="$out/home" \
        timeout -k 5 300 sh "$root/cmake/wine-run.sh" \
        "$player" "$(basename "$archive")+$member" 2>"$out/wine.log") </dev/null |
    tr -d '\r' | tee "$out/zmmplay.txt" || status=$?
if [ "$status" != 0 ]; then
    grep -v ':trace:alsa:' "$out/wine.log" # the player's own messages
    echo "play-demo: FAILED: zmmplay exited with status $status"
    exit 1
fi
# The samples, with silence only where and as long as Wine's ALSA trace,
# wine.log, says its driver wrote it (tests/wine/check-capture.sh).
frame=$(($(sox --i -c "$wav") * (($(sox --i -b "$wav") + 7) / 8)))
silence=00
[ "$(sox --i -b "$wav")" != 8 ] || silence=80 # 8-bit PCM is unsigned
if verdict=$(sh "$root/tests/wine/check-capture.sh" "$out/capture.raw" \
    "$out/expected.raw" "$frame" 0 - "$silence" "$out/wine.log"); then
    echo "play-demo: the captured audio matches: $verdict; the samples of" \
         "${wav#"$root"/} are $want bytes"
    exit 0
fi
echo "play-demo: FAILED: the captured audio does not match: $verdict;" \
     "the WAV has $want bytes of samples"
exit 1
