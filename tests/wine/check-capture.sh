#!/bin/sh
# check-capture.sh [--split T] CAPTURE RAW FRAME_BYTES [SKIP [LENGTH [SILENCE [WINE_LOG]]]]
#
# Is what Wine played (CAPTURE, from tests/wine/alsa-capture-env.sh) exactly
# what Wine's own trace says its ALSA driver wrote, given that the program
# played the samples RAW[SKIP, SKIP+LENGTH) (bytes; LENGTH "-" or absent:
# to the end)?
#
# Wine's ALSA driver (Wine 8, winealsa.drv's alsa_write_data) writes silence
# on its own: on a timer tick that finds none of the program's frames in
# ALSA while the stream holds less than one ALSA period, it writes the rest
# of a period as silence first (a "lead-in": at the end until the device is
# closed, and mid-stream when the program's feed fell behind, as under
# load). alsa-model.awk replays the trace (WINE_LOG: the program's stderr
# with WINEDEBUG=...,trace+alsa) tick by tick and says which runs of
# silence and of the program's frames went to ALSA, in which order. The
# capture must be exactly that, byte for byte: the program's frames are
# the samples (all LENGTH of them released by the program, no more, no
# fewer), each run of silence as long as the model says, where it says.
# Where the trace leaves the order of two events open (a call traced just
# before a tick took the lock), each order is followed, and what it wrote is
# matched against the capture as it goes: the capture must equal what one
# order wrote. Without WINE_LOG, the capture must be the samples.
#
# --split T: a playback sought with waveOutReset (or stopped): what the
# program released before the first reset is RAW from its start, cut
# anywhere; after it (if at all), RAW from frame T to the end, all of it.
# Prints "first P" on a second line: the frames of the first part that
# were played.
#
# SILENCE is the byte a silent frame is made of, in hex: 00 (signed PCM,
# the default) or 80 (8-bit PCM, unsigned).
#
# Prints one line, "identical: ..." or "differs: ...". Exit status 0 for the
# first.
set -eu

split=""
if [ "${1:-}" = --split ]; then
    split=$2
    shift 2
fi
if [ $# -lt 3 ] || [ $# -gt 7 ]; then
    echo "usage: $0 [--split T] CAPTURE RAW FRAME_BYTES [SKIP [LENGTH [SILENCE [WINE_LOG]]]]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
capture=$1
raw=$2
fb=$3
skip=${4:-0}
total=$(stat -c %s "$raw")
length=${5:--}
if [ "$length" = - ]; then length=$((total - skip)); fi
silence=${6:-00}
log=${7:-}

if [ ! -f "$capture" ]; then
    echo "differs: nothing was captured"
    exit 1
fi
got=$(stat -c %s "$capture")
if [ -z "$log" ]; then
    if [ "$got" = "$length" ] &&
        cmp -s -n "$length" -i "0:$skip" "$capture" "$raw"; then
        echo "identical: $got bytes"
        exit 0
    fi
    echo "differs: the capture ($got bytes) is not the $length bytes of samples"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $((got % fb)) != 0 ]; then
    echo "differs: $got bytes captured, not whole frames of $fb bytes"
    exit 1
fi
# One frame a line, in hex, both sides; the model replays the trace and
# matches what each order of events wrote against the capture.
od -An -v -tx1 -w"$fb" "$raw" >"$tmp/raw.hex"
od -An -v -tx1 -w"$fb" "$capture" >"$tmp/cap.hex"
sil=$(awk -v fb="$fb" -v s="$silence" 'BEGIN { for (i = 0; i < fb; i++) printf " %s", s }')
if out=$(awk -v cap_hex="$tmp/cap.hex" -v raw_hex="$tmp/raw.hex" -v sil="$sil" \
    -v skip=$((skip / fb)) -v frames=$((length / fb)) -v T="$split" \
    -f "$here/alsa-model.awk" "$log"); then
    echo "$out"
    exit 0
fi
echo "$out"
exit 1
