#!/bin/sh
# wine-run.sh PROGRAM.exe [ARGS...] -- runs a Windows program under Wine the
# way our tests need it; both mingw-w64 toolchains make it CTest's
# CMAKE_CROSSCOMPILING_EMULATOR.
#
# - The loader is picked by the program's bits (the PE header's machine):
#   /usr/lib/wine/wine64 for x86-64, /usr/lib/wine/wine for i386, and
#   WINELOADER is set to it. Debian's `wine` script starts the 32-bit loader
#   for every program once wine32 is installed, and a signal sent to that
#   process then no longer reaches a 64-bit program (Ctrl+C tests see exit
#   137). For a first argument that is not a file (`explorer /desktop=...
#   prog.exe`, `wineboot`), the first later argument that is a PE file
#   decides; else the 64-bit loader when there is one.
# - WINEPREFIX defaults to <source tree>/build/wineprefix, never ~/.wine, so a
#   test that sets its own HOME (for an ALSA capture, tests/wine/
#   alsa-capture-env.sh) still shares the one prefix. tests/run-all.sh makes
#   that prefix fresh for each run; when it is missing (ctest run by hand) it
#   is created here, once, under a lock, so parallel tests do not race. A
#   64-bit prefix runs 32-bit programs too (its syswow64). A prefix made
#   before wine32 was installed has no syswow64\kernel32.dll and cannot start
#   programs afterwards ("could not load kernel32.dll"): when wine32 is
#   there and the prefix lacks it, the prefix is made anew.
# - WINEDEBUG=-all and WINEDLLOVERRIDES="mscoree,mshtml=" (no Mono or Gecko
#   install dialogs) unless already set.
# - Its exit status is the program's.
here=$(cd "$(dirname "$0")" && pwd)
: "${WINEPREFIX:=$here/../build/wineprefix}"
: "${WINEDEBUG:=-all}"
: "${WINEDLLOVERRIDES:=mscoree,mshtml=}"
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES

wine32=/usr/lib/wine/wine
wine64=/usr/lib/wine/wine64

# pe_machine FILE: prints the PE machine field in hex (8664, 14c), or
# nothing if FILE is not a PE image.
pe_machine() {
    [ -f "$1" ] || return 0
    [ "$(od -An -c -N2 "$1" 2>/dev/null | tr -d ' ')" = MZ ] || return 0
    pe=$(od -An -tu4 -j60 -N4 "$1" 2>/dev/null | tr -d ' ')
    [ -n "$pe" ] || return 0
    [ "$(od -An -tx4 -j"$pe" -N4 "$1" 2>/dev/null | tr -d ' ')" = 00004550 ] ||
        return 0
    od -An -tx2 -j$((pe + 4)) -N2 "$1" 2>/dev/null | tr -d ' ' | sed 's/^0*//'
}

loader=""
for a in "$@"; do
    case $(pe_machine "$a") in
    8664) loader=$wine64 ;;
    14c) loader=$wine32 ;;
    *) continue ;;
    esac
    break
done
if [ -z "$loader" ] || [ ! -x "$loader" ]; then
    if [ -x "$wine64" ]; then loader=$wine64; else loader=$wine32; fi
fi
if [ ! -x "$loader" ]; then
    loader=wine # not Debian's layout: the wine on PATH
else
    export WINELOADER="$loader"
fi

# stale_prefix: true if wine32 is installed and the prefix (complete, 64-bit)
# was made without it.
# (A wine32 that cannot run -- a kernel without IA32 emulation -- never
# fills syswow64: such a prefix is not stale.)
stale_prefix() {
    [ -x "$wine32" ] && [ -f "$WINEPREFIX/.update-timestamp" ] &&
        [ -d "$WINEPREFIX/drive_c/windows/syswow64" ] &&
        [ ! -f "$WINEPREFIX/drive_c/windows/syswow64/kernel32.dll" ] &&
        "$wine32" --version >/dev/null 2>&1
}

# wineboot writes .update-timestamp once the prefix is complete.
if [ ! -f "$WINEPREFIX/.update-timestamp" ] || stale_prefix; then
    mkdir -p "$(dirname "$WINEPREFIX")"
    (
        if command -v flock >/dev/null 2>&1; then flock 9; fi
        if stale_prefix; then
            echo "wine-run: $WINEPREFIX was made before wine32 was installed: making it anew" >&2
            wineserver -k >/dev/null 2>&1 || true
            rm -rf "$WINEPREFIX"
        fi
        if [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
            # The 64-bit loader makes a 64-bit prefix (with syswow64 when
            # wine32 is installed), which runs programs of both bits.
            if [ -x "$wine64" ]; then
                WINELOADER=$wine64 "$wine64" wineboot -i >/dev/null 2>&1 </dev/null
            else
                wineboot -i >/dev/null 2>&1 </dev/null
            fi
        fi
    ) 9>"$WINEPREFIX.lock"
fi

exec "$loader" "$@"
