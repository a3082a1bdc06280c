#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/bench/macvlan.sh [BUILD_DIR] [--n "1 16 64"] [--reps R]
#
# Virtual takeover adapters (doc/macvlan.md): a takeover onto N macvlans
# created on demand against one onto N pre-created macvlans, and the cost
# of creating and deleting one link. The standby is a namespace whose only
# NIC (mgmt, a veth into the test LAN's bridge) is the parent; everything
# happens in namespaces made here (prefix mvlb-), removed on exit.
# Prints one table; doc/macvlan.md shows one run of it.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
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
BUILD=$(cd "${BUILD:-$SRC/build}" 2>/dev/null && pwd) || {
	echo "macvlan.sh: no build directory" >&2
	exit 2
}
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
