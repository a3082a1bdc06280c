#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Self-test of the netns harness (lan.sh) and of neigh-watch: the LAN has
# the documented shape, MACs and addresses, every node reaches every other,
# a client's neighbour entry shows the right MAC, and teardown leaves
# nothing behind, also when a test body fails or is killed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"

[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
if ! command -v ping >/dev/null; then
	echo "FAIL: ping not found (iputils-ping; .ci/deps installs it)"
	exit 1
fi
lan_neigh_watch_path >/dev/null || exit 1

# A prefix of this run's own: the checks below look for what is left
# under it, which another run's LAN must never match.
P=iptolan-$$-
tmp=$(mktemp -d)
# shellcheck source=tap-lib.sh
. "$here/tap-lib.sh"
# match STRING ERE / like STRING GLOB: [[ ]] as commands, for check.
match() { [[ $1 =~ $2 ]]; }
# shellcheck disable=SC2053 # $2 is a glob on purpose
like() { [[ $1 == $2 ]]; }
# pingq NODE ADDR: one ping, quiet.
pingq() { lan_exec "$1" ping -n -q -c 1 -W 5 "$2" >/dev/null; }
# gone PID: the process has ended (a zombie, not yet reaped, has ended).
gone() {
	[ -n "$1" ] || return 1
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
# our_ns PREFIX: the namespaces lan.sh may have made with PREFIX.
our_ns() {
	ip netns list | awk '{ print $1 }' | grep -E "^$1(sw|sb|c[0-9]+|a[0-9])\$"
}
# inodes_of PREFIX: the netns inode of each namespace of PREFIX.
inodes_of() {
	local ns
	for ns in $(our_ns "$1"); do stat -L -c %i "/run/netns/$ns"; done
}
# nothing_left PREFIX INODES: no namespace of PREFIX is listed, and no
# process is still inside one of the namespaces with those inode numbers (a
# process would keep the namespace, its veths and bridge alive).
nothing_left() {
	local left ino holders=
	left=$(our_ns "$1")
	if [ -n "$left" ]; then
		echo "# left namespaces: $left"
		return 1
	fi
	[ -n "$2" ] || { echo "# no inodes recorded"; return 1; }
	for ino in $2; do
		holders+=$(find /proc/[0-9]*/ns/net -maxdepth 0 -lname "net:\[$ino\]" 2>/dev/null)
	done
	if [ -n "$holders" ]; then
		echo "# processes still hold the namespaces: $holders"
		return 1
	fi
	# Nothing of ours ever lives in the root namespace, either.
	if ip -o link show | grep -q 'link/ether 02:00:5e:'; then
		echo "# a LAN MAC is in the root namespace"
		return 1
	fi
}

cleanup_tmp() { rm -rf "$tmp"; }

# --- bad arguments change nothing -------------------------------------------
( lan_up --clients 1 ) 2>/dev/null
check "lan_up without --prefix fails with 2" [ $? = 2 ]
( lan_up --prefix ${P}x- --clients 0 ) 2>/dev/null
check "lan_up --clients 0 fails with 2" [ $? = 2 ]
( lan_up --prefix ${P}x- --takeover 100 ) 2>/dev/null
check "lan_up --takeover 100 fails with 2" [ $? = 2 ]
( lan_up --prefix 'bad/prefix' ) 2>/dev/null
check "lan_up with a bad prefix fails with 2" [ $? = 2 ]
# (other tests may be making namespaces of their own meanwhile)
check "bad arguments made no namespace" \
	[ -z "$(ip netns list | grep -E "^(${P}x-|bad|sw|sb|c1|a1)( |\$)")" ]

# --- a test body that fails midway still tears down -------------------------
(
	set -e
	lan_up --prefix ${P}f1- --clients 2 --takeover 2 --ipv6
	inodes_of ${P}f1- >"$tmp/f1.inodes"
	lan_exec c1 sleep 300 &
	echo $! >"$tmp/f1.pid"
	false # the test body fails here
	echo reached >"$tmp/f1.reached"
) >"$tmp/f1.log" 2>&1
rc=$?
check "failing body: the sub-shell exits with the body's status (1)" [ $rc = 1 ]
check "failing body: nothing after the failure ran" [ ! -e "$tmp/f1.reached" ]
check "failing body: the LAN had been up (5 namespaces)" \
	[ "$(wc -l <"$tmp/f1.inodes")" = 5 ]
check "failing body: nothing left behind" nothing_left ${P}f1- "$(cat "$tmp/f1.inodes")"
check "failing body: the process started inside was ended" gone "$(cat "$tmp/f1.pid")"

# --- a test killed by SIGTERM still tears down --------------------------------
(
	lan_up --prefix ${P}f2- --clients 1 --actives 1
	inodes_of ${P}f2- >"$tmp/f2.inodes"
	lan_exec c1 sleep 300 &
	touch "$tmp/f2.ready"
	wait
) >"$tmp/f2.log" 2>&1 &
pid=$!
lan_poll 60 test -e "$tmp/f2.ready"
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM: the test exits with 143" [ $rc = 143 ]
check "SIGTERM: nothing left behind" nothing_left ${P}f2- "$(cat "$tmp/f2.inodes")"

# --- the LAN itself ---------------------------------------------------------
lan_atexit cleanup_tmp
if ! lan_up --prefix $P --clients 2 --actives 2 --ips 2 --takeover 2 --ipv6 \
	--second-subnet; then
	bad "lan_up"
	exit 1
fi
check "a second lan_up while up fails with 2" \
	eval '( lan_up --prefix ${P}y- ) 2>/dev/null; [ $? = 2 ]'

nodes=$(lan_nodes all | tr '\n' ' ')
check "nodes are c1 c2 a1 a2 sb" [ "$nodes" = "c1 c2 a1 a2 sb " ]
check "namespaces are named prefix+node" \
	[ "$(our_ns $P | sort | tr '\n' ' ')" = "${P}a1 ${P}a2 ${P}c1 ${P}c2 ${P}sb ${P}sw " ]
check "standby adapters are mgmt tk1 tk2" \
	[ "$(lan_ifs sb | tr '\n' ' ')" = "mgmt tk1 tk2 " ]

# MACs: the documented scheme, literally, and what the kernel holds.
check "lan_mac follows the documented scheme" [ \
	"$(lan_mac c1 eth0) $(lan_mac c2 eth0) $(lan_mac a2 eth0) $(lan_mac sb mgmt) $(lan_mac sb tk2) $(lan_port_mac a1 eth0)" = \
	"02:00:5e:10:01:00 02:00:5e:10:02:00 02:00:5e:20:02:00 02:00:5e:30:01:00 02:00:5e:30:01:02 02:00:5e:28:01:00" ]
kmac() { ip -n "$1" -br link show dev "$2" | awk '{ print $3 }'; }
allmacs=
for node in $(lan_nodes all); do
	for ifn in $(lan_ifs "$node"); do
		m=$(kmac "$(lan_ns "$node")" "$ifn")
		pm=$(kmac "$(lan_ns sw)" "$(lan_port "$node" "$ifn")")
		check "$node $ifn has MAC $(lan_mac "$node" "$ifn")" [ "$m" = "$(lan_mac "$node" "$ifn")" ]
		check "port $(lan_port "$node" "$ifn") has MAC $(lan_port_mac "$node" "$ifn")" \
			[ "$pm" = "$(lan_port_mac "$node" "$ifn")" ]
		allmacs+="$m $pm "
	done
done
check "bridge has MAC $LAN_BRIDGE_MAC" [ "$(kmac "$(lan_ns sw)" br0)" = "$LAN_BRIDGE_MAC" ]
check "all MACs differ" [ -z "$(echo "$allmacs" | tr ' ' '\n' | sed '/^$/d' | sort | uniq -d)" ]

# Bridge: no STP, no forward delay, no multicast snooping, all ports forward.
brd=$(ip -n "$(lan_ns sw)" -d link show br0)
for opt in "stp_state 0" "forward_delay 0" "mcast_snooping 0"; do
	check "bridge has $opt" grep -q "$opt" <<<"$brd"
done
check "all 7 bridge ports forward" [ "$(bridge -n "$(lan_ns sw)" link show |
	grep -c 'master br0 state forwarding')" = 7 ]

# Addresses.
addrs() { ip -n "$(lan_ns "$1")" -o addr show dev "$2" scope global | awk '{ print $4 }' | sort | tr '\n' ' '; }
check "a2 has its 2 addresses in each subnet" [ "$(addrs a2 eth0)" = \
	"192.0.2.21/24 192.0.2.22/24 198.51.100.21/24 198.51.100.22/24 2001:db8:2::21/64 2001:db8:2::22/64 " ]
check "c2 has .102" [ "$(addrs c2 eth0)" = "192.0.2.102/24 198.51.100.102/24 2001:db8:2::102/64 " ]
check "sb mgmt has .2" [ "$(addrs sb mgmt)" = "192.0.2.2/24 198.51.100.2/24 2001:db8:2::2/64 " ]
check "takeover adapters have no address" [ -z "$(addrs sb tk1)$(addrs sb tk2)" ]
check "lan_ip4/lan_ip4b/lan_ip6" [ "$(lan_ip4 a1 2) $(lan_ip4b c1) $(lan_ip6 sb)" = \
	"192.0.2.12 198.51.100.101 2001:db8:2::2" ]
check "lan_ip4 refuses an address the node lacks" eval '! lan_ip4 c1 2 2>/dev/null'

# Sysctls: DAD off on every LAN adapter; client ARP/ND settings untouched
# (compared with a namespace nobody configured).
for node in $(lan_nodes all); do
	for ifn in $(lan_ifs "$node"); do
		check "$node $ifn accept_dad=0" \
			[ "$(lan_exec "$node" sysctl -n "net.ipv6.conf.$ifn.accept_dad")" = 0 ]
	done
	check "$node has no tentative address" [ -z "$(ip -n "$(lan_ns "$node")" addr show tentative)" ]
done
ip netns del ${P}ref 2>/dev/null # left by a killed run (we hold the prefix lock)
ip netns add ${P}ref && lan_atexit "ip netns del ${P}ref"
for key in ipv4.conf.X.arp_accept ipv4.conf.X.arp_ignore ipv4.conf.X.arp_announce \
	ipv4.conf.X.arp_notify ipv4.conf.X.drop_gratuitous_arp \
	ipv6.conf.X.drop_unsolicited_na ipv6.conf.X.ndisc_notify; do
	want=$(ip netns exec ${P}ref sysctl -n "net.${key/X/default}")
	got=$(lan_exec c1 sysctl -n "net.${key/X/eth0}")
	check "c1 ${key/X/eth0}=$got is the kernel default" [ "$got" = "$want" ]
done

# Every node reaches every other node, on every address and family.
for src in $(lan_nodes all); do
	for dst in $(lan_nodes all); do
		[ "$src" = "$dst" ] && continue
		n=1
		while lan_ip4 "$dst" $n >/dev/null 2>&1; do
			for fn in lan_ip4 lan_ip4b lan_ip6; do
				a=$($fn "$dst" $n)
				check "$src pings $dst $a" pingq "$src" "$a"
			done
			n=$((n + 1))
		done
	done
done

# Neighbour entries, through neigh-watch: c1 pinged a1 above.
a1=$(lan_ip4 a1) a16=$(lan_ip6 a1) m=$(lan_mac a1 eth0)
out=$(lan_neigh_wait c1 "$a1" "$m" -t 5000)
check "neigh-watch --wait: c1's entry for $a1 is $m (after ${out} us)" [ $? = 0 ]
out=$(lan_neigh_wait c1 "$a16" "$m" -t 5000)
check "neigh-watch --wait: c1's entry for $a16 is $m" [ $? = 0 ]
check "neigh-watch --wait prints a number" match "$out" '^[0-9]+$'
out=$(lan_neigh c1 "$a1")
check "neigh-watch --show: '$out'" match "$out" "^$a1 eth0 $m (REACHABLE|STALE|DELAY|PROBE)\$"
out=$(lan_neigh c1 "$(lan_ip4 a2 2)" -i eth0)
check "neigh-watch --show -i eth0 $(lan_ip4 a2 2): $out" like "$out" "* $(lan_mac a2 eth0) *"
out=$(lan_neigh c1 192.0.2.250)
check "neigh-watch --show of an unknown IP: '$out'" [ "$out" = "192.0.2.250 - - NONE" ]
out=$(lan_neigh_wait c1 "$a1" "$(lan_mac a2 eth0)" -t 300 2>/dev/null)
rc=$?
check "neigh-watch --wait for a wrong MAC times out with 1" [ $rc = 1 ]
check "... and prints the last state seen: '$out'" like "$out" "$a1 eth0 $m *"
out=$(lan_neigh_wait c1 "$a1" "$m" -t 5000 -s 0)
check "neigh-watch --since 0 measures from boot: $out us" [ "${out:-0}" -gt 300000 ]
lan_neigh_wait c1 not-an-ip "$m" 2>/dev/null
check "neigh-watch rejects a bad IP with 2" [ $? = 2 ]
lan_neigh_wait c1 "$a1" 02:00:5e:zz:00:00 2>/dev/null
check "neigh-watch rejects a bad MAC with 2" [ $? = 2 ]

# An entry that changes while neigh-watch waits: c2 has no entry for
# .201 yet; it appears on tk1 (arp_ignore=1 so that only tk1 answers, and
# not every adapter of the standby: ARP flux) and c2 pings it.
lan_sysctl sb net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
for tk in $(lan_takeover_ifs); do
	ip=192.0.2.20${tk#tk}
	lan_neigh_wait c2 "$ip" "$(lan_mac sb "$tk")" -t 10000 -r "$tmp/ready.$tk" \
		>"$tmp/wait.$tk" 2>&1 &
	wpid=$!
	lan_poll 30 test -e "$tmp/ready.$tk"
	ip -n "$(lan_ns sb)" addr add "$ip"/24 dev "$tk"
	check "c2 pings $ip on sb $tk" pingq c2 "$ip"
	wait $wpid
	check "neigh-watch saw c2's new entry for $ip: $(lan_mac sb "$tk") after $(cat "$tmp/wait.$tk") us" [ $? = 0 ]
	ip -n "$(lan_ns sb)" addr del "$ip"/24 dev "$tk"
done

# lan_cable: an unplugged adapter is cut off, and back when plugged.
lan_cable a2 eth0 off
check "a2 unplugged: c1 cannot reach it" eval '! lan_exec c1 ping -n -q -c 1 -W 1 $(lan_ip4 a2) >/dev/null'
lan_cable a2 eth0 on
check "a2 plugged again: c1 reaches it" pingq c1 "$(lan_ip4 a2)"

# lan_add_port: one more adapter with the next MAC.
check "lan_add_port c1 eth1" lan_add_port c1 eth1
check "c1 eth1 has MAC 02:00:5e:10:01:01" \
	[ "$(kmac "$(lan_ns c1)" eth1) $(lan_mac c1 eth1)" = "02:00:5e:10:01:01 02:00:5e:10:01:01" ]
check "c1-eth1 is a bridge port" eval 'bridge -n "$(lan_ns sw)" link show | grep -q "c1-eth1.*master br0"'

# --- teardown ----------------------------------------------------------------
inodes=$(inodes_of $P)
# (started from a sub-shell, so that it is not our job and its end is silent)
spid=$( (lan_exec c2 sleep 300 >/dev/null 2>&1 & echo $!) )
lan_down
check "lan_down succeeds" [ $? = 0 ]
check "lan_down leaves nothing behind" nothing_left $P "$inodes"
check "lan_down ended the process started inside" gone "$spid"
check "the reference namespace went too (lan_atexit)" [ ! -e /run/netns/${P}ref ]
check "lan_down again is harmless" lan_down

echo "# $nfail failed"
[ $nfail = 0 ]
