#!/bin/sh
# test_cross.sh --run EMULATOR --native ZMM --mmio MMIO_COPY [--work DIR] ZMM_EXE
#
# The format is the same on both platforms: archives made by the native zmm
# (Linux) are listed, verified and unpacked by zmm.exe under Wine and open
# through zmmio.dll's mmio procedure (MMIO_COPY, tests/cli/mmio_copy.c);
# archives made by zmm.exe or written through the DLL are listed, verified
# and unpacked by the native zmm. Every member is compared byte for byte.
#
# ZMM is the native zmm: the ZMM_NATIVE_TOOL environment variable overrides
# the path given (the windows-x64 build's default is build/linux/src/cli/zmm,
# which tests/run-all.sh builds first). Without a native zmm, exits 77
# (skipped); without MMIO_COPY (no zmmio target) or soxi, runs the rest and
# then exits 77 if all of it passed, saying what was not checked.
set -u

run=""
native=""
mmio=""
work=$(pwd)/work-cross
while [ $# -gt 1 ]; do
    case $1 in
    --run) run=$2; shift 2 ;;
    --native) native=$2; shift 2 ;;
    --mmio) mmio=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) break ;;
    esac
done
if [ $# -ne 1 ]; then
    echo "usage: test_cross.sh --run EMULATOR --native ZMM --mmio MMIO_COPY [--work DIR] ZMM_EXE" >&2
    exit 2
fi
exe=$1
native=${ZMM_NATIVE_TOOL:-$native}
if [ -z "$native" ] || [ ! -x "$native" ]; then
    echo "SKIP: no native zmm ('$native'): build the linux preset first or set ZMM_NATIVE_TOOL"
    exit 77
fi
case $native in /*) ;; *) native=$(pwd)/$native ;; esac
case $exe in /*) ;; *) exe=$(pwd)/$exe ;; esac
case $mmio in /* | "") ;; *) mmio=$(pwd)/$mmio ;; esac

rm -rf "$work"
mkdir -p "$work" || exit 1
cd "$work" || exit 1

lin() { "$native" "$@"; }
win() { $run "$exe" "$@"; }
dll() { $run "$mmio" "$@"; }

passed=0
failed=0
skipped="" # what could not be checked here (the script then ends in 77)
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() {
    failed=$((failed + 1))
    echo "FAIL - $*"
    for f in out.txt err.txt; do
        if [ -s "$f" ]; then echo "  --- $f:"; sed 's/^/  | /' "$f" | head -n 20; fi
    done
}
check() {
    want=$1 desc=$2
    shift 2
    "$@" >out.txt 2>err.txt
    rc=$?
    if [ "$rc" = "$want" ]; then ok "$desc"; else not_ok "$desc (exit $rc, want $want)"; fi
}
same() {
    if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3 ($1 and $2 differ)"; fi
}

if ! win --version >out.txt 2>&1; then
    echo "SKIP: cannot run $run $exe:"
    cat out.txt
    exit 77
fi
echo "# native: $(lin --version)"
echo "# wine:   $(cat out.txt)"

# Inputs: a WAV (sox if present, else a hand-made PCM WAV), text, random.
if command -v sox >/dev/null 2>&1; then
    sox -n -r 22050 -c 2 -b 16 tone.wav synth 2 pluck A3 2>/dev/null
fi
if [ ! -s tone.wav ]; then
    # 44-byte header: RIFF, WAVE, fmt (PCM, 1 channel, 8000 Hz, 8 bits), data
    { printf 'RIFF\044\037\000\000WAVEfmt \020\000\000\000\001\000\001\000'
      printf '\100\037\000\000\100\037\000\000\001\000\010\000data\000\037\000\000'
      head -c 7936 /dev/urandom; } >tone.wav
fi
# Text of 256 KiB or more, so that both packers give it a preset dictionary.
cat /usr/share/common-licenses/* >text.txt 2>/dev/null
[ "$(wc -c <text.txt)" -ge 300000 ] || seq 1 60000 >>text.txt
head -c 200000 /dev/urandom >random.bin
files="tone.wav text.txt random.bin"

# ---- native zmm -> zmm.exe ------------------------------------------------------

check 0 "native: pack lin.zmm" lin pack -b 16k -o lin.zmm $files
check 0 "wine: list lin.zmm" win list lin.zmm
has_dict() { # has_dict ARCHIVE WHO: text.txt has a dictionary, as WHO lists it
    "$2" list -v "$1" 2>&1 | tr -d '\r' | grep -q ' dict [0-9]* .*text\.txt$' &&
        ok "$2: text.txt in $1 has a preset dictionary" ||
        not_ok "$2: text.txt in $1 has no preset dictionary"
}
has_dict lin.zmm win
check 0 "wine: verify lin.zmm" win verify lin.zmm
for f in $files; do
    win cat lin.zmm "$f" >cat.out 2>err.txt
    same cat.out "$f" "wine: cat lin.zmm $f"
done
check 0 "wine: unpack lin.zmm" win unpack -C from-lin lin.zmm
for f in $files; do
    same "from-lin/$f" "$f" "wine: unpacked $f"
done
check 0 "wine: add to the native archive" win add lin.zmm text.txt --as copy.txt
check 0 "wine: rm from it" win rm lin.zmm random.bin
check 0 "native: verify after the Windows edits" lin verify lin.zmm
lin cat lin.zmm copy.txt >cat.out 2>err.txt
same cat.out text.txt "native: cat the member zmm.exe added"

# ---- zmm.exe -> native zmm ------------------------------------------------------

check 0 "wine: pack win.zmm" win pack -l 9 -b 32k -o win.zmm $files
check 0 "native: list win.zmm" lin list win.zmm
has_dict win.zmm lin
check 0 "native: verify win.zmm" lin verify win.zmm
check 0 "native: unpack win.zmm" lin unpack -C from-win win.zmm
for f in $files; do
    same "from-win/$f" "$f" "native: unpacked $f"
done
check 0 "wine: compact lin.zmm" win compact lin.zmm
check 0 "native: verify after compact under Wine" lin verify lin.zmm

# ---- folders: '/' member paths on both sides (issue 14) --------------------------

mkdir -p tree/sfx/sub
cp tone.wav tree/sfx/boom.wav
cp random.bin tree/sfx/sub/r.bin
check 0 "native: pack a folder" lin pack -o tree.zmm tree
check 0 "wine: unpack it" win unpack -C from-tree tree.zmm
same from-tree/tree/sfx/boom.wav tone.wav "wine: unpacked tree/sfx/boom.wav"
same from-tree/tree/sfx/sub/r.bin random.bin "wine: unpacked tree/sfx/sub/r.bin"
check 0 "wine: pack the folder" win pack -o wtree.zmm tree
lin list wtree.zmm 2>/dev/null | awk 'NR > 1 && !/ members\)$/ { print $NF }' >names.got
printf '%s\n' tree/sfx/boom.wav tree/sfx/sub/r.bin >names.want
same names.got names.want "native: zmm.exe stored the folder's files as '/' paths"
check 0 "wine: pack a file named with backslashes" win pack -o wback.zmm 'tree\sfx\boom.wav'
lin cat wback.zmm+tree/sfx/boom.wav >cat.out 2>err.txt
same cat.out tone.wav "native: the backslashed path became member tree/sfx/boom.wav"

# ---- zmmio.dll --------------------------------------------------------------------

if [ -n "$mmio" ] && [ -f "$mmio" ]; then
    for f in $files; do
        dll get "lin.zmm+$f" dll.out >out.txt 2>err.txt
        rc=$?
        case $f in random.bin) want=1 ;; *) want=0 ;; esac # removed above
        if [ $rc = $want ]; then ok "dll: mmioOpen lin.zmm+$f (exit $rc)"; else not_ok "dll: get lin.zmm+$f (exit $rc)"; fi
        if [ $want = 0 ]; then same dll.out "$f" "dll: the bytes of lin.zmm+$f"; fi
    done
    dll get "lin.zmm+" dll.out >out.txt 2>err.txt
    same dll.out tone.wav "dll: lin.zmm+ opens the default member"
    # Windows spelling of member paths: a backslash is taken as '/'.
    check 0 "dll: mmioOpen tree.zmm+ with backslashes: tree, sfx, sub, r.bin" dll get 'tree.zmm+tree\sfx\sub\r.bin' dll.out
    same dll.out random.bin "dll: the bytes of member tree/sfx/sub/r.bin"
    check 0 "dll: mmioOpen tree.zmm+tree/sfx/boom.wav ('/' too)" dll get 'tree.zmm+tree/sfx/boom.wav' dll.out
    same dll.out tone.wav "dll: the bytes of member tree/sfx/boom.wav"
    check 0 "dll: write tree.zmm+ with a backslash: new, made.bin" dll put random.bin 'tree.zmm+new\made.bin'
    lin cat tree.zmm new/made.bin >cat.out 2>err.txt
    same cat.out random.bin "native: the DLL created member new/made.bin"
    check 0 "dll: mmioDescend through the WAV in lin.zmm" dll riff "lin.zmm+tone.wav"
    if command -v soxi >/dev/null 2>&1; then
        want="$(soxi -c tone.wav) $(soxi -r tone.wav) $(soxi -b tone.wav) $(($(soxi -s tone.wav) * $(soxi -c tone.wav) * 2))"
        got=$(tr -d '\r' <out.txt)
        if [ "$got" = "$want" ]; then ok "dll: fmt and data chunk as sox wrote them ($got)"; else not_ok "dll riff: '$got', want '$want'"; fi
    else
        echo "# SKIP: no soxi: the RIFF chunk check is not run"
        skipped="$skipped the RIFF chunk check (no soxi);"
    fi
    for f in $files; do
        check 0 "dll: write $f into dll.zmm through mmio" dll put "$f" "dll.zmm+$f"
    done
    check 0 "native: list dll.zmm" lin list dll.zmm
    check 0 "native: verify dll.zmm" lin verify dll.zmm
    check 0 "native: unpack dll.zmm" lin unpack -C from-dll dll.zmm
    for f in $files; do
        same "from-dll/$f" "$f" "native: unpacked $f written by the DLL"
    done
    lin cat dll.zmm >cat.out 2>err.txt
    same cat.out tone.wav "native: the DLL's first member is the default"
else
    echo "# SKIP: no mmio_copy (zmmio.dll not built): the DLL checks are not run"
    skipped="$skipped the DLL checks (no zmmio.dll);"
fi

echo "# $passed passed, $failed failed"
[ $failed = 0 ] || exit 1
if [ -n "$skipped" ]; then
    echo "SKIP: not checked:$skipped"
    exit 77
fi
