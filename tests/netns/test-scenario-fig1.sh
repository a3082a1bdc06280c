#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The patent's Fig. 1 on real kernels: active system 6 (a1) with two IPs,
# active system 8 (a2) with one, standby 13 (sb) with the adapter 9 that
# takes instructions (mgmt) and takeover adapters 10, 11 (tk1, tk2). The
# capacity rule asks for 2 takeover adapters (the most IPs on one node),
# not 3 (the sum, as the old way of Fig. 7 needed).
#  - a1 fails: its IPs go on tk1 and tk2, each with that adapter's MAC;
#  - a2 fails too, while a1 is still taken over. When the standby has no
#    adapter left (mgmt is not a takeover adapter), ipto says so clearly,
#    exits 1 and changes nothing. When mgmt doubles as a takeover adapter
#    (as [0063] allows), a2's IP goes there and clients follow.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix iptosc-f1- --clients 2 --actives 2 --ips 2 --takeover 2 || exit 1
A11=$(lan_ip4 a1 1)
A12=$(lan_ip4 a1 2)
A21=$(lan_ip4 a2 1)
# Active system 8 has one IP: drop the second one the LAN gave it.
lan_exec a2 ip addr del "$(lan_ip4 a2 2)/24" dev eth0
# Two configs: without and with the management adapter as takeover adapter.
cat >"$sc_tmp/two.conf" <<EOF
node a1 $A11/24 $A12/24 mac=$(lan_mac a1 eth0)
node a2 $A21/24 mac=$(lan_mac a2 eth0)
adapter sb tk1
adapter sb tk2
EOF
cp "$sc_tmp/two.conf" "$sc_tmp/three.conf"
echo "adapter sb mgmt management" >>"$sc_tmp/three.conf"
# mgmt is on this LAN and, with two.conf, in no plan.
quiet_adapters sb mgmt

for c in c1 c2; do
	for ip in "$A11" "$A12" "$A21"; do check "$c reaches $ip" pings $c "$ip"; done
done
ipto_on sb -c "$sc_tmp/two.conf" check
check "capacity rule: 2 takeover adapters hold nodes of 2 and 1 IPs: $out" \
	[ $rc = 0 -a "$out" = "ok: the largest node has 2 IP(s); the largest standby has 2 takeover adapter(s)" ]

# a1 fails (and goes quiet).
lan_exec a1 ip link set eth0 down
ipto_on sb -c "$sc_tmp/two.conf" takeover --fail a1
check "a1's takeover exits 0" [ $rc = 0 ]
check "a1's IPs went on tk1 and tk2: $(head -n2 <<<"$out" | tr '\n' ';')" \
	[ "$(head -n2 <<<"$out" | tr '\n' ';')" = "$A11/24 of a1 bound on sb tk1 ($(lan_mac sb tk1));$A12/24 of a1 bound on sb tk2 ($(lan_mac sb tk2));" ]
check "ip addr on the standby: tk1 has $A11" [ "$(addrs sb tk1)" = "$A11/24 " ]
check "ip addr on the standby: tk2 has $A12" [ "$(addrs sb tk2)" = "$A12/24 " ]
for c in c1 c2; do
	check "$c follows $A11 to tk1" follows $c "$A11" "$(lan_mac sb tk1)"
	check "$c follows $A12 to tk2" follows $c "$A12" "$(lan_mac sb tk2)"
	check "$c reaches $A11 and $A12 on the standby" eval 'pings $c "$A11" && pings $c "$A12"'
done

# a2 fails while a1 is taken over; the standby has no free adapter.
before=$(snapshot sb)
ipto_on sb -c "$sc_tmp/two.conf" takeover --taken-over a1 --fail a2
check "a2's takeover without a free adapter exits 1" [ $rc = 1 ]
check "... with one clear line: $err" \
	[ "$(wc -l <<<"$err")" = 1 -a -n "$(grep 'node a2 has 1 IPs' <<<"$err")" -a -n "$(grep '1 missing' <<<"$err")" ]
check "... and changes nothing on the standby" [ "$(snapshot sb)" = "$before" ]
check "... and prints nothing on stdout" [ -z "$out" ]

# With the management adapter doubling, a2 fits.
lan_exec a2 ip link set eth0 down
ipto_on sb -c "$sc_tmp/three.conf" plan --taken-over a1 --fail a1
check "plan --taken-over a1 --fail a1 is a usage error (exit 2)" [ $rc = 2 ]
ipto_on sb -c "$sc_tmp/three.conf" takeover --taken-over a1 --fail a2
check "a2's takeover with mgmt doubling exits 0" [ $rc = 0 ]
check "a2's IP went on mgmt: $(head -n1 <<<"$out")" \
	[ "$(head -n1 <<<"$out")" = "$A21/24 of a2 bound on sb mgmt ($(lan_mac sb mgmt)) [management adapter]" ]
check "a1's addresses stayed where they were" \
	[ "$(addrs sb tk1)$(addrs sb tk2)" = "$A11/24 $A12/24 " ]
for c in c1 c2; do
	check "$c follows $A21 to mgmt" follows $c "$A21" "$(lan_mac sb mgmt)"
	for ip in "$A11" "$A12" "$A21"; do check "$c reaches $ip on the standby" pings $c "$ip"; done
	check "$c still maps a1's IPs to tk1, tk2" \
		[ "$(entry $c "$A11") $(entry $c "$A12")" = "$(lan_mac sb tk1) $(lan_mac sb tk2)" ]
done
finish
