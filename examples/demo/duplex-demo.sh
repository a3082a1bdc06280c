#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# duplex-demo.sh - libipto's main demo: a failed active node's IP addresses
# move to the standby's own takeover adapters, and every client follows.
#
#   .ci/deps && meson setup build && meson compile -C build
#   examples/duplex-demo.sh [--macvlan] [BUILD_DIR]   (as root; default ./build)
#
# It builds a LAN of network namespaces with tests/netns/lan.sh: three
# clients, an active node a1 with two service addresses, and a standby sb
# with a management adapter (on the management network 198.51.100.0/24)
# and two spare takeover adapters. Then a1 fails in the patent's dangerous
# way: its adapter stays up with its own MAC. a1 picks its addresses one at
# a time, instructs the standby over the management network (ipto-agent,
# every instruction authenticated with a shared key), waits for the reply, and brings the address down. The standby binds each
# address to a takeover adapter of its own, keeping that adapter's MAC, and
# announces it. The demo prints each client's neighbour table before and
# after, how long each client took to follow, and checks that no MAC
# appears twice on the LAN.
#
# Nothing leaves the namespaces it makes (iptodm-*); they are removed on
# exit, Ctrl-C or failure. Exit status: 0 every client followed and can
# ping every address; 1 otherwise; 77 not root / no namespaces.
#
# --macvlan: the one-NIC variant. The standby has no spare adapter at all,
# only mgmt (one veth into the LAN); the description gives it two virtual
# takeover adapters ("adapter sb macvlan:mgmt count 2"), macvlans with
# their own MACs that the takeover creates on mgmt (doc/macvlan.md).
#
# IPTO_DEMO_STUCK_CLIENT=c3 pins a1's addresses in that client's neighbour
# table (static entries, as some hardened hosts have), to see what a client
# that cannot follow looks like; the demo then fails.
# IPTO_DEMO_PREFIX names its namespaces (default iptodm-; lan.sh lets one
# run at a time use a prefix, so a test gives each run its own).
# IPTO_DEMO_HOLD=FILE (for the demo's own test): after the first address
# moved, wait until FILE exists (60 s at most), so that a Ctrl-C can land
# in the middle of the takeover however fast the machine is.
set -u
PREFIX=${IPTO_DEMO_PREFIX:-iptodm-}

MACVLAN=0
if [ "${1:-}" = --macvlan ]; then
	MACVLAN=1
	shift
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-./build}" 2>/dev/null && pwd) || {
	echo "duplex-demo: no build directory '${1:-./build}'; run: meson setup build && meson compile -C build" >&2
	exit 1
}
IPTO=$build/examples/ipto
AGENT=$build/examples/ipto-agent
export NEIGH_WATCH=${NEIGH_WATCH:-$build/tests/netns/neigh-watch}
for p in "$IPTO" "$AGENT" "$NEIGH_WATCH"; do
	if [ ! -x "$p" ]; then
		echo "duplex-demo: $p is missing; build first: meson compile -C $build" >&2
		exit 1
	fi
done
# shellcheck source=../../tests/netns/lan.sh
. "$src/tests/netns/lan.sh"
[ "$(id -u)" = 0 ] || lan_skip "run the demo as root (it makes network namespaces)"
command -v ping >/dev/null || { echo "duplex-demo: ping is missing (.ci/deps)" >&2; exit 1; }

CLIENTS=(c1 c2 c3)
PORT=7410
failed=0

say() { printf '%s\n' "$*"; }
head1() { printf '\n== %s\n' "$*"; }
# owner MAC: which adapter on the LAN has this MAC ("a1 eth0", "sb tk1").
owner() {
	local node ifn
	for node in a1 sb; do
		# every interface the node has now (macvlans included)
		for ifn in $(lan_exec $node ls /sys/class/net); do
			[ "$(lan_exec $node cat "/sys/class/net/$ifn/address")" = "$1" ] &&
				{ echo "$node $ifn"; return; }
		done
	done
	echo "?"
}
# table CLIENT: the client's neighbour entries (ip neigh) for a1's
# addresses, with the adapter that owns each MAC.
table() {
	local c=$1 ip addr mac rest
	while read -r addr _ mac rest; do
		printf '  %-3s %-11s lladdr %s %-9s <- %s\n' "$c" "$addr" "$mac" "$rest" "$(owner "$mac")"
	done < <(for ip in "${IPS[@]}"; do lan_exec "$c" ip -4 neigh show dev eth0 to "$ip"; done)
}
pings() {
	local c ip bad=
	for c in "${CLIENTS[@]}"; do
		for ip in "${IPS[@]}"; do
			lan_exec "$c" ping -n -q -c 1 -W 2 "$ip" >/dev/null || bad+=" $c->$ip"
		done
	done
	if [ -z "$bad" ]; then
		say "  ping: every client reaches ${IPS[*]}"
	else
		say "  ping FAILED:$bad"
		failed=1
	fi
}

say "libipto duplex demo: a failed node's addresses move to the standby's own adapters"
lan_up --prefix "$PREFIX" --clients ${#CLIENTS[@]} --actives 1 --ips 2 \
	--takeover $((MACVLAN ? 0 : 2)) --second-subnet || { echo "duplex-demo: cannot build the LAN" >&2; exit 1; }
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"
IPS=("$(lan_ip4 a1 1)" "$(lan_ip4 a1 2)")
A1MAC=$(lan_mac a1 eth0)
MGMT=$(lan_ip4b sb)
# Service addresses live on 192.0.2.0/24; the nodes talk to each other over
# the management network 198.51.100.0/24, from addresses they keep. With
# promote_secondaries, removing one service address keeps the other.
lan_sysctl a1 net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.eth0.promote_secondaries=1
# libipto sets arp_ignore=1/arp_announce=2 on the adapters a takeover uses;
# the standby's management adapter shares this LAN, so it gets them here,
# or it would answer ARP for the taken-over addresses too ("ARP flux").
lan_sysctl sb net.ipv4.conf.mgmt.arp_ignore=1 net.ipv4.conf.mgmt.arp_announce=2

cat >"$tmp/cluster.conf" <<EOF
node a1 ${IPS[0]}/24 ${IPS[1]}/24 mac=$A1MAC
adapter sb mgmt management
EOF
if [ $MACVLAN = 1 ]; then
	echo "adapter sb macvlan:mgmt count 2" >>"$tmp/cluster.conf"
else
	printf 'adapter sb tk1\nadapter sb tk2\n' >>"$tmp/cluster.conf"
fi
# The takeover adapters and their MACs, as the plan gives them.
TK=() TKMAC=()
while read -r _ _ _ _ _ _ ifn mac _; do
	TK+=("$ifn") TKMAC+=("${mac%,}")
done < <(lan_exec sb "$IPTO" -c "$tmp/cluster.conf" plan --fail a1 | grep '^bind')

head1 "The LAN (namespaces $PREFIX*, one bridge)"
say "  c1..c3  clients       192.0.2.101-103"
say "  a1      active node   eth0 $A1MAC  ${IPS[*]}  (management $(lan_ip4b a1))"
say "  sb      standby       mgmt $(lan_mac sb mgmt)  $MGMT (management; listens on port $PORT)"
if [ $MACVLAN = 1 ]; then
	say "                        (its only NIC: no spare adapter)"
	say "                        ${TK[0]}, ${TK[1]}: virtual takeover adapters, macvlans on mgmt"
	say "                        that the takeover creates (MACs ${TKMAC[0]}, ${TKMAC[1]})"
else
	say "                        tk1  $(lan_mac sb tk1)  takeover adapter"
	say "                        tk2  $(lan_mac sb tk2)  takeover adapter"
fi
say "  cluster.conf:"
sed 's/^/    /' "$tmp/cluster.conf"
say "  ipto plan --fail a1 (two addresses need two takeover adapters):"
lan_exec sb "$IPTO" -c "$tmp/cluster.conf" plan --fail a1 | grep '^bind' | sed 's/^/    /'

# The standby's agent: an event loop on its socket and the takeover timers.
# Every instruction is authenticated with a key both nodes hold (mode 0600),
# and only the management network may talk to it.
"$AGENT" keygen "$tmp/agent.key" || { echo "duplex-demo: ipto-agent keygen failed" >&2; exit 1; }
ip netns exec "$(lan_ns sb)" "$AGENT" listen --key "$tmp/agent.key" \
	--config "$tmp/cluster.conf" --standby sb --address "$MGMT:$PORT" \
	--allow "$LAN_NET4B" >"$tmp/agent.log" 2>&1 &
# It answers within 30 s by the clock, or the demo stops.
lan_poll 30 lan_exec a1 "$AGENT" instruct --key "$tmp/agent.key" "$MGMT:$PORT" ping \
	>/dev/null 2>&1 ||
	{ echo "duplex-demo: the agent did not start:" >&2; cat "$tmp/agent.log" >&2; exit 1; }

head1 "Before: the clients use a1"
pings
for c in "${CLIENTS[@]}"; do table "$c"; done

# Watch every client's entries from now on: neigh-watch prints the
# CLOCK_MONOTONIC time at which the entry took the standby's MAC.
declare -A WANT
WATCHERS=()
n=0
for ip in "${IPS[@]}"; do
	n=$((n + 1))
	WANT[$ip]=${TKMAC[$((n - 1))]}
	for c in "${CLIENTS[@]}"; do
		ip netns exec "$(lan_ns "$c")" "$NEIGH_WATCH" --wait "$ip" "${WANT[$ip]}" \
			--abs -t 15000 --ready "$tmp/ready.$c.$ip" >"$tmp/watch.$c.$ip" 2>/dev/null &
		WATCHERS+=("$!")
	done
done
# every watcher has subscribed (30 s at most, by the clock)
all_ready() {
	[ "$(ls "$tmp"/ready.* 2>/dev/null | wc -l)" -ge $((${#CLIENTS[@]} * ${#IPS[@]})) ]
}
lan_poll 30 all_ready

if [ -n "${IPTO_DEMO_STUCK_CLIENT:-}" ]; then
	for ip in "${IPS[@]}"; do
		lan_exec "$IPTO_DEMO_STUCK_CLIENT" ip neigh replace "$ip" lladdr "$A1MAC" \
			nud permanent dev eth0 ||
			{ echo "duplex-demo: cannot pin $ip on $IPTO_DEMO_STUCK_CLIENT" >&2; exit 1; }
	done
	say "  ($IPTO_DEMO_STUCK_CLIENT now has static entries for ${IPS[*]}: it cannot follow)"
fi

head1 "a1 fails, and cannot bring its adapter down (the patent's dangerous case)"
declare -A T0
for ip in "${IPS[@]}"; do
	# The clock starts inside a1, right before the instruction leaves.
	out=$(lan_exec a1 sh -c '"$1" --now && exec "$2" instruct --key "$3" "$4" takeover a1 "$5"' \
		sh "$NEIGH_WATCH" "$AGENT" "$tmp/agent.key" "$MGMT:$PORT" "$ip" 2>&1)
	rc=$?
	T0[$ip]=$(head -n1 <<<"$out")
	reply=$(tail -n +2 <<<"$out")
	if [ $rc = 0 ]; then
		say "  a1 -> sb  takeover a1 $ip   reply: ok $reply"
		# Only now, per the patent, does a1 bring the address down.
		lan_exec a1 ip addr del "$ip/24" dev eth0
		say "  a1: removed $ip; eth0 stays $(lan_exec a1 ip -br link show eth0 | awk '{ print $2, $3 }')"
		if [ -n "${IPTO_DEMO_HOLD:-}" ]; then
			hold_t0=$SECONDS
			while [ ! -e "$IPTO_DEMO_HOLD" ] && [ $((SECONDS - hold_t0)) -lt 60 ]; do
				sleep 0.1
			done
			IPTO_DEMO_HOLD=
		fi
	else
		say "  a1 -> sb  takeover a1 $ip: FAILED: $reply"
		failed=1
	fi
done

head1 "After: the clients follow the standby"
say "  time from a1's instruction until the client's entry holds the standby's MAC:"
wait_all=0
# Each watcher ends by itself: when its entry moved, or after its own 15 s.
wait "${WATCHERS[@]}"
for c in "${CLIENTS[@]}"; do
	line=
	for ip in "${IPS[@]}"; do
		t=$(head -n1 "$tmp/watch.$c.$ip" 2>/dev/null)
		if [[ $t =~ ^[0-9]+$ ]]; then
			d=$((t - T0[$ip]))
			[ $d -lt 0 ] && d=0
			line+=$(printf '  %-11s %5d.%d ms ' "$ip" $((d / 1000)) $((d % 1000 / 100)))
		else
			line+=$(printf '  %-11s DID NOT FOLLOW (still %s)' "$ip" "$(cut -d' ' -f3- <<<"$t")")
			wait_all=1
		fi
	done
	say "  $c$line"
done
[ $wait_all = 0 ] || failed=1
pings
for c in "${CLIENTS[@]}"; do table "$c"; done

head1 "No MAC appears twice on the LAN"
all=$(for ns in $(ip netns list | awk '{ print $1 }' | grep "^$PREFIX"); do
	ip -n "$ns" -o link show 2>/dev/null | grep -o 'link/ether [0-9a-f:]*' | awk '{ print $2 }'
done)
total=$(wc -l <<<"$all")
dups=$(sort <<<"$all" | uniq -d | tr '\n' ' ')
held=$(lan_exec sb ip -o link show | grep -c "link/ether $A1MAC")
if [ -z "$dups" ] && [ "$held" = 0 ] && [ "$total" -gt 10 ]; then
	say "  $total adapters (hosts and switch ports), $total distinct MACs."
	say "  a1's eth0 ($A1MAC) is still UP on the LAN;"
	say "  the standby serves a1's addresses from ${TK[0]} ${TKMAC[0]} and ${TK[1]} ${TKMAC[1]}."
else
	say "  DUPLICATE MACs: $dups (the standby has a1's MAC on $held adapter(s))"
	failed=1
fi

if [ $MACVLAN = 1 ]; then
	head1 "The virtual adapters (ipto status on the standby)"
	lan_exec sb "$IPTO" -c "$tmp/cluster.conf" status | sed 's/^/  /'
fi

echo
if [ $failed = 0 ]; then
	say "PASS: ${#CLIENTS[@]} clients followed ${#IPS[@]} addresses to the standby, and a1's MAC stayed a1's own."
else
	say "FAIL: see above."
fi
exit $failed
