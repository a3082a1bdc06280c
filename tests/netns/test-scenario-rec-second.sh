#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel is the record: two failures, each taken over by its own
# `ipto takeover` process with no history on the command line. The second
# reads what the first left in the kernel (addresses marked as taken over)
# and lands on the other adapter; running the first again changes nothing.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up rec-2nd- --clients 1 --actives 2 --ips 1 --takeover 2
check "c1 reaches a1 and a2" eval 'pings c1 "$A1" && pings c1 "$A2"'

lan_exec a1 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "a1's takeover exits 0 ($rc)" [ $rc = 0 ]
check "a1's address is on tk1: $(addrs sb tk1)" [ "$(addrs sb tk1)" = "$A1/24 " ]
check "the kernel marks it as taken over: protocol $(proto_of sb tk1 "$A1/24")" \
	[ "$(proto_of sb tk1 "$A1/24")" = 112 ]

lan_exec a2 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once
check "a2's takeover, without any history, exits 0 ($rc: $err)" [ $rc = 0 ]
check "a2's address went on the other adapter tk2: $(addrs sb tk2)" [ "$(addrs sb tk2)" = "$A2/24 " ]
check "tk1 still carries a1's address only: $(addrs sb tk1)" [ "$(addrs sb tk1)" = "$A1/24 " ]
check "c1 follows a2's address to tk2" follows c1 "$A2" "$(lan_mac sb tk2)"

before=$(snapshot sb)
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "taking a1 over again exits 0 and says so: $out" \
	[ $rc = 0 -a -n "$(grep 'taken over here already' <<<"$out")" ]
check "... and changes nothing" [ "$(snapshot sb)" = "$before" ]

ipto_on sb "${C[@]}" plan --fail a2
check "plan (no kernel) still shows the description's own plan" [ $rc = 0 ]
finish
