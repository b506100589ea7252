#!/bin/bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# The slowdown `sysfence profile` causes on a syscall-heavy loop: dd copying 1-byte blocks
# (one read and one write per block) run alone, then under `sysfence profile` with each
# backend. Prints each time (best of 3) and its ratio to the unprofiled loop.
#
#   scripts/bench-profile.sh SYSFENCE [BLOCKS]
set -euo pipefail
SYSFENCE=${1:?usage: bench-profile.sh SYSFENCE [BLOCKS]}
BLOCKS=${2:-200000}
LOOP=(dd if=/dev/zero of=/dev/null bs=1 "count=$BLOCKS" status=none)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Best of 3 wall-clock times in seconds.
best() {
    local best=
    for _ in 1 2 3; do
        local start end t
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s.%N)
        t=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
        if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
    done
    echo "$best"
}

calls=$((2 * BLOCKS))
base=$(best "${LOOP[@]}")
printf 'profile bench: %s syscalls (dd bs=1 count=%s)\n' "$calls" "$BLOCKS"
printf '  %-28s %8.3f s\n' "unprofiled" "$base"
for backend in notify ptrace; do
    t=$(best "$SYSFENCE" profile --backend "$backend" -o "$OUT/p.json" -- "${LOOP[@]}")
    ratio=$(awk -v t="$t" -v b="$base" 'BEGIN { print t / b }')
    per=$(awk -v t="$t" -v b="$base" -v n="$calls" 'BEGIN { print (t - b) * 1000000 / n }')
    printf '  %-28s %8.3f s   %5.1fx the unprofiled loop (%.2f us per syscall)\n' \
        "sysfence profile ($backend)" "$t" "$ratio" "$per"
done
