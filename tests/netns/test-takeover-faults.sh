#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A takeover failing at each mutating step, against a real kernel, leaves
# `ip addr`, link state and the ARP sysctls of every adapter as they were.
# usage: test-takeover-faults.sh PROGRAM 'INJECTOR...'
set -eu
prog=$1
injectors=${2:-packet pcap}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
# Names unique per run (the PID and mktemp's random part): two runs at
# once, or a namespace left by a killed run, never collide.
work=$(mktemp -d)
ns=iptotk-$$-${work##*.}
peer=iptotkp-$$-${work##*.}
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$ns" || { echo "SKIP: cannot create namespaces"; exit 77; }
ip netns add "$peer"
for i in 1 2; do
	ip -n "$ns" link add tko$i address 02:00:5e:10:0a:0$i type veth \
		peer name tkp$i netns "$peer"
	ip -n "$peer" link set tkp$i up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.tko$i.accept_dad=0
done
# The adapters start down, with the kernel's default ARP sysctls.
for inj in $injectors; do
	ip netns exec "$ns" "$prog" "$inj" tko1 tko2
done
