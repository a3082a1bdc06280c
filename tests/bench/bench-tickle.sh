#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-tickle.sh [BUILDDIR] [REPS]: TCP recovery after a takeover with and
# without tickles (doc/watch.md). Runs tests/netns/test-scenario-tickle.sh
# REPS times (default 3; each builds its own LAN, wch-t-*) and prints one
# table of its figures: seconds from the start of `ipto takeover` until
# the client gets an answer from the standby, median [min-max]. As root.
set -u
build=$(realpath "${1:-build}")
reps=${2:-3}
src=$(realpath "$(dirname "$0")/../..")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
export IPTO_BUILD_ROOT=$build NEIGH_WATCH=$build/tests/netns/neigh-watch LAN_SH=$src/tests/netns/lan.sh
with=() without=() started=()
for ((i = 1; i <= reps; i++)); do
	out=$("$src/tests/netns/test-scenario-tickle.sh" "$build/examples/ipto" "$build/examples/ipto-agent" 2>&1)
	line=$(grep -o 'FIGURE .*' <<<"$out")
	if [ -z "$line" ] || grep -q '^not ok' <<<"$out"; then
		echo "run $i failed:" >&2
		grep -E '^not ok|^#' <<<"$out" >&2
		exit 1
	fi
	for kv in ${line#FIGURE }; do
		case $kv in
		tickle_with_s=*) with+=("${kv#*=}") ;;
		tickle_without_s=*) without+=("${kv#*=}") ;;
		tickle_started_s=*) started+=("${kv#*=}") ;;
		esac
	done
done
stat() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f [%.3f-%.3f]", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
echo "TCP recovery after a takeover, $(date -u '+%Y-%m-%d %H:%M UTC'), $reps runs"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) CPUs, Linux $(uname -r); LAN: veth + bridge in namespaces"
echo "the active node is silent for 3.5 s, then the standby takes over; seconds from the start of ipto takeover"
echo
printf '%-34s %s\n' "client" "s median [min-max]"
printf '%-34s %s\n' "with tickles (c1)" "$(stat "${with[@]}")"
printf '%-34s %s\n' "  ipto tickle started at" "$(stat "${started[@]}")"
printf '%-34s %s\n' "without tickles (c2)" "$(stat "${without[@]}")"
