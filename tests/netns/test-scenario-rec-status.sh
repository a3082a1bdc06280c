#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ipto status --json` matches the kernel: every address the kernel marks
# as taken over (read with a raw dump, addr-dump.py) is listed with its
# node, adapter and the adapter's MAC (from `ip -j link`), and nothing
# else; health flags and exit codes follow what is broken by hand.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up rec-st- --management --clients 1 --actives 2 --ips 2 --takeover 3

# status_json: sets $rc and $out (the JSON).
status_json() { ipto_on sb "${C[@]}" status --json "$@"; }

status_json
check "nothing held yet: exit 3 ($rc)" [ $rc = 3 ]
check "... and an empty list" [ "$(jq -c .addresses <<<"$out")" = "[]" ]

lan_exec a1 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "a1's takeover exits 0" [ $rc = 0 ]
status_json
check "all held and healthy: exit 0 ($rc)" [ $rc = 0 ]
from_status=$(jq -r '.addresses[] | "\(.adapter) \(.ip)"' <<<"$out" | sort | tr '\n' ';')
check "status lists exactly what the kernel marks: '$from_status' = '$(marked sb)'" \
	[ "$from_status" = "$(marked sb)" -a -n "$from_status" ]
macs_ok=1
while read -r ifn mac node; do
	kmac=$(lan_exec sb ip -j link show dev "$ifn" | jq -r '.[0].address')
	[ "$mac" = "$kmac" ] && [ "$node" = a1 ] || macs_ok=0
done < <(jq -r '.addresses[] | "\(.adapter) \(.mac) \(.node)"' <<<"$out")
check "each entry has its adapter's MAC (ip -j link) and node a1" [ $macs_ok = 1 ]
check "no health flag" [ "$(jq -c '[.addresses[].health[]]' <<<"$out")" = "[]" ]

ipto_on sb "${C[@]}" status --node a2
check "status --node a2: none of a2's addresses here: exit 3 ($rc)" [ $rc = 3 ]
ipto_on sb "${C[@]}" status --node zz
check "status --node zz: usage error 2 ($rc)" [ $rc = 2 ]
ipto_on sb status
check "status without a description: usage error 2 ($rc)" [ $rc = 2 ]

lan_exec sb ip link set tk1 down
status_json
check "tk1 down: exit 1 ($rc)" [ $rc = 1 ]
check "... $A11 flagged adapter_down" \
	[ "$(jq -r --arg a "$A11/24" '.addresses[] | select(.ip == $a) | .health | join(",")' <<<"$out")" = adapter_down ]
lan_exec sb ip link set tk1 up
lan_sysctl sb net.ipv4.conf.tk2.arp_ignore=0
status_json
check "tk2 arp_ignore=0: exit 1, $A12 flagged arp_unguarded" \
	[ $rc = 1 -a "$(jq -r --arg a "$A12/24" '.addresses[] | select(.ip == $a) | .health | join(",")' <<<"$out")" = arp_unguarded ]
lan_sysctl sb net.ipv4.conf.tk2.arp_ignore=1 net.ipv4.conf.tk3.arp_ignore=0
status_json
check "idle tk3 with arp_ignore=0 would answer: every IPv4 entry flagged other_interface_answers" \
	[ $rc = 1 -a "$(jq -r '[.addresses[].health | join(",")] | unique | join(";")' <<<"$out")" = other_interface_answers ]
lan_sysctl sb net.ipv4.conf.tk3.arp_ignore=1
lan_exec sb ip addr del "$A12/24" dev tk2
status_json
check "$A12 deleted by hand: exit 1, listed as missing" \
	[ $rc = 1 -a "$(jq -r --arg a "$A12/24" '.addresses[] | select(.ip == $a) | "\(.held) \(.health | join(","))"' <<<"$out")" = "false missing" ]
ipto_on sb "${C[@]}" status
check "text status names it: $(grep "$A12" <<<"$out")" [ -n "$(grep "$A12/24 of a1: missing" <<<"$out")" ]
ipto_on sb "${C[@]}" release --fail a1
status_json
check "after the release nothing is held: exit 3 ($rc)" [ $rc = 3 ]
finish
