#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each injector (AF_PACKET, libpcap) with the libnl binder moves an IP onto
# the standby's takeover adapter and a client follows it; release takes it
# back. Without CAP_NET_ADMIN/CAP_NET_RAW the takeover fails with EPERM and
# changes nothing.
# usage: test-takeover-client.sh IPTO 'INJECTOR...'
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"
ipto=$1
injectors=${2:-packet pcap}
[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"

nfail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; nfail=$((nfail + 1)); }

lan_up --prefix iptotc- --clients 1 --actives 1 --ips 1 --takeover 1 || exit 1
ip=$(lan_ip4 a1)
a1mac=$(lan_mac a1 eth0)
tkmac=$(lan_mac sb tk1)
cluster=(--node "a1,$ip/24,mac=$a1mac" --adapter sb,tk1)

for inj in $injectors; do
	# The client uses the active node.
	lan_exec c1 ping -n -q -c 1 -W 2 "$ip" >/dev/null ||
		bad "$inj: client reaches the active node"
	lan_neigh_wait c1 "$ip" "$a1mac" -t 15000 >/dev/null ||
		bad "$inj: client starts on the active node's MAC"
	# The active node fails (its address goes; its adapter stays up).
	lan_exec a1 ip addr del "$ip/24" dev eth0
	if lan_exec sb "$ipto" "${cluster[@]}" --injector "$inj" --schedule once \
		takeover --fail a1 >/dev/null; then
		ok "$inj: takeover exits 0"
	else
		bad "$inj: takeover exits 0"
	fi
	if us=$(lan_neigh_wait c1 "$ip" "$tkmac" -t 15000); then
		ok "$inj: client's entry moved to the takeover adapter $tkmac (${us} us)"
	else
		bad "$inj: client's entry moved to the takeover adapter ($us)"
	fi
	if lan_exec c1 ping -n -q -c 1 -W 2 "$ip" >/dev/null; then
		ok "$inj: client reaches $ip on the standby"
	else
		bad "$inj: client reaches $ip on the standby"
	fi
	# Failback: the standby releases, the active node takes its IP back
	# and announces it with the command.
	lan_exec sb "$ipto" "${cluster[@]}" --injector "$inj" release --fail a1 >/dev/null ||
		bad "$inj: release exits 0"
	if lan_exec sb ip -br addr show dev tk1 | grep -q "$ip"; then
		bad "$inj: release removed $ip from tk1"
	else
		ok "$inj: release removed $ip from tk1"
	fi
	lan_exec a1 ip addr add "$ip/24" dev eth0
	lan_exec a1 "$ipto" --injector "$inj" announce -i eth0 --ip "$ip/24" ||
		bad "$inj: the active node announces its IP again"
	if lan_neigh_wait c1 "$ip" "$a1mac" -t 15000 >/dev/null; then
		ok "$inj: client followed the failback to $a1mac"
	else
		bad "$inj: client followed the failback"
	fi
done

# Without the capabilities: EPERM, exit 1, nothing changed.
if command -v capsh >/dev/null; then
	before=$(lan_exec sb ip -br addr; lan_exec sb ip -br link; lan_exec sb sysctl net.ipv4.conf.tk1.arp_ignore)
	out=$(lan_exec sb capsh --drop=cap_net_admin,cap_net_raw -- -c \
		"$(printf '%q ' "$ipto" "${cluster[@]}" --schedule once takeover --fail a1)" 2>&1)
	rc=$?
	after=$(lan_exec sb ip -br addr; lan_exec sb ip -br link; lan_exec sb sysctl net.ipv4.conf.tk1.arp_ignore)
	if [ $rc = 1 ] && [[ $out == *"Operation not permitted"* ]]; then
		ok "without capabilities: exit 1, EPERM"
	else
		bad "without capabilities: exit 1, EPERM (got $rc: $out)"
	fi
	if [ "$before" = "$after" ]; then
		ok "without capabilities: nothing changed"
	else
		bad "without capabilities: nothing changed"
	fi
	# With CAP_NET_ADMIN and CAP_NET_RAW only (every other capability
	# dropped from the bounding set, so uid 0 has just those two), the
	# takeover works: full root is not needed.
	others=$(capsh --print | sed -n 's/^Bounding set =//p' | tr ',' '\n' |
		grep -v -x -e cap_net_admin -e cap_net_raw | paste -sd, -)
	lan_exec a1 ip addr del "$ip/24" dev eth0 2>/dev/null
	if lan_exec sb capsh --drop="$others" -- -c \
		"grep -q '^CapEff:.*0000000000003000\$' /proc/self/status &&
		 $(printf '%q ' "$ipto" "${cluster[@]}" --schedule once takeover --fail a1) >/dev/null"; then
		ok "with only CAP_NET_ADMIN + CAP_NET_RAW: takeover exits 0"
	else
		bad "with only CAP_NET_ADMIN + CAP_NET_RAW: takeover exits 0"
	fi
	if lan_neigh_wait c1 "$ip" "$tkmac" -t 15000 >/dev/null; then
		ok "with only CAP_NET_ADMIN + CAP_NET_RAW: the client followed"
	else
		bad "with only CAP_NET_ADMIN + CAP_NET_RAW: the client followed"
	fi
else
	bad "capsh not found (libcap2-bin; .ci/deps installs it)"
fi

[ $nfail = 0 ] || { echo "$nfail check(s) failed"; exit 1; }
