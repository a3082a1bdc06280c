#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The patent's dangerous case ([0035]) on real kernels: the failed active
# node could not bring anything down. a1 keeps its IP C on eth0, its
# adapter up with its own MAC, and still answers ARP for C. The standby
# takes C over anyway (ipto takeover). What a user checks:
#  - the clients follow the standby, and their traffic for C reaches the
#    standby's takeover adapter;
#  - two hosts now answer ARP for C, but with two different MACs: the
#    switch and the clients can tell them apart (the old way cloned a1's
#    MAC and could not);
#  - the standby never sends a frame with a1's MAC, and every frame it
#    sends about C carries its takeover adapter's own MAC.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

# (The management adapter is on this LAN but not in the plan.)
sc_one_ip iptosc-dg- 3
sc_reach_a1
# a1's kernel answered those pings from an entry it had just learnt, so it
# will probe each client once (unicast ARP, sender IP C, a1's MAC) after
# delay_first_probe_time: that probe would pull the client back to a1
# whenever it comes, before or after the takeover's last round. Wait (by
# the clock) until a1 has no resolution pending, so that from here on a1
# is a failed node that keeps C but sends nothing of its own.
a1_quiet() {
	local c
	for c in c1 c2; do
		case $(lan_neigh a1 "$(lan_ip4 $c)" | awk '{ print $4 }') in
		*DELAY* | *PROBE* | *INCOMPLETE*) return 1 ;;
		esac
	done
}
check "a1 has no neighbour resolution pending" lan_poll 60 a1_quiet

# Everything the standby sends, on every adapter (Linux cooked capture:
# packet type 4 = outgoing).
check "tshark captures on sb" capture_start sb "$sc_tmp/sb.pcap" -i any

# a1 "fails" but nothing of it goes down.
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover exits 0 although a1 still holds C" [ $rc = 0 ]
check "it says where C went: $(head -n1 <<<"$out")" \
	[ "$(head -n1 <<<"$out")" = "$C/24 of a1 bound on sb tk1 ($E)" ]
check "a1 still has C on eth0" has_addr a1 eth0 "$C/24"
check "a1's eth0 is still up with its own MAC" \
	[ "$(lan_exec a1 ip -br link show eth0 | awk '{ print $2, $3 }')" = "UP $A1MAC" ]
check "ip addr on the standby shows C on tk1" has_addr sb tk1 "$C/24"

# What the clients end with: the standby's adapter, once the schedule
# (which ipto takeover waited for) is over and a1 has stayed quiet.
for c in c1 c2; do
	check "$c follows the standby: C at $E" follows $c "$C" "$E"
done
rx() { lan_exec sb cat /sys/class/net/tk1/statistics/rx_packets; }
before=$(rx)
check "c1 reaches C" pings c1 "$C"
check "... and its packets arrive on the standby's tk1 ($before -> $(rx) packets)" [ "$(rx)" -gt "$before" ]
for c in c1 c2; do
	note "$c ends with: $(lan_neigh $c "$C")"
	check "$c's entry for C still holds $E" [ "$(entry $c "$C")" = "$E" ]
done

# Two hosts answer ARP for C, each with its own MAC (c3 asks; it has no
# entry and the replies are unicast to it, so c1 and c2 are not disturbed).
answers=$(lan_exec c3 arping -b -c 100 -w 2 -I eth0 "$C" 2>/dev/null |
	grep -o '\[[0-9A-Fa-f:]*\]' | tr -d '[]' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ')
expect=$(printf '%s\n' "$A1MAC" "$E" | sort | tr '\n' ' ')
check "ARP for C is answered by two distinct MACs, a1's and tk1's: $answers" [ "$answers" = "$expect" ]
check "no adapter of the standby has a1's MAC" \
	[ -z "$(lan_exec sb ip -o link show | grep -i "link/ether $A1MAC")" ]

capture_stop
out_frames=$(tshark -n -r "$sc_tmp/sb.pcap" -Y 'sll.pkttype == 4' 2>/dev/null | wc -l)
with_a1=$(tshark -n -r "$sc_tmp/sb.pcap" -Y "sll.pkttype == 4 && (sll.src.eth == $A1MAC ||
	arp.src.hw_mac == $A1MAC || eth.src == $A1MAC)" 2>/dev/null | wc -l)
about_c=$(tshark -n -r "$sc_tmp/sb.pcap" -Y "sll.pkttype == 4 && arp.src.proto_ipv4 == $C" \
	-T fields -e arp.src.hw_mac 2>/dev/null | sort | uniq -c | awk '{ print $2 "x" $1 }' | tr '\n' ' ')
note "the standby sent $out_frames frames; ARP about C by sender MAC: $about_c"
check "the standby sent frames at all ($out_frames)" [ "$out_frames" -gt 6 ]
check "the standby never sent a frame with a1's MAC" [ "$with_a1" = 0 ]
only_e() { [[ $about_c =~ ^${E}x([0-9]+)\ $ ]] && [ "${BASH_REMATCH[1]}" -ge 6 ]; }
check "every ARP frame it sent about C carries tk1's MAC (the 3 rounds x 2 styles at least)" only_e
finish
