#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A node with 1100 addresses (200 IPv4, 900 IPv6) on its own host: the
# command sizes what it reads from the kernel from the kernel's answer, so
# nothing is refused or cut short at any fixed count.
#  - `ipto reclaim --node a1 --interface eth0` binds all 1100, each marked
#    as reclaimed (protocol 113, read with a raw dump, addr-dump.py);
#  - `ipto status --node a1 --json` lists all 1100 as reclaimed on eth0
#    (exit 0), and after one is deleted by hand that one as missing (1);
#  - an administrator's copy put back by hand is "unmarked" (present, not
#    held by libipto), not "missing", and keeps status degraded (exit 1);
#  - `ipto release --fail a1` removes exactly the 1099 reclaimed ones and
#    leaves the host's own address and the administrator's copy alone.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"
command -v jq >/dev/null || { echo "not ok - jq is missing (.ci/deps)"; exit 1; }

lan_up --prefix rec-lg- --clients 1 --actives 1 --ips 1 --takeover 1 --ipv6 || exit 1
forget_record a1
OWN=$(lan_ip4 a1 1)
N4=200
N6=900
N=$((N4 + N6))
# The description: a1's addresses, 50 to a line.
{
	line="node a1"
	k=0
	for i in $(seq 20 $((20 + N4 - 1))); do
		line+=" 198.51.100.$i/24"
		k=$((k + 1))
		[ $((k % 50)) = 0 ] && { echo "$line"; line="node a1"; }
	done
	for i in $(seq 1 $N6); do
		line+=" 2001:db8:7::$i/64"
		k=$((k + 1))
		[ $((k % 50)) = 0 ] && { echo "$line"; line="node a1"; }
	done
	[ "$line" = "node a1" ] || echo "$line"
	echo "node a1 mac=$(lan_mac a1 eth0)"
	echo "adapter sb tk1 mac=$(lan_mac sb tk1)"
} >"$sc_tmp/cluster.conf"
C=(-c "$sc_tmp/cluster.conf")

# reclaimed A1: how many addresses a1's kernel marks as reclaimed (113) on eth0.
reclaimed() {
	kdump a1 | jq -r 'select(.proto == 113 and .ifname == "eth0") | .addr' | wc -l
}

ipto_on a1 "${C[@]}" reclaim --node a1 --interface eth0 --schedule once
check "reclaim of $N addresses exits 0 ($rc: $(tail -n 1 <<<"$err"))" [ $rc = 0 ]
check "the kernel marks all $N as reclaimed on eth0 ($(reclaimed))" [ "$(reclaimed)" = $N ]

ipto_on a1 "${C[@]}" status --node a1 --json
check "status --node a1: all held, exit 0 ($rc: $(tail -n 1 <<<"$err"))" [ $rc = 0 ]
check "... lists $N addresses, each reclaimed on eth0 ($(jq -c '[(.addresses | length), .held, .missing]' <<<"$out"))" \
	[ "$(jq -c '[(.addresses | length), ([.addresses[] | select(.held and .reclaimed and .adapter == "eth0")] | length), .held, .missing]' <<<"$out")" = "[$N,$N,$N,0]" ]

lan_exec a1 ip addr del 2001:db8:7::900/64 dev eth0
ipto_on a1 "${C[@]}" status --node a1 --json
check "one deleted by hand: exit 1 ($rc)" [ $rc = 1 ]
check "... it is the one missing: $(jq -c '[.addresses[] | select(.held | not) | .ip] | .[0:3]' <<<"$out")" \
	[ "$(jq -c '[.held, .missing, [.addresses[] | select(.held | not) | [.ip, .health, .unmarked_on]]]' <<<"$out")" = "[$((N - 1)),1,[[\"2001:db8:7::900/64\",[\"missing\"],null]]]" ]

# The administrator puts it back by hand: present, but not reclaim's.
lan_exec a1 ip addr add 2001:db8:7::900/64 dev eth0 nodad
ipto_on a1 "${C[@]}" status --node a1 --json
check "an administrator's copy of it: still exit 1 ($rc)" [ $rc = 1 ]
check "... listed as unmarked on eth0, not missing: $(jq -c '[.addresses[] | select(.held | not) | [.ip, .health, .unmarked_on]]' <<<"$out")" \
	[ "$(jq -c '[.held, .missing, .unmarked, [.addresses[] | select(.held | not) | [.ip, .health, .unmarked_on]]]' <<<"$out")" = "[$((N - 1)),0,1,[[\"2001:db8:7::900/64\",[\"unmarked\"],\"eth0\"]]]" ]
ipto_on a1 "${C[@]}" status --node a1
check "... the text says so: $(grep '::900/' <<<"$out")" \
	[ "$(grep '::900/' <<<"$out")" = "2001:db8:7::900/64 of a1 (on eth0, not added by libipto): unmarked" ]

ipto_on a1 "${C[@]}" release --fail a1
check "release --fail a1 on a1 exits 0 ($rc: $(tail -n 1 <<<"$err"))" [ $rc = 0 ]
check "... no reclaimed address is left ($(reclaimed))" [ "$(reclaimed)" = 0 ]
check "... the host's own $OWN stays on eth0" has_addr a1 eth0 "$OWN/24"
check "... the administrator's 2001:db8:7::900 stays on eth0" has_addr a1 eth0 2001:db8:7::900/64
check "... and nothing else of the description is left on eth0" \
	[ "$(lan_exec a1 ip -o addr show dev eth0 | grep -c -e ' 198\.51\.100\.' -e ' 2001:db8:7::')" = 1 ]
ipto_on a1 "${C[@]}" status --node a1 --json
check "status after the release: the unmarked copy is here, so degraded (1), not nothing held (3): $rc" \
	[ $rc = 1 ]
check "... $((N - 1)) missing, 1 unmarked ($(jq -c '[.held, .missing, .unmarked]' <<<"$out"))" \
	[ "$(jq -c '[.held, .missing, .unmarked]' <<<"$out")" = "[0,$((N - 1)),1]" ]
lan_exec a1 ip addr del 2001:db8:7::900/64 dev eth0
ipto_on a1 "${C[@]}" status --node a1
check "once it is gone too: nothing held, exit 3 ($rc)" [ $rc = 3 ]
finish
