#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/bench/macvlan.sh [BUILD_DIR] [--n "1 16 64"] [--reps R]
#
# Virtual takeover adapters (doc/macvlan.md): a takeover onto N macvlans
# created on demand against one onto N pre-created macvlans, and the cost
# of creating and deleting one link; then `ipto release` as a process
# (wall time from exec to exit, teardown included) with N on-demand links
# against N pre-created ones, and when the detached reaper has deleted the
# on-demand links. The standby is a namespace whose only
# NIC (mgmt, a veth into the test LAN's bridge) is the parent; everything
# happens in namespaces made here (prefix mvlb-), removed on exit.
# Prints one table; doc/macvlan.md shows one run of it.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench-lib.sh
. "$SRC/tests/bench/bench-lib.sh"
BUILD=
NS_LIST="1 16 64"
REPS=7
while [ $# -gt 0 ]; do
	case $1 in
	--n) NS_LIST=$2; shift ;;
	--reps) REPS=$2; shift ;;
	-*) sed -n '4,12p' "$0" >&2; exit 2 ;;
	*) BUILD=$1 ;;
	esac
	shift
done
bench_build macvlan.sh "$BUILD"
export IPTO_BUILD_ROOT=$BUILD
# shellcheck source=../netns/lan.sh
. "$SRC/tests/netns/lan.sh"
lan_up --prefix mvlb- --clients 1 --actives 1 --ips 1 --takeover 0 || exit 1
echo "libipto macvlan benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //;s/ [0-9]*-Core.*//'), $(nproc) CPUs, Linux $(uname -r)"
echo "standby: one veth NIC (parent), N macvlans in bridge mode; $REPS runs each, median [min-max]"
echo "takeover = ipto_takeover_start(): links (on demand) + addresses + first announcement"
echo
# shellcheck disable=SC2086
ip netns exec "$(lan_ns sb)" "$BUILD/tests/bench/bench-macvlan" mgmt "$REPS" $NS_LIST

# --- ipto release, the whole process ------------------------------------
IPTO=$BUILD/examples/ipto
[ -x "$IPTO" ] || { echo "macvlan.sh: no $IPTO" >&2; exit 1; }
conf=$(mktemp)
lan_atexit "rm -f '$conf'"
# ms_since T0_NS: milliseconds since T0_NS (date +%s%N), 2 decimals.
ms_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e6 }'; }
# stats V...: "median [min-max]"
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s [%s-%s]", v[int(NR / 2) + 1], v[1], v[NR] }'; }
on_sb() { ip netns exec "$(lan_ns sb)" "$@"; }
links() { on_sb ls /sys/class/net | grep -c '^ipto[0-9]'; }
# gone_within: polls (5 s at most) until no ipto link is left; 0 when gone.
gone_within() {
	local end=$(($(date +%s) + 5))
	while [ "$(links)" != 0 ]; do
		[ "$(date +%s)" -lt $end ] || return 1
		sleep 0.005
	done
}
echo
echo "ipto release --fail a1 as a process (exec to exit), N addresses; $REPS runs each, median [min-max]"
echo "links gone = from the release's exec until the detached reaper has deleted the last on-demand link"
printf '%-4s %-28s %-28s %-28s\n' N "on-demand release ms" "pre-created release ms" "links gone ms"
for n in $NS_LIST; do
	{
		printf 'node a1'
		for ((i = 0; i < n; i++)); do printf ' 198.51.100.%d/24' $((10 + i)); done
		echo " mac=$(lan_mac a1 eth0)"
		echo "adapter sb mgmt management"
		echo "adapter sb macvlan:mgmt count $n"
	} >"$conf"
	od=() pre=() gone=()
	# release_from: t0 (date +%s%N), then ipto release --fail a1 (exit 1
	# when it fails).
	release_from() {
		t0=$(date +%s%N)
		on_sb "$IPTO" -c "$conf" release --fail a1 >/dev/null ||
			{ echo "macvlan.sh: release failed" >&2; exit 1; }
	}
	for ((r = 0; r < REPS; r++)); do
		on_sb "$IPTO" -c "$conf" takeover --fail a1 --schedule once >/dev/null ||
			{ echo "macvlan.sh: takeover failed" >&2; exit 1; }
		release_from
		od+=("$(ms_since "$t0")")
		gone_within || { echo "macvlan.sh: the reaper left $(links) link(s)" >&2; exit 1; }
		gone+=("$(ms_since "$t0")")
		on_sb "$IPTO" -c "$conf" adapters --create -s sb >/dev/null &&
			on_sb "$IPTO" -c "$conf" takeover --fail a1 --schedule once >/dev/null ||
			{ echo "macvlan.sh: pre-created takeover failed" >&2; exit 1; }
		release_from
		pre+=("$(ms_since "$t0")")
		on_sb "$IPTO" -c "$conf" adapters --delete -s sb >/dev/null
	done
	printf '%-4s %-28s %-28s %-28s\n' "$n" "$(stats "${od[@]}")" "$(stats "${pre[@]}")" \
		"$(stats "${gone[@]}")"
done
