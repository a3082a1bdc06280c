# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# scenario-lib.sh: what the patent-scenario tests (test-scenario-*.sh) share.
# Source it from a test that meson runs as
#
#   test-scenario-X.sh PATH/TO/ipto PATH/TO/ipto-agent
#
# with env: netns_env (LAN_SH, NEIGH_WATCH). It sources lan.sh, checks the
# privileges (exit 77 without), and gives TAP-style helpers that assert
# what a user would check: the client's neighbour table, `ip addr` on the
# standby, ping, exit codes.

set -u
IPTO=${1:?usage: $0 PATH/TO/ipto PATH/TO/ipto-agent}
AGENT=${2:?usage: $0 PATH/TO/ipto PATH/TO/ipto-agent}
IPTO=$(realpath "$IPTO")
AGENT=$(realpath "$AGENT")
# shellcheck source=lan.sh
. "${LAN_SH:-$(dirname "$0")/lan.sh}"
[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
command -v ping >/dev/null || { echo "not ok - ping is missing (.ci/deps)"; exit 1; }
lan_neigh_watch_path >/dev/null || exit 1
PORT=7411

sc_n=0
sc_fail=0
ok() { sc_n=$((sc_n + 1)); echo "ok $sc_n - $*"; }
bad() { sc_n=$((sc_n + 1)); echo "not ok $sc_n - $*"; sc_fail=$((sc_fail + 1)); }
note() { printf '# %s\n' "$@"; }
# check DESCRIPTION CMD...: CMD must succeed.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
# finish: the plan line and the exit status (lan.sh tears down on EXIT).
finish() {
	echo "1..$sc_n"
	[ $sc_fail = 0 ]
	exit $?
}

# sc_tmp: a scratch directory removed at teardown.
sc_tmp=$(mktemp -d)
lan_atexit "rm -rf '$sc_tmp'"

# pings NODE ADDR: one ping answered.
pings() { lan_exec "$1" ping -n -q -c 1 -W 3 "$2" >/dev/null 2>&1; }
# entry NODE ADDR: the LLADDR of NODE's neighbour entry for ADDR ("-": none).
entry() { lan_neigh "$1" "$2" | awk '{ print $3 }'; }
# follows CLIENT ADDR MAC: the client's entry for ADDR takes MAC (waits for
# the announcements, up to 15 s).
follows() { lan_neigh_wait "$1" "$2" "$3" -t 15000 >/dev/null; }
# has_addr NODE IF ADDR/PREFIX: `ip addr` shows it on IF.
has_addr() {
	lan_exec "$1" ip -o addr show dev "$2" | awk '{ print $4 }' | grep -qx "$3"
}
# addrs NODE IF: the addresses on IF, sorted, one line.
addrs() {
	lan_exec "$1" ip -o addr show dev "$2" | awk '{ print $4 }' | sort | tr '\n' ' '
}
# snapshot NODE: everything a takeover may change on NODE: every adapter's
# addresses (with flags), link state, MAC, and ARP / IPv6 sysctls.
snapshot() {
	local ifn
	lan_exec "$1" ip addr show
	for ifn in $(lan_exec "$1" ls /sys/class/net); do
		[ "$ifn" = lo ] && continue
		lan_exec "$1" sysctl -n net.ipv4.conf."$ifn".arp_ignore \
			net.ipv4.conf."$ifn".arp_announce net.ipv4.conf."$ifn".arp_filter \
			net.ipv6.conf."$ifn".disable_ipv6 2>/dev/null | tr '\n' ' '
		echo " ($ifn)"
	done
}

# start_agent [-v]: the standby's ipto-agent on the management address
# 198.51.100.2 (needs lan_up --second-subnet) with "$sc_tmp/cluster.conf";
# waits until it answers (30 s at most, by the clock). Its output goes to
# "$sc_tmp/agent.log".
# Every request is authenticated: the nodes share "$AGENT_KEY"; the agent
# serves peers in $AGENT_ALLOW (default: the management network).
AGENT_AT=198.51.100.2:$PORT
AGENT_KEY=$sc_tmp/agent.key
"$AGENT" keygen "$AGENT_KEY" || { echo "not ok - ipto-agent keygen"; exit 1; }
sc_agent=
start_agent() {
	ip netns exec "$(lan_ns sb)" "$AGENT" listen --key "$AGENT_KEY" \
		--config "$sc_tmp/cluster.conf" --standby sb --address "$AGENT_AT" \
		--allow "${AGENT_ALLOW:-$LAN_NET4B}" "$@" >"$sc_tmp/agent.log" 2>&1 &
	sc_agent=$!
	lan_poll 30 lan_exec a1 "$AGENT" instruct --key "$AGENT_KEY" "$AGENT_AT" ping \
		>/dev/null 2>&1 && return 0
	echo "# the agent did not answer:"
	sed 's/^/#   /' "$sc_tmp/agent.log"
	return 1
}

# stop_agent: SIGTERM; the agent must exit 0, saying the addresses stay,
# with nothing else on its output (a sanitizer report would show there).
stop_agent() {
	local rc
	[ -n "$sc_agent" ] || return 1
	kill -TERM "$sc_agent"
	wait "$sc_agent"
	rc=$?
	sc_agent=
	if [ $rc != 0 ] || ! tail -n1 "$sc_tmp/agent.log" | grep -q 'stay bound$' ||
		grep -qE 'Sanitizer|runtime error' "$sc_tmp/agent.log"; then
		echo "# the agent exited $rc:"
		tail -n 20 "$sc_tmp/agent.log" | sed 's/^/#   /'
		return 1
	fi
}

# instruct NODE ARGS...: run `ipto-agent instruct` on NODE; sets $rc, $out,
# $err.
instruct() {
	local node=$1
	shift
	lan_exec "$node" "$AGENT" instruct --key "$AGENT_KEY" "$AGENT_AT" "$@" \
		>"$sc_tmp/out" 2>"$sc_tmp/err"
	rc=$?
	out=$(cat "$sc_tmp/out")
	err=$(cat "$sc_tmp/err")
}

# ipto_on NODE ARGS...: run the ipto command on NODE; sets $rc, $out, $err.
ipto_on() {
	local node=$1
	shift
	lan_exec "$node" "$IPTO" "$@" >"$sc_tmp/out" 2>"$sc_tmp/err"
	rc=$?
	out=$(cat "$sc_tmp/out")
	err=$(cat "$sc_tmp/err")
}

# quiet_adapters NODE IF...: arp_ignore=1, arp_announce=2 on adapters of
# the standby that are on the LAN but not in the cluster description (here:
# the management adapter when it is no takeover adapter). A takeover sets
# them on every adapter the pool knows (test-scenario-arp-flux.sh); one it
# does not know is the operator's to set, as a real standby would.
quiet_adapters() {
	local node=$1 ifn
	shift
	for ifn in "$@"; do
		lan_sysctl "$node" net.ipv4.conf."$ifn".arp_ignore=1 \
			net.ipv4.conf."$ifn".arp_announce=2
	done
}

# capture_start NODE FILE TSHARK-ARGS...: capture in NODE's namespace into
# FILE (pcap) with tshark; returns once packets are being captured (its
# "Capture started"), or fails after 30 s (by the clock). capture_stop
# ends it.
sc_cap=
capture_start() {
	local node=$1 file=$2
	shift 2
	ip netns exec "$(lan_ns "$node")" tshark -n -q "$@" -w "$file" -F pcap \
		>"$file.log" 2>&1 &
	sc_cap=$!
	lan_poll 30 grep -qs 'Capture started' "$file.log" && return 0
	echo "# tshark did not start:"
	sed 's/^/#   /' "$file.log"
	return 1
}
# log_count_ge FILE PATTERN N: FILE has at least N lines matching PATTERN.
log_count_ge() { [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ]; }
capture_stop() {
	[ -n "$sc_cap" ] || return 0
	kill -INT "$sc_cap"
	wait "$sc_cap"
	sc_cap=
}

# sc_conf NODE-SPEC ADAPTER-SPEC...: write $sc_tmp/cluster.conf: the line
# "node NODE-SPEC", then "adapter sb ADAPTER-SPEC" for each adapter spec
# (a spec may hold a role: "mgmt management").
sc_conf() {
	local a
	{
		echo "node $1"
		shift
		for a in "$@"; do echo "adapter sb $a"; done
	} >"$sc_tmp/cluster.conf"
}

# sc_one_ip PREFIX CLIENTS: the LAN of one active node with one address
# (lan_up --prefix PREFIX, CLIENTS clients, one takeover adapter); sets C
# (a1's address), A1MAC, E (tk1's MAC), writes the description (a1 with C,
# the standby's tk1) and quiets the management adapter (quiet_adapters).
sc_one_ip() {
	lan_up --prefix "$1" --clients "$2" --actives 1 --ips 1 --takeover 1 || exit 1
	C=$(lan_ip4 a1)
	A1MAC=$(lan_mac a1 eth0)
	# shellcheck disable=SC2034 # the test's
	E=$(lan_mac sb tk1)
	sc_conf "a1 $C/24 mac=$A1MAC" tk1
	quiet_adapters sb mgmt
}

# sc_reach_a1: c1 and c2 ping C; each then holds a1's MAC for it.
sc_reach_a1() {
	local c
	for c in c1 c2; do
		pings $c "$C"
		check "$c reaches C on a1 ($A1MAC)" [ "$(entry $c "$C")" = "$A1MAC" ]
	done
}

# wait_for FILE JQ-FILTER: poll FILE (JSON lines) until a line matches,
# for up to 15 s by the clock; says what FILE held when none did.
wait_for() {
	local file=$1 filter=$2 t0
	t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt 15 ]; do
		jq -e -c "select($filter)" "$file" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	echo "# no line matches $filter in $file:"
	sed 's/^/#   /' "$file"
	return 1
}

# cap_has PCAP FILTER N: until the live capture holds N frames matching
# FILTER (tshark writes in batches), for up to 10 s by the clock.
cap_has() {
	local t0
	t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt 10 ]; do
		[ "$(tshark -n -r "$1" -Y "$2" 2>/dev/null | wc -l)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_watch POLICY: `ipto watch --fail a1 --json --policy POLICY` on the
# standby (run directory $sc_tmp/run), until it says it is ready.
# stop_watch POLICY: SIGTERM; it must exit 0 with nothing on stderr and
# {"event":"stop"} as its last line.
w_pid=
start_watch() {
	ip netns exec "$(lan_ns sb)" "$IPTO" -c "$sc_tmp/cluster.conf" watch --fail a1 \
		--json --policy "$1" --run-dir "$sc_tmp/run" \
		>"$sc_tmp/watch-$1.out" 2>"$sc_tmp/watch-$1.err" &
	w_pid=$!
	wait_for "$sc_tmp/watch-$1.out" '.event == "ready"'
}
stop_watch() {
	local rc
	kill -TERM "$w_pid"
	wait "$w_pid"
	rc=$?
	w_pid=
	[ $rc = 0 ] && [ ! -s "$sc_tmp/watch-$1.err" ] &&
		[ "$(tail -n1 "$sc_tmp/watch-$1.out" | jq -r .event)" = stop ] ||
		{ echo "# watch exited $rc:"; sed 's/^/#   /' "$sc_tmp/watch-$1.out" "$sc_tmp/watch-$1.err"; return 1; }
}
lan_atexit '[ -z "$w_pid" ] || kill -TERM "$w_pid" 2>/dev/null; true'
