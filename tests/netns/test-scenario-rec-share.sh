#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Exact release with sharing: a1 and then a2 (--share) on the standby's one
# takeover adapter, both in 192.0.2.0/24, so a2's address is a secondary of
# a1's. Releasing a1 must keep a2's address (deleting a primary IPv4
# address deletes its subnet's secondaries unless they are promoted), and
# a2 stays reachable.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up rec-shr- --quiet --clients 1 --actives 2 --ips 1 --takeover 1
check "c1 reaches a2" pings c1 "$A2"

lan_exec a1 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "a1's takeover exits 0" [ $rc = 0 ]
lan_exec a2 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once
check "a2 without --share: no free adapter, exit 1 ($rc)" [ $rc = 1 ]
ipto_on sb "${C[@]}" takeover --fail a2 --share --schedule once
check "a2 with --share exits 0 ($rc: $err)" [ $rc = 0 ]
check "tk1 carries both: $(addrs sb tk1)" [ "$(addrs sb tk1)" = "$A1/24 $A2/24 " ]
check "a2's is the secondary" eval 'lan_exec sb ip -o addr show dev tk1 | grep "$A2/24" | grep -q secondary'
check "c1 follows a2 to tk1" follows c1 "$A2" "$(lan_mac sb tk1)"

ipto_on sb "${C[@]}" release --fail a1
check "release --fail a1 exits 0 ($rc: $err)" [ $rc = 0 ]
check "a1's address left tk1, a2's stayed: $(addrs sb tk1)" [ "$(addrs sb tk1)" = "$A2/24 " ]
check "a2's address is still marked as taken over" [ "$(proto_of sb tk1 "$A2/24")" = 112 ]
check "promote_secondaries is as it was (0)" \
	[ "$(lan_exec sb sysctl -n net.ipv4.conf.tk1.promote_secondaries)" = 0 ]
check "c1 still reaches a2 on the standby" pings c1 "$A2"
check "tk1 stays up while it serves a2" eval 'lan_exec sb ip -o link show tk1 | grep -q "state UP"'
finish
