#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Failback, measured with clients: the standby releases (`ipto release
# --fail a1,a2`: it sends nothing and returns at once), then each
# recovered node reclaims (`ipto reclaim --node N --interface eth0`: binds
# its address where missing, marked as reclaimed, and announces it with
# eth0's own MAC on the default schedule).
# Clients: c1 with the kernel's defaults, c2 with drop_gratuitous_arp=1.
# Entries: a2 was taken over with the default schedule (2.2 s) before the
# failback, a1 right before it (--schedule once): the table shows how long
# before the reclaim each takeover started.
# Prints, by the clock, how long each client took to map each address to
# its node's MAC, and how long the release took; asserts only that every
# client converges. Then `ipto release --fail a1` on a1 removes exactly
# what reclaim added there, not the administrator's address.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up rec-fb- --quiet --clients 2 --actives 2 --ips 1 --takeover 2
lan_sysctl c2 net.ipv4.conf.eth0.drop_gratuitous_arp=1
for c in c1 c2; do pings $c "$A1"; pings $c "$A2"; done

ipto_on a1 "${C[@]}" reclaim --node a1
check "reclaim without --interface is a usage error (exit 2): $err" \
	[ $rc = 2 -a -n "$(grep -- '--interface IF is required' <<<"$err")" ]
ipto_on a1 "${C[@]}" reclaim --node zz --interface eth0
check "reclaim of an unknown node is a usage error (exit 2)" [ $rc = 2 ]

# The nodes fail and lose their addresses (as after a crash and reboot).
nw=$(lan_neigh_watch_path)
lan_exec a2 ip addr del "$A2/24" dev eth0
t_tk2=$("$nw" --now)
ipto_on sb "${C[@]}" takeover --fail a2
check "a2's takeover exits 0" [ $rc = 0 ]
lan_exec a1 ip addr del "$A1/24" dev eth0
t_tk1=$("$nw" --now)
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "a1's takeover exits 0" [ $rc = 0 ]
for c in c1 c2; do
	check "$c follows $A2 to the standby's tk1" follows $c "$A2" "$(lan_mac sb tk1)"
	check "$c follows $A1 to the standby's tk2" follows $c "$A1" "$(lan_mac sb tk2)"
done

t_rel0=$(date +%s%N)
ipto_on sb "${C[@]}" release --fail a1,a2
t_rel1=$(date +%s%N)
check "release on the standby exits 0 ($rc: $err)" [ $rc = 0 ]
check "the standby holds nothing now: '$(marked sb)'" [ -z "$(marked sb)" ]
since=$("$nw" --now)
for c in c1 c2; do
	lan_exec $c "$nw" --wait "$A1" "$(lan_mac a1 eth0)" --since "$since" -t 15000 \
		>"$sc_tmp/w-$c-1" 2>&1 &
	lan_exec $c "$nw" --wait "$A2" "$(lan_mac a2 eth0)" --since "$since" -t 15000 \
		>"$sc_tmp/w-$c-2" 2>&1 &
done
lan_exec a1 "$IPTO" "${C[@]}" reclaim --node a1 --interface eth0 >"$sc_tmp/r1" 2>&1 &
r1=$!
lan_exec a2 "$IPTO" "${C[@]}" reclaim --node a2 --interface eth0 >"$sc_tmp/r2" 2>&1 &
r2=$!
wait $r1
rc1=$?
wait $r2
rc2=$?
check "reclaim on a1 and on a2 exit 0 ($rc1 $rc2: $(cat "$sc_tmp/r1" "$sc_tmp/r2" | grep ipto: | tr '\n' ' '))" \
	[ $rc1 = 0 -a $rc2 = 0 ]
check "their addresses are back on eth0, marked as reclaimed (113)" \
	[ "$(proto_of a1 eth0 "$A1/24") $(proto_of a2 eth0 "$A2/24")" = "113 113" ]
wait
note "failback: the release took $(((t_rel1 - t_rel0) / 1000000)) ms (whole process)" \
	"client  settings               address      takeover ms before   ms to the node's MAC"
all=1
for c in c1 c2; do
	s=defaults
	[ $c = c2 ] && s=drop_gratuitous_arp=1
	for k in 1 2; do
		ip=$A1 age=$(((since - t_tk1) / 1000))
		[ $k = 2 ] && ip=$A2 age=$(((since - t_tk2) / 1000))
		us=$(cat "$sc_tmp/w-$c-$k")
		if [[ $us =~ ^[0-9]+$ ]]; then
			note "$(printf '%-7s %-22s %-12s %18s %12.1f' $c $s "$ip" $age "$(echo "$us / 1000" | bc -l)")"
		else
			note "$c $ip: did not converge: $us"
			all=0
		fi
	done
done
check "every client maps each address to its node's MAC again" [ $all = 1 ]
check "c1 reaches a1 and a2" eval 'pings c1 "$A1" && pings c1 "$A2"'

# An administrator's own address on a1 stays; what reclaim added goes.
lan_exec a1 ip addr add 192.0.2.210/24 dev eth0
ipto_on a1 "${C[@]}" release --fail a1
check "release --fail a1 on a1 exits 0 ($rc: $err)" [ $rc = 0 ]
check "it removed what reclaim added and kept the administrator's: $(addrs a1 eth0)" \
	[ "$(addrs a1 eth0 | tr ' ' '\n' | grep -v '^fe80' | grep . | tr '\n' ' ')" = "192.0.2.210/24 " ]
finish
