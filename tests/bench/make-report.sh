#!/bin/bash
# tests/bench/make-report.sh -- step 6 of run-bench.sh: the plots, the CSV
# copies in docs/bench/ and docs/benchmarks.md, from build/bench-out and the
# run's settings and load averages that run-bench.sh saved in
# build/bench-out/run.env. Run alone (run-bench.sh --report-only) after one
# of the benchmark programs was run again by hand into build/bench-out.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=$root/build/bench-out
docs=$root/docs
# shellcheck source=/dev/null
. "$out/run.env"
say() { printf '[run-bench] %s\n' "$*"; }
mkdir -p "$docs/bench"

say "plots and docs/benchmarks.md"
cp "$out"/native.csv "$out"/native-targets.csv "$docs/bench/"
[ "$run_mmio" = 1 ] && cp "$out"/mmio.csv "$out"/mmio-targets.csv "$docs/bench/"
if [ -f "$out/corpus.md" ]; then cp "$out"/corpus.csv "$out"/corpus.md "$docs/bench/"; fi

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
    "$load_mid" "$load_after" "$elapsed" "$mib" "$reps" "$run_mmio" "$nrand" "$nlocal" \
    "${x86_why-not recorded}"
say "wrote docs/benchmarks.md, docs/bench/*.csv, docs/bench/*.png"
