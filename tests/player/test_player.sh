#!/bin/sh
# test_player.sh MODE ZMMPLAY_EXE ZMM_EXE EMULATOR SOURCE_DIR FAKE_DLL
#
# Tests of zmmplay.exe (samples/player/) under Wine. Audio goes to a file
# through ALSA's `file` plugin (tests/wine/alsa-capture-env.sh: a HOME of
# our own), so what waveOut played can be compared byte for byte with the
# WAV's samples. MODEs (CMakeLists.txt registers each as player.MODE):
#
#   play       16-bit stereo, 16-bit mono, 8-bit mono and 24-bit stereo
#              (WAVE_FORMAT_EXTENSIBLE, as sox writes it) from an archive,
#              and a plain .wav: the capture equals the WAV's samples
#              exactly (Wine's waveOut passes these PCM formats to ALSA
#              unchanged); the printed format, duration and ratio; --list
#   start      --start S for several S in each format: the capture equals
#              the samples from frame round(S * rate) on
#   duration   --start S --duration D: exactly round(D * rate) frames from
#              that frame (tolerance: none; the player cuts its last buffer
#              at the end frame)
#   acm        IMA ADPCM and mu-law through the ACM mapper equal sox's
#              decoding of the same file; MS ADPCM plays to its full length
#              (Wine's decoder rounds differently from sox's)
#   errors     each failure prints its message and exits non-zero, within a
#              timeout: no audio device (two ways), not RIFF WAVE,
#              unsupported format, missing member / archive, damaged
#              archive (at open and mid-play), no zmmio.dll, a DLL without
#              the export, bad arguments
#   interrupt  SIGINT (Wine turns it into Ctrl+C) mid-play: "stopped by
#              Ctrl+C", exit 130, the capture a prefix of the samples
#   gui        window mode under xvfb-run, keys pressed with xdotool, every
#              step waiting on a trace line: loads the name given, plays,
#              the position advances, Right seeks +5 s, space pauses (the
#              position holds over 20 of Wine's device ticks) and resumes,
#              plays to the end, Alt+F4; the capture is the samples up to
#              where the seek happened, then from the seek target on, with
#              Wine's silence exactly where its trace says (it fills the
#              idle device until it is closed). A second window started
#              without a name: a name typed, a member picked with the keys.
#              Screenshots: gui.dir/zmmplay-gui.png and zmmplay-window.png
#   gui_input  window mode under xvfb-run driven as a user does, with X input
#              (xdotool, XTEST): Play/Pause and Stop clicked, space, Right
#              and Left pressed, the seek bar's thumb dragged, a name typed
#              and Enter, a name typed and Open clicked, the member list
#              opened and a member picked with Down and Enter, Browse...
#              and a name typed into the file dialog, Alt+F4; every click
#              aimed where --trace says the control is; the controls lie
#              inside the window without overlapping, and a screenshot
#              shows each drawn (gui_input.dir/zmmplay-input.png)
#   play_demo  samples/player/play-demo.sh on a fresh archive
#
# The clips are speech made now (espeak-ng), converted by sox; a few seconds
# long, since ALSA's null device plays at about 4x real time. The archives
# are made with zmm.exe. Every Wine program runs under `timeout`.
# Exit 77 (skipped) when a host tool is missing.
set -eu

mode=$1
player=$2
zmm=$3
emulator=$4
src=$5
fake_dll=$6

for tool in espeak-ng sox timeout cmp od; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed"
        exit 77
    fi
done

work=$(pwd)/$mode.dir
rm -rf "$work"
mkdir -p "$work"
cd "$work"

failures=0
fail() {
    printf 'FAIL: %s\n' "$*"
    failures=$((failures + 1))
}
ok() { printf 'ok: %s\n' "$*"; }
note() { printf 'note: %s\n' "$*"; }

# run TIMEOUT PROGRAM ARGS...: a Windows program under the emulator.
run() {
    t=$1
    shift
    # shellcheck disable=SC2086 # the emulator may be a command with words
    timeout -k 5 "$t" $emulator "$@"
}

sh "$src/tests/wine/alsa-capture-env.sh" "$work/home"
capture=$work/home/capture.raw
wine_log="" # the last play's Wine ALSA trace (play)

# unix FILE: a Windows program's text output with \n line ends (the C
# runtime writes \r\n).
unix() {
    tr -d '\r' <"$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# play OUT ARGS...: zmmplay ARGS with the capture HOME; stdout+stderr in
# OUT.txt, the exit status in $rc. Wine's ALSA trace (its report of
# silence, for check-capture.sh) goes to OUT.wine.log, the last in
# $wine_log.
play() {
    out=$1
    shift
    rm -f "$capture"
    rc=0
    WINEDEBUG="${WINEDEBUG:+$WINEDEBUG,}trace+alsa" HOME="$work/home" \
        run 120 "$player" "$@" >"$out.txt" 2>&1 </dev/null || rc=$?
    unix "$out.txt"
    wine_log=$work/$out.wine.log
    grep ':trace:alsa:\|:warn:alsa:' "$out.txt" >"$wine_log" || true
    grep -v ':trace:alsa:\|:warn:alsa:' "$out.txt" >"$out.txt.tmp" || true
    mv "$out.txt.tmp" "$out.txt"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        fail "zmmplay $* did not finish within 120 s"
    fi
}

size() { stat -c %s "$1"; }

# frame SECONDS RATE: round(SECONDS * RATE), as zmmplay computes it.
frame() { awk -v s="$1" -v r="$2" 'BEGIN { printf "%d", s * r + 0.5 }'; }

# same_as RAW SKIP [LENGTH]: the capture is RAW's bytes from SKIP on (LENGTH
# of them, or all the rest) with Wine's own silence exactly where the last
# play's ALSA trace in $wine_log says its driver wrote it
# (tests/wine/check-capture.sh). Prints the verdict.
same_as() {
    raw=$1
    skip=$2
    total=$(size "$raw")
    length=${3:-$((total - skip))}
    case $raw in st16* | long*) fb=4 ;; m16* | ima* | ulaw* | msadpcm*) fb=2 ;;
    m8*) fb=1 ;; st24*) fb=6 ;; *) fb=1 ;; esac
    # 8-bit PCM is unsigned: its silence is 0x80
    case $raw in m8*) silence=80 ;; *) silence=00 ;; esac
    v=$(sh "$src/tests/wine/check-capture.sh" "$capture" "$raw" "$fb" "$skip" "$length" "$silence" "$wine_log") && r=0 || r=1
    echo "  $v"
    return $r
}

# play_exact OUT RAW SKIP LENGTH ARGS...: plays ARGS once and checks with
# same_as RAW SKIP LENGTH (LENGTH "-": the rest). Sets $rc; returns
# same_as's result. No retry: anything but what Wine's trace says it wrote
# is a failure.
play_exact() {
    out=$1
    raw=$2
    skip=$3
    len=$4
    shift 4
    play "$out" "$@"
    if [ "$len" = - ]; then
        same_as "$raw" "$skip" >"$out.cmp" && r=0 || r=1
    else
        same_as "$raw" "$skip" "$len" >"$out.cmp" && r=0 || r=1
    fi
    cat "$out.cmp"
    return $r
}

# split_check RAW BYTES_PER_FRAME [T]: is the capture what Wine's ALSA trace
# in $wine_log says its driver wrote, for a program that played RAW from its
# start up to some frame P, then (after a waveOutReset) from frame T to the
# end (T: the number of frames, for a playback stopped at P)?
# tests/wine/check-capture.sh --split, exactly: every silent frame where and
# as long as the trace says. Sets $check to "exact P VERDICT" or "bad: WHY".
split_check() {
    t=${3:-$(($(size "$1") / $2))}
    case $1 in m8*) sil=80 ;; *) sil=00 ;; esac
    if out=$(sh "$src/tests/wine/check-capture.sh" --split "$t" "$capture" "$1" "$2" 0 - "$sil" "$wine_log"); then
        check="exact $(echo "$out" | sed -n 's/^first //p') $(echo "$out" | head -n 1)"
    else
        check="bad: $out"
    fi
}

# expect_error OUT STATUS REGEX DESCRIPTION: the last run exited with
# STATUS and printed a line matching REGEX.
expect_error() {
    unix "$1.txt"
    if [ "$rc" != "$2" ]; then
        fail "$4: exit status $rc, expected $2"
        sed 's/^/  | /' "$1.txt"
    elif ! grep -Eq -e "$3" "$1.txt"; then
        fail "$4: no message matching /$3/"
        sed 's/^/  | /' "$1.txt"
    else
        ok "$4: exit $rc, $(grep -E -e "$3" "$1.txt" | head -n 1)"
    fi
}

# The clips: one spoken sentence, in the formats the tests play.
make_clips() {
    espeak-ng -s 160 -w speech.wav \
        "Zed M M I O's player reads this sentence from a compressed archive, through M M I O and wave out, byte for byte."
    sox speech.wav -r 44100 -c 2 -b 16 -e signed-integer st16.wav
    sox speech.wav -r 22050 -c 1 -b 16 -e signed-integer m16.wav
    sox speech.wav -r 22050 -c 1 -b 8 -e unsigned-integer m8.wav
    sox speech.wav -r 44100 -c 2 -b 24 -e signed-integer st24.wav
    for c in st16 m16 m8 st24; do
        sox "$c.wav" -t raw "$c.raw"
    done
    run 60 "$zmm" pack -o sounds.zmm st16.wav m16.wav m8.wav st24.wav >pack.txt
}

# rate_of CLIP, bytes_of CLIP: its frames per second and bytes per frame.
rate_of() {
    case $1 in st16 | st24) echo 44100 ;; *) echo 22050 ;; esac
}
bytes_of() {
    case $1 in st16) echo 4 ;; m16) echo 2 ;; m8) echo 1 ;; st24) echo 6 ;; esac
}

# The window tests' helpers (gui-inner, gui_input-inner): they read the
# program's --trace output in $trace_file, from its line $seen on.
trace_file=trace.txt
seen=0
# wait_for REGEX [TENTHS]: until $trace_file has a matching line after the
# first $seen lines (those before the action waited on); a hang guard of
# TENTHS tenths of a second (default 300), and none once the program ended.
# The window tests' tools (a skip without them), clips and long.zmm: a
# longer clip (the null device plays 4x faster than real time), 16-bit mono,
# 22050 Hz, beside m8.wav and st16.wav.
gui_setup() {
    for tool in xvfb-run xdotool import convert; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "SKIP: $tool is not installed"
            exit 77
        fi
    done
    make_clips
    sox m16.wav m16.wav m16.wav long.wav
    run 60 "$zmm" pack -o long.zmm long.wav m8.wav st16.wav >pack.txt
}

# gui_run MODE: this script's MODE under a virtual X screen; its output
# shown, a failure counted.
gui_run() {
    rc=0
    xvfb-run -a -s "-screen 0 800x600x24" \
        sh "$0" "$1" "$player" "$zmm" "$emulator" "$src" "$fake_dll" \
        >gui-inner.txt 2>&1 || rc=$?
    cat gui-inner.txt
    [ "$rc" = 0 ] || fail "the window test (exit $rc)"
}

wait_for() {
    n=0
    while ! tr -d '\r' <"$trace_file" 2>/dev/null | tail -n +$((seen + 1)) |
        grep -Eq "$1"; do
        if [ $n -ge "${2:-300}" ] || [ -f gui.rc ]; then
            echo "  waited for /$1/ in vain"
            return 1
        fi
        sleep 0.1
        n=$((n + 1))
    done
}
# wait_until SHELL_CONDITION: the same for any condition.
wait_until() {
    n=0
    until eval "$1"; do
        if [ $n -ge 300 ] || [ -f gui.rc ]; then
            echo "  waited for $1 in vain"
            return 1
        fi
        sleep 0.1
        n=$((n + 1))
    done
}
# grep_after REGEX: a matching line after the first $seen?
grep_after() { tr -d '\r' <"$trace_file" | tail -n +$((seen + 1)) | grep -Eq "$1"; }
# wait_ticks N: until Wine's ALSA driver has traced N more timer ticks
# (alsa_write_data, every 10 ms of its clock) from now on.
ticks() { grep -c ':alsa_write_data avail: ' "$trace_file" || true; }
wait_ticks() {
    t0=$(ticks)
    wait_until "[ \$((\$(ticks) - $t0)) -ge $1 ]"
}
# mark: the next wait_for looks only at lines written from now on.
mark() { seen=$(wc -l <"$trace_file"); }
last_pos() { tr -d '\r' <"$trace_file" | sed -n 's/^trace: pos=\([0-9]*\) .*/\1/p' | tail -n 1; }
# ctl NAME: "W H X Y" of a control on the screen (the trace's).
ctl() {
    tr -d '\r' <"$trace_file" |
        sed -n "s/^trace: control $1 \([0-9]*\)x\([0-9]*\)+\([0-9-]*\)+\([0-9-]*\)$/\1 \2 \3 \4/p" |
        tail -n 1
}
# desktop NAME: where Wine's desktop window NAME is ($dx, $dy): the
# controls' screen coordinates are relative to it.
desktop() {
    desk=$(xdotool search --name "$1" | head -n 1)
    eval "$(xdotool getwindowgeometry --shell "$desk")"
    dx=$X
    dy=$Y
    echo "# Wine's desktop: X window $desk at +$dx+$dy"
}
# point NAME [PX PY]: the screen point PX%, PY% into control NAME
# (default its middle), offset by where Wine's desktop window is.
point() {
    # shellcheck disable=SC2046
    set -- $(ctl "$1") "${2:-50}" "${3:-50}"
    echo $((dx + $3 + $1 * $5 / 100)) $((dy + $4 + $2 * $6 / 100))
}
# click NAME [PX PY]: a left click there.
click() {
    # shellcheck disable=SC2046
    xdotool mousemove $(point "$@") click 1
}
# close_window TRACE WHAT: Alt+F4; the window closes (trace: closed) and
# Wine's explorer exits 0 (gui.rc).
close_window() {
    # First a click into the name box: the focus leaves the member list,
    # which would take F4 for itself.
    click name
    xdotool key alt+F4
    n=0
    while [ ! -f gui.rc ] && [ $n -lt 300 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    unix "$1"
    if [ "$(cat gui.rc 2>/dev/null)" = 0 ] && grep -q "^trace: closed" "$1"; then
        ok "Alt+F4: $2 closed (trace: closed), Wine's explorer exited 0"
    else
        fail "Alt+F4: $2: exit status $(cat gui.rc 2>/dev/null || echo '(still running)')"
    fi
}

case $mode in
play)
    make_clips
    for c in st16 m16 m8 st24; do
        if play_exact "$c" "$c.raw" 0 - "sounds.zmm+$c.wav"; then r=0; else r=1; fi
        if [ "$rc" != 0 ]; then
            fail "$c: exit status $rc"
            sed 's/^/  | /' "$c.txt"
        elif [ "$r" = 0 ]; then
            ok "$c: $(size "$capture") bytes captured, identical to the WAV's samples" \
               "($(sed -n 's/^  format *//p' "$c.txt"))"
        else
            fail "$c: the capture differs from the WAV's samples"
        fi
    done
    # What console mode prints.
    grep -q "format       PCM 16-bit, stereo, 44100 Hz" st16.txt &&
        grep -q "compression  .* -> .*(ratio [0-9.]*:1" st16.txt &&
        grep -q "duration     0:0" st16.txt &&
        grep -Eq "^played .*: $(($(size st16.raw) / 4)) frames from frame 0" st16.txt &&
        ok "console output: format, duration, compression ratio, frames played" ||
        { fail "console output"; sed 's/^/  | /' st16.txt; }
    grep -q "PCM 24-bit, stereo, 44100 Hz, WAVE_FORMAT_EXTENSIBLE" st24.txt &&
        ok "24-bit file is WAVE_FORMAT_EXTENSIBLE" ||
        fail "st24.wav was expected to be WAVE_FORMAT_EXTENSIBLE"
    # A plain file, through mmio's own DOS procedure; device 0 by number.
    if play_exact plain st16.raw 0 - st16.wav --device 0 && [ "$rc" = 0 ] &&
        grep -q "compression  not compressed" plain.txt; then
        ok "plain st16.wav on --device 0: identical, \"not compressed\""
    else
        fail "plain st16.wav (exit $rc)"
        sed 's/^/  | /' plain.txt
    fi
    # "sounds.zmm" alone plays the default member (the first packed).
    if play_exact default st16.raw 0 - sounds.zmm && [ "$rc" = 0 ]; then
        ok "sounds.zmm (no '+'): the default member st16.wav"
    else
        fail "sounds.zmm: exit $rc"
        sed 's/^/  | /' default.txt
    fi
    rc=0
    run 60 "$player" --list sounds.zmm >list.txt 2>&1 || rc=$?
    unix list.txt
    if [ "$rc" = 0 ] && grep -q "4 members" list.txt &&
        grep -Eq '\*st16\.wav$' list.txt && grep -Eq ' m8\.wav$' list.txt; then
        ok "--list: 4 members, st16.wav the default"
    else
        fail "--list (exit $rc)"
        sed 's/^/  | /' list.txt
    fi
    ;;

start)
    make_clips
    # CLIP START_SECONDS pairs: whole, fractional and odd frame positions.
    for pair in st16:2.5 st16:0.123456 st16:4 m16:1 m16:3.3 m8:1.7777 \
                m8:0.5 st24:1.5 st24:0.0101; do
        c=${pair%:*}
        s=${pair#*:}
        f=$(frame "$s" "$(rate_of "$c")")
        skip=$((f * $(bytes_of "$c")))
        if play_exact "$c-$s" "$c.raw" "$skip" - --start "$s" "sounds.zmm+$c.wav" &&
            [ "$rc" = 0 ] &&
            grep -q "from frame $f\$" "$c-$s.txt"; then
            ok "$c --start $s: identical to the samples from frame $f (byte $skip) on"
        else
            fail "$c --start $s (frame $f): exit $rc"
            sed 's/^/  | /' "$c-$s.txt"
        fi
    done
    ;;

duration)
    make_clips
    for triple in st16:1:2 st16:0:0.75 m8:0.5:1.25 st24:2.25:0.5 m16:3:100; do
        c=${triple%%:*}
        rest=${triple#*:}
        s=${rest%:*}
        d=${rest#*:}
        bpf=$(bytes_of "$c")
        rate=$(rate_of "$c")
        f=$(frame "$s" "$rate")
        total=$(($(size "$c.raw") / bpf))
        n=$(awk -v f="$f" -v d="$d" -v r="$rate" -v t="$total" \
            'BEGIN { e = int(f + d * r + 0.5); if (e > t) e = t; printf "%d", e - f }')
        if play_exact "$c-$s-$d" "$c.raw" $((f * bpf)) $((n * bpf)) \
            --start "$s" --duration "$d" "sounds.zmm+$c.wav" && [ "$rc" = 0 ] &&
            grep -q ": $n frames from frame $f\$" "$c-$s-$d.txt"; then
            ok "$c --start $s --duration $d: exactly $n frames ($((n * bpf)) bytes) from frame $f"
        else
            fail "$c --start $s --duration $d: exit $rc, expected $n frames from $f"
            sed 's/^/  | /' "$c-$s-$d.txt"
        fi
    done
    ;;

acm)
    espeak-ng -s 160 -w speech.wav "Compressed formats play through the A C M mapper."
    sox speech.wav -r 22050 -c 1 -e ima-adpcm ima.wav
    sox speech.wav -r 8000 -c 1 -e u-law ulaw.wav
    sox speech.wav -r 22050 -c 1 -e ms-adpcm msadpcm.wav
    for c in ima ulaw msadpcm; do
        sox "$c.wav" -t raw -e signed-integer -b 16 "$c.raw"
    done
    run 60 "$zmm" pack -o acm.zmm ima.wav ulaw.wav msadpcm.wav >pack.txt
    for c in ima ulaw; do
        if play_exact "$c" "$c.raw" 0 - "acm.zmm+$c.wav" && [ "$rc" = 0 ]; then
            ok "$c: decoded by Wine's ACM codec, identical to sox's decoding" \
               "($(sed -n 's/^  format *//p' "$c.txt"))"
        else
            fail "$c: exit $rc"
            sed 's/^/  | /' "$c.txt"
        fi
    done
    # Wine's decoder rounds differently from sox's, so the bytes cannot be
    # compared: the player must say it played every frame, and the capture
    # hold at least that many (silence inserted under load only adds).
    play msadpcm "acm.zmm+msadpcm.wav"
    frames=$(sed -n 's/^  duration .*(\([0-9]*\) frames)$/\1/p' msadpcm.txt)
    if [ "$rc" = 0 ] && [ -f "$capture" ] && [ -n "$frames" ] &&
        grep -Eq "^played .*: $frames frames from frame 0\$" msadpcm.txt &&
        [ "$(size "$capture")" -ge "$(size msadpcm.raw)" ]; then
        ok "msadpcm: played through the ACM, all $frames frames; $(size "$capture")" \
           "bytes captured, at least sox's $(size msadpcm.raw) (whole blocks)"
    else
        fail "msadpcm: exit $rc"
        sed 's/^/  | /' msadpcm.txt
    fi
    # A seek in an ADPCM file lands on a block boundary: the capture is the
    # decoding from that block on (IMA ADPCM blocks decode independently).
    # IMA ADPCM, 22050 Hz mono, 256-byte blocks of 505 frames: --start 2
    # (frame 44100) starts at block 87, frame 43935.
    f=43935
    if play_exact ima-start ima.raw $((f * 2)) - --start 2 "acm.zmm+ima.wav" &&
        [ "$rc" = 0 ] && grep -q "from frame $f\$" ima-start.txt; then
        ok "ima --start 2: starts at block boundary frame $f, identical from there"
    else
        fail "ima --start 2: exit $rc"
        sed 's/^/  | /' ima-start.txt
    fi
    ;;

errors)
    make_clips
    echo "just some text, not a wave file" >readme.txt
    cp readme.txt fake.wav
    cp readme.txt notarchive.zmm
    # Format tag 0x0055 (MPEG Layer-3) on PCM data: no codec takes it.
    cp m16.wav mp3tag.wav
    printf '\125\000' | dd of=mp3tag.wav bs=1 seek=20 conv=notrunc 2>/dev/null
    # 12 bits per sample.
    cp m16.wav bits12.wav
    printf '\014\000' | dd of=bits12.wav bs=1 seek=34 conv=notrunc 2>/dev/null
    run 60 "$zmm" pack -o errs.zmm readme.txt mp3tag.wav bits12.wav >pack.txt
    # Damaged archives: a block in the middle of the samples (found only
    # when playback reaches it), and the directory (written last: the end
    # of the file).
    run 60 "$zmm" pack -o one.zmm st16.wav >>pack.txt
    n=$(size one.zmm)
    cp one.zmm mid.zmm
    printf '\377\377\377\377' | dd of=mid.zmm bs=1 seek=$((n / 2)) conv=notrunc 2>/dev/null
    cp one.zmm dir.zmm
    printf '\377\377\377\377' | dd of=dir.zmm bs=1 seek=$((n - 30)) conv=notrunc 2>/dev/null

    mkdir -p nocard
    printf 'pcm.!default { type hw card 42 }\n' >nocard/.asoundrc
    rm -f "$capture"
    rc=0
    HOME="$work/nocard" run 60 "$player" sounds.zmm+m8.wav >nocard.txt 2>&1 || rc=$?
    expect_error nocard 1 "no audio device" "ALSA without a usable device"
    rc=0
    WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=};winealsa.drv=d" \
        HOME="$work/home" run 60 "$player" sounds.zmm+m8.wav >nodriver.txt 2>&1 || rc=$?
    expect_error nodriver 1 "no audio device" "no sound driver (winealsa.drv disabled)"
    play baddevice --device 7 sounds.zmm+m8.wav
    expect_error baddevice 1 "no audio device 7: there (is|are) [0-9]+" "--device 7"

    play notriff errs.zmm+readme.txt
    expect_error notriff 1 "errs.zmm\+readme.txt: not a RIFF WAVE file" "text member"
    play notriff-plain fake.wav
    expect_error notriff-plain 1 "fake.wav: not a RIFF WAVE file" "plain text file"
    play mp3 errs.zmm+mp3tag.wav
    expect_error mp3 1 "unsupported format: waveOut plays MPEG Layer-3 neither" \
        "format tag 0x0055"
    play bits12 errs.zmm+bits12.wav
    expect_error bits12 1 "unsupported format: PCM with 12 bits per sample" \
        "12-bit PCM"
    play nomember errs.zmm+nosuch.wav
    expect_error nomember 1 \
        "archive errs.zmm has no member \"nosuch.wav\" \(mmioOpen: MMIOERR_FILENOTFOUND; its members: readme.txt, mp3tag.wav, bits12.wav\)" \
        "missing member"
    play noarchive nosuch.zmm+a.wav
    expect_error noarchive 1 "archive not found: nosuch.zmm" "missing archive"
    play nofile nosuch.wav
    expect_error nofile 1 "nosuch.wav: file not found \(mmioOpen: MMIOERR_FILENOTFOUND\)" \
        "missing file"
    play notarchive notarchive.zmm+a.wav
    expect_error notarchive 1 "notarchive.zmm is not a ZMM archive" \
        "a text file named .zmm"
    play damaged-dir dir.zmm+st16.wav
    expect_error damaged-dir 1 "damaged archive dir.zmm: .*MMIOERR_INVALIDFILE" \
        "damaged directory (mmioOpen fails)"
    play damaged-mid mid.zmm+st16.wav
    expect_error damaged-mid 1 \
        "damaged archive mid.zmm, member st16.wav: mmioRead failed at byte [0-9]+ .*the block at bytes [0-9]+-[0-9]+ of the member fails its check" \
        "damaged block (mmioRead fails mid-play)"
    # What played before the damaged block is the samples' beginning.
    split_check st16.raw 4
    case $check in
    exact*)
        set -- $check
        shift 2
        ok "damaged block: what played before it is the samples' start: $*"
        ;;
    *) fail "damaged block: $check" ;;
    esac

    # No zmmio.dll beside the program, then one without the export.
    mkdir -p nodll fakedll
    cp "$player" nodll/zmmplay.exe
    rc=0
    HOME="$work/home" run 60 nodll/zmmplay.exe sounds.zmm+m8.wav >nodll.txt 2>&1 || rc=$?
    expect_error nodll 1 "cannot load zmmio.dll" "zmmio.dll missing"
    cp "$player" fakedll/zmmplay.exe
    cp "$fake_dll" fakedll/zmmio.dll
    rc=0
    HOME="$work/home" run 60 fakedll/zmmplay.exe sounds.zmm+m8.wav >fakedll.txt 2>&1 || rc=$?
    expect_error fakedll 1 "zmmio.dll is not zmmio's DLL: it does not export ZmmInstallIOProc" \
        "a zmmio.dll without ZmmInstallIOProc"

    play usage --bogus sounds.zmm+m8.wav
    expect_error usage 2 "unknown option: --bogus" "unknown option"
    play usage-start --start 99 sounds.zmm+m8.wav
    expect_error usage-start 2 "--start 99.000 is past the end" "--start past the end"
    play usage-num --duration abc sounds.zmm+m8.wav
    expect_error usage-num 2 "--duration needs a number of seconds" "--duration abc"
    play list-plain --list st16.wav
    expect_error list-plain 1 "st16.wav is not a ZMM archive name" "--list on a plain file"
    ;;

interrupt)
    make_clips
    sox st16.wav st16.wav st16.wav st16.wav long.wav
    sox long.wav -t raw long.raw
    run 60 "$zmm" pack -o long.zmm long.wav >pack.txt
    rm -f "$capture"
    # --foreground: timeout passes our SIGINT on to the program alone (by
    # default it also signals its whole process group, itself included, and
    # then sometimes reports status 0 whatever the program returned).
    WINEDEBUG="${WINEDEBUG:+$WINEDEBUG,}trace+alsa" HOME="$work/home" \
        timeout --foreground -k 5 60 $emulator "$player" \
        long.zmm+long.wav >interrupt.txt 2>&1 </dev/null &
    pid=$!
    # Interrupt once the device has received audio (the capture has bytes:
    # the console handler is installed before playback starts), whatever
    # the time that takes; the clip (about 30 s) is still playing then.
    i=0
    while [ $i -lt 600 ] && ! [ -s "$capture" ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    # The emulator script execs wine, which becomes the Windows process:
    # Wine turns SIGINT into a Ctrl+C event.
    kill -INT "$pid" 2>/dev/null || true
    rc=0
    wait "$pid" || rc=$?
    expect_error interrupt 130 "^stopped by Ctrl\+C at [0-9:.]+ \(frame [0-9]+\)" "Ctrl+C mid-play"
    wine_log=$work/interrupt.txt # Wine's ALSA trace is in it
    split_check long.raw 4
    case $check in
    exact*)
        set -- $check
        if [ "$2" -gt 0 ] && [ "$2" -lt $(($(size long.raw) / 4)) ]; then
            p=$2
            shift 2
            ok "Ctrl+C: the $p frames played are the samples' start: $*"
        else
            fail "Ctrl+C: $2 frames played"
        fi
        ;;
    *) fail "Ctrl+C: $check" ;;
    esac
    ;;

gui)
    gui_setup
    sox long.wav -t raw long.raw
    gui_run gui-inner
    for t in trace.txt trace2.txt; do
        if [ -f $t ]; then
            echo "--- $t (without position lines) ---"
            grep -v "pos=" $t || true
        fi
    done
    if [ -f zmmplay-window.png ]; then
        echo "screenshot: $work/zmmplay-window.png"
    fi
    ;;

gui-inner)
    # Runs under xvfb-run, in gui.dir (the caller's working directory). The
    # window is driven as a user does it, with X input (xdotool), and every
    # step waits on what the program or Wine reports (trace lines), never on
    # time; stdin is not read.
    cd ..
    work=$(pwd)
    capture=$work/home/capture.raw
    rm -f "$capture" gui.rc
    # In a Wine desktop of its own ("explorer /desktop=NAME,SIZE"): the
    # prefix's default desktop may belong to a Wine process started with no
    # display (any console test), where no window can be made. Explorer
    # passes stdout through, but not the program's exit status: the trace's
    # last line, "closed", says it ended normally.
    (
        rc=0
        WINEDEBUG="${WINEDEBUG:+$WINEDEBUG,}trace+alsa" HOME="$work/home" \
            timeout -k 5 120 $emulator explorer \
            /desktop=zmmplay-test,800x600 "$player" --gui --trace \
            long.zmm+long.wav </dev/null >trace.txt 2>&1 || rc=$?
        echo "$rc" >gui.rc
    ) &
    rate=22050

    if wait_for "^trace: window [0-9]+x[0-9]+, on screen" &&
        wait_for "^trace: control status " &&
        wait_for "^trace: loaded long.zmm\+long.wav frames=[0-9]+ rate=22050 block=2 members=3"; then
        ok "the window appeared and loaded long.zmm+long.wav"
    else
        fail "the window did not appear or load"
    fi
    # Playing: the position advances (past frame 30000, over 1 s).
    if wait_for "^trace: pos=([3-9][0-9]{4}|[0-9]{6,}) state=playing"; then
        ok "playing: the position advances ($(grep -c "state=playing" trace.txt) updates," \
           "now frame $(last_pos))"
    else
        fail "the position does not advance"
    fi
    import -window root zmmplay-gui.png
    geometry=$(tr -d '\r' <trace.txt |
        sed -n 's/^trace: window .*, on screen \([0-9x+-]*\)$/\1/p' | head -n 1)
    convert zmmplay-gui.png -crop "$geometry" +repage zmmplay-window.png ||
        fail "cannot crop the screenshot to the window ($geometry)"
    desktop zmmplay-test
    # Keys go to the X window under the pointer (no window manager): the
    # pointer rests on the time label, which takes no input of its own.
    # shellcheck disable=SC2046
    xdotool mousemove $(point time)

    # Right: seek +5 s while playing.
    mark
    xdotool key Right
    if wait_for "^trace: key right" && wait_for "^trace: seek from=[0-9]+ to=[0-9]+"; then
        seek=$(tr -d '\r' <trace.txt | tail -n +$((seen + 1)) | grep -E "^trace: seek from=" | head -n 1)
        from=$(echo "$seek" | sed 's/.*from=\([0-9]*\).*/\1/')
        to=$(echo "$seek" | sed 's/.*to=\([0-9]*\).*/\1/')
        took=$(echo "$seek" | sed -n 's/.*(\([0-9.]*\) ms.*/\1/p')
        if [ $((to - from)) = $((5 * rate)) ]; then
            ok "Right: seek from frame $from to $to (+5 s); reset, read and" \
               "requeued in $took ms"
        else
            fail "Right: seek from $from to $to is not +5 s"
        fi
    else
        fail "Right did not seek"
        to=0
    fi
    if wait_until '[ "$(last_pos)" -gt "$to" ] 2>/dev/null'; then
        ok "after the seek the position advances from there (frame $(last_pos))"
    else
        fail "after the seek the position does not advance past $to"
    fi

    # Space: pause; the position holds while Wine's device clock runs on
    # (its timer ticks, traced, go on while the stream is stopped); space
    # again: resume.
    mark
    xdotool key space
    if wait_for "^trace: key space" && wait_for "state=paused"; then
        # The device may report a few ms more as it stops (seen once under
        # load: 133 frames): the position is taken after 20 ticks (200 ms of
        # the device's time), then must not move over 20 more.
        wait_ticks 20
        held=$(last_pos)
        wait_ticks 20
        if [ "$(last_pos)" = "$held" ]; then
            ok "space: paused, the position holds at frame $held over 20 of Wine's ticks"
        else
            fail "space: paused, but the position moved from $held to $(last_pos)"
        fi
    else
        fail "space did not pause"
    fi
    mark
    xdotool key space
    if wait_for "state=playing" && wait_for "^trace: pos=[0-9]+ state=finished" 600; then
        ok "space: resumed and played to the end"
    else
        fail "did not play to the end after resuming"
    fi
    close_window trace.txt "the window"

    # The capture (before the second window below opens the device again).
    cp "$capture" seek-capture.raw
    capture=$work/seek-capture.raw
    wine_log=$work/trace.txt # Wine's ALSA trace is in it

    # The capture: the samples up to some frame P at or before the seek (what
    # the device had taken when waveOutReset stopped it), then from the seek
    # target to the end, across the pause, with Wine's silence exactly where
    # its trace says (the device idles, open, after the end).
    split_check long.raw 2 "$to"
    case $check in
    exact*)
        set -- $check
        p=$2
        shift 2
        ok "capture: the samples' first $p frames, then frames $to to the end: $*"
        ;;
    *) fail "capture: $check" ;;
    esac
    # A second window, started without a name: a name typed into the name
    # box (an archive without '+': its default member), then another member
    # picked from the member list.
    capture=$work/home/capture.raw
    rm -f gui.rc
    trace_file=trace2.txt
    seen=0
    (
        rc=0
        HOME="$work/home" timeout -k 5 120 $emulator explorer \
            /desktop=zmmplay-test,800x600 "$player" --gui --trace \
            </dev/null >trace2.txt 2>&1 || rc=$?
        echo "$rc" >gui.rc
    ) &
    if wait_for "^trace: window " && wait_for "^trace: control status "; then
        if grep_after "^trace: loaded "; then
            fail "no name: something was loaded"
        else
            ok "no name: the window appears with nothing loaded"
        fi
    else
        fail "no name: no window"
    fi
    desktop zmmplay-test
    mark
    click name
    xdotool key ctrl+a type "long.zmm"
    xdotool key Return
    if wait_for "^trace: loaded long.zmm\+ frames=[0-9]+ rate=22050 block=2 members=3"; then
        ok "typed \"long.zmm\", Enter: its default member (long.wav), 3 members listed"
    else
        fail "typed \"long.zmm\" did not load"
    fi
    mark
    click members
    xdotool key Down Down Return
    if wait_for "^trace: loaded long.zmm\+st16.wav frames=[0-9]+ rate=44100 block=4 members=3" &&
        wait_for "state=playing"; then
        ok "the third member picked from the list: long.zmm+st16.wav loaded and playing"
    else
        fail "picking the third member did not load long.zmm+st16.wav"
    fi
    close_window trace2.txt "the second window"
    echo "gui-inner done"
    [ "$failures" = 0 ]
    exit $?
    ;;

gui_input)
    gui_setup
    gui_run gui_input-inner
    if [ -f trace.txt ]; then
        echo "--- trace.txt (without position lines) ---"
        grep -v "pos=\|:alsa:" trace.txt || true
    fi
    ;;

gui_input-inner)
    # Runs under xvfb-run, in gui_input.dir. Everything a user does, as X
    # input (xdotool: the XTEST extension): key presses and mouse clicks on
    # the controls where the trace says they are; stdin is not read.
    cd ..
    work=$(pwd)
    rm -f "$work/home/capture.raw" gui.rc
    (
        rc=0
        HOME="$work/home" timeout -k 5 180 $emulator explorer \
            /desktop=zmmplay-input,800x600 "$player" --gui --trace \
            long.zmm+long.wav </dev/null >trace.txt 2>&1 || rc=$?
        echo "$rc" >gui.rc
    ) &
    if wait_for "^trace: window [0-9]+x[0-9]+, on screen" &&
        wait_for "^trace: control status " &&
        wait_for "^trace: loaded long.zmm\+long.wav frames=[0-9]+ rate=22050 block=2 members=3" &&
        wait_for "^trace: pos=[0-9]+ state=playing"; then
        ok "the window appeared, loaded long.zmm+long.wav and plays"
    else
        fail "the window did not appear, load or play"
    fi
    desktop zmmplay-input

    # The Play/Pause button: pauses, then plays.
    mark
    click play
    if wait_for "state=paused"; then ok "Play/Pause clicked: paused"; else fail "Play/Pause click did not pause"; fi
    mark
    click play
    if wait_for "state=playing"; then ok "Play/Pause clicked again: playing"; else fail "Play/Pause click did not play"; fi
    # Keys, with the focus on a button (as after the clicks): space, Right,
    # Left.
    mark
    xdotool key space
    if wait_for "^trace: key space" && wait_for "state=paused"; then
        ok "space pressed: paused"
    else
        fail "space did not pause"
    fi
    mark
    xdotool key space
    if wait_for "state=playing"; then ok "space pressed again: playing"; else fail "space did not resume"; fi
    mark
    xdotool key Right
    if wait_for "^trace: key right" && wait_for "^trace: seek from=[0-9]+ to=[0-9]+"; then
        seek=$(tr -d '\r' <trace.txt | tail -n +$((seen + 1)) | grep -E "^trace: seek from=" | head -n 1)
        from=$(echo "$seek" | sed 's/.*from=\([0-9]*\).*/\1/')
        to=$(echo "$seek" | sed 's/.*to=\([0-9]*\).*/\1/')
        if [ $((to - from)) = $((5 * 22050)) ]; then ok "Right pressed: +5 s ($from to $to)"; else fail "Right: $from to $to"; fi
    else
        fail "Right did not seek"
    fi
    mark
    xdotool key Left
    if wait_for "^trace: key left" && wait_for "^trace: seek from=[0-9]+ to=[0-9]+"; then
        seek=$(tr -d '\r' <trace.txt | tail -n +$((seen + 1)) | grep -E "^trace: seek from=" | head -n 1)
        from=$(echo "$seek" | sed 's/.*from=\([0-9]*\).*/\1/')
        to=$(echo "$seek" | sed 's/.*to=\([0-9]*\).*/\1/')
        if [ $((from - to)) = $((5 * 22050)) ] || [ "$to" = 0 ]; then ok "Left pressed: -5 s ($from to $to)"; else fail "Left: $from to $to"; fi
    else
        fail "Left did not seek"
    fi
    # Stop.
    mark
    click stop
    if wait_for "state=stopped"; then ok "Stop clicked: stopped"; else fail "Stop click did not stop"; fi
    # The seek bar, while stopped: its thumb (where the last position line
    # says it is) dragged to three quarters of the bar; the seek lands past
    # the middle of the sound.
    mark
    # shellcheck disable=SC2046
    set -- $(ctl seek)
    frames=$(tr -d '\r' <trace.txt | sed -n 's/^trace: loaded long.zmm+long.wav frames=\([0-9]*\) .*/\1/p' | head -n 1)
    thumb=$(tr -d '\r' <trace.txt | sed -n 's/^trace: pos=.* thumb=\([0-9-]*\),\([0-9-]*\)$/\1 \2/p' | tail -n 1)
    # shellcheck disable=SC2086
    xdotool mousemove $((dx + ${thumb% *})) $((dy + ${thumb#* })) mousedown 1 \
        mousemove $((dx + $3 + $1 * 3 / 4)) $((dy + ${thumb#* })) mouseup 1
    if wait_for "^trace: seek from=[0-9]+ to=[0-9]+"; then
        to=$(tr -d '\r' <trace.txt | tail -n +$((seen + 1)) | grep -E "^trace: seek from=" | head -n 1 | sed 's/.*to=\([0-9]*\).*/\1/')
        if [ "$to" -gt $((frames / 2)) ] && [ "$to" -lt "$frames" ]; then
            ok "seek bar dragged to 3/4: seek to frame $to of $frames"
        else
            fail "seek bar dragged to 3/4: seek to frame $to of $frames"
        fi
    else
        fail "dragging the seek bar did not seek"
    fi
    # The name box: a missing archive typed, then Enter; then an archive
    # without '+' and the Open button (its default member).
    mark
    click name
    xdotool key ctrl+a type "nosuch.zmm+a.wav"
    xdotool key Return
    if wait_for "^trace: error nosuch.zmm\+a.wav: archive not found: nosuch.zmm"; then
        ok "a missing archive typed, Enter: the message line says so"
    else
        fail "a missing archive typed, Enter: no error shown"
    fi
    mark
    click name
    xdotool key ctrl+a type "long.zmm"
    click open
    if wait_for "^trace: loaded long.zmm\+ frames=[0-9]+ rate=22050 block=2 members=3"; then
        ok "\"long.zmm\" typed, Open clicked: its default member loaded"
    else
        fail "\"long.zmm\" typed, Open clicked: not loaded"
    fi
    # The member list: opened with a click, the next member picked with
    # Down and Enter.
    mark
    click members
    xdotool key Down Return
    if wait_for "^trace: loaded long.zmm\+m8.wav frames=[0-9]+ rate=22050 block=1 members=3"; then
        ok "member list clicked, Down, Enter: long.zmm+m8.wav loaded"
    else
        fail "picking the next member from the list did not load long.zmm+m8.wav"
    fi
    # Browse...: the file dialog, a name typed into it, Enter.
    mark
    click browse
    wait_for "^trace: browse dialog open" || fail "Browse...: no file dialog"
    xdotool type "long.zmm"
    xdotool key Return
    if wait_for "^trace: loaded .*long.zmm\+ frames=[0-9]+ rate=22050 block=2 members=3"; then
        ok "Browse... clicked, long.zmm typed in the dialog, Enter: loaded"
    else
        fail "Browse...: nothing loaded"
    fi

    # The layout: every control inside the window and none overlapping
    # another (the trace's rectangles), each drawn (the screenshot is not
    # one flat colour there).
    import -window root zmmplay-input.png
    tr -d '\r' <trace.txt | sed -n 's/^trace: control \([a-z_]*\) \([0-9]*\)x\([0-9]*\)+\([0-9-]*\)+\([0-9-]*\)$/\1 \2 \3 \4 \5/p' |
        tail -n 12 >controls.txt
    window=$(tr -d '\r' <trace.txt | sed -n 's/^trace: window .*, on screen \([0-9]*\)x\([0-9]*\)+\([0-9-]*\)+\([0-9-]*\)$/\1 \2 \3 \4/p' | head -n 1)
    layout=$(awk -v win="$window" '
        BEGIN { split(win, f, " "); ww = f[1]; wh = f[2]; wx = f[3]; wy = f[4] }
        { n++; name[n] = $1; w[n] = $2; h[n] = $3; x[n] = $4; y[n] = $5 }
        END {
            if (n != 12) { print "bad: " n " controls traced, not 12"; exit }
            for (i = 1; i <= n; i++) {
                if (w[i] <= 0 || h[i] <= 0 || x[i] < wx || y[i] < wy ||
                    x[i] + w[i] > wx + ww || y[i] + h[i] > wy + wh) {
                    print "bad: " name[i] " is not inside the window"; exit
                }
                for (j = 1; j < i; j++)
                    if (x[i] < x[j] + w[j] && x[j] < x[i] + w[i] &&
                        y[i] < y[j] + h[j] && y[j] < y[i] + h[i]) {
                        print "bad: " name[i] " overlaps " name[j]; exit
                    }
            }
            print "ok"
        }' controls.txt)
    if [ "$layout" = ok ]; then
        ok "layout: the 12 controls lie inside the window, none overlapping another"
    else
        fail "layout: ${layout#bad: }"
    fi
    blank=""
    while read -r name cw ch cx cy; do
        case $name in time | message | member_label | name_label) continue ;; esac
        sd=$(convert zmmplay-input.png -crop "${cw}x${ch}+$((dx + cx))+$((dy + cy))" +repage \
            -colorspace Gray -format "%[fx:standard_deviation]" info: 2>/dev/null || echo 0)
        if awk -v s="$sd" 'BEGIN { exit !(s == 0) }'; then blank="$blank $name"; fi
    done <controls.txt
    if [ -z "$blank" ]; then
        ok "screenshot: every button, box, list and bar is drawn (zmmplay-input.png)"
    else
        fail "screenshot: flat, nothing drawn where the trace puts:$blank"
    fi

    # Alt+F4 closes the window.
    close_window trace.txt "the window"
    [ "$failures" = 0 ]
    exit $?
    ;;

play_demo)
    make_clips
    out=$(bash "$src/samples/player/play-demo.sh" "$work/sounds.zmm+m16.wav" m16.wav \
        "$(dirname "$(dirname "$player")")" 2>&1) && rc=0 || rc=$?
    echo "$out" | sed 's/^/  | /'
    if [ "$rc" = 0 ] && echo "$out" | grep -q "the captured audio matches"; then
        ok "play-demo.sh: matches"
    else
        fail "play-demo.sh: exit $rc"
    fi
    # And it notices a mismatch: the member against another WAV.
    out=$(bash "$src/samples/player/play-demo.sh" "$work/sounds.zmm+m16.wav" m8.wav \
        "$(dirname "$(dirname "$player")")" 2>&1) && rc=0 || rc=$?
    if [ "$rc" = 1 ] && echo "$out" | grep -q "does not match"; then
        ok "play-demo.sh: reports a mismatch, exit 1"
    else
        fail "play-demo.sh on the wrong WAV: exit $rc"
        echo "$out" | sed 's/^/  | /'
    fi
    ;;

*)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac

if [ "$failures" != 0 ]; then
    echo "$mode: $failures FAILED"
    exit 1
fi
echo "$mode: all passed"
