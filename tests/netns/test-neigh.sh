#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Neighbour sets against a real kernel (doc/neighbour-list.md): in the
# standby's namespace, the library reads the neighbour table (what the
# standby resolved, static entries; not the ones in state NOARP, on another
# interface or off the subnet) and the gateways of every routing table
# (multipath and another table included; not an off-subnet gateway), the
# watch-seen file at its default place, and the targets rule keeps the
# taken address itself out. Then the directed frames built from that set,
# sent from the takeover adapter, move a client that drops gratuitous ARP
# and one that drops unsolicited NA.
# usage: test-neigh.sh NEIGH-READ
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"
tool=${1:?usage: test-neigh.sh NEIGH-READ}

[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
command -v ping >/dev/null || { echo "not ok - ping not found (iputils-ping)"; exit 1; }
lan_neigh_watch_path >/dev/null || exit 1

# shellcheck source=tap-lib.sh
. "$here/tap-lib.sh"
# has_line TEXT LINE / no_addr TEXT ADDR
has_line() { grep -qxF -- "$2" <<<"$1"; }
no_addr() { ! grep -q "^$2 " <<<"$1"; }

lan_up --prefix iptonb- --clients 2 --actives 1 --ips 1 --takeover 1 --ipv6 || exit 1
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"
sbx() { lan_exec sb "$@"; }

C1=$(lan_ip4 c1) C2=$(lan_ip4 c2) C16=$(lan_ip6 c1) C26=$(lan_ip6 c2)
C1M=$(lan_mac c1 eth0) C2M=$(lan_mac c2 eth0)
T4=$(lan_ip4 a1) T6=$(lan_ip6 a1) A1M=$(lan_mac a1 eth0)
TK=$(lan_mac sb tk1)

# --- the standby's neighbour table ---------------------------------------
sbx ip neigh flush dev mgmt >/dev/null 2>&1
for a in "$C1" "$C2" "$C16" "$C26"; do
	check "the standby reaches $a" sbx ping -n -q -c 1 -W 5 "$a" >/dev/null
done
set -e
sbx ip neigh replace 192.0.2.150 lladdr 00:00:5e:00:53:50 dev mgmt nud permanent
sbx ip neigh replace 192.0.2.152 lladdr 00:00:5e:00:53:52 dev mgmt nud noarp
sbx ip neigh replace 198.51.100.7 lladdr 00:00:5e:00:53:07 dev mgmt nud permanent
sbx ip neigh replace 192.0.2.153 lladdr 00:00:5e:00:53:53 dev tk1 nud permanent
sbx ip neigh replace 192.0.2.254 lladdr 00:00:5e:00:53:fe dev mgmt nud permanent
sbx ip neigh replace "$T4" lladdr "$A1M" dev mgmt nud permanent
sbx ip -6 neigh replace fe80::99 lladdr 00:00:5e:00:53:99 dev mgmt nud permanent router
# --- its routes -------------------------------------------------------------
sbx ip route add 203.0.113.0/24 via 192.0.2.1 dev mgmt
sbx ip route add default via 192.0.2.254 dev mgmt
sbx ip route add 100.64.0.0/10 nexthop via 192.0.2.250 dev mgmt nexthop via 192.0.2.251 dev mgmt
sbx ip route add 10.0.0.0/8 via 192.0.2.249 dev mgmt table 100
sbx ip route add 198.18.0.0/15 via 198.51.100.1 dev mgmt onlink
sbx ip route add 172.16.0.0/12 via 192.0.2.248 dev tk1 onlink
sbx ip -6 route add 2001:db8:99::/48 via fe80::1 dev mgmt
sbx ip -6 route add 2001:db8:98::/48 via 2001:db8:2::1 dev mgmt
sbx ip -6 route add 2001:db8:97::/48 via 2001:db8:3::1 dev mgmt onlink
set +e

# Any line beyond the expected ones must be an entry iproute2 shows too
# (a host the standby resolved by itself), with the same MAC.
confirmed_extra() { # OUTPUT FAMILY ADDR...
	local out=$1 fam=$2 line addr mac known
	shift 2
	while read -r addr mac _; do
		[ -n "$addr" ] || continue
		known=0
		for a in "$@"; do [ "$a" = "$addr" ] && known=1; done
		[ $known = 1 ] && continue
		line=$(sbx ip "$fam" neigh show to "$addr" dev mgmt nud all)
		if ! grep -qE "lladdr $mac (router )?(REACHABLE|STALE|DELAY|PROBE|PERMANENT)" <<<"$line"; then
			echo "# unexpected: $addr $mac (ip neigh: $line)"
			return 1
		fi
	done <<<"$out"
}

out=$(sbx "$tool" "$T4/24" table mgmt)
echo "$out" | sed 's/^/# table: /'
check "table: c1, resolved" has_line "$out" "$C1 $C1M table"
check "table: c2, resolved" has_line "$out" "$C2 $C2M table"
check "table: a permanent entry" has_line "$out" "192.0.2.150 00:00:5e:00:53:50 table"
check "table: the gateway's entry" has_line "$out" "192.0.2.254 00:00:5e:00:53:fe table"
check "table: the taken address's own entry is read" has_line "$out" "$T4 $A1M table"
check "table: no NOARP entry" no_addr "$out" 192.0.2.152
check "table: no off-subnet entry" no_addr "$out" 198.51.100.7
check "table: no entry of another interface" no_addr "$out" 192.0.2.153
check "table: no IPv6 entry for an IPv4 subnet" no_addr "$out" "$C16"
check "table: nothing else but what ip neigh shows" \
	confirmed_extra "$out" -4 "$C1" "$C2" 192.0.2.150 192.0.2.254 "$T4"
out=$(sbx "$tool" "$T4/24" table -)
check "table, any interface: the tk1 entry too" \
	has_line "$out" "192.0.2.153 00:00:5e:00:53:53 table"

out=$(sbx "$tool" "$T6/64" table mgmt)
echo "$out" | sed 's/^/# table6: /'
check "table6: c1" has_line "$out" "$C16 $C1M table"
check "table6: c2" has_line "$out" "$C26 $C2M table"
check "table6: no IPv4 entry" no_addr "$out" "$C1"
check "table6: a link-local entry flagged as a router is a router too" \
	has_line "$out" "fe80::99 00:00:5e:00:53:99 table,router"
check "table6: nothing else but what ip neigh shows" \
	confirmed_extra "$out" -6 "$C16" "$C26" fe80::99

out=$(sbx "$tool" "$T4/24" routers mgmt)
echo "$out" | sed 's/^/# routers: /'
want=$(printf '%s - router\n' 192.0.2.1 192.0.2.249 192.0.2.250 192.0.2.251 192.0.2.254 | sort)
check "routers: every on-subnet gateway, every table, each next hop, nothing else" \
	[ "$(sort <<<"$out")" = "$want" ]
out=$(sbx "$tool" "$T4/24" routers -)
check "routers, any interface: the gateway through tk1 too" \
	has_line "$out" "192.0.2.248 - router"
out=$(sbx "$tool" "$T6/64" routers mgmt)
echo "$out" | sed 's/^/# routers6: /'
want=$(printf '%s - router\n' 2001:db8:2::1 fe80::1 | sort)
check "routers6: the global and the link-local gateway, not the off-subnet one" \
	[ "$(sort <<<"$out")" = "$want" ]

# --- both together: merged, and the targets --------------------------------
out=$(sbx "$tool" "$T4/24" table mgmt routers mgmt targets)
echo "$out" | sed 's/^/# targets: /'
check "targets: the gateway, known to both, once with its MAC" \
	has_line "$out" "192.0.2.254 00:00:5e:00:53:fe table,router"
check "targets: a gateway without an entry, MAC unknown" has_line "$out" "192.0.2.1 - router"
check "targets: c1" has_line "$out" "$C1 $C1M table"
check "targets: never the taken address itself" no_addr "$out" "$T4"
n=$(grep -vc '^frames ' <<<"$out")
check "targets: one directed frame per target ($n)" has_line "$out" "frames $n"
check "targets: no address twice" [ "$(grep -v '^frames ' <<<"$out" | cut -d' ' -f1 | sort | uniq -d)" = "" ]

# --- the watch-seen file beside the kernel record ---------------------------
ino=$(stat -L -c %i "/run/netns/$(lan_ns sb)")
rec=/run/ipto/$ino
made=0
[ -d "$rec" ] || { mkdir -p "$rec" && made=1; }
lan_atexit "rm -f '$rec/neigh-seen'; [ $made = 1 ] && rmdir '$rec' 2>/dev/null; true"
out=$(sbx "$tool" "$T4/24" seen -)
rc=$?
check "seen: no file, nothing seen, no error" [ "$rc:$out" = "0:" ]
printf '# seen by ipto watch\n192.0.2.160 00:00:5e:00:53:60\n198.51.100.9 00:00:5e:00:53:09\n2001:db8:2::160 00:00:5e:00:53:61\n' \
	>"$rec/neigh-seen"
out=$(sbx "$tool" "$T4/24" seen -)
check "seen: the default file of the namespace, on-subnet entries only" \
	[ "$out" = "192.0.2.160 00:00:5e:00:53:60 watch" ]
printf '192.0.2.160 00:00:5e:00:53:60\n192.0.2.161 bad-mac\n' >"$rec/neigh-seen"
err=$(sbx "$tool" "$T4/24" seen - 2>&1 >/dev/null)
rc=$?
check "seen: a bad line fails the read" [ $rc = 1 ]
check "seen: ... naming the file and line" grep -qF "$rec/neigh-seen:2:" <<<"$err"

# --- the frames move clients that drop gratuitous frames --------------------
lan_sysctl c1 net.ipv4.conf.all.drop_gratuitous_arp=1 net.ipv4.conf.eth0.drop_gratuitous_arp=1
lan_sysctl c2 net.ipv6.conf.all.drop_unsolicited_na=1 net.ipv6.conf.eth0.drop_unsolicited_na=1
check "c1 reaches a1" lan_exec c1 ping -n -q -c 1 -W 5 "$T4" >/dev/null
check "c2 reaches a1 over IPv6" lan_exec c2 ping -n -q -c 1 -W 5 "$T6" >/dev/null
check "c1 has a1's MAC for $T4" lan_neigh_wait c1 "$T4" "$A1M" -t 5000 >/dev/null
check "c2 has a1's MAC for $T6" lan_neigh_wait c2 "$T6" "$A1M" -t 5000 >/dev/null
out=$(sbx "$tool" "$T4/24" table mgmt mac "$TK" send tk1 targets)
check "IPv4 directed frames sent" grep -q '^sent [1-9]' <<<"$out"
check "c1 (drop_gratuitous_arp=1, fresh entry) follows to $TK" \
	lan_neigh_wait c1 "$T4" "$TK" -t 5000
out=$(sbx "$tool" "$T6/64" table mgmt mac "$TK" send tk1 targets)
check "IPv6 directed frames sent" grep -q '^sent [1-9]' <<<"$out"
check "c2 (drop_unsolicited_na=1) follows to $TK" \
	lan_neigh_wait c2 "$T6" "$TK" -t 5000

echo "# $nfail failed"
[ $nfail = 0 ]
