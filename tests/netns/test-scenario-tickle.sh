#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# TCP recovery after a takeover (doc/watch.md), with real TCP clients.
# a1 serves on C; clients c1 and c2 (tickle-peer.py) send a request every
# 100 ms and wait for each answer; ipto-conns-from-ss on a1 writes the
# connection file. a1's cable is pulled (it keeps C: it did not let go);
# after 3.5 s of silence, in which the clients' retransmission timers back
# off, the standby takes C over and serves on it. Only c1's connection is
# tickled (`ipto tickle`); c2 is the same client without tickles. Asserted:
# the tickle on c1's wire is right (from C:PORT with the standby's MAC,
# flags ACK only, seq 0, ack 0, window 0), c1's answer is reset by the
# standby (RST from C:PORT, standby's MAC), c1 recovers on the standby,
# c2 got no tickle. Printed (no timed assertion): how long after the
# takeover each client talked to the standby again.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
for p in jq tshark python3 ss; do
	command -v $p >/dev/null || { echo "not ok - $p is missing (.ci/deps)"; exit 1; }
done
PEER=$(realpath "$(dirname "$0")/tickle-peer.py")
SS2CONNS=$(realpath "$(dirname "$0")/../../examples/ipto/ipto-conns-from-ss")
FAIL_S=3.5

sc_one_ip wch-t- 2
C1=$(lan_ip4 c1)
C2=$(lan_ip4 c2)
pids=()
lan_atexit 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; true'
bg() { # NODE OUT CMD...
	local node=$1 outf=$2
	shift 2
	ip netns exec "$(lan_ns "$node")" "$@" >"$outf" 2>&1 &
	pids+=($!)
}
now() { date +%s.%N; }
# until_line FILE REGEX [SECONDS]: poll until FILE has a matching line.
until_line() {
	local t0
	t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt "${3:-15}" ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

bg a1 "$sc_tmp/srv-a1" python3 "$PEER" serve "$C" $PORT a1
check "a1 serves on $C:$PORT" until_line "$sc_tmp/srv-a1" '^listening'
for c in c1 c2; do
	bg $c "$sc_tmp/cl-$c" python3 "$PEER" client "$C" $PORT
	check "$c talks to a1" until_line "$sc_tmp/cl-$c" '^reply .* a1$'
done
# What a cluster manager ships in advance: a1's connection list.
lan_exec a1 "$SS2CONNS" -o "$sc_tmp/conns" "$C"
note "connection file:" "$(cat "$sc_tmp/conns")"
has_conn() { grep -Eq "^$C:$PORT $1:[0-9]+\$" "$sc_tmp/conns"; }
check "ipto-conns-from-ss lists c1's connection" has_conn "$C1"
check "... and c2's" has_conn "$C2"
grep -v " $C2:" "$sc_tmp/conns" >"$sc_tmp/conns-c1"

check "tshark captures on c1" capture_start c1 "$sc_tmp/c1.pcap" -i eth0 -f "tcp port $PORT"
# Everything the standby sends about the service, on every adapter.
ip netns exec "$(lan_ns sb)" tshark -n -q -i any -f "tcp port $PORT" -w "$sc_tmp/sb.pcap" -F pcap \
	>"$sc_tmp/sb.log" 2>&1 &
sb_cap=$!
pids+=($sb_cap)
check "tshark captures on sb" until_line "$sc_tmp/sb.log" 'Capture started'
# a1 fails: cable out, addresses and server still there.
lan_cable a1 eth0 off
t_fail=$(now)
while awk -v a="$t_fail" -v b="$(now)" -v f=$FAIL_S 'BEGIN { exit !(b - a < f) }'; do sleep 0.05; done

t_to=$(now)
bg sb "$sc_tmp/takeover" "$IPTO" -c "$sc_tmp/cluster.conf" takeover --fail a1
c_on_sb() { has_addr sb tk1 "$C/24"; }
t0=$(date +%s)
while ! c_on_sb && [ $(($(date +%s) - t0)) -lt 15 ]; do sleep 0.01; done
check "the standby holds C" c_on_sb
bg sb "$sc_tmp/srv-sb" python3 "$PEER" serve "$C" $PORT sb
until_line "$sc_tmp/srv-sb" '^listening'
t_tk=$(now)
ipto_on sb tickle --conns "$sc_tmp/conns-c1" --rounds 3 --interval 200
check "ipto tickle exits 0: $out $err" [ $rc = 0 ]
check "it tickled exactly one connection (c1's): $out" grep -q "^tickled 1 connection(s) 3 time(s); 0 skipped" <<<"$out"

check "c1 (tickled) talks to the standby" until_line "$sc_tmp/cl-c1" '^reply .* sb$' 20
check "c2 (not tickled) talks to the standby" until_line "$sc_tmp/cl-c2" '^reply .* sb$' 40
capture_stop
first_sb() { awk '$1 == "reply" && $3 == "sb" { print $2; exit }' "$1"; }
fig() { awk -v a="$t_to" -v b="$1" 'BEGIN { printf "%.3f", b - a }'; }
f1=$(fig "$(first_sb "$sc_tmp/cl-c1")")
f2=$(fig "$(first_sb "$sc_tmp/cl-c2")")
note "after ${FAIL_S} s of failure, time from the takeover's start until the client talks to the standby:" \
	"  with tickles:    $f1 s (ipto tickle started $(fig "$t_tk") s after the takeover's start, once the standby served)" \
	"  without tickles: $f2 s"
note "FIGURE tickle_with_s=$f1 tickle_without_s=$f2 tickle_started_s=$(fig "$t_tk")"
check "c1 was reset (its connection ended with an error, then it reconnected)" \
	grep -q '^reset ' "$sc_tmp/cl-c1"

# Bytes on c1's wire. The tickle:
tk=$(tshark -n -r "$sc_tmp/c1.pcap" -Y "ip.src == $C && tcp.srcport == $PORT && tcp.seq_raw == 0 && tcp.ack_raw == 0" \
	-T fields -e eth.src -e ip.dst -e tcp.flags -e tcp.window_size_value -e tcp.len -e tcp.checksum.status \
	-o tcp.check_checksum:TRUE 2>/dev/null | sort | uniq -c | awk '{ $1 = $1 "x"; print }')
note "tickles on c1's wire: $tk"
check "tickles: from C:$PORT with the standby's MAC, ACK only, seq 0, ack 0, window 0, good checksum" \
	grep -Eq "^[1-3]x $E $C1 0x0*010 0 0 1\$" <<<"$tk"
cport=$(awk -v c="$C1" '$2 ~ "^"c":" { split($2, a, ":"); print a[2] }' "$sc_tmp/conns-c1")
rst=$(tshark -n -r "$sc_tmp/c1.pcap" -Y "ip.src == $C && tcp.flags.reset == 1 && tcp.dstport == $cport" \
	-T fields -e eth.src -e tcp.srcport 2>/dev/null | sort -u)
note "RST to c1's old connection (port $cport): $rst"
# The RST is the standby kernel's answer; it leaves by the standby's route
# to the clients' subnet (here the management adapter), so any of its MACs.
check "the standby reset c1's old connection (RST from C:$PORT, a standby MAC)" \
	grep -Eq "^02:00:5e:30:01:[0-9a-f]{2}	$PORT\$" <<<"$rst"
kill -INT "$sb_cap"
wait "$sb_cap"
tk_all=$(tshark -n -r "$sc_tmp/sb.pcap" -Y "sll.pkttype == 4 && tcp.seq_raw == 0 && tcp.ack_raw == 0" \
	-T fields -e ip.dst 2>/dev/null | sort | uniq -c | awk '{ print $2 "x" $1 }' | tr '\n' ' ')
check "the standby sent tickles to c1 only (3 rounds): $tk_all" [ "$tk_all" = "${C1}x3 " ]
finish
