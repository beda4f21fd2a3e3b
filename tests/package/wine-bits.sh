#!/bin/sh
# wine-bits.sh 64|32 PROGRAM.exe [ARGS...] -- runs a Windows program under the
# Wine loader of its bits, in the prefix $WINEPREFIX (made on first use):
# /usr/lib/wine/wine64 for 64-bit programs (WINELOADER set to it), the
# 32-bit loader /usr/lib/wine/wine for 32-bit ones. Debian's `wine` script
# starts the 32-bit loader for everything once wine32 is installed, which
# fails where the kernel runs no 32-bit programs.
# Exits 77 (a skipped test) when that loader cannot run here.
set -u
bits=$1
shift
case $bits in
64) loader=/usr/lib/wine/wine64 ;;
32) loader=/usr/lib/wine/wine ;;
*) echo "usage: wine-bits.sh 64|32 PROGRAM [ARGS...]" >&2; exit 2 ;;
esac
if ! "$loader" --version >/dev/null 2>&1; then
    echo "wine-bits.sh: $loader cannot run here (no $bits-bit Wine): not run"
    exit 77
fi
: "${WINEDEBUG:=-all}"
: "${WINEDLLOVERRIDES:=mscoree,mshtml=}"
WINELOADER=$loader
export WINEDEBUG WINEDLLOVERRIDES WINELOADER
if [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
    mkdir -p "$(dirname "$WINEPREFIX")"
    (
        flock 9
        if [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
            /usr/lib/wine/wine64 wineboot -i >/dev/null 2>&1 </dev/null
        fi
    ) 9>"$WINEPREFIX.lock"
fi
exec "$loader" "$@"
