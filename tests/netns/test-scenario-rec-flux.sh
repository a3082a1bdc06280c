#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No ARP flux from any interface of the standby host. The description lists
# only the takeover adapters tk1, tk2; the standby's primary interface mgmt
# sits on the same LAN, unlisted, with the kernel's defaults
# (arp_ignore=0). After the takeover exactly one MAC (tk1's) answers ARP
# for the taken address: c1's arping counts the distinct replying MACs.
# The release puts mgmt's settings back. A taken address already on an
# interface outside the pool (here mgmt) is refused: exit 1, nothing
# changed.
# Failback: the recovered a1 has a second interface hb0 on the same LAN
# (another subnet, the kernel's defaults). Its reclaim guards hb0 (never
# its own eth0), so exactly one MAC answers for the reclaimed address,
# a1's eth0; releasing the reclaim puts hb0's settings back.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up rec-flux- --need arping --clients 1 --actives 2 --ips 1 --takeover 2
settings() {
	lan_exec sb sysctl -n net.ipv4.conf.mgmt.arp_ignore net.ipv4.conf.mgmt.arp_announce | tr '\n' ' '
}
# macs_answering ADDR: the distinct MACs that answer c1's ARP requests.
macs_answering() {
	lan_exec c1 arping -b -c 20 -w 5 -I eth0 "$1" 2>/dev/null |
		grep -o '\[[0-9A-Fa-f:]*\]' | tr -d '[]' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' '
}
check "mgmt starts with the kernel's defaults: $(settings)" [ "$(settings)" = "0 0 " ]

lan_exec a1 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "a1's takeover exits 0" [ $rc = 0 ]
check "the unlisted mgmt is guarded: $(settings)" [ "$(settings)" = "1 2 " ]
answers=$(macs_answering "$A1")
check "exactly one MAC answers ARP for $A1, tk1's: $answers" [ "$answers" = "$(lan_mac sb tk1) " ]

# a2's address already sits on mgmt (outside the pool).
lan_exec a2 ip link set eth0 down
lan_exec sb ip addr add "$A2/24" dev mgmt
before=$(snapshot sb)
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once
check "taking over an address that is on mgmt exits 1 ($rc)" [ $rc = 1 ]
check "... with a clear line: $err" [ -n "$(grep -i "already on interface" <<<"$err")" ]
check "... and changes nothing" [ "$(snapshot sb)" = "$before" ]
lan_exec sb ip addr del "$A2/24" dev mgmt

ipto_on sb "${C[@]}" release --fail a1
check "release exits 0" [ $rc = 0 ]
check "mgmt's settings are back: $(settings)" [ "$(settings)" = "0 0 " ]

# a1 boots again without its address, with hb0 next to eth0.
a1_settings() {
	lan_exec a1 sysctl -n net.ipv4.conf.eth0.arp_ignore net.ipv4.conf.eth0.arp_announce \
		net.ipv4.conf.hb0.arp_ignore net.ipv4.conf.hb0.arp_announce | tr '\n' ' '
}
lan_add_port a1 hb0 && lan_exec a1 ip addr add 198.51.100.11/24 dev hb0 || exit 1
lan_exec a1 ip addr del "$A1/24" dev eth0
lan_exec a1 ip link set eth0 up
check "a1's eth0 and hb0 start with the kernel's defaults: $(a1_settings)" \
	[ "$(a1_settings)" = "0 0 0 0 " ]
ipto_on a1 "${C[@]}" reclaim --node a1 --interface eth0 --schedule once
check "a1's reclaim exits 0 ($rc)" [ $rc = 0 ]
check "hb0 is guarded, eth0 is left as it was: $(a1_settings)" \
	[ "$(a1_settings)" = "0 0 1 2 " ]
answers=$(macs_answering "$A1")
check "exactly one MAC answers ARP for $A1, a1 eth0's: $answers" \
	[ "$answers" = "$(lan_mac a1 eth0) " ]
ipto_on a1 "${C[@]}" release --fail a1
check "releasing the reclaim exits 0 ($rc)" [ $rc = 0 ]
check "... removes $A1" [ -z "$(lan_exec a1 ip -br addr show dev eth0 | grep " $A1/")" ]
check "... and puts hb0's settings back: $(a1_settings)" [ "$(a1_settings)" = "0 0 0 0 " ]
finish
