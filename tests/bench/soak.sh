#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# soak.sh: the long-lived parts of libipto (ipto-agent, ipto watch, an
# `ipto takeover --refresh` holder) running for a bounded time while the
# standby keeps taking 64 addresses over and giving them back, under CPU
# load, on a LAN of network namespaces it builds itself. Prints one table
# (doc/soak.md). Not part of the test suite.
#
#   tests/bench/soak.sh [BUILDDIR] [--minutes N] [--load N] [--keep DIR]   (as root)
#
#   --minutes N   how long (default 10, or $SOAK_MINUTES; 1 is a smoke run)
#   --load N      busy processes keeping the CPUs busy (default: one a CPU;
#                 stress-ng when installed, else shell loops), all at nice 19
#   --keep DIR    copy the logs there before the teardown
#   $IPTO, $IPTO_AGENT  the binaries (default: found under BUILDDIR)
#
# The LAN (tests/netns/lan.sh, namespaces soak-*): clients c1 and c2;
# actives a1, a2, a3; standby sb with 72 takeover adapters and its
# management address 198.51.100.2 (--second-subnet). Documentation
# addresses only. The cluster description:
#   a1  192.0.2.128-191 (64 addresses), the cycle: it runs, over and over,
#       takeover (a1 lets go of its addresses, then sb takes them over),
#       release (sb), reclaim (a1 binds and announces them again: ipto
#       reclaim), failover (a1's cable is pulled, sb takes over), release,
#       cable back and reclaim. After every takeover and reclaim both
#       clients ping the 64 addresses and compare their neighbour entries
#       with the MAC of the adapter that holds each address in the kernel.
#   a2  192.0.2.21, held on sb throughout by `ipto takeover --refresh 3
#       --background` (the refresh holder). a2 does not hold it; it is the
#       flapping node: every 2 s it announces the address from its own MAC
#       (ipto announce --style arp-announce). `ipto watch --fail a2
#       --policy defend --defend-interval 1000` on sb defends it; after each
#       flap c2 pings it and checks that its entry is back on sb's MAC.
#   a3  192.0.2.200-203: a3 instructs sb's ipto-agent over the management
#       LAN (ipto-agent instruct: takeover a3, ping, release a3, then a3
#       reclaims), c1 checking the MACs after each move; meanwhile c2
#       abuses the agent: 400 half-sent connections from 20 addresses
#       (reopened when closed), slowloris, a slow reader, and every 2 s a
#       forged request (tampered word, wrong key, replayed line, stale
#       time) that must be refused ("denied").
#
# Operations are counted "ok", "refused" (refused on purpose: the forged
# requests, when the agent says denied) or "failed" (anything else: a
# command's non-zero exit, a move the kernel does not show, a status not
# healthy, a forged request not denied). RSS and open descriptors of each
# long-lived process and the size of its namespace's /run/ipto/INODE
# (bytes, files) are sampled after start-up, every minute and at the end;
# the agent's descriptors at start and end are read with no client
# connected (before the abuse starts, after it has stopped).
set -u

usage() {
	sed -n '4,40p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$SRC/tests/bench
BUILD=
MINUTES=${SOAK_MINUTES:-10}
LOAD=$(nproc)
KEEP=
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) MINUTES=${2-}; shift ;;
	--load) LOAD=${2-}; shift ;;
	--keep) KEEP=${2-}; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) [ -z "$BUILD" ] || usage; BUILD=$1 ;;
	esac
	shift
done
case $MINUTES in '' | *[!0-9]* | 0) echo "--minutes: a whole number >= 1" >&2; exit 2 ;; esac
case $LOAD in '' | *[!0-9]*) echo "--load: a number" >&2; exit 2 ;; esac
BUILD=$(cd "${BUILD:-$SRC/build}" 2>/dev/null && pwd) || { echo "no build dir" >&2; exit 1; }

# The binaries: $IPTO / $IPTO_AGENT, else the first found in the build dir.
find_bin() {
	find "$BUILD" -name "$1" -type f -perm -u+x 2>/dev/null | sort | head -n1
}
IPTO=${IPTO:-$(find_bin ipto)}
AGENT=${IPTO_AGENT:-$(find_bin ipto-agent)}
export NEIGH_WATCH=${NEIGH_WATCH:-$(find_bin neigh-watch)}
for b in "$IPTO" "$AGENT" "$NEIGH_WATCH"; do
	[ -n "$b" ] && [ -x "$b" ] || { echo "ipto, ipto-agent or neigh-watch not built in $BUILD" >&2; exit 1; }
done
HELPER=$HERE/soak-helper.py
ABUSE=$SRC/tests/netns/agent-abuse.py

# shellcheck source=../netns/lan.sh
. "$SRC/tests/netns/lan.sh"
[ "$(id -u)" = 0 ] || lan_skip "run as root (it makes network namespaces)"
command -v python3 >/dev/null || lan_skip "needs python3"
K=72
lan_up --prefix soak- --clients 2 --actives 3 --ips 1 --takeover $K --second-subnet || exit 1
tmp=$(mktemp -d /tmp/ipto-soak.XXXXXX)
lan_atexit "rm -rf '$tmp'"
[ -n "$KEEP" ] && lan_atexit "mkdir -p '$KEEP' && cp -a '$tmp'/. '$KEEP'/"

ns() { lan_ns "$1"; }
T0=$SECONDS
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
END=$((T0 + MINUTES * 60))
log() { printf '[%4ds] %s\n' $((SECONDS - T0)) "$*" >>"$tmp/run.log"; }
op() { # KIND ok|refused|failed [DETAIL]
	printf '%s %s %s\n' "$1" "$2" "${3-}" >>"$tmp/ops.log"
	printf '%d %s %s\n' $((SECONDS - T0)) "$1" "$2" >>"$tmp/ops.times"
	[ "$2" = failed ] && log "FAILED $1 ${3-}"
	return 0
}

# --- The cluster ----------------------------------------------------------
A1=() A3=()
for ((i = 128; i < 192; i++)); do A1+=("192.0.2.$i"); done
for ((i = 200; i < 204; i++)); do A3+=("192.0.2.$i"); done
A2=192.0.2.21
CONF=$tmp/cluster.conf
{
	printf 'node a1'; printf ' %s/24' "${A1[@]}"; printf ' mac=%s\n' "$(lan_mac a1 eth0)"
	printf 'node a2 %s/24 mac=%s\n' "$A2" "$(lan_mac a2 eth0)"
	printf 'node a3'; printf ' %s/24' "${A3[@]}"; printf ' mac=%s\n' "$(lan_mac a3 eth0)"
	for ((i = 1; i <= K; i++)); do echo "adapter sb tk$i"; done
} >"$CONF"
# a1 and a3 start holding their addresses; a2 has let go of its own (it is
# the failed node that keeps announcing it).
for a in "${A1[@]}"; do echo "addr add $a/24 dev eth0"; done | ip -n "$(ns a1)" -batch - || exit 1
for a in "${A3[@]}"; do echo "addr add $a/24 dev eth0"; done | ip -n "$(ns a3)" -batch - || exit 1
ip -n "$(ns a2)" addr del "$A2/24" dev eth0 || exit 1

# --- Checks -----------------------------------------------------------------
# expect_on NODE|sb FILE ADDR...: "ADDR MAC" of each address as the kernel of
# NODE shows it (which adapter holds it); non-zero if one is missing there.
expect_on() {
	local node=$1 file=$2
	shift 2
	ip netns exec "$(ns "$node")" python3 "$HELPER" held "$@" >"$file" 2>>"$tmp/run.log"
}
# client_check CLIENT FILE WHAT: ping, then compare the neighbour table.
client_check() {
	local out
	out=$(ip netns exec "$(ns "$1")" python3 "$HELPER" check "$2" 2>&1)
	printf '%s %s %s\n' "$1" "$3" "$(head -n1 <<<"$out")" >>"$tmp/checks.log"
	if grep -q '^wrong' <<<"$out"; then
		log "WRONG MAC at $1 after $3:"
		grep '^wrong' <<<"$out" >>"$tmp/run.log"
	fi
}
# run_op KIND NODE CMD...: one operation in NODE's namespace.
run_op() {
	local kind=$1 node=$2 rc
	shift 2
	ip netns exec "$(ns "$node")" "$@" >>"$tmp/cmd.log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then op "$kind" ok; else op "$kind" failed "exit $rc: $*"; fi
	return $rc
}
stop_requested() { [ -e "$tmp/stop" ] || [ $SECONDS -ge $END ]; }

# --- Samples --------------------------------------------------------------
# sample NAME PID TAG: one line "NAME TAG rss_kb fds 0 0".
sample() {
	local name=$1 pid=$2 tag=$3 rss fds
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
	[ -n "$rss" ] || { rss=gone fds=gone; }
	echo "$name $tag $rss $fds 0 0" >>"$tmp/samples"
}
# sample_record NODE TAG: "rec-NODE TAG bytes files conflicts_bytes" of the
# record of NODE's namespace, the conflict record (conflicts, conflicts.1)
# apart: it grows with every conflict by design, up to 2 x 256 KiB.
sample_record() {
	local dir bytes files cb
	dir=/run/ipto/$(stat -L -c %i "/run/netns/$(ns "$1")")
	bytes=$(find "$dir" -type f ! -name 'conflicts*' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	files=$(find "$dir" -type f ! -name 'conflicts*' 2>/dev/null | wc -l)
	cb=$(find "$dir" -type f -name 'conflicts*' -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	echo "rec-$1 $2 $bytes $files $cb 0" >>"$tmp/samples"
}
sample_all() { # TAG
	sample agent "$agent" "$1"
	sample watch "$watch" "$1"
	sample refresh "$refresh" "$1"
	sample_record sb "$1"
	sample_record a1 "$1"
	sample_record a3 "$1"
}

# --- The long-lived processes on sb ---------------------------------------
SB=$(ns sb)
AT=198.51.100.2:7412
"$AGENT" keygen "$tmp/key" && "$AGENT" keygen "$tmp/wrongkey" || exit 1
ip netns exec "$SB" "$IPTO" -c "$CONF" takeover --fail a2 --standby sb --refresh 3 \
	--background --json >"$tmp/refresh.json" 2>>"$tmp/run.log" || {
	echo "the refresh holder did not start" >&2; cat "$tmp/refresh.json" >&2; exit 1; }
refresh=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["background"]["pid"])' \
	"$tmp/refresh.json") || exit 1
ip netns exec "$SB" "$IPTO" -c "$CONF" watch --fail a2 --policy defend \
	--defend-interval 1000 --json >"$tmp/watch.json" 2>>"$tmp/run.log" &
watch=$!
ip netns exec "$SB" "$AGENT" listen --key "$tmp/key" --config "$CONF" --standby sb \
	--address "$AT" --allow 198.51.100.0/24 --per-peer 25 >"$tmp/agent.log" 2>&1 &
agent=$!
lan_atexit "kill $agent $watch $refresh 2>/dev/null; true"
lan_poll 30 grep -q '"event":"ready"' "$tmp/watch.json" || { echo "the watch did not start" >&2; exit 1; }
lan_poll 30 ip netns exec "$(ns a3)" "$AGENT" instruct --key "$tmp/key" "$AT" ping \
	>/dev/null 2>&1 || { echo "the agent did not start" >&2; cat "$tmp/agent.log" >&2; exit 1; }
held_conns() { ip netns exec "$SB" ss -Htn state established "( sport = :7412 )" | wc -l; }
no_conns() { [ "$(held_conns)" = 0 ]; }
lan_poll 10 no_conns
sample_all start

# --- Load and abuse -------------------------------------------------------
load_pids=
if command -v stress-ng >/dev/null; then
	if [ "$LOAD" -gt 0 ]; then
		ip netns exec "$(ns c1)" nice -n 19 stress-ng --cpu "$LOAD" \
			--timeout $((MINUTES * 60 + 60))s >/dev/null 2>&1 &
		load_pids=$!
	fi
	LOADGEN="stress-ng --cpu $LOAD"
else
	for ((i = 0; i < LOAD; i++)); do
		ip netns exec "$(ns c1)" nice -n 19 sh -c 'while :; do :; done' &
		load_pids+=" $!"
	done
	LOADGEN="$LOAD shell busy loops"
fi
lan_atexit "kill $load_pids 2>/dev/null; true"

# c2's sources: the flood .150-.169, the slow reader .170, slowloris .171,
# the forger .172 (each its own peer for the agent's per-peer limits).
for ((i = 0; i < 23; i++)); do echo "addr add 198.51.100.$((150 + i))/24 dev eth0"; done |
	ip -n "$(ns c2)" -batch - || exit 1
HOLD=$((MINUTES * 60 + 120))
ip netns exec "$(ns c2)" python3 "$ABUSE" flood "$AT" --src 198.51.100. --first 150 --count 20 \
	--per-src 20 --hold $HOLD --ready "$tmp/flood.ready" >"$tmp/flood.out" 2>&1 &
flood=$!
ip netns exec "$(ns c2)" python3 "$ABUSE" slowreader "$AT" "$tmp/key" --max $HOLD --src 198.51.100.170 \
	>"$tmp/slowreader.out" 2>&1 &
reader=$!
(
	while ! stop_requested; do
		ip netns exec "$(ns c2)" python3 "$ABUSE" slowloris "$AT" --conns 4 --interval 100 \
			--max 30 --src 198.51.100.171 >>"$tmp/slowloris.out" 2>&1
	done
) &
loris=$!
lan_atexit "kill $flood $reader $loris 2>/dev/null; true"

# Forged requests, every 2 s, one of four kinds in turn, from 198.51.100.172;
# each must be denied. The replayed one is a ping that was served (checked)
# sent again byte for byte.
FORGER=198.51.100.172
abuse() { ip netns exec "$(ns c2)" python3 "$ABUSE" "$@" 2>&1; }
forger() {
	local n=0 out kind
	while ! stop_requested; do
		case $((n % 4)) in
		0) kind=tampered
		   out=$(abuse req "$AT" "$tmp/key" release a1 --tamper ' release ' ' takeover ' --src $FORGER) ;;
		1) kind='wrong-key'
		   out=$(abuse req "$AT" "$tmp/wrongkey" takeover a1 --src $FORGER) ;;
		2) kind=replayed
		   out=$(abuse req "$AT" "$tmp/key" ping --save "$tmp/replay.line" --src $FORGER)
		   if grep -q 'verdict=ok' <<<"$out"; then
			op replay-original ok
		   else
			op replay-original failed "a ping was not served: $out"
		   fi
		   out=$(abuse send "$AT" "$tmp/replay.line" --src $FORGER) ;;
		3) kind=stale
		   out=$(abuse req "$AT" "$tmp/key" release a3 --ts-offset -120000 --src $FORGER) ;;
		esac
		if grep -q "reply=b'denied" <<<"$out"; then
			op "forged-$kind" refused
		else
			op "forged-$kind" failed "not denied: $out"
		fi
		n=$((n + 1))
		sleep 2
	done
}
forger &
forger_pid=$!

# The flapping node and the watch's defence.
conflicts_seen() { grep -c '"event":"conflict"' "$tmp/watch.json"; }
more_conflicts_than() { [ "$(conflicts_seen)" -gt "$1" ]; }
flapper() {
	local n0
	while ! stop_requested; do
		n0=$(conflicts_seen)
		if ip netns exec "$(ns a2)" "$IPTO" announce -i eth0 --ip "$A2/24" \
			--style arp-announce >/dev/null 2>>"$tmp/run.log"; then
			echo flap >>"$tmp/flaps"
			# each flap is one conflict (they are 2 s or more apart, the
			# defend interval 1 s): the watch must report it
			if lan_poll 3 more_conflicts_than "$n0"; then
				op watch-report ok
			else
				op watch-report failed "the flap at $((SECONDS - T0)) s was not reported"
			fi
		else
			op flap failed "ipto announce from a2"
		fi
		if expect_on sb "$tmp/exp.a2" "$A2"; then
			client_check c2 "$tmp/exp.a2" flap
		else
			op refresh-held failed "$A2 not held on sb"
		fi
		sleep 2
	done
}
flapper &
flapper_pid=$!

# a3 through the agent: takeover, ping, release, reclaim.
a3_cycle() {
	local r
	while ! stop_requested; do
		for a in "${A3[@]}"; do echo "addr del $a/24 dev eth0"; done |
			ip -n "$(ns a3)" -batch - 2>>"$tmp/run.log"
		run_op agent-takeover a3 "$AGENT" instruct --key "$tmp/key" "$AT" takeover a3 --timeout 15000
		if expect_on sb "$tmp/exp.a3" "${A3[@]}"; then
			client_check c1 "$tmp/exp.a3" agent-takeover
		else
			op agent-takeover-held failed "not every a3 address on sb"
		fi
		run_op agent-ping a3 "$AGENT" instruct --key "$tmp/key" "$AT" ping
		sleep 1
		run_op agent-release a3 "$AGENT" instruct --key "$tmp/key" "$AT" release a3 --timeout 15000
		r=$(ip -n "$SB" -4 -o addr show | grep -cwF -e "${A3[0]}" -e "${A3[1]}" -e "${A3[2]}" -e "${A3[3]}")
		[ "$r" = 0 ] || op agent-release-gone failed "$r a3 address(es) still on sb"
		run_op reclaim-a3 a3 "$IPTO" -c "$CONF" reclaim --node a3 --interface eth0
		if expect_on a3 "$tmp/exp.a3b" "${A3[@]}"; then
			client_check c1 "$tmp/exp.a3b" reclaim-a3
		else
			op reclaim-a3-held failed "not every a3 address on a3"
		fi
		sleep 1
	done
}
a3_cycle &
a3_pid=$!
lan_atexit "kill $forger_pid $flapper_pid $a3_pid 2>/dev/null; true"

# --- The a1 cycle (foreground) --------------------------------------------
a1_status() { # after a takeover: status of a1 and a2 healthy (exit 0)
	local n
	for n in a1 a2; do
		ip netns exec "$SB" "$IPTO" -c "$CONF" status --node $n >>"$tmp/cmd.log" 2>&1 ||
			op "status-$n" failed "ipto status --node $n: exit $?"
	done
}
a1_takeover() { # KIND
	if run_op "$1" sb "$IPTO" -c "$CONF" takeover --fail a1 --standby sb; then
		if expect_on sb "$tmp/exp.a1" "${A1[@]}"; then
			client_check c1 "$tmp/exp.a1" "$1"
			client_check c2 "$tmp/exp.a1" "$1"
		else
			op "$1-held" failed "not every a1 address on sb"
		fi
		a1_status
	fi
}
a1_release() {
	local r
	run_op release sb "$IPTO" -c "$CONF" release --fail a1 --standby sb
	r=$(ip -n "$SB" -4 -o addr show | grep -c ' 192\.0\.2\.1[2-9][0-9]/')
	[ "$r" = 0 ] || op release-gone failed "$r a1 address(es) still on sb"
}
a1_reclaim() {
	if run_op reclaim a1 "$IPTO" -c "$CONF" reclaim --node a1 --interface eth0; then
		if expect_on a1 "$tmp/exp.a1b" "${A1[@]}"; then
			client_check c1 "$tmp/exp.a1b" reclaim
			client_check c2 "$tmp/exp.a1b" reclaim
		else
			op reclaim-held failed "not every a1 address on a1"
		fi
	fi
}

# The samples every minute, by the clock.
sampler() {
	local k=1
	while [ $((T0 + 60 * k)) -lt $END ]; do
		lan_sleep_us $(((T0 + 60 * k - SECONDS) * 1000000))
		[ -e "$tmp/stop" ] && break
		sample_all "min$k"
		log "minute $k: $(grep -c . "$tmp/ops.log") operations"
		k=$((k + 1))
	done
}
sampler &
sampler_pid=$!
lan_atexit "kill $sampler_pid 2>/dev/null; true"

lan_poll 30 test -s "$tmp/flood.ready"
cycles=0
while ! stop_requested; do
	# takeover: a1 lets go first (a planned switchover)
	for a in "${A1[@]}"; do echo "addr del $a/24 dev eth0"; done | ip -n "$(ns a1)" -batch -
	a1_takeover takeover
	a1_release
	a1_reclaim
	stop_requested && break
	# failover: a1 fails with its addresses still bound
	lan_cable a1 eth0 off
	a1_takeover failover
	a1_release
	lan_cable a1 eth0 on
	a1_reclaim
	cycles=$((cycles + 1))
done
touch "$tmp/stop"
log "stopping after $cycles cycles"
kill "$sampler_pid" 2>/dev/null
wait "$forger_pid" "$flapper_pid" "$a3_pid" "$loris" "$sampler_pid" 2>/dev/null
kill $load_pids 2>/dev/null
held_under_abuse=$(held_conns)
# Frames the kernel dropped on the watch's packet sockets (their receive
# buffer was full): the d field of ss's socket memory.
watch_drops=$(ip netns exec "$SB" ss -0 -m -p 2>/dev/null | grep "pid=$watch," |
	sed -n 's/.*skmem:(.*,d\([0-9]*\)).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
sample_all end-busy
kill "$flood" "$reader" 2>/dev/null
wait "$flood" "$reader" 2>/dev/null
lan_poll 15 no_conns || log "the agent still holds $(held_conns) connections"
sample_all end

# --- The table --------------------------------------------------------------
conflicts=$(grep -c '"event":"conflict"' "$tmp/watch.json")
defended=$(grep '"event":"conflict"' "$tmp/watch.json" | grep -c '"defended":true')
flaps=$(wc -l <"$tmp/flaps" 2>/dev/null || echo 0)
{
echo "soak, started $STARTED, $MINUTES min ($((SECONDS - T0)) s in all), $cycles a1 cycles (6 operations each)"
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) CPUs, Linux $(uname -r); load: $LOADGEN (nice 19)"
echo "ipto: $IPTO"
echo
printf '%-12s %-22s %9s %9s %9s %9s  %s\n' process measure start warm end max flat
tab() { # NAME ROW... (ROW = column:label:tolerance; column 3..5 of the samples)
	awk -v p="$1" -v rows="$2" '
	$1 == p {
		for (i = 3; i <= 5; i++) {
			if (!(i in m)) m[i] = 0
			if ($2 == "start") s[i] = $i
			else if ($2 == "end") e[i] = $i
			else if ($2 == "min2" || ($2 == "min1" && !(i in w2))) { w[i] = $i; if ($2 == "min2") w2[i] = 1 }
			if ($i + 0 > m[i]) m[i] = $i + 0
		}
	}
	END {
		n = split(rows, r, ";")
		for (k = 1; k <= n; k++) {
			split(r[k], f, ":"); i = f[1] + 0
			ref = s[i] + 0
			if (f[3] > 0 && (i in w) && w[i] + 0 > ref) ref = w[i] + 0
			v = (e[i] == "gone" || s[i] == "gone") ? "GONE" : (e[i] + 0 <= ref * (1 + f[3]) ? "yes" : "NO")
			if (f[3] < 0) v = "-"
			printf "%-12s %-22s %9s %9s %9s %9s  %s\n", (k == 1 ? p : ""), f[2], s[i], (i in w) ? w[i] : "-", e[i], m[i], v
		}
	}' "$tmp/samples"
}
tab agent "3:RSS kB:0.02;4:open fds:0"
tab watch "3:RSS kB:0.02;4:open fds:0"
tab refresh "3:RSS kB:0.02;4:open fds:0"
tab rec-sb "3:/run/ipto bytes:0;4:/run/ipto files:0;5:conflict record bytes:-1"
tab rec-a1 "3:/run/ipto bytes:0;4:/run/ipto files:0"
tab rec-a3 "3:/run/ipto bytes:0;4:/run/ipto files:0"
for p in agent watch refresh; do
	for i in 3 4; do
		awk -v p=$p -v i=$i -v what="$([ $i = 3 ] && echo 'RSS kB' || echo 'open fds')" '
			$1 == p && $2 != "end-busy" { v = v " " $i }
			END { printf "%-8s %-32s%s\n", p, what ", start/each minute/end:", v }' "$tmp/samples"
	done
done
echo "(warm: the sample at +2 min, after the agent's replay cache has turned over (3 windows"
echo " of 30 s); +1 min in a 1-minute run. RSS flat: end within 2% of the larger of start and"
echo " warm; descriptors and record: end <= start. The agent's start and end have no client"
echo " connected; warm and max are under abuse. rec-sb is /run/ipto/INODE of sb's namespace,"
echo " the record of agent, watch and refresh holder alike; the conflict record (the watch's"
echo " conflicts file) is apart. rec-a1 / rec-a3: the nodes' own records (ipto reclaim).)"
echo
awk '{ n[$1] += 0; t[$1]++; c[$1, $2]++; k[$1] = 1 }
END {
	printf "%-24s %6s %6s %8s %7s\n", "operation", "runs", "ok", "refused", "failed"
	for (x in k) printf "%-24s %6d %6d %8d %7d\n", x, t[x], c[x, "ok"], c[x, "refused"], c[x, "failed"] | "sort"
	close("sort")
}' "$tmp/ops.log"
awk '{ t++; c[$2]++ } END { printf "%-24s %6d %6d %8d %7d\n", "all", t, c["ok"], c["refused"], c["failed"] }' "$tmp/ops.log"
echo
awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); s[$2, kv[1]] += kv[2]; w[$2] = 1 } }
END {
	printf "%-24s %8s %8s %12s\n", "client checks after", "entries", "wrong", "unreachable"
	for (x in w) printf "%-24s %8d %8d %12d\n", x, s[x, "checked"], s[x, "wrong"], s[x, "unreachable"] | "sort"
	close("sort")
}' "$tmp/checks.log"
awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } }
END { printf "%-24s %8d %8d %12d\n", "all", s["checked"], s["wrong"], s["unreachable"] }' "$tmp/checks.log"
echo
echo "flapping node: $flaps announcements; watch: $conflicts conflicts reported, $defended defended;" \
	"$watch_drops frames dropped by the kernel on its packet socket (receive buffer full)"
echo "agent: $held_under_abuse connections held at the end of the abuse;" \
	"$(sed -n 's/.*was busy; asked \([0-9]*\) more time.*/\1/p' "$tmp/cmd.log" |
		awk '{ n++; s += $1 } END { printf "%d instruction(s) met EBUSY (an ipto run held the host lock) and were asked again, %d retries in all", n, s }')"
echo "why the agent denied the forger ($FORGER): $(sed -n "s/^ipto-agent: denied $FORGER: \([^:(']*\).*/\1/p" "$tmp/agent.log" | sed 's/ *$//' | sort | uniq -c | awk '{ c = $1; $1 = ""; printf "%s%s x%d", sep, substr($0, 2), c; sep = "; " }')"
} | tee "$tmp/table"
wrong=$(awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "wrong") s += kv[2] } } END { print s + 0 }' "$tmp/checks.log")
failed=$(grep -c ' failed' "$tmp/ops.log")
if grep -q 'FAILED\|WRONG' "$tmp/run.log"; then
	echo
	echo "what went wrong (first 20):"
	grep -A3 'FAILED\|WRONG' "$tmp/run.log" | head -n 20
fi
[ "$wrong" = 0 ] && [ "$failed" = 0 ]
