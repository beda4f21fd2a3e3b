#!/bin/bash
# tests/run-all.sh [PRESET...] -- zmmio's test command (the README's, and CI's
# through .ci/run). From a fresh Debian 12 machine, as root:
#
#   1. cmake/setup-debian.sh installs whatever package is missing (quiet and
#      instant when nothing is);
#   2. for each preset of CMakePresets.json -- linux, linux-asan, linux-tsan,
#      linux-fuzz, windows-x64 (tests under Wine), windows-x86 (tests under
#      32-bit Wine), release (the release workflow: optimised Linux and
#      Windows x64/x86 builds, cpack into build/packages, then its tests
#      check the packages) -- configures, builds and runs its tests with
#      ctest;
#   3. prints one line per preset and, last, the totals over every ctest run:
#
#        N passed, N failed, N skipped
#
#      A configure or build that fails, or a ctest run that fails without
#      counting a failed test (no tests found, a ctest error), counts as one
#      failure, named on the line above the totals.
#
# Skips: a test skips (exit 77) when a tool it needs is missing; it prints
# why. setup-debian.sh installs every such tool, so a skipped test is a
# broken setup: it is counted as skipped, named, and fails the run (a failed
# step "PRESET: N tests skipped"). The one skip that does not fail the run:
# where this machine runs no 32-bit code (x86_unavailable), the windows-x86
# preset's tests and the release preset's package.windows.x86 are not run;
# the reason is printed and they are counted as skipped (ZMM_REQUIRE_X86=1
# makes that a failure instead).
#
# Exits 0 only if every step and every test passed. Needs no terminal and
# never reads standard input.
#
# With arguments, runs only the presets named, e.g. `tests/run-all.sh linux`
# or `tests/run-all.sh linux windows-x64`. One test by hand, once a preset is
# built: `ctest --preset linux -R NAME`.
#
# Wine: one fresh WINEPREFIX per run, build/wineprefix-run (exported, so
# cmake/wine-run.sh, CTest's emulator, uses it instead of its default
# build/wineprefix, which a developer's ctest runs may be using meanwhile),
# made with `wineboot -i` by the 64-bit loader: a 64-bit prefix, whose
# syswow64 (wine32 installed) runs the windows-x86 programs too, so both
# Windows presets share it. wine-run.sh starts each program with the loader
# of its bits. WINEDEBUG=-all and
# WINEDLLOVERRIDES="mscoree,mshtml=" (no Mono or Gecko dialogs). Its
# wineserver is started persistent (`wineserver -p`) so that every test
# program starts in tens of milliseconds, and is shut down (`wineserver -k`)
# when the script exits, whatever happened. An Xvfb of the script's own is
# DISPLAY for all of it (see start_xvfb). Tests that capture audio make their
# own HOME with tests/wine/alsa-capture-env.sh.
#
# No test is repeated (no `ctest --repeat`): each passes or fails once.
# Under load: the whole command passes with two CPU burners running for its
# whole length (tests/README.md, "Under load"):
#
#   yes >/dev/null & b1=$!; yes >/dev/null & b2=$!; tests/run-all.sh; kill $b1 $b2
#
# Logs of every step are in build/logs/.
set -u
set -o pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1
exec </dev/null

all_presets=(linux linux-asan linux-tsan linux-fuzz windows-x64 windows-x86 release)
# Presets whose tests ctest runs: all of them, but windows-x86 only where
# this machine can run 32-bit x86 code (see x86_unavailable).
has_tests() { [ "$1" != windows-x86 ] || [ -z "$(x86_unavailable)" ]; }

# x86_unavailable: prints why 32-bit Windows programs cannot run here, or
# nothing if they can. wine32 is installed by setup-debian.sh; a kernel
# booted without IA32 emulation (Linux >= 6.7 with ia32_emulation=off, as on
# some VMs: "32-bit emulation disabled" in the kernel log) runs no 32-bit
# code at all, neither wine32's loader nor Wine's experimental WoW64 (its
# 32-bit code segment is not present). ZMM_REQUIRE_X86=1 turns this into a
# failure instead of a skip (for a CI machine that must run them).
x86_unavailable() {
    local out
    if [ ! -e /usr/lib/wine/wine ] && ! command -v wine >/dev/null 2>&1; then
        echo "no 32-bit Wine (wine32:i386) installed"
        return
    fi
    if [ -x /usr/lib/wine/wine ] && ! out=$(/usr/lib/wine/wine --version 2>&1); then
        if grep -qs "ia32_emulation=0\|ia32_emulation=off" /proc/cmdline ||
            dmesg 2>/dev/null | grep -q "32-bit emulation disabled"; then
            echo "this kernel runs no 32-bit code (IA32 emulation disabled: boot it with ia32_emulation=on)"
        else
            echo "wine32's loader does not start: ${out:-(no output)}"
        fi
    fi
}

if [ $# -gt 0 ]; then
    presets=("$@")
    for p in "${presets[@]}"; do
        case " ${all_presets[*]} " in
        *" $p "*) ;;
        *)
            echo "run-all: unknown preset '$p' (known: ${all_presets[*]})" >&2
            exit 2
            ;;
        esac
    done
else
    presets=("${all_presets[@]}")
fi

logs=$root/build/logs
mkdir -p "$logs"

passed=0
failed=0
skipped=0
failed_steps=()
summary=()
t_start=$SECONDS

say() { printf '[run-all] %s\n' "$*"; }

# fail_step NAME [LOG]: records a failed step and shows the end of its log.
fail_step() {
    failed=$((failed + 1))
    failed_steps+=("$1")
    if [ -n "${2:-}" ]; then
        say "FAILED: $1 (log: ${2#"$root"/})"
    else
        say "FAILED: $1"
    fi
    if [ -n "${2:-}" ] && [ -f "$2" ]; then
        echo "----- last lines of ${2#"$root"/} -----"
        tail -n 150 "$2"
        echo "-----"
    fi
}

# ---- 1. packages -----------------------------------------------------------
t=$SECONDS
if ! sh cmake/setup-debian.sh >"$logs/setup.log" 2>&1; then
    fail_step "setup (cmake/setup-debian.sh)" "$logs/setup.log"
    echo "$passed passed, $failed failed, $skipped skipped"
    exit 1
fi
if [ -s "$logs/setup.log" ]; then cat "$logs/setup.log"; fi
say "setup: $((SECONDS - t))s"

# ---- Wine, started on first need --------------------------------------------
wine_started=0
export WINEPREFIX="$root/build/wineprefix-run"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="

xvfb_pid=""

stop_wine() {
    if [ "$wine_started" = 1 ]; then
        wineserver -k >/dev/null 2>&1 || true
        wine_started=0
    fi
    if [ -n "$xvfb_pid" ]; then
        kill "$xvfb_pid" 2>/dev/null || true
        wait "$xvfb_pid" 2>/dev/null || true
        xvfb_pid=""
    fi
}

# start_xvfb: an X server of our own for the Wine tests, exported as DISPLAY
# before the prefix's first process, so Wine's desktop (explorer.exe, started
# once per wineserver) has a display driver and every later program can make
# windows -- including those a test runs under its own xvfb-run. Without it,
# a desktop started display-less makes every later CreateWindow fail.
start_xvfb() {
    local fifo=$logs/xvfb.display n=""
    command -v Xvfb >/dev/null 2>&1 || return 1
    rm -f "$fifo"
    mkfifo "$fifo" || return 1
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$fifo" \
        >"$logs/xvfb.log" 2>&1 &
    xvfb_pid=$!
    read -r -t 20 n <"$fifo" || true
    rm -f "$fifo"
    [ -n "$n" ] || return 1
    export DISPLAY=":$n"
}
trap stop_wine EXIT
trap 'stop_wine; exit 130' INT TERM

start_wine() {
    local t=$SECONDS log=$logs/wineprefix.log
    wineserver -k >/dev/null 2>&1 || true # a server left by an aborted run
    rm -rf "$WINEPREFIX" "$WINEPREFIX.lock"
    if ! start_xvfb; then
        say "wine: no Xvfb display: Windows programs that open windows will fail"
        unset DISPLAY
    fi
    wine_started=1
    # The persistent server first: wineboot then fills the prefix through it
    # (twice as fast as waiting for wineboot's own server to exit).
    mkdir -p "$WINEPREFIX"
    local boot=(wineboot -i)
    if [ -x /usr/lib/wine/wine64 ]; then
        boot=(env WINELOADER=/usr/lib/wine/wine64 /usr/lib/wine/wine64 wineboot -i)
    fi
    if ! { wineserver -p && "${boot[@]}"; } >"$log" 2>&1 ||
        [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
        return 1
    fi
    say "wine: fresh prefix ${WINEPREFIX#"$root"/}, wineserver persistent, DISPLAY=${DISPLAY:-none} ($((SECONDS - t))s)"
}

# ---- 2. presets -------------------------------------------------------------
for p in "${presets[@]}"; do
    line="$p:"
    t=$SECONDS
    log=$logs/$p-configure.log
    if ! cmake --preset "$p" >"$log" 2>&1; then
        # A tree configured earlier with other settings (another generator...)
        if [ -f "build/$p/CMakeCache.txt" ] &&
            cmake --preset "$p" --fresh >"$log" 2>&1; then
            :
        else
            fail_step "$p configure" "$log"
            summary+=("$line configure FAILED")
            continue
        fi
    fi
    line="$line configure $((SECONDS - t))s,"

    t=$SECONDS
    log=$logs/$p-build.log
    if ! cmake --build --preset "$p" >"$log" 2>&1; then
        fail_step "$p build" "$log"
        summary+=("$line build FAILED")
        continue
    fi
    line="$line build $((SECONDS - t))s"
    # release: the packages, which its tests then check (the same steps as
    # `cmake --workflow --preset release`).
    if [ "$p" = release ]; then
        t=$SECONDS
        log=$logs/$p-package.log
        if ! cpack --preset "$p" >"$log" 2>&1; then
            fail_step "$p package" "$log"
            summary+=("$line, package FAILED")
            continue
        fi
        line="$line, package $((SECONDS - t))s"
    fi
    if ! has_tests "$p"; then
        why=$(x86_unavailable)
        if [ "${ZMM_REQUIRE_X86:-0}" = 1 ]; then
            fail_step "$p tests: $why"
            summary+=("$line, tests FAILED to run: $why")
        else
            # "Total Tests: 40"
            n=$(ctest --preset "$p" -N 2>/dev/null | sed -n 's/^Total Tests: \([0-9]*\)$/\1/p')
            n=${n:-0}
            skipped=$((skipped + n))
            say "$line; $n tests SKIPPED: $why"
            summary+=("$line, $n tests SKIPPED: $why")
        fi
        continue
    fi
    # The release preset's one 32-bit test, on the same terms.
    exclude=()
    x86_skip=0
    if [ "$p" = release ] && [ "${ZMM_REQUIRE_X86:-0}" != 1 ] &&
        why=$(x86_unavailable) && [ -n "$why" ]; then
        exclude=(-E '^package\.windows\.x86$')
        x86_skip=1
        skipped=$((skipped + 1))
        say "$p: package.windows.x86 SKIPPED: $why"
    fi

    if [[ $p == windows-* ]] && [ "$wine_started" = 0 ]; then
        if ! start_wine; then
            fail_step "wine prefix" "$logs/wineprefix.log"
            summary+=("$line, tests not run: no Wine prefix")
            continue
        fi
    fi

    t=$SECONDS
    log=$logs/$p-test.log
    say "$line; ctest:"
    # No test is repeated: each runs once, and passes or fails.
    ctest --preset "$p" "${exclude[@]}" 2>&1 | tee "$log"
    rc=$?
    # "100% tests passed, 0 tests failed out of 42" (skipped tests are in
    # neither: ctest counts them as passed)
    counts=$(sed -n 's/^[0-9]*% tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$log" | tail -n 1)
    if [ -n "$counts" ]; then
        read -r nfail ntotal <<<"$counts"
        # "The following tests did not run:" then "	 12 - cli_cross (Skipped)"
        skips=$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (\(Skipped\|Disabled\))$/\1/p' "$log")
        nskip=0
        if [ -n "$skips" ]; then nskip=$(printf '%s\n' "$skips" | wc -l); fi
        passed=$((passed + ntotal - nfail - nskip))
        failed=$((failed + nfail))
        skipped=$((skipped + nskip))
        line="$line, ctest $((SECONDS - t))s: $((ntotal - nfail - nskip)) passed, $nfail failed, $((nskip + x86_skip)) skipped"
        if [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
            fail_step "$p ctest (exit $rc)" "$log"
        fi
        if [ "$nskip" != 0 ]; then
            # Why: each printed a "SKIP: why" line, which ctest shows only
            # in its log of every test's output.
            grep -h "SKIP: " "build/$p/Testing/Temporary/LastTest.log" 2>/dev/null |
                sed "s/^/[run-all] $p: /"
            fail_step "$p: $nskip tests skipped ($(printf '%s\n' "$skips" | paste -sd ' '))"
        fi
    else
        fail_step "$p ctest (no result line)" "$log"
        line="$line, ctest FAILED"
    fi
    summary+=("$line")
done

stop_wine

# ---- 3. summary -------------------------------------------------------------
echo
say "summary (total $((SECONDS - t_start))s):"
for s in "${summary[@]}"; do
    say "  $s"
done
if [ ${#failed_steps[@]} -gt 0 ]; then
    list=$(printf '%s, ' "${failed_steps[@]}")
    say "failed steps: ${list%, }"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
