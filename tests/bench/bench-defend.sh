#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-defend.sh [BUILDDIR] [REPS]: how soon the standby's defence follows
# the woken node's gratuitous ARP on the wire (doc/watch.md). Runs
# tests/netns/test-scenario-watch.sh REPS times (default 3; each builds its
# own LAN, wch-w-*) and tabulates its figure: the time between a1's frame
# and the standby's announcement in the capture on the standby's adapter
# (tshark time stamps), median [min-max]. As root.
set -u
build=$(realpath "${1:-build}")
reps=${2:-3}
src=$(realpath "$(dirname "$0")/../..")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
export IPTO_BUILD_ROOT=$build NEIGH_WATCH=$build/tests/netns/neigh-watch LAN_SH=$src/tests/netns/lan.sh
v=()
for ((i = 1; i <= reps; i++)); do
	out=$("$src/tests/netns/test-scenario-watch.sh" "$build/examples/ipto" "$build/examples/ipto-agent" 2>&1)
	ms=$(sed -n 's/^# defence on the wire \([0-9.]*\) ms after.*/\1/p' <<<"$out")
	if [ -z "$ms" ] || grep -q '^not ok' <<<"$out"; then
		echo "run $i failed:" >&2
		grep -E '^not ok|^#' <<<"$out" >&2
		exit 1
	fi
	v+=("$ms")
done
echo "defence after a conflict, $(date -u '+%Y-%m-%d %H:%M UTC'), $reps runs"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) CPUs, Linux $(uname -r); LAN: veth + bridge in namespaces"
echo
printf '%-44s %s\n' "measure" "ms median [min-max]"
printf '%-44s %s\n' "a1's gratuitous ARP -> standby's announcement" \
	"$(printf '%s\n' "${v[@]}" | sort -g | awk '{ x[NR] = $1 } END { printf "%.3f [%.3f-%.3f]", x[int((NR + 1) / 2)], x[1], x[NR] }')"
