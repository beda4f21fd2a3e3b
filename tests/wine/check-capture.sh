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
# before a tick took the lock), each order is a candidate and the capture
# must equal one of them. Without WINE_LOG, the capture must be the samples.
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
awk -f "$here/alsa-model.awk" "$log" >"$tmp/model.txt"
if grep -q '^error: ' "$tmp/model.txt"; then
    echo "differs: Wine's trace does not fit the model: $(sed -n 's/^error: //p' "$tmp/model.txt")"
    exit 1
fi
# One file of runs per candidate; each checked against the samples' layout.
awk -v dir="$tmp" '/^candidate$/ { n++; next } { print > (dir "/cand." n) }
    END { print n + 0 > (dir "/count") }' "$tmp/model.txt"
count=$(cat "$tmp/count")
if [ "$count" = 0 ]; then
    echo "differs: Wine's trace shows no stream"
    exit 1
fi
# The silent frame.
if [ "$silence" = 00 ]; then
    silent() { head -c "$1" /dev/zero; }
else
    silent() { head -c "$1" /dev/zero | tr '\000' "\\$(printf '%03o' "0x$silence")"; }
fi

# plan CAND: checks the runs' segments against the samples' layout and
# prints "S BYTES" / "D OFFSET BYTES" (bytes of RAW), or "bad: WHY".
plan() {
    awk -v fb="$fb" -v skip="$skip" -v frames=$((length / fb)) \
        -v T="$split" -v total_frames=$((total / fb)) '
        $1 == "S" { out[++n] = "S " $2 * fb; sil += $2; nsil++; next }
        $1 == "D" {
            if (T == "") {
                if ($2 != 0) { bad = 1; print "bad: the program played from " $2 + 1 " streams (a reset); one was expected"; exit }
                base = skip
            } else if ($2 == 0) {
                base = 0
                if ($3 + $4 > first) first = $3 + $4
            } else if ($2 == 1)
                base = T * fb
            else { bad = 1; print "bad: " $2 + 1 " streams (resets); at most two were expected"; exit }
            out[++n] = "D " base + $3 * fb " " $4 * fb
            data += $4
            next
        }
        $1 == "E" {
            if (T == "" && $3 != frames) {
                bad = 1; print "bad: the program released " $3 " frames to Wine, not the " frames " sample frames"; exit
            }
            if (T != "" && $2 == 0 && $3 > total_frames) {
                bad = 1; print "bad: the program released " $3 " frames before the reset, more than the " total_frames " sample frames"; exit
            }
            if (T != "" && $2 == 1 && $3 != total_frames - T) {
                bad = 1; print "bad: the program released " $3 " frames after the reset, not the " total_frames - T " from frame " T " on"; exit
            }
            released[$2] = $3
            next
        }
        END {
            if (bad) exit
            if (T == "" && released[0] != frames) {
                bad = 1; print "bad: the program released " released[0] + 0 " frames to Wine, not the " frames " sample frames"; exit
            }
            if (T != "" && T < total_frames && !(1 in released)) {
                bad = 1; print "bad: nothing was released after the reset (the seek to frame " T ")"; exit
            }
            for (i = 1; i <= n; i++) print out[i]
            printf "summary %d %d %d %d\n", data, sil, nsil, first
        }' "$1"
}

best=""
bestat=-1
i=1
while [ "$i" -le "$count" ]; do
    plan "$tmp/cand.$i" >"$tmp/plan.$i"
    if grep -q '^bad: ' "$tmp/plan.$i"; then
        why=$(sed -n 's/^bad: //p' "$tmp/plan.$i")
        [ -n "$best" ] || best="$why"
        i=$((i + 1))
        continue
    fi
    : >"$tmp/expected"
    while read -r kind a b; do
        case $kind in
        S) silent "$a" >>"$tmp/expected" ;;
        D) tail -c +"$((a + 1))" "$raw" | head -c "$b" >>"$tmp/expected" ;;
        esac
    done <"$tmp/plan.$i"
    set -- $(sed -n 's/^summary //p' "$tmp/plan.$i")
    if cmp -s "$tmp/expected" "$capture"; then
        if [ "$2" = 0 ]; then
            echo "identical: $got bytes, $1 frames of the samples (Wine's trace: no silence written; orders of its events that fit the trace: $count)"
        else
            echo "identical: $got bytes, $1 frames of the samples and $2 frames of Wine's silence in $3 runs, where and as long as Wine's trace says (order $i of the $count that fit the trace)"
        fi
        [ -z "$split" ] || echo "first $4"
        exit 0
    fi
    # The first difference, in frames.
    at=$(cmp "$tmp/expected" "$capture" 2>&1 | sed -n 's/.* differ: byte \([0-9]*\),.*/\1/p')
    exp=$(stat -c %s "$tmp/expected")
    if [ -z "$at" ]; then
        # one is a prefix of the other
        if [ "$exp" -lt "$got" ]; then at=$((exp + 1)); else at=$((got + 1)); fi
    fi
    if [ "$at" -gt "$bestat" ]; then
        bestat=$at
        f=$(((at - 1) / fb))
        run=$(awk -v b=$((at - 1)) -v fb="$fb" '
            $1 == "S" { if (b < pos + $2) { printf "in a run of %d frames of Wine'"'"'s silence", $2 / fb; found = 1; exit } pos += $2 }
            $1 == "D" { if (b < pos + $3) { printf "where Wine wrote sample frame %d", ($2 + b - pos) / fb; found = 1; exit } pos += $3 }
            END { if (!found) printf "past the end of what Wine wrote" }' "$tmp/plan.$i")
        best="capture frame $f (byte $((at - 1))) is not what Wine's trace says it wrote there ($run); $got bytes captured, $exp written (the closest of the $count orders of events that fit the trace)"
    fi
    i=$((i + 1))
done
echo "differs: $best"
exit 1
