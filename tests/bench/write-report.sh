#!/bin/bash
# tests/bench/write-report.sh OUT REPORT LOAD_BEFORE LOAD_MID LOAD_AFTER SECONDS MIB REPS MMIO NRAND NLOCAL X86_WHY
# Writes docs/benchmarks.md (REPORT) from the benchmark programs' Markdown in
# OUT (native.md, mmio.md), the machine's description, and
# tests/bench/analysis.md (the hand-written reading of the results).
set -euo pipefail
out=$1 report=$2 load_before=$3 load_mid=$4 load_after=$5 secs=$6 mib=$7 reps=$8 mmio=$9
nrand=${10} nlocal=${11} x86_why=${12}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cores=$(nproc)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
flags=$(grep -m1 '^flags' /proc/cpuinfo)
has() { case " $flags " in *" $1 "*) echo yes ;; *) echo no ;; esac; }
os=$(. /etc/os-release && echo "$PRETTY_NAME")
kernel=$(uname -r)
gccv=$(gcc -dumpfullversion 2>/dev/null || echo ?)
zlibv=$(pkg-config --modversion zlib 2>/dev/null || echo ?)
htsv=$(pkg-config --modversion htslib 2>/dev/null || echo "not installed")
deflv=$(dpkg-query -W -f='${Version}' libdeflate0 2>/dev/null || echo ?)
# /usr/lib/wine/wine64: `wine` starts the 32-bit loader once wine32 is
# installed, and that fails where the kernel runs no 32-bit code.
winev=$(/usr/lib/wine/wine64 --version 2>/dev/null || wine --version 2>/dev/null || echo ?)
mingwv=$(x86_64-w64-mingw32-gcc -dumpfullversion 2>/dev/null || echo ?)
zlibmingw=$(dpkg-query -W -f='${Version}' libz-mingw-w64-dev 2>/dev/null || echo ?)
date=$(date -u '+%Y-%m-%d %H:%M UTC')
loaded=no
for l in "$load_before" "$load_mid" "$load_after"; do
    awk -v l="${l%% *}" 'BEGIN { exit !(l >= 0.7) }' && loaded=yes
done

{
    cat <<EOF
# Benchmarks

zmmio's core library and its mmio procedure side by side with the plain file,
BGZF, zlib's gzseek and the usual packers: same run, same bytes. Written by
\`tests/bench/run-bench.sh\` (which builds, makes the data, runs everything and
rewrites this page, its plots and CSV files in \`docs/bench/\`); the programs
are \`tests/bench/bench_native.c\` and \`tests/bench/bench_mmio.c\`.

## The run

| | |
|---|---|
| date | $date |
| CPU | $cpu, $cores cores (pclmulqdq: $(has pclmulqdq), avx2: $(has avx2)) |
| memory | $mem |
| system | $os, Linux $kernel |
| native build | gcc $gccv, -O2 -g (RelWithDebInfo, as the \`linux\` preset) |
| Windows build | mingw-w64 gcc $mingwv, -O2 -g, under $winev |
| 32-bit DLL (i686) | ${x86_why:-measured under 32-bit Wine: the \`[32-bit]\` rows} |
| zlib | $zlibv (Linux); libz-mingw-w64-dev $zlibmingw (static, in zmmio.dll) |
| htslib (BGZF) | $htsv, with libdeflate $deflv |
| data sets | $mib MiB each (below) |
| repetitions | $reps timed after one verified pass; medians |
| load average (1, 5, 15 min) | before $load_before; after the native run $load_mid; at the end $load_after |
| duration | ${secs} s |

EOF
    if [ "$loaded" = yes ]; then
        cat <<EOF
**This run was taken on a loaded machine** (a 1-minute load average of 0.7 or
more at some point: other work was running on the 2 cores). Every ratio
compares systems measured in the same run, and each measurement is a median,
but absolute numbers are lower and noisier than on an idle machine.

EOF
    fi
    sed "s/@NRAND@/$nrand/; s/@NLOCAL@/$nlocal/" <<'EOF'
## Method

**Data sets**, made at run time by `tests/bench/make-data.sh` (never stored in
the repository):
- `audio`: a 44.1 kHz, 16-bit stereo WAV of real recordings from Debian
  packages, resampled with sox: espeak-ng reading the GPL (40 s), the desktop
  sound themes (oxygen-sounds, sound-theme-freedesktop, alsa-utils' test
  sounds; about 100 s), then the Opsound music-on-hold tracks of
  asterisk-moh-opsound-wav (8 kHz mono music, upsampled, the right channel
  7 ms behind the left).
- `text`: /usr/share/common-licenses, the copyright files and decompressed
  changelogs of /usr/share/doc, then decompressed man pages.
- `random`: bytes from /dev/urandom.

**Workloads** (the same offsets for every system): `seq64k` reads the whole
file front to back in 64 KiB reads; `rand4k` makes @NRAND@ reads of 4 KiB at
uniformly random offsets; `local4k` makes @NLOCAL@ reads of 4 KiB at random
offsets inside a 1 MiB window that starts at 0 and moves forward 4 KiB every
8 reads (512 bytes a read: a player scrubbing around a slowly moving
position). Offsets are not aligned.

**Systems**: the plain file with `pread`; the core library (`zmm`, one
archive kept open and one stream per workload, default 64 KiB blocks, deflate
level 6, its 4 MiB block cache, a preset dictionary where `zmm pack` would
give one (`zmm_choose_dictionary`: text), and its default read-ahead: once
reads move forward from block to block, a second thread decodes the next
three blocks); "zmm (no read-ahead)", the same with `ZMM_STREAM_NO_READAHEAD`
(one thread); "zmm -b 32k" (text only), the same with 32 KiB blocks, the
trade-off a user picks for cheaper random reads;
BGZF through htslib (`bgzf_useek`/`bgzf_read` with the
`.gzi` index, its blocks of 0xff00 = 65,280 bytes, written by htslib in this
process at its default level; `bgzf_set_cache_size` is given the same 4 MiB);
zlib's `gzseek`/`gzread` on a `.gz` (level 6; one pass of 12 random reads,
since each backward seek inflates from the start); and, as the reference the
targets name, zlib's raw `inflate()` of the same data cut into the same
64 KiB blocks (deflated at level 6 in memory), memory to memory with no CRC,
into one 64 KiB buffer. "zmm: 2 streams on 2 threads" reads the two halves
through two archive handles at once: what two cores can give a sequential
reader, an upper bound for read-ahead. "zmm pcm (core library; PCM filter)"
(issue 7, WAV data sets only) is the core library at level 6 with the member's
PCM layout found by `zmm_detect_wav_layout` in the file's first 64 KiB and set
by `zmm_stream_set_pcm_layout` right after the member is opened for writing;
it runs the same read workloads with the same checks, and the run checks that
the layout was stored (`ZMM_MEMBER_PCM`). Whole-member decoding (issue 16,
WAV data sets): that PCM member read front to back in 1 MiB reads on one
thread (no read-ahead; the first pass compared with the WAV, every block's
CRC-32 checked), against `flac -d -c` of `flac -5`'s file of the same WAV to
/dev/null (flac checks its MD5), wall clock, the same number of repetitions.
Packers: the core library (levels 6
and 9, level 6 with 32 KiB blocks, and level 6 with the PCM filter), zlib's gzwrite, htslib's BGZF writer,
and the command-line `gzip -6`, `pigz -p 2`, `bgzip -@ 2`, `zstd -3`,
`zstd -19` (audio only), `xz -6` and `flac` (audio only, its default level 5),
timed by wall clock from the plain file to an output file (xz, zstd -19 and
zmm -9 once, the others 3 times). The core library's pack time includes its commit (an
fsync); the others do not sync.

**Checks**: every read workload runs once with every byte compared with the
plain file, then the timed repetitions keep a sampled checksum (length, first
and last 8 bytes of each read) that must equal the plain file's. The mmio
recorder's output is read back and compared byte for byte across the four
ways of writing it. Files are read from the page cache: the benchmark measures
CPU cost, not the disk. Ratios in parentheses are to the baseline named in the
cell.

EOF
    echo "## Targets (issues 6, 7, 15, 16 and 20)"
    echo
    echo "![targets](bench/targets.png)"
    echo
    sed -n '/^### Targets/,/^### Reads/p' "$out/native.md" | sed '1d;$d'
    if [ "$mmio" = 1 ] && [ -f "$out/mmio.md" ]; then
        sed -n '/^### Targets/,/^### Reads/p' "$out/mmio.md" | sed '1d;$d'
    fi
    echo "## Native results"
    echo
    echo "![seq64k](bench/native-seq64k.png)"
    echo "![rand4k](bench/native-rand4k.png)"
    echo "![local4k](bench/native-local4k.png)"
    echo
    sed -n '/^### Reads/,$p' "$out/native.md" | sed 's/^### /### /'
    echo "![pack](bench/native-pack.png)"
    echo "![size](bench/native-size.png)"
    echo
    if [ "$mmio" = 1 ] && [ -f "$out/mmio.md" ]; then
        echo "## Through mmio under Wine"
        echo
        cat <<'EOF'
The same workloads through `mmioSeek`/`mmioRead` on `NAME.zmm+` (zmmio.dll)
and on the plain file through mmio's DOS procedure, each unbuffered and with
MMIO_ALLOCBUF (mmio's default 8 KiB buffer), and through the core library
called directly in the same Wine process. The five readers are open at once
and take turns: each repetition runs every one of them once, so that a slow
spell of the machine falls on all alike (run one after the other, the
reader that happened to run during one showed a 20% gap that interleaving
removed). The recorder writes a RIFF WAVE
(`mmioCreateChunk`, 16 KiB `mmioWrite`s, `mmioAscend`) holding the audio data
set's samples; its time runs until `mmioClose` returns, which for an archive
includes deflating the last blocks and the commit's fsync.

![mmio seq64k](bench/mmio-seq64k.png)
![mmio rand4k](bench/mmio-rand4k.png)
![mmio local4k](bench/mmio-local4k.png)
![mmio record](bench/mmio-record.png)

EOF
        sed -n '/^### Reads through mmio/,$p' "$out/mmio.md" | sed '1,2d'
    fi
    if [ -f "$out/share.log" ] || [ -f "$out/assets.log" ]; then
        echo "## Many members"
        echo
        cat <<'EOF'
An asset pack: thousands of short sounds in one archive. `bench_share`
(native, the core library) makes archives of short members and times the
first open of each archive and then open + 4 KiB read + close of random
members through one `zmm_share`, which parses the directory once.
`bench_assets` (Wine) makes short 22.05 kHz mono WAVs (2,000-20,000
samples) as plain files and as one archive, and times the same pattern
through `mmioOpen`/`mmioRead`/`mmioClose` on both, interleaved (best of the
repetitions), and the private bytes 500 handles held open at once add.

EOF
        if [ -f "$out/share.log" ]; then
            echo '```'
            grep -v '^csv,' "$out/share.log"
            echo '```'
            echo
        fi
        if [ -f "$out/assets.log" ]; then
            echo '```'
            grep -v '^csv,' "$out/assets.log" | grep -v '^== '
            echo '```'
            echo
        fi
    fi
    if [ -f "$out/fileio.log" ]; then
        echo "## Where a random read's time goes (Wine)"
        echo
        cat <<'EOF'
`bench_fileio` times, alone and inside one Windows process under Wine, the
parts of a random read through zmmio: reading one stored block (40 KiB)
at a random offset three ways, its CRC-32, inflating a 64 KiB block of
audio, and allocating a block buffer. Under Wine, `ReadFile` with an
`OVERLAPPED` offset costs one more server round trip than the read itself
(ntdll asks the server whether the handle posts I/O completions:
`add_fd_completion`), because the `OVERLAPPED` goes down as the APC
context. zmmio used to read that way; it now calls `NtReadFile` with no
context, the same positioned read, as cheap as the DOS procedure's seek
and read.

EOF
        echo '```'
        grep -v '^csv,' "$out/fileio.log"
        echo '```'
        echo
    fi
    if [ -f "$out/corpus.md" ]; then
        echo "## The test corpus against flac (issue 16)"
        echo
        echo "Every WAV of the Debian sound packages the benchmark audio is made of,"
        echo "packed alone by \`tests/bench/corpus-flac.sh\` (sizes: they do not depend on"
        echo "the machine's load); every file in [corpus.md](bench/corpus.md),"
        echo "[corpus.csv](bench/corpus.csv)."
        echo
        sed -n '/^## Targets/,/^## Every file/p' "$out/corpus.md" | sed '$d' |
            sed 's/^## /### /'
    fi
    echo "## CSV"
    echo
    echo "Every number above, with min, max and repetitions:"
    echo "[native.csv](bench/native.csv), [native-targets.csv](bench/native-targets.csv)$([ "$mmio" = 1 ] && echo ", [mmio.csv](bench/mmio.csv), [mmio-targets.csv](bench/mmio-targets.csv)")."
    echo
    if [ -f "$here/analysis.md" ]; then
        cat "$here/analysis.md"
    fi
} >"$report"
