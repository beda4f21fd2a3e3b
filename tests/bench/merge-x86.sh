#!/bin/bash
# merge-x86.sh MMIO_CSV -- prints the rows of the 32-bit bench_mmio's
# mmio.csv (no header) with " [32-bit]" after each system's name, in the
# system and "vs" columns, to append to the 64-bit mmio.csv: the report's
# tables then show each 32-bit row beside its 64-bit one.
set -euo pipefail
awk -F, -v OFS=, 'FNR > 1 { $3 = $3 " [32-bit]"; if ($9 != "") $9 = $9 " [32-bit]"; print }' "$1"
