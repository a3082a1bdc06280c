#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# IPv6 on real kernels: an active node with one IPv4 and one IPv6 address
# instructs the standby to take the whole node over ("takeover a1", all or
# nothing). Each address goes on its own takeover adapter with that
# adapter's MAC; the IPv6 one is usable at once (no DAD wait) and is
# announced with unsolicited neighbour advertisements (Override set), and
# the clients' neighbour tables follow in both families.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix iptosc-v6- --clients 2 --actives 1 --ips 1 --takeover 2 --ipv6 \
	--second-subnet || exit 1
V4=$(lan_ip4 a1)
V6=$(lan_ip6 a1)
TK1=$(lan_mac sb tk1)
TK2=$(lan_mac sb tk2)
sc_conf "a1 $V4/24 $V6/64 mac=$(lan_mac a1 eth0)" tk1 tk2
quiet_adapters sb mgmt
check "the standby's agent listens" start_agent -v
for c in c1 c2; do
	check "$c reaches $V6 on a1" pings $c "$V6"
	check "$c's IPv6 neighbour entry holds a1's MAC" [ "$(entry $c "$V6")" = "$(lan_mac a1 eth0)" ]
	pings $c "$V4"
done
ipto_on sb -c "$sc_tmp/cluster.conf" plan --fail a1
check "the plan: IPv4 on tk1, IPv6 on tk2, NA to ff02::1" \
	[ "$(grep '^bind' <<<"$out" | tr '\n' ';')" = "bind $V4/24 of a1 on sb tk1 $TK1, announce to 192.0.2.255;bind $V6/64 of a1 on sb tk2 $TK2, announce to ff02::1;" ]

check "tshark captures on c2" capture_start c2 "$sc_tmp/c2.pcap" -i eth0 -f 'icmp6'

instruct a1 takeover a1
check "the whole-node instruction is answered ok: $out" [ $rc = 0 ]
check "the reply lists both addresses" [ "$out" = "$V4/24 on tk1 $TK1; $V6/64 on tk2 $TK2" ]
lan_exec a1 ip addr del "$V4/24" dev eth0
lan_exec a1 ip addr del "$V6/64" dev eth0

check "ip addr on the standby: $V6/64 on tk2" has_addr sb tk2 "$V6/64"
check "... not tentative (no DAD wait)" [ -z "$(lan_exec sb ip -6 addr show dev tk2 tentative)" ]
check "ip addr on the standby: $V4/24 on tk1" has_addr sb tk1 "$V4/24"
for c in c1 c2; do
	check "$c's IPv6 entry follows to tk2" follows $c "$V6" "$TK2"
	check "$c's IPv4 entry follows to tk1" follows $c "$V4" "$TK1"
	check "$c reaches $V6 on the standby" pings $c "$V6"
	check "$c reaches $V4 on the standby" pings $c "$V4"
done

na_frames() {
	tshark -n -r "$sc_tmp/c2.pcap" -Y "icmpv6.type == 136 && icmpv6.nd.na.target_address == $V6 &&
		icmpv6.nd.na.flag.o == 1 && icmpv6.nd.na.flag.s == 0 &&
		icmpv6.opt.linkaddr == $TK2 && ipv6.dst == ff02::1 && eth.src == $TK2" 2>/dev/null | wc -l
}
lan_poll 60 log_count_ge "$sc_tmp/agent.log" 'schedule complete' 1
three_frames() { [ "$(na_frames)" -ge 3 ]; }
lan_poll 30 three_frames
capture_stop
na=$(na_frames)
check "c2 received an unsolicited NA (Override, from tk2's MAC) in each of the 3 rounds: $na" [ "$na" = 3 ]
wrong=$(tshark -n -r "$sc_tmp/c2.pcap" -Y "icmpv6.type == 136 && icmpv6.nd.na.target_address == $V6 &&
	icmpv6.opt.linkaddr != $TK2" 2>/dev/null | wc -l)
check "no advertisement for $V6 carried another MAC" [ "$wrong" = 0 ]
finish
