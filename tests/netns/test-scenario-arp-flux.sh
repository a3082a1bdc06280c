#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ARP flux from the standby's adapters that the plan does not use.
#
# The takeover sets arp_ignore=1 and arp_announce=2 on every adapter of the
# standby the pool knows -- here the management adapter mgmt (described to
# the pool, flagged management, used last so not used) and the idle
# takeover adapter tk2 as well as tk1 -- so on a real kernel:
#  1. an ARP request for the taken-over address C is answered by tk1 only;
#  2. the standby's own ARP requests never carry sender IP C with another
#     adapter's MAC, so no client moves C away from tk1.
# (With the kernel defaults on mgmt and tk2 both went wrong: several
# answers, and mgmt's requests moved every client's entry to mgmt.)
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix iptosc-fx- --clients 2 --actives 1 --ips 1 --takeover 2 || exit 1
C=$(lan_ip4 a1)
TK1=$(lan_mac sb tk1)
sc_conf "a1 $C/24 mac=$(lan_mac a1 eth0)" "mgmt management" tk1 tk2
for c in c1 c2; do pings $c "$C"; done
# a1 fails cleanly: its address and adapter go down.
lan_exec a1 ip addr del "$C/24" dev eth0
lan_exec a1 ip link set eth0 down
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover puts C on tk1: $(head -n1 <<<"$out")" \
	[ $rc = 0 -a "$(head -n1 <<<"$out")" = "$C/24 of a1 bound on sb tk1 ($TK1)" ]
for c in c1 c2; do
	check "$c follows the announcement to tk1" follows $c "$C" "$TK1"
done
note "arp_ignore/arp_announce on the standby:" \
	"$(lan_exec sb sh -c 'for i in mgmt tk1 tk2; do echo "$i $(cat /proc/sys/net/ipv4/conf/$i/arp_ignore) $(cat /proc/sys/net/ipv4/conf/$i/arp_announce)"; done' | tr '\n' ';')"

# 1. Who answers ARP for C?
answers=$(lan_exec c2 arping -b -c 100 -w 2 -I eth0 "$C" 2>/dev/null |
	grep -o '\[[0-9A-Fa-f:]*\]' | tr -d '[]' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ')
check "only tk1 answers ARP for C (got: $answers)" [ "$answers" = "$TK1 " ]

# 2. The standby answers c1; c1's entry must stay at tk1.
check "c1 reaches C" pings c1 "$C"
note "c1 after the standby answered: $(lan_neigh c1 "$C")"
check "c1's entry for C still holds tk1's MAC after talking to the standby" \
	[ "$(entry c1 "$C")" = "$TK1" ]
finish
