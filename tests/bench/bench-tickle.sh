#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-tickle.sh [BUILDDIR] [REPS]: TCP recovery after a takeover with and
# without tickles (doc/watch.md). Runs tests/netns/test-scenario-tickle.sh
# REPS times (default 3; each builds its own LAN, wch-t-*) and prints one
# table of its figures: seconds from the start of `ipto takeover` until
# the client gets an answer from the standby, median [min-max]. As root.
set -u
# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_scenario_env "${1:-build}"
reps=${2:-3}
with=() without=() started=() out=
for ((i = 1; i <= reps; i++)); do
	bench_scenario_run tickle "$i" 'FIGURE '
	line=$(grep -o 'FIGURE .*' <<<"$out")
	for kv in ${line#FIGURE }; do
		case $kv in
		tickle_with_s=*) with+=("${kv#*=}") ;;
		tickle_without_s=*) without+=("${kv#*=}") ;;
		tickle_started_s=*) started+=("${kv#*=}") ;;
		esac
	done
done
stat() { printf '%s\n' "$@" | bench_figure; }
echo "TCP recovery after a takeover, $(date -u '+%Y-%m-%d %H:%M UTC'), $reps runs"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) CPUs, Linux $(uname -r); LAN: veth + bridge in namespaces"
echo "the active node is silent for 3.5 s, then the standby takes over; seconds from the start of ipto takeover"
echo
printf '%-34s %s\n' "client" "s median [min-max]"
printf '%-34s %s\n' "with tickles (c1)" "$(stat "${with[@]}")"
printf '%-34s %s\n' "  ipto tickle started at" "$(stat "${started[@]}")"
printf '%-34s %s\n' "without tickles (c2)" "$(stat "${without[@]}")"
