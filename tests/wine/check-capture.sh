#!/bin/sh
# check-capture.sh CAPTURE RAW FRAME_BYTES [SKIP [LENGTH [SILENCE [WINE_LOG]]]]
#
# Is what Wine played (CAPTURE, from tests/wine/alsa-capture-env.sh) the
# samples RAW[SKIP, SKIP+LENGTH) (bytes; LENGTH "-" or absent: to the end),
# byte for byte -- or those samples with no more silence inserted than
# Wine's own trace says it wrote?
#
# Wine's ALSA driver (Wine 8, winealsa's alsa_write_data) writes silence
# on its own: on each tick of its timer that finds ALSA's buffer empty while
# the stream holds less than one ALSA period of the program's frames, it
# writes the missing part of a period as silence (a lead-in; so at the end,
# between the last frame and the close, and mid-stream when the program's
# feed fell behind under load: e.g. "captured 991156 bytes, the WAV has
# 989392": 441 frames of zeros); and after an underrun it recovers ("XRun
# state, recovering", "writei failed, recovering"). Its trace says all of
# it (channel alsa: the program runs with
# WINEDEBUG=${WINEDEBUG:+$WINEDEBUG,}trace+alsa, its stderr in WINE_LOG):
# "ALSA period: P frames", "ALSA buffer: B frames", each tick ("avail: N")
# and the frames the stream holds ("held: H" whenever the program asks for
# the position; none after "AudioClient_Reset"). The silence Wine may have written is P frames per tick seen
# while the last H was below P, plus B per underrun; the capture must be
# the samples with at most that many silent frames inserted (a greedy merge:
# a frame equal to the next sample is that sample, any other frame must be
# silent). Without WINE_LOG, it must be identical. A missing, changed or
# reordered sample frame fails; so does a sound frame that is not the next
# sample, and more silence than Wine's trace accounts for.
#
# SILENCE is the byte a silent frame is made of, in hex: 00 (signed PCM,
# the default) or 80 (8-bit PCM, unsigned).
#
# Prints one line: "identical: N bytes" (byte for byte), "identical apart
# from K silent frames inserted in R runs (Wine's trace accounts for A): N
# bytes", or "differs: ...". Exit status 0 for the first two.
#
# check-capture.sh --allowed WINE_LOG prints only that number of frames.
set -eu

# allowed_silence WINE_LOG: the silent frames Wine's trace says it wrote.
allowed_silence() {
    awk '
        /:alsa_create_stream ALSA period: / { period = $(NF - 1) }
        /:alsa_create_stream ALSA buffer: / { buffer = $(NF - 1) }
        / held: [0-9]+,/ { for (i = 1; i < NF; i++) if ($i == "held:") held = $(i + 1) + 0 }
        /:AudioClient_Reset / { held = 0 } # drops what the stream held
        /:alsa_write_data avail: / { if (held < period) ticks++ }
        /XRun state, recovering|writei failed, recovering/ { xruns++ }
        END { print ticks * period + xruns * buffer }' "$1"
}
if [ "${1:-}" = --allowed ] && [ $# = 2 ]; then
    allowed_silence "$2"
    exit 0
fi
if [ $# -lt 3 ] || [ $# -gt 7 ]; then
    echo "usage: $0 CAPTURE RAW FRAME_BYTES [SKIP [LENGTH [SILENCE [WINE_LOG]]]]" >&2
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
# allowed: the silent frames Wine's trace says it wrote (see above).
allowed=0
if [ -n "${7:-}" ]; then
    allowed=$(allowed_silence "$7")
fi

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
awk -v fb="$fb" -v bytes="$got" -v silence="$silence" -v allowed="$allowed" '
BEGIN { n = 0; j = 0; inserted = 0; runs = 0; in_run = 0; bad = 0 }
NR == FNR { raw[n++] = $0; next }
{
    if (j < n && $0 == raw[j]) { j++; in_run = 0; next }
    if ($0 ~ ("^( " silence ")+$")) {
        inserted++
        if (!in_run)
            runs++
        in_run = 1
        next
    }
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
    if (inserted > allowed) {
        printf "differs: %d silent frames inserted in %d runs, but Wine'"'"'s trace accounts for %d\n", inserted, runs, allowed
        exit 1
    }
    printf "identical apart from %d silent frames inserted in %d runs (Wine'"'"'s trace accounts for %d): %d bytes\n", inserted, runs, allowed, bytes
}' "$tmp/raw.txt" "$tmp/cap.txt"
