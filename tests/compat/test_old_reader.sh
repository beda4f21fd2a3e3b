#!/bin/sh
# test_old_reader.sh ZMM OLD_READER WORKDIR -- archives with metadata, made
# by today's zmm, read whole by zmmio 0.4.0's reader (old_reader.c, built
# from commit bf807cf): every member listed with its size, verified, and
# byte for byte the file it was made from. Also after `zmm add` and `zmm
# compact`. Then the old writer commits: the metadata is dropped (its
# writer clears the compat bit, as FORMAT.md says) and nothing else changes.
#
# The archives must really have metadata (zmm list --json shows "mtime"),
# or this would prove nothing.
set -u
zmm=$1 old=$2 work=$3
status=0
fail() { echo "FAIL - $*"; status=1; }
ok() { echo "ok - $*"; }

rm -rf "$work" && mkdir -p "$work/in/sub" && cd "$work" || exit 1
head -c 200000 /dev/urandom >in/random.bin
i=0; while [ $i -lt 3000 ]; do echo "line $i of some text"; i=$((i + 1)); done >in/sub/text.txt
printf 'x' >in/sub/one.txt
: >in/empty
touch -d '1969-07-20 20:17:40.5 UTC' in/random.bin
touch -d '2100-01-01 00:00:00.123456789 UTC' in/sub/text.txt
chmod 0640 in/sub/text.txt
chmod 0755 in/sub/one.txt

echo "old reader: zmmio $("$old" version)"
# Each member, by the old reader, against its file.
check() { # ARCHIVE WHAT
    if ! "$old" list "$1" >list.txt 2>err.txt; then
        fail "$2: the old reader opens and verifies it ($(cat err.txt))"
        return
    fi
    n=0
    while read -r name size; do
        n=$((n + 1))
        want=$(wc -c <"in/$name")
        [ "$size" = "$want" ] || fail "$2: $name is $size bytes, not $want"
        if "$old" cat "$1" "$name" >got.bin 2>err.txt &&
           cmp -s got.bin "in/$name"; then :; else
            fail "$2: the old reader reads $name byte for byte"
        fi
    done <list.txt
    [ "$n" = "$3" ] && ok "$2: the old reader reads all $n members whole" ||
        fail "$2: the old reader lists $n members, not $3"
}

(cd in && "$zmm" pack -o ../a.zmm .) || fail "pack"
"$zmm" list --json a.zmm >json.txt
grep -q '"mtime": -14182940, "mtime_nsec": 500000000' json.txt &&
    grep -q '"mode": "0640"' json.txt && ok "the archive has metadata" ||
    fail "the archive has no metadata ($(cat json.txt))"
check a.zmm "pack" 4

printf 'more' >in/added.txt
touch -d '2001-02-03 04:05:06 UTC' in/added.txt
(cd in && "$zmm" add ../a.zmm added.txt) || fail "add"
check a.zmm "after add" 5
"$zmm" compact a.zmm || fail "compact"
check a.zmm "after compact" 5
"$zmm" list --json a.zmm | grep -q '"mtime": 981173106,' &&
    ok "compact keeps the metadata" || fail "compact keeps the metadata"

# The old writer: its commit clears the bit; the members stay.
"$old" rewrite a.zmm || fail "the old writer commits"
"$zmm" list --json a.zmm >json.txt
if grep -q mtime json.txt; then
    fail "the old writer's commit dropped the metadata ($(cat json.txt))"
else
    ok "the old writer's commit drops the metadata"
fi
"$zmm" verify a.zmm >/dev/null || fail "today's verify after the old writer"
check a.zmm "after the old writer" 5
exit $status
