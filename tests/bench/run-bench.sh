#!/bin/bash
# tests/bench/run-bench.sh [--mib N] [--reps N] [--rand N] [--local N]
#                          [--data DIR] [--no-wait] [--no-mmio] [--no-x86]
#                          [--report-only]
#
# The whole benchmark, from a Debian 12 machine (as root):
#   1. installs what it needs and is missing (apt-get, idempotent): what
#      cmake/setup-debian.sh installs (the builds, 64- and 32-bit Wine), then
#      htslib (libhts-dev), pigz, bgzip (tabix), zstd, xz-utils, flac,
#      gnuplot, and the sound packages make-data.sh uses;
#   2. builds the native benchmark (gcc, RelWithDebInfo like the linux preset:
#      -O2 -g) in build/bench-linux and the Windows one (mingw-w64,
#      RelWithDebInfo like the windows-x64 preset) in build/bench-windows-x64;
#   3. makes the data sets (make-data.sh, N MiB each, 64 by default) in
#      build/bench-data, and packs the test corpus's WAVs alone against
#      flac -5 (tests/bench/corpus-flac.sh: sizes);
#   4. waits (up to 40 minutes, polling each minute) until the 1-minute load
#      average is under 0.7, unless --no-wait, and notes the load in the
#      report either way;
#   5. runs bench_native and bench_share, then bench_mmio, bench_assets and
#      bench_fileio
#      under Wine (its own WINEPREFIX,
#      build/bench-wineprefix, with a persistent wineserver stopped at exit),
#      then the i686 bench_mmio (build/bench-windows-x86) on the same data
#      and workloads under 32-bit Wine: its rows join mmio.csv with
#      " [32-bit]" after the system's name, beside the 64-bit ones (not
#      measured, and said so, where 32-bit code cannot run: see
#      tests/README.md; --no-x86 leaves it out);
#   6. writes docs/benchmarks.md, docs/bench/*.csv and docs/bench/*.png
#      (--report-only: only this, from the last run's build/bench-out, as
#      after a program of it was run again by hand).
# Intermediate files go to build/bench-out. Takes 15-25 minutes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
exec </dev/null

mib=64
reps=5
nrand=20000
nlocal=200000
data=$root/build/bench-data
wait_idle=1
run_mmio=1
run_x86=1
report_only=0
while [ $# -gt 0 ]; do
    case "$1" in
    --mib) mib=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --rand) nrand=$2; shift 2 ;;
    --local) nlocal=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --no-wait) wait_idle=0; shift ;;
    --no-mmio) run_mmio=0; shift ;;
    --no-x86) run_x86=0; shift ;;
    --report-only) report_only=1; shift ;;
    *) echo "usage: $0 [--mib N] [--reps N] [--rand N] [--local N] [--data DIR] [--no-wait] [--no-mmio] [--no-x86] [--report-only]" >&2
       exit 2 ;;
    esac
done

say() { printf '[run-bench] %s\n' "$*"; }
[ "$report_only" = 1 ] && exec bash tests/bench/make-report.sh
out=$root/build/bench-out
docs=$root/docs
mkdir -p "$out" "$docs/bench"
data=$(mkdir -p "$data" && cd "$data" && pwd)

# ---- 1. packages --------------------------------------------------------------
# The build, mingw-w64 (both targets) and Wine (64- and 32-bit) come from the
# project's own setup script; then the peers and the report's tools.
sh cmake/setup-debian.sh
need=(libhts-dev pigz tabix zstd xz-utils flac gnuplot-nox fonts-liberation)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing: ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. builds ----------------------------------------------------------------
say "building build/bench-linux and build/bench-windows-x64"
cmake -S . -B build/bench-linux -G Ninja -DCMAKE_C_COMPILER=gcc \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZMM_WERROR=ON >"$out/build-linux.log" 2>&1
cmake --build build/bench-linux -j2 --target bench_native bench_share >>"$out/build-linux.log" 2>&1
if [ "$run_mmio" = 1 ]; then
    cmake -S . -B build/bench-windows-x64 -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZMM_WERROR=ON >"$out/build-windows.log" 2>&1
    cmake --build build/bench-windows-x64 -j2 --target bench_mmio bench_assets bench_fileio >>"$out/build-windows.log" 2>&1
    if [ "$run_x86" = 1 ]; then
        cmake -S . -B build/bench-windows-x86 -G Ninja \
            -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-i686.cmake" \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZMM_WERROR=ON >"$out/build-windows-x86.log" 2>&1
        cmake --build build/bench-windows-x86 -j2 --target bench_mmio >>"$out/build-windows-x86.log" 2>&1
    fi
fi

# ---- 3. data --------------------------------------------------------------------
say "data sets ($mib MiB each) in ${data#"$root"/}"
bash tests/bench/make-data.sh "$data" "$mib"
sets=(audio="$data/audio.wav" text="$data/text.txt" random="$data/random.bin")

# ---- 3b. the test corpus against flac (sizes only: before the timed runs) ------
say "the test corpus against flac (corpus-flac.sh)"
bash tests/bench/corpus-flac.sh --out "$out" --audio "$data/audio.wav" >"$out/corpus.log" 2>&1

# ---- 4. a quiet machine -----------------------------------------------------------
load1() { cut -d' ' -f1 /proc/loadavg; }
quiet() { awk -v l="$(load1)" 'BEGIN { exit !(l < 0.7) }'; }
if [ "$wait_idle" = 1 ]; then
    for _ in $(seq 40); do
        quiet && break
        say "load average $(load1): waiting for < 0.7"
        sleep 60
    done
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before the run: $load_before"

# ---- 5. runs --------------------------------------------------------------------------
# As root the programs (and Wine's server) run at the highest priority, so
# that other work on the machine takes the CPU time they leave, not theirs.
prio=()
[ "$(id -u)" = 0 ] && prio=(nice -n -20)
t0=$SECONDS
say "bench_native"
"${prio[@]}" build/bench-linux/tests/bench/bench_native --out "$out" --work "$data" \
    --reps "$reps" --pack-reps 5 --rand "$nrand" --local "$nlocal" \
    "${sets[@]}" | tee "$out/native.log"
say "bench_share"
(cd "$out" && "${prio[@]}" "$root/build/bench-linux/tests/bench/bench_share") |
    tee "$out/share.log"
load_mid=$(cut -d' ' -f1-3 /proc/loadavg)
x86_why="not measured (--no-mmio or --no-x86)"
if [ "$run_mmio" = 1 ]; then
    export WINEPREFIX=$root/build/bench-wineprefix WINEDEBUG=-all
    export WINEDLLOVERRIDES="mscoree,mshtml="
    trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
    # cmake/wine-run.sh starts each program with the loader of its bits
    # (Debian's `wine` starts the 32-bit one once wine32 is installed) and
    # makes the prefix if it is missing.
    mkdir -p "$WINEPREFIX"
    "${prio[@]}" wineserver -p
    say "bench_mmio (Wine)"
    (cd "$data" && "${prio[@]}" "$root/cmake/wine-run.sh" "$root/build/bench-windows-x64/bin/bench_mmio.exe" \
        --out "$out" --work "$data" --reps "$reps" --rand "$nrand" \
        --local "$nlocal" --native "$out/native.csv" "${sets[@]}") | tee "$out/mmio.log"
    say "bench_assets (Wine)"
    mkdir -p "$out/assets"
    (cd "$out/assets" && "${prio[@]}" "$root/cmake/wine-run.sh" "$root/build/bench-windows-x64/bin/bench_assets.exe" \
        --reps "$reps" 5000 20000) | tee "$out/assets.log"
    say "bench_fileio (Wine)"
    (cd "$out" && "${prio[@]}" "$root/cmake/wine-run.sh" "$root/build/bench-windows-x64/bin/bench_fileio.exe" \
        --work "$out") | tee "$out/fileio.log"
    rm -rf "$out/assets"
    if [ "$run_x86" = 1 ]; then
        x86_why=""
        # The 32-bit row: the i686 build's bench_mmio, same data and
        # workloads, 32-bit Wine (cmake/wine-run.sh picks the loader).
        if ! /usr/lib/wine/wine --version >/dev/null 2>&1; then
            x86_why="not measured: 32-bit code does not run here (no wine32, or a kernel without IA32 emulation: tests/README.md)"
            say "bench_mmio [32-bit]: $x86_why"
        else
            say "bench_mmio [32-bit] (32-bit Wine)"
            mkdir -p "$out/x86"
            (cd "$data" && "${prio[@]}" "$root/cmake/wine-run.sh" \
                "$root/build/bench-windows-x86/bin/bench_mmio.exe" \
                --out "$out/x86" --work "$data" --reps "$reps" --rand "$nrand" \
                --local "$nlocal" "${sets[@]}") | tee "$out/mmio-x86.log"
            bash tests/bench/merge-x86.sh "$out/x86/mmio.csv" >>"$out/mmio.csv"
        fi
    fi
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$((SECONDS - t0))

# ---- 6. report ---------------------------------------------------------------------------
printf '%s=%q\n' load_before "$load_before" load_mid "$load_mid" \
    load_after "$load_after" elapsed "$elapsed" mib "$mib" reps "$reps" \
    run_mmio "$run_mmio" nrand "$nrand" nlocal "$nlocal" x86_why "$x86_why" \
    >"$out/run.env"
bash tests/bench/make-report.sh
