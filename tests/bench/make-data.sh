#!/bin/bash
# tests/bench/make-data.sh DIR [MIB] -- makes the benchmark data sets in DIR
# (under the build tree, never in the repository), each exactly MIB MiB
# (default 64) of content:
#
#   audio.wav   44.1 kHz, 16-bit, stereo PCM (a 44-byte header, then MIB MiB
#               of samples) from Debian's sound packages, resampled with sox:
#               - speech: espeak-ng reading /usr/share/common-licenses/GPL-3
#                 (22.05 kHz mono), about 40 s;
#               - effects: the desktop sound themes (oxygen-sounds,
#                 sound-theme-freedesktop, alsa-utils' test sounds: Ogg
#                 Vorbis and WAV, 22.05-48 kHz), about 100 s;
#               - music: the Opsound music-on-hold tracks of
#                 asterisk-moh-opsound-wav (8 kHz mono WAV), upsampled, the
#                 right channel 7 ms behind the left, for the rest.
#   text.txt    /usr/share/common-licenses, the copyright files and
#               decompressed changelogs of /usr/share/doc, then the
#               decompressed English man pages, cut at MIB MiB.
#   random.bin  MIB MiB from /dev/urandom.
#
# Idempotent: a data set already of the right size is kept. Installs the
# packages it needs with apt-get when they are missing (as root).
set -euo pipefail

dir=${1:?usage: make-data.sh DIR [MIB]}
mib=${2:-64}
bytes=$((mib * 1048576))
mkdir -p "$dir"

need_packages() {
    local missing="" p
    for p in "$@"; do
        dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "make-data: installing:$missing" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null </dev/null
    # shellcheck disable=SC2086
    $sudo apt-get install -y -q --no-install-recommends $missing >/dev/null </dev/null
}

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# ---- audio ------------------------------------------------------------------
make_audio() {
    local out=$dir/audio.wav tmp=$dir/audio.tmp
    [ "$(size_of "$out")" = $((bytes + 44)) ] && return 0
    need_packages sox libsox-fmt-base espeak-ng asterisk-moh-opsound-wav \
        oxygen-sounds sound-theme-freedesktop alsa-utils
    rm -rf "$tmp"
    mkdir -p "$tmp"
    local raw=(-t raw -r 44100 -c 2 -b 16 -e signed-integer)

    # speech, about 40 s
    head -c 2600 /usr/share/common-licenses/GPL-3 >"$tmp/speech.txt"
    espeak-ng -s 160 -f "$tmp/speech.txt" -w "$tmp/speech.wav"
    sox "$tmp/speech.wav" "${raw[@]}" "$tmp/1-speech.raw" rate -v 44100 trim 0 40

    # effects, about 100 s, in name order
    : >"$tmp/2-effects.raw"
    local f total=0 d
    while IFS= read -r f; do
        d=$(soxi -D "$f" 2>/dev/null || echo 0)
        sox "$f" "${raw[@]}" - rate -v 44100 >>"$tmp/2-effects.raw"
        total=$(awk -v a="$total" -v b="$d" 'BEGIN { print a + b }')
        awk -v t="$total" 'BEGIN { exit !(t >= 100) }' && break
    done < <(find /usr/share/sounds -type f \( -name '*.ogg' -o -name '*.oga' -o -name '*.wav' \) | LC_ALL=C sort)

    # music for the rest
    : >"$tmp/3-music.raw"
    for f in /usr/share/asterisk/moh/*.wav; do
        sox "$f" "${raw[@]}" - remix 1 1 delay 0 0.007 rate -v 44100 >>"$tmp/3-music.raw"
    done

    cat "$tmp/1-speech.raw" "$tmp/2-effects.raw" "$tmp/3-music.raw" |
        head -c "$bytes" >"$tmp/all.raw" || true
    if [ "$(size_of "$tmp/all.raw")" != "$bytes" ]; then
        echo "make-data: not enough audio for $mib MiB" >&2
        exit 1
    fi
    sox "${raw[@]}" "$tmp/all.raw" -t wav "$out"
    rm -rf "$tmp"
}

# ---- text -------------------------------------------------------------------
make_text() {
    local out=$dir/text.txt
    [ "$(size_of "$out")" = "$bytes" ] && return 0
    need_packages man-db manpages
    {
        cat /usr/share/common-licenses/* 2>/dev/null
        find /usr/share/doc -name copyright -type f -print0 | LC_ALL=C sort -z |
            xargs -0 cat 2>/dev/null
        find /usr/share/doc -name 'changelog*.gz' -type f -print0 | LC_ALL=C sort -z |
            xargs -0 zcat 2>/dev/null
        find /usr/share/man/man[1-8] -name '*.gz' -type f -print0 | LC_ALL=C sort -z |
            xargs -0 zcat 2>/dev/null
    } | head -c "$bytes" >"$out.tmp" || true
    if [ "$(size_of "$out.tmp")" != "$bytes" ]; then
        echo "make-data: not enough text for $mib MiB" >&2
        exit 1
    fi
    mv "$out.tmp" "$out"
}

# ---- random -----------------------------------------------------------------
make_random() {
    local out=$dir/random.bin
    [ "$(size_of "$out")" = "$bytes" ] && return 0
    head -c "$bytes" /dev/urandom >"$out.tmp"
    mv "$out.tmp" "$out"
}

make_audio
make_text
make_random
ls -l "$dir"/audio.wav "$dir"/text.txt "$dir"/random.bin
