#!/bin/bash
# tests/bench/run-bench.sh [--mib N] [--reps N] [--rand N] [--local N]
#                          [--data DIR] [--no-wait] [--no-mmio] [--no-x86]
#
# The whole benchmark, from a Debian 12 machine (as root):
#   1. installs what it needs and is missing (apt-get, idempotent): htslib
#      (libhts-dev), pigz, bgzip (tabix), zstd, xz-utils, flac, gnuplot, and
#      the sound packages make-data.sh uses;
#   2. builds the native benchmark (gcc, RelWithDebInfo like the linux preset:
#      -O2 -g) in build/bench-linux and the Windows one (mingw-w64,
#      RelWithDebInfo like the windows-x64 preset) in build/bench-windows-x64;
#   3. makes the data sets (make-data.sh, N MiB each, 64 by default) in
#      build/bench-data;
#   4. waits (up to 40 minutes, polling each minute) until the 1-minute load
#      average is under 0.7, unless --no-wait, and notes the load in the
#      report either way;
#   5. runs bench_native and bench_share, then bench_mmio and bench_assets
#      under Wine (its own WINEPREFIX,
#      build/bench-wineprefix, with a persistent wineserver stopped at exit),
#      then the i686 bench_mmio (build/bench-windows-x86) on the same data
#      and workloads under 32-bit Wine: its rows join mmio.csv with
#      " [32-bit]" after the system's name, beside the 64-bit ones (not
#      measured, and said so, where 32-bit code cannot run: see
#      tests/README.md; --no-x86 leaves it out);
#   6. writes docs/benchmarks.md, docs/bench/*.csv and docs/bench/*.png.
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
    *) echo "usage: $0 [--mib N] [--reps N] [--rand N] [--local N] [--data DIR] [--no-wait] [--no-mmio] [--no-x86]" >&2
       exit 2 ;;
    esac
done

say() { printf '[run-bench] %s\n' "$*"; }
out=$root/build/bench-out
docs=$root/docs
mkdir -p "$out" "$docs/bench"
data=$(mkdir -p "$data" && cd "$data" && pwd)

# ---- 1. packages --------------------------------------------------------------
need=(cmake ninja-build gcc zlib1g-dev pkg-config libhts-dev pigz tabix zstd
      xz-utils flac gnuplot-nox fonts-liberation gcc-mingw-w64-x86-64
      libz-mingw-w64-dev wine wine64)
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
    cmake --build build/bench-windows-x64 -j2 --target bench_mmio bench_assets >>"$out/build-windows.log" 2>&1
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
t0=$SECONDS
say "bench_native"
build/bench-linux/tests/bench/bench_native --out "$out" --work "$data" \
    --reps "$reps" --pack-reps 3 --rand "$nrand" --local "$nlocal" \
    "${sets[@]}" | tee "$out/native.log"
say "bench_share"
(cd "$out" && "$root/build/bench-linux/tests/bench/bench_share") |
    tee "$out/share.log"
load_mid=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$run_mmio" = 1 ]; then
    export WINEPREFIX=$root/build/bench-wineprefix WINEDEBUG=-all
    export WINEDLLOVERRIDES="mscoree,mshtml="
    trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
    # cmake/wine-run.sh starts each program with the loader of its bits
    # (Debian's `wine` starts the 32-bit one once wine32 is installed) and
    # makes the prefix if it is missing.
    mkdir -p "$WINEPREFIX"
    wineserver -p
    say "bench_mmio (Wine)"
    (cd "$data" && "$root/cmake/wine-run.sh" "$root/build/bench-windows-x64/bin/bench_mmio.exe" \
        --out "$out" --work "$data" --reps "$reps" --rand "$nrand" \
        --local "$nlocal" "${sets[@]}") | tee "$out/mmio.log"
    say "bench_assets (Wine)"
    mkdir -p "$out/assets"
    (cd "$out/assets" && "$root/cmake/wine-run.sh" "$root/build/bench-windows-x64/bin/bench_assets.exe" \
        --reps "$reps" 5000 20000) | tee "$out/assets.log"
    rm -rf "$out/assets"
    x86_why=""
    if [ "$run_x86" = 1 ]; then
        # The 32-bit row: the i686 build's bench_mmio, same data and
        # workloads, 32-bit Wine (cmake/wine-run.sh picks the loader).
        if ! /usr/lib/wine/wine --version >/dev/null 2>&1; then
            x86_why="32-bit code does not run here (no wine32, or a kernel without IA32 emulation: tests/README.md)"
            say "bench_mmio [32-bit]: not measured: $x86_why"
        else
            say "bench_mmio [32-bit] (32-bit Wine)"
            mkdir -p "$out/x86"
            (cd "$data" && "$root/cmake/wine-run.sh" \
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
say "plots and docs/benchmarks.md"
cp "$out"/native.csv "$out"/native-targets.csv "$docs/bench/"
[ "$run_mmio" = 1 ] && cp "$out"/mmio.csv "$out"/mmio-targets.csv "$docs/bench/"

# pivot CSV WORKLOAD [value|ratio] > TSV: a row per system, a column per data set
pivot() {
    awk -F, -v w="$2" -v col="${3:-value}" '
        FNR == 1 { next }
        $2 == w {
            if (!($3 in seen)) { seen[$3] = 1; sys[++ns] = $3 }
            if (!($1 in dseen)) { dseen[$1] = 1; ds[++nd] = $1 }
            v[$3, $1] = (col == "ratio") ? $10 : $5
        }
        END {
            printf "system"; for (j = 1; j <= nd; j++) printf "\t%s", ds[j]; print ""
            for (i = 1; i <= ns; i++) {
                printf "%s", sys[i]
                for (j = 1; j <= nd; j++) {
                    x = v[sys[i], ds[j]]; printf "\t%s", (x == "" ? "?" : x)
                }
                print ""
            }
        }' "$1"
}
# targets CSV > TSV: measured / needed (at-most targets inverted), >= 1 is met
target_pivot() {
    awk -F, '
        FNR == 1 { next }
        {
            if (!($1 in seen)) { seen[$1] = 1; t[++nt] = $1 }
            if (!($2 in dseen)) { dseen[$2] = 1; ds[++nd] = $2 }
            r = ($5 == 1) ? ($3 > 0 ? $4 / $3 : 0) : ($4 > 0 ? $3 / $4 : 0)
            v[$1, $2] = r
        }
        END {
            printf "target"; for (j = 1; j <= nd; j++) printf "\t%s", ds[j]; print ""
            for (i = 1; i <= nt; i++) {
                printf "%s", t[i]
                for (j = 1; j <= nd; j++) {
                    x = v[t[i], ds[j]]; printf "\t%s", (x == "" ? "?" : x)
                }
                print ""
            }
        }' "$@"
}
plot() { # plot NAME TITLE YLABEL LOGY REF
    local dat=$out/$1.dat n
    n=$(head -n 1 "$dat" | awk -F'\t' '{ print NF - 1 }')
    gnuplot -e "dat='$dat'; out='$docs/bench/$1.png'; ttl='$2'; ylab='$3'; logy=$4; n=$n; ref=$5" \
        tests/bench/plots.gp
}
pivot "$out/native.csv" seq64k >"$out/native-seq64k.dat"
pivot "$out/native.csv" rand4k >"$out/native-rand4k.dat"
pivot "$out/native.csv" local4k >"$out/native-local4k.dat"
pivot "$out/native.csv" pack >"$out/native-pack.dat"
pivot "$out/native.csv" size ratio >"$out/native-size.dat"
plot native-seq64k "Sequential 64 KiB reads (native)" "MB/s (log)" 1 0
plot native-rand4k "Uniform random 4 KiB reads (native)" "reads/s (log)" 1 0
plot native-local4k "Local random 4 KiB reads, 1 MiB window (native)" "reads/s (log)" 1 0
plot native-pack "Pack throughput (native)" "MB/s of input (log)" 1 0
plot native-size "Packed size / input size, per data set" "ratio" 0 0
if [ "$run_mmio" = 1 ]; then
    for w in seq64k rand4k local4k record; do
        pivot "$out/mmio.csv" "$w" >"$out/mmio-$w.dat"
    done
    plot mmio-seq64k "Sequential 64 KiB mmioRead (Wine)" "MB/s (log)" 1 0
    plot mmio-rand4k "Uniform random 4 KiB mmioSeek+mmioRead (Wine)" "reads/s (log)" 1 0
    plot mmio-local4k "Local random 4 KiB mmioSeek+mmioRead (Wine)" "reads/s (log)" 1 0
    plot mmio-record "Recorder: RIFF WAVE written through mmio (Wine)" "MB/s (log)" 1 0
    target_pivot "$out/native-targets.csv" "$out/mmio-targets.csv" >"$out/targets.dat"
else
    target_pivot "$out/native-targets.csv" >"$out/targets.dat"
fi
plot targets "Targets: measured / needed (at or above the line = met)" "ratio (log)" 1 1

bash tests/bench/write-report.sh "$out" "$docs/benchmarks.md" "$load_before" \
    "$load_mid" "$load_after" "$elapsed" "$mib" "$reps" "$run_mmio" "$nrand" "$nlocal"
say "wrote docs/benchmarks.md, docs/bench/*.csv, docs/bench/*.png"
