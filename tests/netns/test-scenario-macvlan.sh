#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Takeover adapters without extra hardware: a standby whose only NIC is one
# veth into the LAN bridge (mgmt) takes over a node with three addresses
# onto three macvlans that libipto creates on that NIC, each with its own
# MAC (doc/macvlan.md).
#  - clients with default settings and with drop_gratuitous_arp=1 follow;
#  - exactly one MAC answers ARP for each address, no MAC twice on the LAN;
#  - status shows the links; the release removes the addresses at once and
#    a detached reaper deletes the links; a takeover right after a release
#    finds them whole or gone and succeeds either way;
#  - a fault during link creation (the 3rd name is taken by a link libipto
#    did not make) leaves no link behind and changes nothing;
#  - `ipto cleanup` deletes a crashed run's tagged, empty links only;
#  - pre-created links (`ipto adapters --create`) stay in place.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix mvl- --clients 2 --actives 1 --ips 3 --takeover 0 || exit 1
A1=$(lan_ip4 a1 1)
A2=$(lan_ip4 a1 2)
A3=$(lan_ip4 a1 3)
# c2 is hardened: it drops every gratuitous ARP frame.
lan_sysctl c2 net.ipv4.conf.all.drop_gratuitous_arp=1 \
	net.ipv4.conf.eth0.drop_gratuitous_arp=1
sc_conf "a1 $A1/24 $A2/24 $A3/24 mac=$(lan_mac a1 eth0)" "mgmt management" "macvlan:mgmt count 3"
conf=(-c "$sc_tmp/cluster.conf")

# mac_of IF: the MAC of IF on the standby ("" when absent).
mac_of() { lan_exec sb cat "/sys/class/net/$1/address" 2>/dev/null; }
# links: the standby's interfaces other than lo and mgmt, sorted.
links() { lan_exec sb ls /sys/class/net | grep -vx -e lo -e mgmt | tr '\n' ' '; }
# answers CLIENT ADDR: the distinct MACs that answer ARP for ADDR.
answers() {
	lan_exec "$1" arping -b -c 50 -w 2 -I eth0 "$2" 2>/dev/null |
		grep -o '\[[0-9A-Fa-f:]*\]' | tr -d '[]' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' '
}
# lan_macs: every MAC of every node's interfaces (the LAN's hosts), one a line.
lan_macs() {
	local n
	for n in c1 c2 a1 sb; do
		lan_exec "$n" sh -c 'for i in /sys/class/net/*; do
			[ "${i##*/}" = lo ] || cat "$i/address"; done'
	done
}

ipto_on sb "${conf[@]}" check
check "capacity rule counts the 3 macvlans: $(tr '\n' ';' <<<"$out")" \
	[ $rc = 0 -a "$(head -n1 <<<"$out")" = "ok: the largest node has 3 IP(s); the largest standby has 4 takeover adapter(s)" ]
ipto_on sb "${conf[@]}" plan --fail a1 --json
check "plan --json puts each address on a macvlan of mgmt" \
	[ "$(jq -r '[.steps[] | "\(.ifname)@\(.macvlan.parent)"] | join(" ")' <<<"$out")" = "ipto0@mgmt ipto1@mgmt ipto2@mgmt" ]
for c in c1 c2; do
	for ip in "$A1" "$A2" "$A3"; do pings $c "$ip"; done
done

# 1. A fault during link creation: the 3rd name is taken by a link that
# libipto did not make (no tag). Nothing may change.
lan_exec sb ip link add ipto2 link mgmt type macvlan mode bridge
lan_exec sb ip link set ipto2 address 02:00:5e:30:01:77
before=$(snapshot sb)
ipto_on sb "${conf[@]}" takeover --fail a1
check "a takeover whose 3rd link cannot be made exits 1" [ $rc = 1 ]
note "stderr: $err"
check "... saying why: $(grep -m1 ipto2 <<<"$err")" \
	grep -q "ipto2 exists but is not libipto's macvlan adapter 2 of sb" <<<"$err"
check "... leaves no link behind (links: $(links))" [ "$(links)" = "ipto2 " ]
check "... and changes nothing else on the standby" [ "$(snapshot sb)" = "$before" ]
lan_exec sb ip link del ipto2

# 2. a1 fails (its adapter goes down without a word); the takeover.
lan_exec a1 ip link set eth0 down
ipto_on sb "${conf[@]}" takeover --fail a1
check "takeover onto macvlans exits 0" [ $rc = 0 ]
M0=$(mac_of ipto0) M1=$(mac_of ipto1) M2=$(mac_of ipto2)
check "three links, ipto0..2 on mgmt: $(links)" [ "$(links)" = "ipto0 ipto1 ipto2 " ]
check "... each a macvlan of mgmt in bridge mode, tagged ipto:sb:N" \
	[ "$(for i in 0 1 2; do lan_exec sb ip -d -o link show ipto$i | grep -o "macvlan mode bridge" ; lan_exec sb ip -o -d link show ipto$i | grep -o "alias ipto:sb:$i"; done | tr '\n' ';')" = \
	"macvlan mode bridge;alias ipto:sb:0;macvlan mode bridge;alias ipto:sb:1;macvlan mode bridge;alias ipto:sb:2;" ]
check "... with their own MACs, as planned: $(tr '\n' ';' <<<"$out")" \
	[ "$(head -n3 <<<"$out" | tr '\n' ';')" = "$A1/24 of a1 bound on sb ipto0 ($M0);$A2/24 of a1 bound on sb ipto1 ($M1);$A3/24 of a1 bound on sb ipto2 ($M2);" ]
check "... one address each" \
	[ "$(addrs sb ipto0)|$(addrs sb ipto1)|$(addrs sb ipto2)|$(addrs sb mgmt)" = "$A1/24 |$A2/24 |$A3/24 |192.0.2.2/24 " ]
check "... guarded: arp_ignore=1 arp_announce=2 on every interface" \
	[ "$(lan_exec sb sh -c 'for i in mgmt ipto0 ipto1 ipto2; do cat /proc/sys/net/ipv4/conf/$i/arp_ignore /proc/sys/net/ipv4/conf/$i/arp_announce; done' | tr -d '\n')" = 12121212 ]
for c in c1 c2; do
	check "$c follows $A1 to ipto0" follows $c "$A1" "$M0"
	check "$c follows $A2 to ipto1" follows $c "$A2" "$M1"
	check "$c follows $A3 to ipto2" follows $c "$A3" "$M2"
done
note "c2 (drop_gratuitous_arp=1): $(lan_neigh c2 "$A1") / $(lan_neigh c2 "$A3")"
check "exactly one MAC answers ARP for $A1 (got: $(answers c1 "$A1"))" [ "$(answers c1 "$A1")" = "$M0 " ]
check "exactly one MAC answers ARP for $A2 (got: $(answers c2 "$A2"))" [ "$(answers c2 "$A2")" = "$M1 " ]
check "exactly one MAC answers ARP for $A3 (got: $(answers c1 "$A3"))" [ "$(answers c1 "$A3")" = "$M2 " ]
for c in c1 c2; do
	check "$c reaches all three on the standby" \
		eval 'pings $c "$A1" && pings $c "$A2" && pings $c "$A3"'
	check "$c's entries stay on the macvlans after talking to them" \
		[ "$(entry $c "$A1") $(entry $c "$A2") $(entry $c "$A3")" = "$M0 $M1 $M2" ]
done
dups=$(lan_macs | sort | uniq -d | tr '\n' ' ')
check "no MAC appears twice on the LAN (duplicates: '$dups')" [ -z "$dups" ]
check "the switch learned the macvlans' MACs on the standby's one port" \
	[ "$(for m in $M0 $M1 $M2; do lan_exec sw bridge fdb show br br0 | grep -i "^$m " | awk '{ print $3 }'; done | sort -u)" = "sb-mgmt" ]
ipto_on sb "${conf[@]}" status --json
check "status --json lists the three virtual adapters, each holding one address" \
	[ "$(jq -r '[.virtual_adapters[] | "\(.ifname):\(.addresses):\(.kept)"] | join(" ")' <<<"$out")" = "ipto0:1:false ipto1:1:false ipto2:1:false" ]
check "... and the held addresses on them" \
	[ "$(jq -r '[.addresses[] | .adapter] | join(" ")' <<<"$out")" = "ipto0 ipto1 ipto2" ]
ipto_on sb "${conf[@]}" cleanup
check "cleanup keeps links that hold addresses: $out" [ $rc = 0 -a "$(links)" = "ipto0 ipto1 ipto2 " ]

# 3. Failback: the release removes the addresses at once; the links it
# created go in a detached reaper (one link per hold of the host's lock),
# and a takeover right after the release finds each link whole or gone.
ipto_on sb "${conf[@]}" release --fail a1
check "release exits 0" [ $rc = 0 ]
check "... the addresses are gone when it returns" \
	[ -z "$(for i in 0 1 2; do lan_exec sb ip -o addr show dev ipto$i 2>/dev/null | grep -w inet; done)" ]
# a1 comes back meanwhile: whatever links are left answer for nothing.
left=$(links)
lan_exec a1 ip link set eth0 up
got=$(answers c1 "$A1")
check "a1 back, exactly one MAC answers ARP for $A1, a1's (got: $got; links left at the release: '$left')" \
	[ "$got" = "$(lan_mac a1 eth0) " ]
lan_exec a1 ip link set eth0 down
check "... and the reaper deletes the links (within 15 s; left: '$(links)')" \
	lan_poll 15 eval '[ -z "$(links)" ]'
check "... keeping the standby's own address" [ "$(addrs sb mgmt)" = "192.0.2.2/24 " ]
for k in 1 2 3; do
	ipto_on sb "${conf[@]}" takeover --fail a1 --schedule once
	t_rc=$rc
	ipto_on sb "${conf[@]}" release --fail a1
	r_rc=$rc
	left=$(links)
	ipto_on sb "${conf[@]}" takeover --fail a1 --schedule once
	check "cycle $k: takeover, release, takeover at once exit $t_rc $r_rc $rc (links after the release: '$left')" \
		[ $t_rc = 0 -a $r_rc = 0 -a $rc = 0 ]
	check "... the three addresses serve from ipto0..2: $(addrs sb ipto0)$(addrs sb ipto1)$(addrs sb ipto2)" \
		eval '[ "$(addrs sb ipto0)|$(addrs sb ipto1)|$(addrs sb ipto2)" = "$A1/24 |$A2/24 |$A3/24 " ] &&
		      pings c1 "$A1" && pings c1 "$A2" && pings c1 "$A3"'
	check "... and the reaper left them alone: up, the planned MACs" \
		eval '[ "$(mac_of ipto0) $(mac_of ipto1) $(mac_of ipto2)" = "$M0 $M1 $M2" ] &&
		      [ "$(lan_exec sb ip -o link show up | grep -c "ipto[0-2]@")" = 3 ]'
	ipto_on sb "${conf[@]}" release --fail a1
	lan_poll 15 eval '[ -z "$(links)" ]'
done
check "after the cycles the reaper deleted every link: '$(links)'" [ -z "$(links)" ]

# 4. A crashed run's leftovers: tagged links without address go with
# `ipto cleanup`; a link without the tag stays.
lan_exec sb ip link add ipto1 link mgmt type macvlan mode bridge
lan_exec sb ip link set ipto1 alias ipto:sb:1
lan_exec sb ip link add other0 link mgmt type macvlan mode bridge
ipto_on sb "${conf[@]}" cleanup
check "cleanup deletes the leftover: $out" [ $rc = 0 -a "$out" = "deleted 1 leftover link(s)" ]
check "... and only it (left: '$(links)')" [ "$(links)" = "other0 " ]
lan_exec sb ip link del other0

# 5. Pre-created links: made at setup, no creation on the failover path,
# left in place by the release.
ipto_on sb "${conf[@]}" adapters --create -s sb
check "adapters --create makes 3 links: $(head -n1 <<<"$out")" [ $rc = 0 -a "$(head -n1 <<<"$out")" = "created 3 link(s)" ]
idx_before=$(lan_exec sb cat /sys/class/net/ipto0/ifindex /sys/class/net/ipto2/ifindex | tr '\n' ' ')
ipto_on sb "${conf[@]}" takeover --fail a1 --schedule once
check "takeover onto pre-created links exits 0" [ $rc = 0 ]
check "... onto the same links (ifindex $idx_before)" \
	[ "$(lan_exec sb cat /sys/class/net/ipto0/ifindex /sys/class/net/ipto2/ifindex | tr '\n' ' ')" = "$idx_before" ]
for ip in "$A1" "$A2" "$A3"; do check "c1 reaches $ip" pings c1 "$ip"; done
ipto_on sb "${conf[@]}" release --fail a1
check "release keeps pre-created links (links: $(links))" [ $rc = 0 -a "$(links)" = "ipto0 ipto1 ipto2 " ]
ipto_on sb "${conf[@]}" adapters --delete -s sb
check "adapters --delete removes them: $(head -n1 <<<"$out")" [ $rc = 0 -a -z "$(links)" ]
finish
