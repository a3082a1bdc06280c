#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-defend.sh [BUILDDIR] [REPS]: how soon the standby's defence follows
# the woken node's gratuitous ARP on the wire (doc/watch.md). Runs
# tests/netns/test-scenario-watch.sh REPS times (default 3; each builds its
# own LAN, wch-w-*) and tabulates its figure: the time between a1's frame
# and the standby's announcement in the capture on the standby's adapter
# (tshark time stamps), median [min-max]. As root.
set -u
# shellcheck source=bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_scenario_env "${1:-build}"
reps=${2:-3}
v=() out=
for ((i = 1; i <= reps; i++)); do
	bench_scenario_run watch "$i" '^# defence on the wire [0-9.]+ ms after'
	ms=$(sed -n 's/^# defence on the wire \([0-9.]*\) ms after.*/\1/p' <<<"$out")
	v+=("$ms")
done
echo "defence after a conflict, $(date -u '+%Y-%m-%d %H:%M UTC'), $reps runs"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) CPUs, Linux $(uname -r); LAN: veth + bridge in namespaces"
echo
printf '%-44s %s\n' "measure" "ms median [min-max]"
printf '%-44s %s\n' "a1's gratuitous ARP -> standby's announcement" \
	"$(printf '%s\n' "${v[@]}" | bench_figure)"
