#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The tickle on the wire, both families (doc/watch.md): a1 holds C and C6
# and tickles two connections of c1 (which has no such sockets). On c1's
# wire: a TCP segment from C:80 / [C6]:80 with a1's MAC, flags ACK only,
# seq 0, ack 0, window 0, no payload, a good checksum; c1's kernel answers
# each with a RST. A connection whose server address a1 does not hold is
# skipped and sends nothing.
# usage: test-tickle-wire.sh PATH/TO/ipto
set -u
IPTO=$(realpath "${1:?usage: $0 PATH/TO/ipto}")
LAN_TAP=1 # TAP output: lan_skip skips with "1..0 # SKIP"
# shellcheck source=lan.sh
. "${LAN_SH:-$(dirname "$0")/lan.sh}"
[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
command -v tshark >/dev/null || { echo "not ok - tshark is missing (.ci/deps)"; exit 1; }
n=0 fails=0
# TAP: one line per result, whatever the description holds
ok() { local d="$*"; n=$((n + 1)); echo "ok $n - ${d//$'\n'/ | }"; }
bad() { local d="$*"; n=$((n + 1)); echo "not ok $n - ${d//$'\n'/ | }"; fails=$((fails + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"

lan_up --prefix wch-tw- --clients 1 --actives 1 --ips 1 --takeover 0 --ipv6 || exit 1
C=$(lan_ip4 a1) C6=$(lan_ip6 a1) C1=$(lan_ip4 c1) C16=$(lan_ip6 c1)
A1MAC=$(lan_mac a1 eth0)
cat >"$tmp/conns" <<EOT
# two connections a1 serves, one it does not
$C:80 $C1:5000
[$C6]:80 [$C16]:5001
192.0.2.250:80 $C1:5002
EOT
ip netns exec "$(lan_ns c1)" tshark -n -q -i eth0 -f tcp -w "$tmp/c1.pcap" -F pcap >"$tmp/cap.log" 2>&1 &
cap=$!
lan_atexit "kill $cap 2>/dev/null; true"
t0=$(date +%s)
until grep -qs 'Capture started' "$tmp/cap.log" || [ $(($(date +%s) - t0)) -ge 10 ]; do sleep 0.1; done
out=$(lan_exec a1 "$IPTO" tickle --conns "$tmp/conns" --rounds 1 2>&1)
rc=$?
check "ipto tickle exits 0: ${out//$'\n'/ | }" [ $rc = 0 ]
check "2 tickled, 1 skipped (192.0.2.250 is not a1's)" grep -q "^tickled 2 connection(s) 1 time(s); 1 skipped" <<<"$out"
# Until both RSTs are in the capture (tshark writes in batches), 10 s.
rsts() { tshark -n -r "$tmp/c1.pcap" -Y 'tcp.flags.reset == 1' 2>/dev/null | wc -l; }
t0=$(date +%s)
until [ "$(rsts)" -ge 2 ] || [ $(($(date +%s) - t0)) -ge 10 ]; do sleep 0.1; done
kill -INT $cap; wait $cap 2>/dev/null
fields() {
	tshark -n -r "$tmp/c1.pcap" -o tcp.check_checksum:TRUE -Y "$1" -T fields -e eth.src \
		-e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw \
		-e tcp.window_size_value -e tcp.len -e tcp.checksum.status 2>/dev/null
}
v4=$(fields "ip.src == $C && ip.dst == $C1")
v6=$(fields "ipv6.src == $C6 && ipv6.dst == $C16")
tab() { local IFS=$'\t'; echo "$*"; }
check "IPv4 tickle: $v4" [ "$v4" = "$(tab "$A1MAC" 80 5000 0x0010 0 0 0 0 1)" ]
check "IPv6 tickle: $v6" [ "$v6" = "$(tab "$A1MAC" 80 5001 0x0010 0 0 0 0 1)" ]
ttl=$(tshark -n -r "$tmp/c1.pcap" -Y "ip.src == $C" -T fields -e ip.ttl -e ip.flags.df 2>/dev/null)
hl=$(tshark -n -r "$tmp/c1.pcap" -Y "ipv6.src == $C6" -T fields -e ipv6.hlim 2>/dev/null)
hops() { [ "$ttl" = "$(tab 64 1)" ] && [ "$hl" = 64 ]; }
check "IPv4 TTL 64, DF; IPv6 hop limit 64 ($ttl / $hl)" hops
r4=$(tshark -n -r "$tmp/c1.pcap" -Y "tcp.flags.reset == 1 && ip.dst == $C" -T fields -e tcp.srcport -e tcp.dstport 2>/dev/null)
r6=$(tshark -n -r "$tmp/c1.pcap" -Y "tcp.flags.reset == 1 && ipv6.dst == $C6" -T fields -e tcp.srcport -e tcp.dstport 2>/dev/null)
resets() { [ "$r4" = "$(tab 5000 80)" ] && [ "$r6" = "$(tab 5001 80)" ]; }
check "c1's kernel resets both (it has no such connection): $r4 / $r6" resets
check "nothing for the skipped connection" \
	[ "$(tshark -n -r "$tmp/c1.pcap" -Y 'tcp.port == 5002' 2>/dev/null | wc -l)" = 0 ]
echo "1..$n"
[ $fails = 0 ]
