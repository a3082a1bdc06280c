#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Directed announcements reach a router (doc/neighbour-list.md, issue 19):
# a far client on another subnet (198.51.100.0/24) reaches the service
# address 192.0.2.11 of active node a1 through a router namespace (c1 of
# the LAN, with drop_gratuitous_arp=1 and a locktime of 60 s, so its fresh
# entry for the service address ignores every broadcast announcement). The
# standby knows the router only as the gateway of its route to the far
# subnet (source "router"; its neighbour table is flushed).
#
#   1. --no-directed --schedule once: the router keeps a1's MAC (the
#      broadcast frames alone cannot move it);
#   2. --schedule once (the default schedule's first round only): the
#      router's entry moves to the takeover adapter's MAC; the far client
#      reaches the service on the standby. The JSON says 1 neighbour was
#      told, from the source "router"; a capture on the router's port
#      shows the directed request: from the service address and the
#      adapter's MAC, for the router's own address.
# usage: test-directed-router.sh IPTO
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"
ipto=${1:?usage: test-directed-router.sh IPTO}
[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
command -v tshark >/dev/null || { echo "not ok - tshark is missing (.ci/deps)"; exit 1; }
lan_neigh_watch_path >/dev/null || exit 1

# shellcheck source=tap-lib.sh
. "$here/tap-lib.sh"

lan_up --prefix iptodr- --clients 1 --actives 1 --ips 1 --takeover 1 || exit 1
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"
far=iptodr-far
ip netns del "$far" 2>/dev/null
ip netns add "$far" || exit 1
lan_atexit "ip netns del $far 2>/dev/null; true"

S=$(lan_ip4 a1) R=$(lan_ip4 c1) A1M=$(lan_mac a1 eth0) TK=$(lan_mac sb tk1)
FAR=198.51.100.50 RFAR=198.51.100.1

# --- the router, the far client, the routes ---------------------------------
set -e
ip -n "$(lan_ns c1)" link add far0 type veth peer name eth0 netns "$far"
ip -n "$(lan_ns c1)" addr add "$RFAR/24" dev far0
ip -n "$(lan_ns c1)" link set far0 up
ip -n "$far" link set lo up
ip -n "$far" addr add "$FAR/24" dev eth0
ip -n "$far" link set eth0 up
ip -n "$far" route add default via "$RFAR"
lan_sysctl c1 net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.drop_gratuitous_arp=1 net.ipv4.conf.eth0.drop_gratuitous_arp=1 \
	net.ipv4.neigh.eth0.locktime=6000
lan_exec sb ip route add 198.51.100.0/24 via "$R"
set +e

# shellcheck disable=SC2054 # the specs are comma-separated words
cluster=(--node "a1,$S/24,mac=$A1M" --adapter sb,tk1)
takeover() { lan_exec sb "$ipto" "${cluster[@]}" --schedule once --json takeover --fail a1 "$@"; }

far_ping() { ip netns exec "$far" ping -n -q -c 1 -W 5 "$S" >/dev/null; }
router_has() { lan_neigh_wait c1 "$S" "$1" -t 5000 >/dev/null; }

# A fresh entry on the router: a1 serves, the far client reaches it, so
# the router resolves a1's address now (its locktime holds from here);
# then a1 fails (its address goes; its adapter stays up, as in
# takeover-client) and the standby's neighbour table is emptied.
fresh_then_fail() {
	lan_exec a1 ip addr replace "$S/24" dev eth0
	lan_exec a1 ip route replace 198.51.100.0/24 via "$R"
	lan_exec c1 ip neigh flush to "$S" dev eth0
	check "the far client reaches $S through the router" far_ping
	check "the router holds a1's MAC for $S" router_has "$A1M"
	lan_exec a1 ip addr del "$S/24" dev eth0
	lan_exec sb ip neigh flush dev mgmt
}

# --- 1. without directed frames: the router does not move ---------------------
fresh_then_fail
out=$(takeover --no-directed 2>"$tmp/err1")
rc=$?
check "takeover --no-directed exits 0" [ $rc = 0 ]
check "... its JSON says no neighbour was told" python3 -c '
import json, sys
j = json.loads(sys.argv[1])
n = j["neighbours"]
assert n["directed"] is False, n
assert [a["told"] for a in n["addresses"]] == [0], n
' "$out"
line=$(lan_neigh c1 "$S")
echo "# router after the broadcast frames: $line"
check "the router still holds a1's MAC (drop_gratuitous_arp=1, within locktime)" \
	grep -q " $A1M " <<<"$line "
lan_exec sb "$ipto" "${cluster[@]}" release --fail a1 >/dev/null ||
	bad "release exits 0"

# --- 2. the first round with directed frames --------------------------------
fresh_then_fail
ip netns exec "$(lan_ns c1)" tshark -n -q -i eth0 -f arp -w "$tmp/r.pcap" -F pcap \
	>"$tmp/cap.log" 2>&1 &
cap=$!
lan_atexit "kill $cap 2>/dev/null; true"
t0=$(date +%s)
until grep -qs 'Capture started' "$tmp/cap.log" || [ $(($(date +%s) - t0)) -ge 10 ]; do sleep 0.1; done
out=$(takeover 2>"$tmp/err2")
rc=$?
check "takeover exits 0" [ $rc = 0 ]
if us=$(lan_neigh_wait c1 "$S" "$TK" -t 5000); then
	ok "the router's entry moved to the takeover adapter $TK in the first round (${us} us)"
else
	bad "the router's entry moved to the takeover adapter $TK ($(lan_neigh c1 "$S"))"
fi
echo "# neighbours: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["neighbours"])' "$out" 2>&1)"
check "the JSON: 1 neighbour told for $S/24, learnt from the routes only" python3 -c '
import json, sys
j = json.loads(sys.argv[1])
a = j["neighbours"]["addresses"]
assert j["neighbours"]["directed"] is True
assert a == [{"ip": sys.argv[2] + "/24", "told": 1, "sources": {"router": 1}}], a
assert sum(r["frames"] for r in j["report"]) == 3, j["report"]
' "$out" "$S"
check "the far client reaches $S on the standby" far_ping

# The directed request on the wire, as the router received it.
req() {
	tshark -n -r "$tmp/r.pcap" -Y "arp.opcode == 1 && arp.dst.proto_ipv4 == $R" \
		-T fields -e eth.dst -e eth.src -e arp.src.hw_mac -e arp.src.proto_ipv4 \
		-e arp.dst.proto_ipv4 2>/dev/null | grep -F "$TK"
}
t0=$(date +%s)
until [ -n "$(req)" ] || [ $(($(date +%s) - t0)) -ge 10 ]; do sleep 0.1; done
kill -INT $cap
wait $cap 2>/dev/null
got=$(req | head -n 1)
echo "# on the wire: $got"
check "on the wire: a request for the router's address $R, from $S and $TK, to broadcast (its MAC unknown)" \
	[ "$got" = "$(printf 'ff:ff:ff:ff:ff:ff\t%s\t%s\t%s\t%s' "$TK" "$TK" "$S" "$R")" ]
check "on the wire: one directed request (one round)" [ "$(req | wc -l)" = 1 ]

lan_exec sb "$ipto" "${cluster[@]}" release --fail a1 >/dev/null || bad "release exits 0"
echo "# $nfail failed"
[ $nfail = 0 ]
