#!/bin/sh
# check-capture.sh CAPTURE RAW FRAME_BYTES [SKIP [LENGTH [SILENCE]]]
#
# Is what Wine played (CAPTURE, from tests/wine/alsa-capture-env.sh) the
# samples RAW[SKIP, SKIP+LENGTH) (bytes; LENGTH "-" or absent: to the end),
# in order, every frame of them, with nothing else but silent frames?
#
# Silent frames may appear anywhere: Wine's ALSA driver writes a period of
# silence ahead of its buffer whenever it starts, or restarts after falling
# behind (an underrun: seen on a machine with both cores busy, e.g.
# "captured 991156 bytes, the WAV has 989392": 441 frames of zeros). Which
# period that is depends on the scheduler, never on what the program played,
# so the check does not depend on it: the capture must be the samples with
# runs of silent frames inserted (a greedy merge: a frame equal to the next
# sample is that sample, any other frame must be silent). A missing, changed
# or reordered sample frame fails; so does a sound frame that is not the
# next sample.
#
# SILENCE is the byte a silent frame is made of, in hex: 00 (signed PCM,
# the default) or 80 (8-bit PCM, unsigned).
#
# Prints one line: "identical: N bytes" (byte for byte), "identical apart
# from K silent frames inserted (Wine's ALSA driver under load): N bytes", or
# "differs: ...". Exit status 0 for the first two.
set -eu
if [ $# -lt 3 ] || [ $# -gt 6 ]; then
    echo "usage: $0 CAPTURE RAW FRAME_BYTES [SKIP [LENGTH [SILENCE]]]" >&2
    exit 2
fi
capture=$1
raw=$2
fb=$3
skip=${4:-0}
total=$(stat -c %s "$raw")
length=${5:--}
if [ "$length" = - ]; then length=$((total - skip)); fi
silence=${6:-00}

if [ ! -f "$capture" ]; then
    echo "differs: nothing was captured"
    exit 1
fi
got=$(stat -c %s "$capture")
if [ "$got" = "$length" ] &&
    cmp -s -n "$length" -i "0:$skip" "$capture" "$raw"; then
    echo "identical: $got bytes"
    exit 0
fi
if [ $((got % fb)) != 0 ]; then
    echo "differs: $got bytes captured, not whole frames of $fb bytes"
    exit 1
fi

# One frame a line, in hex, both sides; then the greedy merge.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
od -An -v -tx1 -w"$fb" -j "$skip" -N "$length" "$raw" >"$tmp/raw.txt"
od -An -v -tx1 -w"$fb" "$capture" >"$tmp/cap.txt"
awk -v fb="$fb" -v bytes="$got" -v silence="$silence" '
BEGIN { n = 0; j = 0; inserted = 0; bad = 0 }
NR == FNR { raw[n++] = $0; next }
{
    if (j < n && $0 == raw[j]) { j++; next }
    if ($0 ~ ("^( " silence ")+$")) { inserted++; next }
    printf "differs: capture frame %d (byte %d) is neither the next sample (frame %d) nor silence\n", FNR - 1, (FNR - 1) * fb, j
    bad = 1
    exit 1
}
END {
    if (bad) exit 1
    if (j < n) {
        printf "differs: only %d of the %d sample frames were played (%d bytes captured)\n", j, n, bytes
        exit 1
    }
    printf "identical apart from %d silent frames inserted (Wine'"'"'s ALSA driver under load): %d bytes\n", inserted, bytes
}' "$tmp/raw.txt" "$tmp/cap.txt"
