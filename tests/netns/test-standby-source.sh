#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The standby's own traffic after a takeover: which source address does a
# connection the standby itself opens to a LAN client use? It must not be
# a taken address (the connection would break when the address goes back
# at failback).
#  - IPv6: the taken address is added deprecated (`ip -6 addr`: deprecated,
#    preferred_lft 0sec). The standby's own global address is on another
#    subnet (mgmt, 2001:db8:9::2/64), so the only route to c1 is the taken
#    address's prefix route on the takeover adapter, the case where the
#    taken address would otherwise win (same interface, longest match):
#    `ip -6 route get` and a real TCP connection from the standby to c1
#    (the peer address c1's listener sees) use 2001:db8:9::2. Made
#    preferred again by hand (what IPTO_BIND_PREFERRED would give), the
#    taken address is what the kernel picks: the deprecation is what
#    keeps it out. The service on the taken address still works (c1
#    connects to it, and pings it).
#  - IPv4 with the standby's own address on the subnet (mgmt): the route
#    source and the connection's source are the standby's own.
#  - IPv4 when the taken address is the only one of the subnet on the
#    host: the kernel's prefix route carries the taken address as its
#    source, and the standby's own connection leaves from it. That is the
#    finding doc/watch.md reports; the test prints it and checks that the
#    route and the connection agree, then shows the way out: the prefix
#    route with a preferred source of the host's own moves the standby's
#    connections off the taken address, and the service keeps working.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
command -v python3 >/dev/null || { echo "not ok - python3 is missing (.ci/deps)"; exit 1; }

lan_up --prefix srcsel- --clients 1 --actives 1 --ips 1 --takeover 2 --ipv6 || exit 1
C=$(lan_ip4 a1)
C6=$(lan_ip6 a1)
SB4=$(lan_ip4 sb)
SB6=2001:db8:9::2
C1=$(lan_ip4 c1)
C16=$(lan_ip6 c1)
sc_conf "a1 $C/24 $C6/64 mac=$(lan_mac a1 eth0)" tk1 tk2
quiet_adapters sb mgmt
# the standby's own IPv6 address on another subnet; c1 reaches that
# subnet on the link
lan_exec sb ip addr del "$(lan_ip6 sb)/64" dev mgmt
lan_exec sb ip addr add "$SB6/64" dev mgmt nodad
lan_exec c1 ip -6 route add 2001:db8:9::/64 dev eth0
# a1 goes away (cable pulled), the standby takes both addresses.
lan_cable a1 eth0 off
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover exits 0 ($err)" [ $rc = 0 ]
TK4=$(lan_exec sb ip -o addr show to "$C" | awk '{ print $2 }')
TK6=$(lan_exec sb ip -o addr show to "$C6" | awk '{ print $2 }')
note "C on $TK4, C6 on $TK6"
v6line=$(lan_exec sb ip -6 addr show dev "$TK6" | grep -A1 "inet6 $C6/64")
note "sb $TK6: $(tr -s ' \n' ' ' <<<"$v6line")"
check "the taken IPv6 address is deprecated" grep -q "deprecated" <<<"$v6line"
check "with preferred_lft 0sec, valid forever" grep -q "valid_lft forever preferred_lft 0sec" <<<"$v6line"
v4line=$(lan_exec sb ip -4 addr show dev "$TK4" | grep "inet $C/24")
check "the taken IPv4 address is on $TK4 ($v4line)" [ -n "$v4line" ]

# listen NODE FAMILY PORT OUT: a TCP listener on NODE that writes the
# peer address of the first connection, and the local address it was
# made to, to OUT, then exits. Returns once it listens.
listen() {
	rm -f "$4" "$4.up"
	lan_exec "$1" python3 - "$2" "$3" "$4" <<'EOF' &
import socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(sys.argv[2])))
s.listen(1)
open(sys.argv[3] + ".up", "w").close()
s.settimeout(20)
c, peer = s.accept()
with open(sys.argv[3], "w") as f:
    f.write("%s %s\n" % (peer[0], c.getsockname()[0]))
EOF
	lan_poll 10 test -e "$4.up"
}
# connect NODE ADDR PORT: one TCP connection from NODE to ADDR:PORT,
# without choosing a source (the kernel's source selection).
connect() {
	lan_exec "$1" python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 5).close()' "$2" "$3"
}
# src_of NODE ADDR: the source `ip route get` gives for ADDR.
src_of() { lan_exec "$1" ip route get "$2" | grep -o 'src [^ ]*' | awk '{ print $2 }'; }
peer_of() { lan_poll 10 test -s "$1" && awk '{ print $1 }' "$1"; }
# served_at SERVER FAM PORT FILE CLIENT ADDR: CLIENT connects to ADDR:PORT,
# which SERVER listens for (family FAM); sets $p (the peer SERVER saw) and
# $at (the address SERVER accepted on), empty when nothing came in 10 s.
served_at() {
	listen "$1" "$2" "$3" "$4"
	connect "$5" "$6" "$3"
	p='' at=''
	lan_poll 10 test -s "$4" && read -r p at <"$4"
}

# IPv6: the standby to c1.
r6=$(src_of sb "$C16")
note "sb: ip -6 route get $C16: $(lan_exec sb ip -6 route get "$C16" | head -n1)"
check "IPv6 route to c1 goes out of $TK6 (the taken prefix's route)" \
	grep -q "dev $TK6" <<<"$(lan_exec sb ip -6 route get "$C16")"
check "IPv6 route source to c1 is the standby's own $SB6 (got $r6)" [ "$r6" = "$SB6" ]
listen c1 6 7501 "$sc_tmp/c1-6"
connect sb "$C16" 7501
p6=$(peer_of "$sc_tmp/c1-6")
check "c1 sees the standby's IPv6 connection from $SB6 (got $p6), not from $C6" [ "$p6" = "$SB6" ]
# Preferred again (by hand): then the kernel would pick the taken address.
lan_exec sb ip addr change "$C6/64" dev "$TK6" preferred_lft forever
r6p=$(src_of sb "$C16")
check "made preferred, the taken $C6 would be the source (got $r6p): the deprecation keeps it out" \
	[ "$r6p" = "$C6" ]
lan_exec sb ip addr change "$C6/64" dev "$TK6" preferred_lft 0
check "deprecated again, the source is $SB6" [ "$(src_of sb "$C16")" = "$SB6" ]
# The service on the deprecated address still works.
served_at sb 6 7502 "$sc_tmp/sb-6" c1 "$C6"
local6=$at
check "c1 connects to the service on $C6 (the standby accepted it on $local6, from $p)" \
	[ "$local6" = "$C6" ] && [ "$p" = "$C16" ]
check "c1 pings $C6" pings c1 "$C6"

# IPv4, the standby's own address on the subnet (mgmt, 192.0.2.2/24).
r4=$(src_of sb "$C1")
note "sb: ip route get $C1: $(lan_exec sb ip route get "$C1" | head -n1)"
check "IPv4 route source to c1 is the standby's own $SB4 (got $r4)" [ "$r4" = "$SB4" ]
listen c1 4 7503 "$sc_tmp/c1-4"
connect sb "$C1" 7503
p4=$(peer_of "$sc_tmp/c1-4")
check "c1 sees the standby's IPv4 connection from $SB4 (got $p4), not from $C" [ "$p4" = "$SB4" ]

# IPv4, the taken address the only one of the subnet on the host: the
# standby's own address goes (as on a standby whose management network is
# another subnet).
lan_exec sb ip addr del "$SB4/24" dev mgmt
r4b=$(src_of sb "$C1")
note "without $SB4: sb: ip route get $C1: $(lan_exec sb ip route get "$C1" | head -n1)"
note "without $SB4: sb's routes: $(lan_exec sb ip -4 route | tr '\n' ';')"
listen c1 4 7504 "$sc_tmp/c1-4b"
connect sb "$C1" 7504
p4b=$(peer_of "$sc_tmp/c1-4b")
note "FINDING: with no other IPv4 address on the subnet, the standby's own connection to c1 leaves from $p4b (route source $r4b; $C is the taken address)"
check "ip route get and the real connection agree ($r4b = $p4b)" [ -n "$r4b" ] && [ "$r4b" = "$p4b" ]
# The way out (not done by the takeover today, doc/watch.md): the prefix
# route of the taken address with a preferred source that is the host's
# own (here an address on another subnet, which c1 reaches on the link).
lan_exec sb ip addr add 198.51.100.2/24 dev mgmt
lan_exec c1 ip route add 198.51.100.0/24 dev eth0
lan_exec sb ip route replace 192.0.2.0/24 dev "$TK4" proto kernel scope link src 198.51.100.2
check "with the route's preferred source set, the route source to c1 is 198.51.100.2" \
	[ "$(src_of sb "$C1")" = 198.51.100.2 ]
listen c1 4 7505 "$sc_tmp/c1-4c"
connect sb "$C1" 7505
p4c=$(peer_of "$sc_tmp/c1-4c")
check "and c1 sees the standby's connection from 198.51.100.2 (got $p4c)" [ "$p4c" = 198.51.100.2 ]
served_at sb 4 7506 "$sc_tmp/sb-4" c1 "$C"
local4=$at
check "while the service on $C still works (accepted on $local4 from $p)" \
	[ "$local4" = "$C" ] && [ "$p" = "$C1" ]
finish
