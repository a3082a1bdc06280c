# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lan.sh: a test LAN of network namespaces joined by one bridge, for every
# netns test and benchmark of libipto. Source it from bash (4.2 or later):
#
#   . "$IPTO_SOURCE_ROOT/tests/netns/lan.sh"
#   lan_up --prefix mytest- --clients 2 --actives 1 --ips 2 --takeover 2 --ipv6
#   lan_exec c1 ping -c1 "$(lan_ip4 a1)"
#   # ... teardown runs by itself on EXIT, INT, TERM and HUP
#
# Topology: namespace <prefix>sw holds bridge br0 (STP off, forward delay 0,
# multicast snooping off, IPv6 off). Every other node is a namespace whose
# adapters are each one end of a veth pair; the other end is a port of br0,
# named <node>-<ifname>. Nodes:
#
#   c1..cN   clients        eth0
#   a1..aM   active nodes   eth0, carrying --ips addresses
#   sb       the standby    mgmt (management adapter, has an address)
#                           tk1..tkK (takeover adapters, no address)
#
# Addresses (documentation ranges only; host part H per node):
#   clients cI      H = 100 + I            (c1 = .101, c12 = .112)
#   active aJ, #L   H = 10 * J + L         (a1 = .11 .12 .., a2 = .21 ..)
#   standby mgmt    H = 2
#   IPv4            192.0.2.H/24       (always)
#   IPv4, 2nd net   198.51.100.H/24    (--second-subnet)
#   IPv6            2001:db8:2::H/64   (--ipv6; H written with the same digits)
#   192.0.2.1 and .200-.254 are never assigned: free for tests.
#
# MACs: 02:00:5e:KK:NN:II, locally administered, unicast.
#   KK = 10 client, 20 active, 30 standby; a port's switch-side end has
#        KK + 08 (18, 28, 38). The bridge is 02:00:5e:00:00:01.
#   NN = node number in hex (c12 -> 0c; sb -> 01).
#   II = adapter index in hex: 00 = eth0 / mgmt, 01..K = tk1..tkK, then
#        adapters added by lan_add_port in the order they were added.
#   c1 eth0 = 02:00:5e:10:01:00, a2 eth0 = 02:00:5e:20:02:00,
#   sb mgmt = 02:00:5e:30:01:00, sb tk3 = 02:00:5e:30:01:03.
#
# See tests/netns/README.md for every function and the defaults it sets.

# shellcheck disable=SC2034 # public: for the tests that source this file
LAN_NET4=192.0.2.0/24
LAN_BCAST4=192.0.2.255
# shellcheck disable=SC2034
LAN_NET4B=198.51.100.0/24
# shellcheck disable=SC2034
LAN_BCAST4B=198.51.100.255
# shellcheck disable=SC2034
LAN_NET6=2001:db8:2::/64
LAN_BRIDGE=br0
LAN_BRIDGE_MAC=02:00:5e:00:00:01

LAN_PREFIX=
LAN_CLIENTS=0
LAN_ACTIVES=0
LAN_IPS=0
LAN_TAKEOVER=0
LAN_IPV6=0
LAN_SECOND=0
LAN_TAKEOVER_STATE=up
LAN_LOCK_FD=
LAN_NSES=()
LAN_INODES=()
LAN_ATEXIT=()
declare -gA LAN_IFIDX=()	# "node/ifname" -> adapter index
declare -gA LAN_IFNEXT=()	# node -> next free adapter index

# Where neigh-watch is: $NEIGH_WATCH, else the build tree.
lan_neigh_watch_path() {
	local p
	for p in "${NEIGH_WATCH:-}" \
		"${IPTO_BUILD_ROOT:+$IPTO_BUILD_ROOT/tests/netns/neigh-watch}"; do
		[ -n "$p" ] && [ -x "$p" ] && { printf '%s\n' "$p"; return 0; }
	done
	echo "lan: neigh-watch not found; set NEIGH_WATCH or IPTO_BUILD_ROOT" >&2
	return 1
}

_lan_err() { echo "lan: $*" >&2; }

# Waits in the harness and the tests read a clock; none counts loop turns
# or assumes how long a command takes on this machine.
# lan_clock: set LAN_NOW_MS to a monotonic clock in milliseconds
# (CLOCK_BOOTTIME through /proc/uptime, 10 ms steps), without a fork.
lan_clock() {
	local up _
	read -r up _ </proc/uptime
	LAN_NOW_MS=$((10#${up/./} * 10))
}

# lan_sleep_us US: sleep US microseconds (any number of them).
lan_sleep_us() {
	[ "$1" -gt 0 ] || return 0
	sleep "$(($1 / 1000000)).$(printf '%06d' $(($1 % 1000000)))"
}

# lan_now_us: CLOCK_MONOTONIC in microseconds (neigh-watch --now), the
# clock of neigh-watch --abs.
lan_now_us() {
	local nw
	nw=$(lan_neigh_watch_path) && "$nw" --now
}

# lan_until_us T: return once lan_now_us reads T or later (sleeps what is
# left, then reads the clock again).
lan_until_us() {
	local now
	while now=$(lan_now_us) && [ "$now" -lt "$1" ]; do
		lan_sleep_us $(($1 - now))
	done
}

# lan_poll SECONDS CMD...: run CMD until it succeeds (returns 0) or, by
# the clock, SECONDS have passed since the first try (returns 1). CMD is
# tried once more after the deadline, so a slow try is never cut short.
lan_poll() {
	local secs=$1 end
	shift
	lan_clock
	end=$((LAN_NOW_MS + secs * 1000))
	while :; do
		"$@" && return 0
		lan_clock
		[ "$LAN_NOW_MS" -lt "$end" ] || break
		sleep 0.05
	done
	"$@"
}

# Exit 77 (skip) with a reason. A TAP test (LAN_TAP=1) skips with an empty
# plan and exit 0 instead: meson counts any non-zero exit of a TAP test as
# an error, 77 included.
lan_skip() {
	echo "SKIP: $*" >&2
	if [ "${LAN_TAP:-}" = 1 ]; then
		echo "1..0 # SKIP $*"
		exit 0
	fi
	exit 77
}

# _lan_node_parse NODE -> sets _kind (hex KK), _num; fails for unknown nodes.
_lan_node_parse() {
	local n=$1
	case $n in
	sw) _kind=0; _num=0; return 0 ;;
	sb) _kind=$((0x30)); _num=1; return 0 ;;
	c[1-9] | c[1-9][0-9])
		_kind=$((0x10)); _num=${n#c}
		[ "$_num" -le "$LAN_CLIENTS" ] && return 0 ;;
	a[1-9])
		_kind=$((0x20)); _num=${n#a}
		[ "$_num" -le "$LAN_ACTIVES" ] && return 0 ;;
	esac
	_lan_err "no node '$n' on this LAN (nodes: $(lan_nodes all | tr '\n' ' '))"
	return 1
}

# lan_ns NODE: the namespace name of NODE.
lan_ns() {
	local _kind _num
	_lan_node_parse "$1" || return 1
	printf '%s%s\n' "$LAN_PREFIX" "$1"
}

# lan_nodes [clients|actives|standby|all]: node names, one a line.
lan_nodes() {
	local i
	case ${1:-all} in
	clients | all) for ((i = 1; i <= LAN_CLIENTS; i++)); do echo "c$i"; done ;;&
	actives | all) for ((i = 1; i <= LAN_ACTIVES; i++)); do echo "a$i"; done ;;&
	standby | all) [ "$LAN_TAKEOVER" -ge 0 ] && [ -n "$LAN_PREFIX" ] && echo sb ;;
	clients | actives) ;;
	*) _lan_err "lan_nodes: clients, actives, standby or all"; return 1 ;;
	esac
}

# lan_if NODE: the node's main adapter (eth0, or mgmt on the standby).
lan_if() {
	case $1 in sb) echo mgmt ;; *) echo eth0 ;; esac
}

# lan_takeover_ifs: the standby's takeover adapters, one a line.
lan_takeover_ifs() {
	local i
	for ((i = 1; i <= LAN_TAKEOVER; i++)); do echo "tk$i"; done
}

# lan_ifs NODE: all adapters of NODE on the LAN, one a line.
lan_ifs() {
	local k
	for k in "${!LAN_IFIDX[@]}"; do
		[ "${k%%/*}" = "$1" ] && printf '%s %s\n' "${LAN_IFIDX[$k]}" "${k#*/}"
	done | sort -n | cut -d' ' -f2
}

_lan_idx() {
	local i=${LAN_IFIDX[$1/$2]-}
	if [ -z "$i" ]; then
		_lan_err "node $1 has no adapter '$2' on this LAN"
		return 1
	fi
	echo "$i"
}

# lan_mac NODE IF: the documented MAC of NODE's adapter IF.
lan_mac() {
	local _kind _num idx
	_lan_node_parse "$1" && idx=$(_lan_idx "$1" "$2") || return 1
	printf '02:00:5e:%02x:%02x:%02x\n' "$_kind" "$_num" "$idx"
}

# lan_port_mac NODE IF: the MAC of the switch-side end of that adapter.
lan_port_mac() {
	local _kind _num idx
	_lan_node_parse "$1" && idx=$(_lan_idx "$1" "$2") || return 1
	printf '02:00:5e:%02x:%02x:%02x\n' $((_kind + 8)) "$_num" "$idx"
}

# lan_port NODE IF: the name of the bridge port (in the switch namespace).
lan_port() {
	_lan_idx "$1" "$2" >/dev/null || return 1
	echo "$1-$2"
}

# _lan_host NODE [N] -> the host part H of the node's N-th address.
_lan_host() {
	local _kind _num n=${2:-1}
	_lan_node_parse "$1" || return 1
	case $1 in
	sb) [ "$n" = 1 ] && { echo 2; return 0; } ;;
	c*) [ "$n" = 1 ] && { echo $((100 + _num)); return 0; } ;;
	a*) case $n in [1-9]) [ "$n" -le "$LAN_IPS" ] &&
			{ echo $((10 * _num + n)); return 0; } ;; esac ;;
	esac
	_lan_err "node $1 has no address #$n"
	return 1
}

# lan_ip4 NODE [N]: NODE's N-th IPv4 address (default 1), without prefix length.
lan_ip4() { local h; h=$(_lan_host "$@") && echo "192.0.2.$h"; }
# lan_ip4b NODE [N]: the same in 198.51.100.0/24 (with --second-subnet).
lan_ip4b() { local h; h=$(_lan_host "$@") && echo "198.51.100.$h"; }
# lan_ip6 NODE [N]: the same in 2001:db8:2::/64 (with --ipv6).
lan_ip6() { local h; h=$(_lan_host "$@") && echo "2001:db8:2::$h"; }

# lan_exec NODE CMD...: run CMD inside NODE's namespace.
lan_exec() {
	local ns
	ns=$(lan_ns "$1") || return 1
	shift
	ip netns exec "$ns" "$@"
}

# lan_sysctl NODE KEY=VALUE...: set sysctls inside NODE's namespace.
lan_sysctl() {
	local node=$1
	shift
	lan_exec "$node" sysctl -q -w "$@" >/dev/null
}

# lan_cable NODE IF off|on: unplug / plug the cable of an adapter (the
# switch-side port goes down / up; the node sees NO-CARRIER). The node's
# own view of its adapter is left alone, as with a failed node or cable.
lan_cable() {
	local port sw
	port=$(lan_port "$1" "$2") && sw=$(lan_ns sw) || return 1
	case $3 in
	off) ip -n "$sw" link set "$port" down ;;
	on) ip -n "$sw" link set "$port" up ;;
	*) _lan_err "lan_cable NODE IF off|on"; return 1 ;;
	esac
}

# lan_neigh NODE IP [-i IF]: NODE's neighbour entry for IP, one line:
# "IP IFNAME|- LLADDR|- STATE" (see neigh-watch --show).
lan_neigh() {
	local node=$1 ip=$2 nw
	shift 2
	nw=$(lan_neigh_watch_path) || return 2
	lan_exec "$node" "$nw" --show "$ip" "$@"
}

# lan_neigh_wait NODE IP MAC [neigh-watch options]: wait until NODE's entry
# for IP holds MAC; prints microseconds, exit status as neigh-watch --wait.
lan_neigh_wait() {
	local node=$1 ip=$2 mac=$3 nw
	shift 3
	nw=$(lan_neigh_watch_path) || return 2
	lan_exec "$node" "$nw" --wait "$ip" "$mac" "$@"
}

# lan_atexit CMD: run the shell command CMD at teardown, before the
# namespaces go (last registered runs first).
lan_atexit() { LAN_ATEXIT+=("$1"); }

# lan_stage VAR FILE: set VAR to the path of a copy of FILE that every user
# can read and run, for a step that runs as another user (ocf-tester runs
# the agent as nobody): the checkout itself may sit where only its owner
# reaches (/root is 0700 on Debian). The copy (mode 755) is in a fresh
# directory from mktemp -d in /tmp (a name nobody can guess or plant, owned
# by the caller, 755, writable by the caller alone), removed at teardown.
# Not in $(...): the teardown is registered in this shell.
lan_stage() {
	local _v=${1:?lan_stage VAR FILE} _f=${2:?lan_stage VAR FILE} _d
	_d=$(mktemp -d /tmp/ipto-stage.XXXXXX) || return 1
	lan_atexit "rm -rf '$_d'"
	chmod 755 "$_d" && install -m 755 "$_f" "$_d/${_f##*/}" || {
		_lan_err "cannot stage $_f in $_d"
		return 1
	}
	printf -v "$_v" '%s' "$_d/${_f##*/}"
}

# _lan_veth NODE IF: create adapter IF of NODE and its switch-side end
# (not yet in the bridge, both down), with the next MAC of the scheme.
_lan_veth() {
	local node=$1 ifn=$2 ns sw idx
	ns=$(lan_ns "$node") && sw=$(lan_ns sw) || return 1
	if [ -n "${LAN_IFIDX[$node/$ifn]-}" ]; then
		_lan_err "node $node already has an adapter $ifn"
		return 1
	fi
	if [ ${#ifn} -gt 11 ] || [[ ! $ifn =~ ^[A-Za-z][A-Za-z0-9_]*$ ]]; then
		_lan_err "bad adapter name '$ifn' (letters, digits, _; at most 11)"
		return 1
	fi
	idx=${LAN_IFNEXT[$node]-0}
	LAN_IFIDX[$node/$ifn]=$idx
	LAN_IFNEXT[$node]=$((idx + 1))
	ip -n "$ns" link add "$ifn" address "$(lan_mac "$node" "$ifn")" type veth \
		peer name "$node-$ifn" address "$(lan_port_mac "$node" "$ifn")" \
		netns "$sw" || {
		_lan_err "cannot add adapter $ifn to $node"
		return 1
	}
}

# lan_add_port NODE IF [down]: give NODE one more adapter IF, a veth into
# the bridge, with the next MAC of the scheme (and no address). It is up
# unless "down" is given.
lan_add_port() {
	local node=$1 ifn=$2 state=${3:-up}
	_lan_veth "$node" "$ifn" &&
		ip -n "$(lan_ns sw)" link set "$node-$ifn" master "$LAN_BRIDGE" up ||
		return 1
	if [ "$state" = up ]; then
		ip -n "$(lan_ns "$node")" link set "$ifn" up || return 1
	fi
}

_lan_sysctls() {
	# Namespace-wide defaults, written before any adapter exists so that
	# every adapter inherits them.
	local ns=$1 v6off=$2
	ip netns exec "$ns" sysctl -q -w \
		net.ipv6.conf.all.disable_ipv6="$v6off" \
		net.ipv6.conf.default.disable_ipv6="$v6off" \
		net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null
}

_lan_netns_add() {
	ip netns add "$1" || return 1
	LAN_NSES+=("$1")
	LAN_INODES+=("$(_lan_inode "$1")")
}

# _lan_add_node NODE: the namespace, its adapters and addresses. The
# bridge-port commands are queued in _LAN_PORTS for lan_up to run at once.
_lan_add_node() {
	local node=$1 ns ifn n h cmds=$'link set lo up\n'
	ns=$(lan_ns "$node") || return 1
	_lan_netns_add "$ns" && _lan_sysctls "$ns" $((1 - LAN_IPV6)) || return 1
	case $node in
	sb)
		_lan_veth sb mgmt || return 1
		cmds+=$'link set mgmt up\n'
		for ifn in $(lan_takeover_ifs); do
			_lan_veth sb "$ifn" || return 1
			[ "$LAN_TAKEOVER_STATE" = up ] && cmds+="link set $ifn up"$'\n'
			_LAN_PORTS+="link set sb-$ifn master $LAN_BRIDGE up"$'\n'
		done
		;;
	*)
		_lan_veth "$node" eth0 || return 1
		cmds+=$'link set eth0 up\n'
		;;
	esac
	ifn=$(lan_if "$node")
	_LAN_PORTS+="link set $node-$ifn master $LAN_BRIDGE up"$'\n'
	n=1
	while h=$(_lan_host "$node" "$n" 2>/dev/null); do
		cmds+="addr add 192.0.2.$h/24 dev $ifn"$'\n'
		[ "$LAN_SECOND" = 1 ] && cmds+="addr add 198.51.100.$h/24 dev $ifn"$'\n'
		[ "$LAN_IPV6" = 1 ] && cmds+="addr add 2001:db8:2::$h/64 dev $ifn nodad"$'\n'
		n=$((n + 1))
	done
	printf '%s' "$cmds" | ip -n "$ns" -batch - || {
		_lan_err "cannot configure $node"
		return 1
	}
}

# Wait until every adapter that should be up is up, every bridge port
# whose far end is up forwards, and no IPv6 address is tentative.
_lan_wait_ready() {
	local i node ns ifn ok down
	down='^$'
	[ "$LAN_TAKEOVER_STATE" = down ] && down='^(sb-)?tk[0-9]+$'
	local end
	lan_clock
	end=$((LAN_NOW_MS + 60000))
	while :; do
		ok=1
		for ifn in $(bridge -n "$(lan_ns sw)" link show |
			awk '/master/ && !/state forwarding/ { sub(/@.*/, "", $2); print $2 }'); do
			[[ $ifn =~ $down ]] || { ok=0; break; }
		done
		for node in $(lan_nodes all); do
			[ $ok = 1 ] || break
			ns=$(lan_ns "$node")
			for ifn in $(ip -n "$ns" -br link show |
				awk '$1 != "lo" && $2 != "UP" { sub(/@.*/, "", $1); print $1 }'); do
				[ "$node" = sb ] && [[ $ifn =~ $down ]] || { ok=0; break; }
			done
			if [ $ok = 1 ] && [ "$LAN_IPV6" = 1 ] &&
				[ -n "$(ip -n "$ns" -6 addr show tentative)" ]; then
				ok=0
			fi
		done
		[ $ok = 1 ] && return 0
		lan_clock
		[ "$LAN_NOW_MS" -lt "$end" ] || break
		sleep 0.05
	done
	_lan_err "the LAN did not come up within 60 s"
	return 1
}

# Remove namespaces left with this LAN's exact names by an earlier run that
# was killed (SIGKILL leaves no chance to clean up).
_lan_sweep_stale() {
	local ns re="^${LAN_PREFIX//./\\.}(sw|sb|c[0-9]+|a[0-9])\$"
	for ns in $(ip netns list | awk '{ print $1 }'); do
		[[ $ns =~ $re ]] || continue
		_lan_err "removing stale namespace $ns (left by an earlier run)"
		_lan_kill_inodes "$(_lan_inode "$ns")"
		ip netns del "$ns" || return 1
	done
}

# _lan_holders INODE...: pids of the processes inside those namespaces.
_lan_holders() {
	local ino expr=()
	for ino in "$@"; do
		[ ${#expr[@]} -gt 0 ] && expr+=(-o)
		expr+=(-lname "net:\[$ino\]")
	done
	[ ${#expr[@]} -gt 0 ] || return 0
	find /proc/[0-9]*/ns/net -maxdepth 0 \( "${expr[@]}" \) 2>/dev/null |
		cut -d/ -f3 | grep -vx -e "$$" -e "${BASHPID:-$$}"
}

# _lan_kill_inodes INODE...: end every process inside those namespaces:
# TERM, then KILL once 2 s have passed (by the clock); gives up after 30 s.
# Looks again until none is left twice in a row, to catch one that was
# entering (ip netns exec) while we looked.
_lan_kill_inodes() {
	local pids pid quiet=0 start sig
	lan_clock
	start=$LAN_NOW_MS
	while :; do
		pids=$(_lan_holders "$@")
		lan_clock
		if [ -z "$pids" ]; then
			quiet=$((quiet + 1))
			[ $quiet -ge 2 ] && return 0
		else
			quiet=0
			sig=TERM
			[ $((LAN_NOW_MS - start)) -lt 2000 ] || sig=KILL
			for pid in $pids; do
				kill -s $sig "$pid" 2>/dev/null
			done
		fi
		[ $((LAN_NOW_MS - start)) -lt 30000 ] || break
		sleep 0.05
	done
	_lan_err "processes still inside the LAN: $(_lan_holders "$@" | tr '\n' ' ')"
	return 1
}

# _lan_lock: hold /run/lock/ipto-lan-<prefix>.lock while the LAN is up, so
# that two runs with the same prefix (the same test from two build trees)
# take turns instead of tearing down each other's namespaces. Whoever holds
# the lock owns every namespace of the prefix; a namespace found without a
# holder is stale and may go.
_lan_lock() {
	local f=/run/lock/ipto-lan-$LAN_PREFIX.lock
	command -v flock >/dev/null || return 0
	mkdir -p /run/lock && exec {LAN_LOCK_FD}>"$f" || return 1
	flock -n "$LAN_LOCK_FD" && return 0
	_lan_err "another run uses prefix $LAN_PREFIX; waiting for it (300 s at most)"
	flock -w 300 "$LAN_LOCK_FD" && return 0
	_lan_err "prefix $LAN_PREFIX still in use after 300 s"
	_lan_unlock
	return 1
}

_lan_unlock() {
	[ -n "$LAN_LOCK_FD" ] || return 0
	exec {LAN_LOCK_FD}>&-
	LAN_LOCK_FD=
}

_lan_inode() { stat -L -c %i "/run/netns/$1" 2>/dev/null; }

# lan_down: tear the LAN down: run lan_atexit commands, end every process
# still running inside the LAN's namespaces (TERM, then KILL after 2 s),
# delete the namespaces (and with them every veth and the bridge).
# Idempotent. Returns non-zero if something could not be removed.
lan_down() {
	local i ns rc=0
	for ((i = ${#LAN_ATEXIT[@]} - 1; i >= 0; i--)); do
		eval "${LAN_ATEXIT[$i]}" || _lan_err "atexit command failed: ${LAN_ATEXIT[$i]}"
	done
	LAN_ATEXIT=()
	if [ ${#LAN_NSES[@]} -eq 0 ]; then
		_lan_unlock
		return 0
	fi
	_lan_kill_inodes "${LAN_INODES[@]}" || rc=1
	for ((i = ${#LAN_NSES[@]} - 1; i >= 0; i--)); do
		ns=${LAN_NSES[$i]}
		[ -e "/run/netns/$ns" ] || continue
		ip netns del "$ns" 2>/dev/null || ip netns del "$ns" || rc=1
	done
	# A process that entered while we deleted would keep its namespace
	# (and the veths in it) alive without a name.
	_lan_kill_inodes "${LAN_INODES[@]}" || rc=1
	for ns in "${LAN_NSES[@]}"; do
		if [ -e "/run/netns/$ns" ]; then
			_lan_err "namespace $ns is still there"
			rc=1
		fi
	done
	# What libipto keeps under /run for each namespace (its record and its
	# lock file, doc/record.md) goes with the namespace, as with a reboot.
	for i in "${LAN_INODES[@]}"; do
		[ -n "$i" ] && rm -rf "/run/ipto/$i" "/run/ipto/$i.lock"
	done
	# LAN_PREFIX, LAN_IFIDX etc. stay: lan_ns, lan_mac... still name what
	# was there, so a test can check it is gone.
	LAN_NSES=()
	LAN_INODES=()
	_lan_unlock
	return $rc
}

_lan_on_exit() {
	local rc=$?
	set +e
	trap - EXIT
	trap '' HUP INT TERM	# a second Ctrl-C must not cut the teardown short
	lan_down || { [ $rc -eq 0 ] && rc=1; }
	exit $rc
}

_lan_usage() {
	_lan_err "usage: lan_up --prefix P [--clients N] [--actives M] [--ips L]" \
		"[--takeover K] [--ipv6] [--second-subnet] [--takeover-down] [--no-trap]"
}

# lan_up --prefix P [options]: build the LAN. See the top of this file and
# README.md. Exits 77 (skip) without the privileges to make namespaces;
# returns non-zero (after removing what it made) on any other failure.
lan_up() {
	local prefix='' clients=1 actives=1 ips=1 takeover=1 ipv6=0 second=0
	local state=up trap=1 node
	while [ $# -gt 0 ]; do
		case $1 in
		--prefix) prefix=${2-}; shift ;;
		--clients) clients=${2-}; shift ;;
		--actives) actives=${2-}; shift ;;
		--ips) ips=${2-}; shift ;;
		--takeover) takeover=${2-}; shift ;;
		--ipv6) ipv6=1 ;;
		--second-subnet) second=1 ;;
		--takeover-down) state=down ;;
		--no-trap) trap=0 ;;
		*) _lan_usage; return 2 ;;
		esac
		shift
	done
	case $prefix in
	'' | *[!A-Za-z0-9_.-]*) _lan_err "--prefix: letters, digits, '_.-' only"; _lan_usage; return 2 ;;
	esac
	_lan_range "$clients" 1 99 --clients && _lan_range "$actives" 1 9 --actives &&
		_lan_range "$ips" 1 9 --ips && _lan_range "$takeover" 0 99 --takeover ||
		return 2
	if [ ${#LAN_NSES[@]} -gt 0 ]; then
		_lan_err "a LAN ($LAN_PREFIX) is already up; lan_down first"
		return 2
	fi
	command -v ip >/dev/null && command -v bridge >/dev/null ||
		lan_skip "iproute2 (ip, bridge) not installed"
	[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"

	LAN_PREFIX=$prefix LAN_CLIENTS=$clients LAN_ACTIVES=$actives LAN_IPS=$ips
	LAN_TAKEOVER=$takeover LAN_IPV6=$ipv6 LAN_SECOND=$second
	LAN_TAKEOVER_STATE=$state
	LAN_IFIDX=() LAN_IFNEXT=()
	if [ $trap = 1 ]; then
		trap _lan_on_exit EXIT
		trap 'exit 129' HUP
		trap 'exit 130' INT
		trap 'exit 143' TERM
	fi

	_lan_lock || return 1
	_lan_sweep_stale || { _lan_err "cannot remove stale namespaces"; _lan_unlock; return 1; }
	if ! _lan_netns_add "${prefix}sw"; then
		# Could we make any namespace at all? If not, it is privileges.
		[ ${#LAN_NSES[@]} -eq 0 ] && lan_skip "cannot create network namespaces here"
		lan_down
		return 1
	fi
	if ! { _lan_sysctls "${prefix}sw" 1 &&
		ip netns exec "${prefix}sw" sh -c \
			'for f in /proc/sys/net/bridge/bridge-nf-call-*; do
				[ -w "$f" ] && echo 0 > "$f"; done; true' &&
		ip -n "${prefix}sw" link add "$LAN_BRIDGE" address "$LAN_BRIDGE_MAC" \
			type bridge stp_state 0 forward_delay 0 mcast_snooping 0 &&
		ip -n "${prefix}sw" link set "$LAN_BRIDGE" up &&
		ip -n "${prefix}sw" link set lo up; }; then
		_lan_err "cannot create the bridge"
		lan_down
		return 1
	fi
	_LAN_PORTS=
	for node in $(lan_nodes all); do
		if ! _lan_add_node "$node"; then
			_lan_err "cannot create node $node"
			lan_down
			return 1
		fi
	done
	if ! printf '%s' "$_LAN_PORTS" | ip -n "${prefix}sw" -batch -; then
		_lan_err "cannot attach the adapters to the bridge"
		lan_down
		return 1
	fi
	if ! _lan_wait_ready; then
		lan_down
		return 1
	fi
}

_lan_range() {
	case $1 in
	'' | *[!0-9]*) ;;
	*) [ "$1" -ge "$2" ] && [ "$1" -le "$3" ] && return 0 ;;
	esac
	_lan_err "$4 must be $2..$3, not '$1'"
	return 1
}

# lan_show: print the LAN as a table (node, namespace, adapter, MAC, addresses).
lan_show() {
	local node ifn
	printf '%-5s %-16s %-6s %-17s %s\n' node namespace if mac addresses
	for node in $(lan_nodes all); do
		for ifn in $(lan_ifs "$node"); do
			printf '%-5s %-16s %-6s %-17s %s\n' "$node" "$(lan_ns "$node")" "$ifn" \
				"$(lan_mac "$node" "$ifn")" \
				"$(ip -n "$(lan_ns "$node")" -br addr show dev "$ifn" |
					awk '{ $1 = $2 = ""; print }' | sed 's/^ *//')"
		done
	done
}
