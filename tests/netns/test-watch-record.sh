#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ipto watch` with neither --fail nor --ip watches what the kernel record
# marks (doc/watch.md, doc/record.md), and follows it:
#  - after a takeover it watches the taken IPv4 and IPv6 addresses; a1
#    waking up and announcing its old address, and another host's
#    duplicate address detection for the IPv6 one (a real kernel's DAD
#    NS from ::), are each reported as a conflict (exact JSON fields);
#  - a release makes it stop watching them, a second takeover watch them
#    again, without a restart;
#  - the hosts that resolve the taken addresses (ARP request, NS) land in
#    the record's neigh-seen file, which the library reads back
#    (ipto_neigh_set_add_seen, through neigh-read); forged requests with a
#    broadcast sender MAC or the subnet's broadcast address do not;
#  - `ipto probe` of a free IPv6 address sees another host's DAD NS for it
#    (exit 1, frame dad-ns).
# usage: test-watch-record.sh IPTO AGENT NEIGH-READ
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
NEIGH_READ=$(realpath "${3:?usage: $0 IPTO AGENT NEIGH-READ}")
for p in jq python3; do
	command -v $p >/dev/null || { echo "not ok - $p is missing (.ci/deps)"; exit 1; }
done

lan_up --prefix wrec- --clients 2 --actives 1 --ips 1 --takeover 2 --ipv6 || exit 1
C=$(lan_ip4 a1)
C6=$(lan_ip6 a1)
A1MAC=$(lan_mac a1 eth0)
C1MAC=$(lan_mac c1 eth0)
C2MAC=$(lan_mac c2 eth0)
sc_conf "a1 $C/24 $C6/64 mac=$A1MAC" tk1 tk2
quiet_adapters sb mgmt
# The record of the standby's namespace: where the watcher writes by
# default (no --run-dir), removed with the namespace.
SBINO=$(stat -L -c %i "/run/netns/$(lan_ns sb)")
REC=/run/ipto/$SBINO
lan_atexit "rm -rf '$REC'"
for c in c1 c2; do
	pings $c "$C"
	pings $c "$C6"
done
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover exits 0 ($err)" [ $rc = 0 ]

W=$sc_tmp/watch.out
ip netns exec "$(lan_ns sb)" "$IPTO" watch --json --policy report >"$W" 2>"$sc_tmp/watch.err" &
w_pid=$!
lan_atexit '[ -z "$w_pid" ] || kill -TERM "$w_pid" 2>/dev/null; true'
check "watch without --fail/--ip is ready, from the kernel record, 2 addresses" \
	wait_for "$W" ".event == \"ready\" and .from == \"kernel\" and .addresses == 2 and
		.neigh_seen == \"$REC/neigh-seen\" and .record == \"$REC/conflicts\""
# the adapter the kernel has each on (the plan's choice)
tk_of() { lan_exec sb ip -o addr show to "$1" | awk '{ print $2 }'; }
TK4=$(tk_of "$C")
TK6=$(tk_of "$C6")
E4=$(lan_mac sb "$TK4")
E6=$(lan_mac sb "$TK6")
note "C on $TK4 ($E4), C6 on $TK6 ($E6)"
check "it watches C on $TK4" wait_for "$W" ".event == \"watch\" and .addr == \"$C/24\" and .ifname == \"$TK4\""
check "it watches C6 on $TK6" wait_for "$W" ".event == \"watch\" and .addr == \"$C6/64\" and .ifname == \"$TK6\""

# a1 wakes up: its announcement of C with its own MAC.
lan_exec a1 "$IPTO" announce -i eth0 --ip "$C/24" >/dev/null
check "a1's ARP announcement of C is a conflict" wait_for "$W" \
	".event == \"conflict\" and .addr == \"$C/24\" and .ifname == \"$TK4\" and
	 .mac == \"$A1MAC\" and .own_mac == \"$E4\" and .frame == \"arp-announce\" and
	 .op == 1 and .probe == false and .policy == \"report\" and .defended == false"
# c2 configures C6 itself: its kernel's duplicate address detection (an NS
# from :: to C6's solicited-node group, no option).
lan_sysctl c2 net.ipv6.conf.eth0.accept_dad=1
lan_exec c2 ip addr add "$C6/64" dev eth0
check "c2's DAD NS for C6 is a conflict (a probe, never defended)" wait_for "$W" \
	".event == \"conflict\" and .addr == \"$C6/64\" and .ifname == \"$TK6\" and
	 .mac == \"$C2MAC\" and .own_mac == \"$E6\" and .frame == \"dad-ns\" and
	 .op == 0 and .probe == true and .policy == \"report\" and .defended == false"
check "c2's DAD failed: the standby answered for C6" \
	lan_poll 10 sh -c "ip -n $(lan_ns c2) -6 addr show dev eth0 | grep -q dadfailed"
lan_exec c2 ip addr del "$C6/64" dev eth0

# c1 resolves both addresses again: its ARP request and NS reach the
# standby's adapters.
lan_exec c1 ip neigh del "$C" dev eth0
lan_exec c1 ip -6 neigh del "$C6" dev eth0
pings c1 "$C"
pings c1 "$C6"
# Forged requests for C from c2's port: sender MAC broadcast; sender IP
# the subnet's broadcast address; sender MAC zero.
forge() { # SENDER-MAC SENDER-IP
	lan_exec c2 python3 - "$1" "$2" "$C" "$C2MAC" <<'EOF'
import socket, sys
def mac(s): return bytes(int(x, 16) for x in s.split(":"))
sha, spa, tpa, src = mac(sys.argv[1]), socket.inet_aton(sys.argv[2]), socket.inet_aton(sys.argv[3]), mac(sys.argv[4])
f = b"\xff" * 6 + src + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" + sha + spa + b"\x00" * 6 + tpa
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(f)
EOF
}
forge ff:ff:ff:ff:ff:ff 192.0.2.150
forge "$C2MAC" 192.0.2.255
forge 00:00:00:00:00:00 192.0.2.151
# the next frame after the forged ones: c1 resolving C once more, so that
# by the time the file holds it the forged ones have been handled
sleep 0.2
lan_exec c1 ip neigh del "$C" dev eth0
pings c1 "$C"
seen_has() { lan_poll 10 grep -qs "^$1 $2 " "$REC/neigh-seen"; }
check "the seen file holds c1 for IPv4 ($(lan_ip4 c1) $C1MAC)" seen_has "$(lan_ip4 c1)" "$C1MAC"
check "the seen file holds c1 for IPv6 ($(lan_ip6 c1) $C1MAC)" seen_has "$(lan_ip6 c1)" "$C1MAC"
echo "# neigh-seen:"
sed 's/^/#   /' "$REC/neigh-seen" 2>/dev/null
check "no broadcast or zero sender MAC, no broadcast or forged sender IP in it" \
	eval "! grep -Eq 'ff:ff:ff:ff:ff:ff|00:00:00:00:00:00|^192\.0\.2\.(255|150|151) ' '$REC/neigh-seen'"
check "nor a1 (it claimed C: a conflict, not a neighbour), nor the watched addresses" \
	eval "! grep -Eq '^($C|$C6) |$A1MAC' '$REC/neigh-seen'"
check "the file is root's, 0644, in a root-owned 0755 directory" \
	[ "$(stat -c '%U %a' "$REC/neigh-seen") $(stat -c '%U %a' "$REC")" = "root 644 root 755" ]
got=$(ip netns exec "$(lan_ns sb)" "$NEIGH_READ" "$C/24" seen - 2>&1)
check "the library reads it back (ipto_neigh_set_add_seen, default path): $got" \
	grep -qx "$(lan_ip4 c1) $C1MAC watch" <<<"$got"

# It follows the record: a release ends the watching, a takeover starts it.
ipto_on sb -c "$sc_tmp/cluster.conf" release --fail a1
check "ipto release exits 0 ($err)" [ $rc = 0 ]
check "C is no longer watched" wait_for "$W" ".event == \"unwatch\" and .addr == \"$C/24\" and .ifname == \"$TK4\""
check "C6 is no longer watched" wait_for "$W" ".event == \"unwatch\" and .addr == \"$C6/64\" and .ifname == \"$TK6\""
n_before=$(jq -c 'select(.event == "conflict")' "$W" | wc -l)
lan_exec a1 "$IPTO" announce -i eth0 --ip "$C/24" >/dev/null
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover again exits 0 ($err)" [ $rc = 0 ]
# count_is FILE JQ-FILTER N: until exactly N lines match (10 s by the clock)
count_is() {
	lan_poll 10 sh -c "[ \$(jq -c 'select($2)' '$1' | wc -l) = $3 ]"
}
check "C is watched again (a second watch line)" \
	count_is "$W" ".event == \"watch\" and .addr == \"$C/24\"" 2
check "C6 is watched again" \
	count_is "$W" ".event == \"watch\" and .addr == \"$C6/64\"" 2
check "a1's announcement while nothing was held was no conflict" \
	[ "$(jq -c 'select(.event == "conflict")' "$W" | wc -l)" = "$n_before" ]
lan_exec a1 "$IPTO" announce -i eth0 --ip "$C/24" >/dev/null
check "after the second takeover a1's announcement is a conflict again, counted afresh" \
	count_is "$W" ".event == \"conflict\" and .addr == \"$C/24\" and .mac == \"$A1MAC\" and
		.frame == \"arp-announce\" and .count == 1" 2

kill -TERM "$w_pid"
wait "$w_pid"
wrc=$?
w_pid=
check "watch exits 0 on SIGTERM, nothing on stderr ($(cat "$sc_tmp/watch.err"))" \
	[ $wrc = 0 ] && [ ! -s "$sc_tmp/watch.err" ]
check "its last line is the stop event" [ "$(tail -n1 "$W" | jq -r .event)" = stop ]

# ipto probe sees another host's DAD NS for the address it probes: c2
# configures X6 (its kernel's DAD) while the standby probes for X6.
X6=2001:db8:2::200
lan_sysctl c2 net.ipv6.conf.eth0.dad_transmits=3
ip netns exec "$(lan_ns sb)" "$IPTO" probe -i tk2 --ip "$X6/64" --count 1 --wait 20000 --json \
	>"$sc_tmp/probe.out" 2>"$sc_tmp/probe.err" &
p_pid=$!
lan_atexit '[ -z "$p_pid" ] || kill "$p_pid" 2>/dev/null; true'
# c2 adds X6 again and again (each add is one DAD) until the probe ends
t0=$(date +%s)
while kill -0 "$p_pid" 2>/dev/null && [ $(($(date +%s) - t0)) -lt 20 ]; do
	lan_exec c2 ip addr del "$X6/64" dev eth0 2>/dev/null
	lan_exec c2 ip addr add "$X6/64" dev eth0
	sleep 0.3
done
wait "$p_pid"
prc=$?
p_pid=
check "probe of X6 exits 1: c2 runs DAD for it ($prc: $(cat "$sc_tmp/probe.out"))" [ $prc = 1 ]
check "the probe names c2's DAD NS" jq -e \
	"select(.result == \"in-use\" and .addr == \"$X6/64\" and .mac == \"$C2MAC\" and
		.ifname == \"tk2\" and .frame == \"dad-ns\")" "$sc_tmp/probe.out"
finish
