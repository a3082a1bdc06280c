#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-probe.sh [BUILDDIR] [REPS]: the cost of probing before binding
# (ipto_probe, doc/watch.md), on a LAN of namespaces (wch-bp-*) it builds:
# the standby probes from tk1; a1 holds the "in use" addresses. As root.
set -u
build=$(realpath "${1:-build}")
reps=${2:-5}
# shellcheck source=../netns/lan.sh
. "$(dirname "$0")/../netns/lan.sh"
[ "$(id -u)" = 0 ] || lan_skip "needs root"
export IPTO_BUILD_ROOT=$build
lan_up --prefix wch-bp- --clients 1 --actives 1 --ips 1 --takeover 1 --ipv6 >/dev/null || exit 1
echo "ipto_probe cost, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) CPUs, Linux $(uname -r); LAN: veth + bridge in namespaces"
echo "in use: a1 answers (ARP reply / NA); free: nobody answers"
echo
lan_exec sb "$build/tests/bench/bench-probe" tk1 "$(lan_ip4 a1)/24" "$(lan_ip6 a1)/64" "$reps"
