#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Release and failback on real kernels: after a takeover, the recovered
# active node gets its addresses back and the clients follow it home.
#  1. through the agent: a1 instructs the takeover IP by IP; then, while
#     the standby is still announcing, a1 recovers and instructs "release
#     a1"; the standby removes the addresses and stops announcing them; a1
#     re-adds them and announces them itself (ipto announce);
#  2. through the ipto command on the standby: takeover, then release.
# Assertions: ip addr on the standby, the clients' neighbour tables, ping,
# exit codes.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix iptosc-fb- --clients 2 --actives 1 --ips 2 --takeover 2 --second-subnet ||
	exit 1
IP1=$(lan_ip4 a1 1)
IP2=$(lan_ip4 a1 2)
A1MAC=$(lan_mac a1 eth0)
sc_conf "a1 $IP1/24 $IP2/24 mac=$A1MAC" tk1 tk2
quiet_adapters sb mgmt
lan_sysctl a1 net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.eth0.promote_secondaries=1
initial=$(lan_exec sb ip addr show)
check "the standby's agent listens" start_agent -v
for c in c1 c2; do pings $c "$IP1"; pings $c "$IP2"; done

# --- 1. takeover and failback through the agent --------------------------------
for ip in "$IP1" "$IP2"; do
	instruct a1 takeover a1 "$ip"
	check "takeover of $ip answered ok" [ $rc = 0 ]
	lan_exec a1 ip addr del "$ip/24" dev eth0
done
for c in c1 c2; do
	check "$c follows $IP1 to tk1" follows $c "$IP1" "$(lan_mac sb tk1)"
	check "$c follows $IP2 to tk2" follows $c "$IP2" "$(lan_mac sb tk2)"
done

# a1 recovers while the standby's schedules (2.2 s) still run.
instruct a1 release a1
check "release answered ok: $out" [ $rc = 0 ]
check "ip addr on the standby: tk1 and tk2 are empty again" \
	[ "$(addrs sb tk1)$(addrs sb tk2)" = "" ]
instruct a1 release a1
check "a second release: exit 1 with EALREADY (114)" [ $rc = 1 -a -n "$(grep 'errno 114' <<<"$err")" ]
lan_exec a1 ip addr add "$IP1/24" dev eth0
lan_exec a1 ip addr add "$IP2/24" dev eth0
ipto_on a1 announce --interface eth0 --ip "$IP1/24,$IP2/24" --count 3 --interval 1100
check "a1 announces its addresses itself: $out" \
	[ $rc = 0 -a "$out" = "sent 4 frame(s) from eth0 ($A1MAC), 3 round(s)" ]
for c in c1 c2; do
	check "$c follows $IP1 back to a1" follows $c "$IP1" "$A1MAC"
	check "$c follows $IP2 back to a1" follows $c "$IP2" "$A1MAC"
	check "$c reaches both on a1" eval 'pings $c "$IP1" && pings $c "$IP2"'
done
# ipto announce took 2.2 s, as long as the standby's schedules would have
# run: had the agent kept announcing released addresses, the clients would
# be back on the standby by now.
for c in c1 c2; do
	check "$c still maps both to a1" [ "$(entry $c "$IP1") $(entry $c "$IP2")" = "$A1MAC $A1MAC" ]
done
check "the agent ended no schedule: release stopped them" \
	[ "$(grep -c 'schedule complete' "$sc_tmp/agent.log")" = 0 ]
instruct a1 takeover a1 "$IP1"
check "after a release the node can be taken over again" [ $rc = 0 -a "$out" = "$IP1/24 on tk1 $(lan_mac sb tk1)" ]
instruct a1 release a1
check "... and released again" [ $rc = 0 ]
lan_exec a1 "$IPTO" announce -i eth0 --ip "$IP1/24" >/dev/null

# --- 2. takeover and release through the ipto command -------------------------------
lan_exec a1 ip link set eth0 down
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover exits 0" [ $rc = 0 ]
for c in c1 c2; do
	check "$c follows $IP1 to tk1" follows $c "$IP1" "$(lan_mac sb tk1)"
done
ipto_on sb -c "$sc_tmp/cluster.conf" release --fail a1
check "ipto release exits 0" [ $rc = 0 ]
check "it says what it removed: $(tr '\n' ';' <<<"$out")" \
	[ "$(tr '\n' ';' <<<"$out")" = "$IP1/24 of a1 removed from sb tk1 ($(lan_mac sb tk1));$IP2/24 of a1 removed from sb tk2 ($(lan_mac sb tk2));" ]
check "ip addr on the standby is as before the first takeover" \
	[ "$(lan_exec sb ip addr show)" = "$initial" ]
ipto_on sb -c "$sc_tmp/cluster.conf" release --fail a1
check "releasing again is harmless (exit 0, nothing held there)" \
	[ $rc = 0 -a -n "$(grep 'a1: nothing held here' <<<"$out")" ]
lan_exec a1 ip link set eth0 up
ipto_on a1 announce --interface eth0 --ip "$IP1/24,$IP2/24" --count 2 --interval 1100
for c in c1 c2; do
	check "$c follows both back to a1" eval 'follows $c "$IP1" "$A1MAC" && follows $c "$IP2" "$A1MAC"'
	check "$c reaches both on a1" eval 'pings $c "$IP1" && pings $c "$IP2"'
done
check "the agent stops on SIGTERM, exit 0" stop_agent
finish
