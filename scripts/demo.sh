#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# make demo: a program under no-exec tries to run another program and is refused; then the same
# in log mode runs, and the kernel's log record for it is shown (decoded by `sysfence audit`).
set -uo pipefail
SYSFENCE=${1:-target/debug/sysfence}
bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
quote() { if [[ $1 =~ ^[A-Za-z0-9_./:=@-]+$ ]]; then printf ' %s' "$1"; else printf " '%s'" "${1//\'/\'\\\'\'}"; fi; }
show() { printf '$ sysfence'; for a in "${@:2}"; do quote "$a"; done; printf '\n'; "$@"; }
PROGRAM='echo "shell: running /bin/date"; date; echo "shell: date exited with status $?"'

bold "sysfence $("$SYSFENCE" version | cut -d' ' -f2-)"
show "$SYSFENCE" presets

bold "1. Enforce: under no-exec a shell starts, tries to run /bin/date, and is refused (EACCES)"
show "$SYSFENCE" run --preset no-exec -- bash -c "$PROGRAM"

bold "2. Log mode: the same program runs, and the kernel logs what no-exec would have refused"
# The kernel's log-action records (code 0x7ffc0000) written since $1 (epoch seconds), by their
# audit(SECONDS.MILLIS:SERIAL) stamp (the ring buffer may have wrapped, so no line counting).
records_since() {
  dmesg 2>/dev/null | grep 'type=1326' | grep 'code=0x7ffc0000' | while read -r line; do
    ts=${line#*audit(}; ts=${ts%%.*}
    [[ $ts =~ ^[0-9]+$ ]] && ((ts >= $1)) && echo "$line"
  done
}
for attempt in 1 2 3; do
  start=$(date +%s)
  show "$SYSFENCE" run --preset no-exec --log-only -- bash -c "$PROGRAM"
  sleep 0.5
  records=$(records_since "$start")
  [[ -n "$records" ]] && break
  echo "(the kernel rate-limits the audit lines it prints, 10 per 5 s: again in 6 s)"
  sleep 6
done
bold "The kernel's records (dmesg): the command's own exec (by sysfence), then bash's exec of date"
if [[ -z "$records" ]]; then
  echo "(none visible: is auditd running? it takes the records; see docs/monitoring.md)"
  exit 0
fi
echo "$records"
bold "Decoded by sysfence audit:"
echo "$records" | "$SYSFENCE" audit --format text -
bold "As an ECS event for the Elastic stack (sysfence audit --format ecs), for date's exec:"
echo "$records" | grep 'syscall=59' | tail -n 1 | "$SYSFENCE" audit --format ecs - | python3 -m json.tool
