#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# agent-abuse.sh: how long an authenticated instruction waits at the
# standby's ipto-agent while it is under abuse, against the 100 ms target
# (doc/agent.md). Prints one table; every figure is measured in this run.
#
#   tests/bench/agent-abuse.sh [BUILDDIR] [--n N]        (as root)
#
# The LAN (tests/netns/lan.sh, namespaces agtbn-*): the standby sb runs
# `ipto-agent listen` on 198.51.100.2 with its defaults except --per-peer
# 25; a1 (198.51.100.11) measures; c1 floods from 50 source addresses;
# c2 runs a slowloris and a slow reader. Each row: N authenticated pings,
# 50 ms apart, each on a new connection, timed from connect() to the
# verified reply by tests/netns/agent-abuse.py (its own HMAC), under:
#   idle          nothing else
#   flood         1,000 connections (50 addresses x 20) holding half-sent
#                 lines, reopened whenever the agent closes one
#   all           the flood + 4 slowloris connections (a byte every 100 ms)
#                 + a slow reader (authenticated pings, never reading)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$src/build}" 2>/dev/null && pwd) || { echo "no build dir" >&2; exit 1; }
[ $# -gt 0 ] && shift
N=100
while [ $# -gt 0 ]; do
	case $1 in
	--n) N=$2; shift 2 ;;
	*) echo "usage: $0 [BUILDDIR] [--n N]" >&2; exit 2 ;;
	esac
done
AGENT=$build/examples/ipto-agent
ABUSE=$src/tests/netns/agent-abuse.py
# shellcheck source=../netns/lan.sh
. "$src/tests/netns/lan.sh"
[ "$(id -u)" = 0 ] || lan_skip "run as root (it makes network namespaces)"
lan_up --prefix agtbn- --clients 2 --actives 1 --ips 1 --takeover 1 --second-subnet || exit 1
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"
AT=198.51.100.2:7412
"$AGENT" keygen "$tmp/key" || exit 1
cat >"$tmp/cluster.conf" <<EOF
node a1 $(lan_ip4 a1)/24 mac=$(lan_mac a1 eth0)
adapter sb tk1
EOF
for ((i = 0; i < 50; i++)); do echo "addr add 198.51.100.$((30 + i))/24 dev eth0"; done |
	lan_exec c1 ip -batch - || exit 1
lan_exec sb "$AGENT" listen --key "$tmp/key" --config "$tmp/cluster.conf" --standby sb \
	--address "$AT" --allow 198.51.100.0/24 --per-peer 25 >"$tmp/agent.log" 2>&1 &
agent=$!
lan_atexit "kill $agent 2>/dev/null; true"
for ((i = 0; i < 100; i++)); do
	lan_exec a1 "$AGENT" instruct --key "$tmp/key" "$AT" ping >/dev/null 2>&1 && break
	sleep 0.1
done
[ $i -lt 100 ] || { echo "the agent did not start" >&2; cat "$tmp/agent.log" >&2; exit 1; }

measure() {
	lan_exec a1 python3 "$ABUSE" measure "$AT" "$tmp/key" --n "$N" --gap 50
}
row() { # NAME LINE
	local served failed med p95 max verdict
	served=$(sed -n 's/.*served=\([0-9]*\).*/\1/p' <<<"$2")
	failed=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$2")
	med=$(sed -n 's/.*median_ms=\([0-9.-]*\).*/\1/p' <<<"$2")
	p95=$(sed -n 's/.*p95_ms=\([0-9.-]*\).*/\1/p' <<<"$2")
	max=$(sed -n 's/.*max_ms=\([0-9.-]*\).*/\1/p' <<<"$2")
	verdict=$(awk -v m="$max" -v f="$failed" 'BEGIN { print (f == 0 && m >= 0 && m < 100) ? "met" : "MISSED" }')
	printf '%-8s %5s %6s %10s %10s %10s   %s\n' "$1" "$served" "$failed" "$med" "$p95" "$max" "$verdict"
}
start_flood() {
	lan_exec c1 python3 "$ABUSE" flood "$AT" --src 198.51.100. --first 30 --count 50 \
		--per-src 20 --hold 600 --ready "$tmp/ready" >"$tmp/flood.out" 2>&1 &
	flood=$!
	lan_atexit "kill $flood 2>/dev/null; true"
	for ((i = 0; i < 300; i++)); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
	wait_held 900
}
held() { lan_exec sb ss -Htn state established "( sport = :7412 )" | wc -l; }
wait_held() { # N: until the agent holds N connections (up to 30 s)
	local i
	for ((i = 0; i < 300; i++)); do [ "$(held)" -ge "$1" ] && return; sleep 0.1; done
}

echo "ipto-agent under abuse, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) CPUs, Linux $(uname -r)"
echo "authenticated pings from connect() to the verified reply, $N per row; target: max < 100 ms"
echo
printf '%-8s %5s %6s %10s %10s %10s   %s\n' load served failed "median ms" "p95 ms" "max ms" target
row idle "$(measure)"
start_flood
row flood "$(measure)"
lan_exec c2 python3 "$ABUSE" slowloris "$AT" --conns 4 --interval 100 --max 600 >/dev/null 2>&1 &
loris=$!
lan_exec c2 python3 "$ABUSE" slowreader "$AT" "$tmp/key" --max 600 >/dev/null 2>&1 &
reader=$!
lan_atexit "kill $loris $reader 2>/dev/null; true"
wait_held 905
held=$(held)
row all "$(measure)"
echo
echo "connections the agent held during 'all': $held"
