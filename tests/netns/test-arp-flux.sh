#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2317 # one_answer, several, absent: run through check()
#
# ARP flux: after a takeover, a client that flushes its neighbour cache and
# asks again must get exactly one answer, from the adapter that owns the
# address; and the standby's own ARP requests must not teach clients another
# MAC for it. The standby has a management adapter and three takeover
# adapters on the client's segment; a1's two addresses go to tk1 and tk2,
# tk3 stays idle.
#
#   A. ipto takeover --keep-devconf (kernel defaults, arp_ignore=0 and
#      arp_announce=0): several adapters answer one query, and the standby's
#      own request moves a client's entry to the management adapter -- the
#      evidence of why the library sets arp_ignore=1 / arp_announce=2.
#   B. ipto takeover: the library's settings.
#   C. B plus arp_ignore=1 / arp_announce=2 on every adapter of the standby
#      (what the takeover should leave behind): exactly one answer.
#
# Prints TAP (meson: protocol 'tap'). usage: test-arp-flux.sh IPTO
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"
ipto=${1:-${IPTO_BUILD_ROOT:-$here/../../build}/examples/ipto}


n=0 nfail=0
tap() { # tap ok|not-ok DESCRIPTION [DIRECTIVE]
	n=$((n + 1))
	[ "$1" = ok ] || nfail=$((nfail + 1))
	echo "${1/-/ } $n - $2${3:+ # $3}"
}
check() { # check DESCRIPTION [DIRECTIVE] -- CMD...: ok when CMD succeeds
	local what=$1 dir=
	shift
	[ "$1" != -- ] && { dir=$1; shift; }
	shift
	if "$@"; then tap ok "$what" "$dir"; else tap not-ok "$what" "$dir"; fi
}

if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root to create network namespaces"; exit 0; fi
for tool in arping ping; do
	command -v $tool >/dev/null ||
		{ echo "1..0 # SKIP $tool not installed (iputils-$tool)"; exit 0; }
done
[ -x "$ipto" ] || { echo "Bail out! $ipto not found"; exit 1; }

tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"
lan_up --prefix iptomx-f- --clients 2 --actives 1 --ips 2 --takeover 3 ||
	{ echo "Bail out! lan_up failed"; exit 1; }
ip1=$(lan_ip4 a1 1) ip2=$(lan_ip4 a1 2)
mgmt=$(lan_mac sb mgmt) tk1=$(lan_mac sb tk1) tk2=$(lan_mac sb tk2)
# shellcheck disable=SC2054 # ipto's own comma-separated specs
cluster=(--node "a1,$ip1/24,$ip2/24" --adapter sb,mgmt,management
	--adapter sb,tk1 --adapter sb,tk2 --adapter sb,tk3)
sbifs=(mgmt tk1 tk2 tk3)

# devconf IF...: "IF=arp_ignore/arp_announce ..." on the standby.
devconf() {
	local i
	for i in "$@"; do
		printf '%s=%s/%s ' "$i" \
			"$(lan_exec sb sysctl -n "net.ipv4.conf.$i.arp_ignore")" \
			"$(lan_exec sb sysctl -n "net.ipv4.conf.$i.arp_announce")"
	done
}
set_devconf() { # set_devconf IGNORE ANNOUNCE IF...
	local ig=$1 an=$2 i
	shift 2
	for i in "$@"; do
		lan_sysctl sb "net.ipv4.conf.$i.arp_ignore=$ig" "net.ipv4.conf.$i.arp_announce=$an"
	done
}

# ask CLIENT IP: the client flushes its cache and asks for IP with three
# broadcast ARP requests; writes the MACs of all replies (one a line) to
# $tmp/replies.CLIENT, then flushes again, pings IP once and writes the
# MAC its kernel kept to $tmp/kept.CLIENT.
ask() {
	local c=$1 ip=$2
	lan_exec "$c" ip neigh flush dev eth0
	lan_exec "$c" arping -b -c 3 -I eth0 "$ip" 2>&1 |
		grep -o 'reply from [0-9.]* \[[0-9A-Fa-f:]*\]' |
		sed 's/.*\[\(.*\)\]/\1/' | tr 'A-F' 'a-f' >"$tmp/replies.$c"
	lan_exec "$c" ip neigh flush dev eth0
	lan_exec "$c" ping -n -q -c 1 -W 2 "$ip" >/dev/null 2>&1
	lan_neigh "$c" "$ip" | awk '{ print $3 }' >"$tmp/kept.$c"
}
ask_both() { # c1 asks for ip1, c2 for ip2, at once
	ask c1 "$ip1" & local p=$!
	ask c2 "$ip2"
	wait $p
}
macs() { sort -u "$tmp/replies.$1" | paste -sd' '; }
# one_answer CLIENT MAC: exactly one reply per request, all from MAC, and
# the kernel kept MAC.
one_answer() {
	[ "$(wc -l <"$tmp/replies.$1")" = 3 ] && [ "$(macs "$1")" = "$2" ] &&
		[ "$(cat "$tmp/kept.$1")" = "$2" ]
}
# several CLIENT MAC: more replies than requests, from several MACs, MAC
# among them.
several() {
	[ "$(wc -l <"$tmp/replies.$1")" -gt 3 ] &&
		[ "$(sort -u "$tmp/replies.$1" | wc -l)" -ge 2 ] &&
		grep -qx "$2" "$tmp/replies.$1"
}
absent() { ! grep -qx "$2" "$tmp/replies.$1"; }	# absent CLIENT MAC
answers() { echo "$(wc -l <"$tmp/replies.$1") replies to 3 requests from $(macs "$1"); kernel kept $(cat "$tmp/kept.$1")"; }

# own_request: c1's entry for ip1 is moved to tk1 (an announcement), left
# past its locktime; the standby forgets c1 and c1 pings ip1, so the standby
# must ARP for c1 to answer. Prints the MAC c1 holds for ip1 afterwards.
own_request() {
	lan_exec c1 ping -n -q -c 1 -W 2 "$ip1" >/dev/null 2>&1
	lan_exec sb "$ipto" announce -i tk1 --ip "$ip1" --style arp-announce >/dev/null
	local moved
	moved=$(lan_neigh_wait c1 "$ip1" "$tk1" -t 10000 --abs) || { echo "not-on-tk1"; return; }
	# past the client's locktime (1 s) by the clock: any ARP from ip1 may move it
	lan_until_us $((moved + 1200000))
	lan_exec sb ip neigh flush all
	lan_exec c1 ping -n -q -c 1 -W 2 "$ip1" >/dev/null 2>&1
	lan_neigh c1 "$ip1" | awk '{ print $3 }'
}

lan_cable a1 eth0 off	# a1 fails; its addresses are the standby's now

# --- A: --keep-devconf, kernel defaults ---------------------------------------
out=$(lan_exec sb "$ipto" "${cluster[@]}" -v --keep-devconf takeover --fail a1 2>&1)
check "A: ipto takeover --keep-devconf exits 0" -- [ $? = 0 ]
check "A: it warns about ARP flux" -- grep -q "ARP flux" <<<"$out"
d=$(devconf "${sbifs[@]}")
check "A: arp_ignore/arp_announce left at kernel defaults ($d)" -- \
	[ "$d" = "mgmt=0/0 tk1=0/0 tk2=0/0 tk3=0/0 " ]
ask_both
check "A: $ip1: several adapters answer ($(answers c1))" -- several c1 "$tk1"
check "A: $ip2: several adapters answer ($(answers c2))" -- several c2 "$tk2"
kept=$(own_request)
check "A: the standby's own ARP request (sender $ip1, from mgmt) moves c1's entry off tk1 (now $kept)" -- \
	[ "$kept" != "$tk1" ]
lan_exec sb "$ipto" "${cluster[@]}" release --fail a1 >/dev/null
check "A: ipto release exits 0" -- [ $? = 0 ]
set_devconf 0 0 "${sbifs[@]}"

# one_each PHASE: each address answered once per request, by its own
# adapter, and the standby's own request leaves c1 on tk1.
one_each() {
	local kept
	check "$1: $ip1: exactly one answer per request, from tk1 $tk1 ($(answers c1))" -- \
		one_answer c1 "$tk1"
	check "$1: $ip2: exactly one answer per request, from tk2 $tk2 ($(answers c2))" -- \
		one_answer c2 "$tk2"
	kept=$(own_request)
	check "$1: the standby's own ARP request leaves c1's entry for $ip1 on tk1 (now $kept)" -- \
		[ "$kept" = "$tk1" ]
}

# --- B: ipto takeover, the library's settings -------------------------------------
lan_exec sb "$ipto" "${cluster[@]}" takeover --fail a1 >/dev/null
check "B: ipto takeover exits 0" -- [ $? = 0 ]
d=$(devconf tk1 tk2)
check "B: the takeover set arp_ignore=1, arp_announce=2 on tk1 and tk2 ($d)" -- \
	[ "$d" = "tk1=1/2 tk2=1/2 " ]
ask_both
check "B: $ip1: tk2 (set by the takeover) does not answer ($(answers c1))" -- \
	absent c1 "$tk2"
one_each B

# --- C: every adapter of the standby set as the takeover sets its own -----------
set_devconf 1 2 "${sbifs[@]}"
ask_both
one_each C
# The management adapter still answers for its own address.
lan_exec c1 ip neigh flush dev eth0
lan_exec c1 ping -n -q -c 1 -W 2 "$(lan_ip4 sb)" >/dev/null 2>&1
check "C: the management adapter still answers for its own address" -- \
	[ "$(lan_neigh c1 "$(lan_ip4 sb)" | awk '{ print $3 }')" = "$mgmt" ]

echo "1..$n"
exit 0
