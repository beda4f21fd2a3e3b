#!/bin/sh
# skip.sh REASON... -- the command of a test registered although what it
# needs is missing at configure time: says why and exits 77, which
# SKIP_RETURN_CODE makes a counted skip (tests/run-all.sh fails on it).
echo "SKIP: $*"
exit 77
