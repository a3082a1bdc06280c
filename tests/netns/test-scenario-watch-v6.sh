#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-scenario-watch.sh for IPv6: the failed node wakes up and sends an
# unsolicited neighbour advertisement (Override) for its old address with
# its old MAC. `ipto watch` reports it; --policy report sends nothing (the
# clients go to a1); --policy defend advertises again from the standby's
# adapter, and the clients end on the standby's MAC.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
for p in jq tshark; do
	command -v $p >/dev/null || { echo "not ok - $p is missing (.ci/deps)"; exit 1; }
done

lan_up --prefix wch-w6- --clients 2 --actives 1 --ips 1 --takeover 1 --ipv6 || exit 1
C6=$(lan_ip6 a1)
A1MAC=$(lan_mac a1 eth0)
E=$(lan_mac sb tk1)
sc_conf "a1 $C6/64 mac=$A1MAC" tk1
for c in c1 c2; do
	check "$c reaches C6 on a1" pings $c "$C6"
	check "$c has a1's MAC for C6" [ "$(entry $c "$C6")" = "$A1MAC" ]
done
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover exits 0" [ $rc = 0 ]
for c in c1 c2; do
	check "$c follows the standby ($E)" follows $c "$C6" "$E"
done

# wake: a1 advertises C6 with its own MAC (its stack comes back).
wake() { lan_exec a1 "$IPTO" announce -i eth0 --ip "$C6/64" >/dev/null; }
na_from() { # PCAP: the target link-layer address of each NA about C6, in order
	tshark -n -r "$1" -Y "icmpv6.type == 136 && icmpv6.nd.na.target_address == $C6" \
		-T fields -e icmpv6.opt.linkaddr 2>/dev/null | tr '\n' ' '
}
conflict() {
	wait_for "$sc_tmp/watch-$1.out" ".event == \"conflict\" and .addr == \"$C6/64\" and
		.mac == \"$A1MAC\" and .ifname == \"tk1\" and .frame == \"na\" and .defended == $2"
}

check "ipto watch --policy report starts" start_watch report
check "tshark captures on sb tk1" capture_start sb "$sc_tmp/r.pcap" -i tk1 -f icmp6
wake
check "the NA is reported, not defended" conflict report false
for c in c1 c2; do
	check "report only: $c goes to a1 ($A1MAC)" follows $c "$C6" "$A1MAC"
done
check "ipto watch exits 0 on SIGTERM" stop_watch report
cap_has "$sc_tmp/r.pcap" "icmpv6.nd.na.target_address == $C6" 1
capture_stop
seq_r=$(na_from "$sc_tmp/r.pcap")
check "the standby advertised nothing: $seq_r" [ "$seq_r" = "$A1MAC " ]

check "ipto watch --policy defend starts" start_watch defend
check "tshark captures on sb tk1" capture_start sb "$sc_tmp/d.pcap" -i tk1 -f icmp6
wake
check "the NA is reported and defended" conflict defend true
for c in c1 c2; do
	check "defend: $c ends on the standby ($E)" follows $c "$C6" "$E"
done
check "ipto watch exits 0 on SIGTERM" stop_watch defend
cap_has "$sc_tmp/d.pcap" "icmpv6.nd.na.target_address == $C6" 2
capture_stop
seq_d=$(na_from "$sc_tmp/d.pcap")
check "the NA right after a1's is the standby's, from $E: $seq_d" [ "$seq_d" = "$A1MAC $E " ]
finish
