#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The patent's Fig. 4 and Fig. 5 on real kernels: terminals 41 and 44 (c1,
# c2), active system 49 (a1) with two IPs C and D, standby 53 (sb) whose
# adapter 50 receives the instructions and doubles as a takeover adapter
# (mgmt, flagged management), plus one spare takeover adapter 51 (tk1).
# a1 picks one IP at a time (ST12, ST17), instructs the standby, and only
# after the reply brings that IP down (ST13); at the end its adapter. The
# spare adapter is used first ([0093]), then the management adapter; each
# IP keeps the MAC of the adapter it lands on, and each terminal follows
# (ST15).
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix iptosc-f4- --clients 2 --actives 1 --ips 2 --takeover 1 --second-subnet ||
	exit 1
C=$(lan_ip4 a1 1)
D=$(lan_ip4 a1 2)
A1MAC=$(lan_mac a1 eth0)
MGMTMAC=$(lan_mac sb mgmt)
TK1MAC=$(lan_mac sb tk1)
sc_conf "a1 $C/24 $D/24 mac=$A1MAC" "mgmt management" tk1
# Removing C (a1's primary address) must not take D with it.
lan_sysctl a1 net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.eth0.promote_secondaries=1

ipto_on sb -c "$sc_tmp/cluster.conf" check
check "ipto check: two adapters (one doubling) hold a node with two IPs" [ $rc = 0 ]
check "ST11: the standby's agent waits for instructions" start_agent
for c in c1 c2; do
	for ip in "$C" "$D"; do
		pings $c "$ip"
		check "$c reaches $ip on a1 (entry $A1MAC)" [ "$(entry $c "$ip")" = "$A1MAC" ]
	done
done

# ST12-ST17: one IP at a time.
declare -A WANT=([$C]=tk1 [$D]=mgmt)
for ip in "$C" "$D"; do
	want=${WANT[$ip]}
	instruct a1 takeover a1 "$ip"
	check "ST13: instruction for $ip answered ok" [ $rc = 0 ]
	check "ST14: $ip went on $want: $out" [ "$out" = "$ip/24 on $want $(lan_mac sb "$want")" ]
	check "ST14: ip addr on the standby shows $ip on $want" has_addr sb "$want" "$ip/24"
	lan_exec a1 ip addr del "$ip/24" dev eth0
	check "ST13: a1 brought $ip down after the reply" [ -z "$(lan_exec a1 ip -o addr show to "$ip")" ]
	for c in c1 c2; do
		check "ST15: $c maps $ip to $want's own MAC" follows $c "$ip" "$(lan_mac sb "$want")"
	done
done
lan_exec a1 ip link set eth0 down

check "the spare adapter tk1 carries C only" [ "$(addrs sb tk1)" = "$C/24 " ]
check "the management adapter keeps its own addresses and carries D" \
	[ "$(addrs sb mgmt)" = "$D/24 192.0.2.2/24 198.51.100.2/24 " ]
check "the standby's MACs are its own (mgmt $MGMTMAC, tk1 $TK1MAC)" \
	[ "$(lan_exec sb cat /sys/class/net/mgmt/address /sys/class/net/tk1/address | tr '\n' ' ')" = "$MGMTMAC $TK1MAC " ]
for c in c1 c2; do
	for ip in "$C" "$D" 192.0.2.2; do
		check "$c reaches $ip on the standby" pings $c "$ip"
	done
done
# ARP flux: tk1 sits on the same LAN as mgmt; only the adapter that holds
# D may answer for it.
replies=$(lan_exec c2 arping -b -c 100 -w 2 -I eth0 "$D" 2>/dev/null |
	grep -o '\[[0-9A-Fa-f:]*\]' | tr -d '[]' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ')
check "only mgmt answers ARP for D (no ARP flux): $replies" [ "$replies" = "$MGMTMAC " ]
replies=$(lan_exec c2 arping -b -c 100 -w 2 -I eth0 "$C" 2>/dev/null |
	grep -o '\[[0-9A-Fa-f:]*\]' | tr -d '[]' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ')
check "only tk1 answers ARP for C: $replies" [ "$replies" = "$TK1MAC " ]
finish
