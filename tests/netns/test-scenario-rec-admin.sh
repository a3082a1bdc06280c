#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An administrator's addresses survive a takeover and its release:
#  - one of a1's own addresses, put on tk1 by hand before the failure: the
#    takeover finds it (and leaves it unmarked), status calls it
#    "unmarked" (present, not held by libipto: exit 1), the release
#    leaves it;
#  - 192.0.2.201/24 put on tk2 by hand after the takeover (a secondary of
#    the taken address there): the release deletes the taken primary and
#    keeps it.
# Release removes exactly the addresses the kernel marks as taken over.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up rec-adm- --quiet --clients 1 --actives 1 --ips 2 --takeover 2
ADM=192.0.2.201

lan_exec a1 ip link set eth0 down
lan_exec sb ip addr add "$A11/24" dev tk1
check "the administrator's $A11 on tk1 carries no mark: $(proto_of sb tk1 "$A11/24")" \
	[ "$(proto_of sb tk1 "$A11/24")" = null ]
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "takeover exits 0 ($rc: $err)" [ $rc = 0 ]
check "it found $A11 on tk1: $(head -n1 <<<"$out")" [ -n "$(grep "$A11/24 of a1 already on sb tk1" <<<"$out")" ]
check "... and left it unmarked" [ "$(proto_of sb tk1 "$A11/24")" = null ]
check "it added $A12 on tk2, marked" [ "$(proto_of sb tk2 "$A12/24")" = 112 ]
ipto_on sb "${C[@]}" status --json
check "status: the administrator's $A11 is there but not held: degraded, exit 1 ($rc)" [ $rc = 1 ]
check "... $A11 is unmarked on tk1, not missing; $A12 held on tk2: $(jq -c '[.addresses[] | [.ip, .held, .health, .unmarked_on, .adapter]]' <<<"$out")" \
	[ "$(jq -c '[.addresses[] | [.ip, .held, .health, .unmarked_on, .adapter]]' <<<"$out")" = \
	  "[[\"$A11/24\",false,[\"unmarked\"],\"tk1\",null],[\"$A12/24\",true,[],null,\"tk2\"]]" ]
check "... counted as unmarked ($(jq -c '[.held, .missing, .unmarked, .unhealthy]' <<<"$out"))" \
	[ "$(jq -c '[.held, .missing, .unmarked, .unhealthy]' <<<"$out")" = "[1,0,1,1]" ]
ipto_on sb "${C[@]}" status
check "... the text says so: $(grep "$A11/" <<<"$out")" \
	[ "$(grep "$A11/" <<<"$out")" = "$A11/24 of a1 (on tk1, not added by libipto): unmarked" ]
lan_exec sb ip addr add "$ADM/24" dev tk2
check "the administrator's $ADM is a secondary of $A12 on tk2" \
	eval 'lan_exec sb ip -o addr show dev tk2 | grep "$ADM/24" | grep -q secondary'

ipto_on sb "${C[@]}" release --fail a1
check "release exits 0 ($rc: $err)" [ $rc = 0 ]
check "tk1 keeps the administrator's $A11: $(addrs sb tk1)" [ "$(addrs sb tk1)" = "$A11/24 " ]
check "tk2 keeps the administrator's $ADM, the taken $A12 is gone: $(addrs sb tk2)" \
	[ "$(addrs sb tk2)" = "$ADM/24 " ]
check "nothing is marked as taken over any more: '$(marked sb)'" [ -z "$(marked sb)" ]
finish
