#!/bin/sh
# wine-run.sh PROGRAM.exe [ARGS...] -- runs a Windows program under Wine the
# way our tests need it; the windows-x64 toolchain makes it CTest's
# CMAKE_CROSSCOMPILING_EMULATOR.
#
# - WINEPREFIX defaults to <source tree>/build/wineprefix, never ~/.wine, so a
#   test that sets its own HOME (for an ALSA capture, tests/wine/
#   alsa-capture-env.sh) still shares the one prefix. tests/run-all.sh makes
#   that prefix fresh for each run; when it is missing (ctest run by hand) it
#   is created here, once, under a lock, so parallel tests do not race.
# - WINEDEBUG=-all and WINEDLLOVERRIDES="mscoree,mshtml=" (no Mono or Gecko
#   install dialogs) unless already set.
# - Its exit status is the program's.
here=$(cd "$(dirname "$0")" && pwd)
: "${WINEPREFIX:=$here/../build/wineprefix}"
: "${WINEDEBUG:=-all}"
: "${WINEDLLOVERRIDES:=mscoree,mshtml=}"
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES

# wineboot writes .update-timestamp once the prefix is complete.
if [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
    mkdir -p "$(dirname "$WINEPREFIX")"
    (
        if command -v flock >/dev/null 2>&1; then flock 9; fi
        if [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
            wineboot -i >/dev/null 2>&1 </dev/null
        fi
    ) 9>"$WINEPREFIX.lock"
fi

exec wine "$@"
