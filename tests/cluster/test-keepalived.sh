#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-keepalived.sh IPTO KITDIR: the keepalived kit (examples/keepalived)
# with the real keepalived on the test LAN: a1 (192.0.2.11 and
# 2001:db8:2::11 on eth0) and the standby sb (mgmt, tk1, tk2) run VRRP over the
# management network (hb0, 198.51.100.0/24) with the kit's configuration
# files as shipped (only the paths of the description, of ipto and of a
# log are filled in). A client c1 pings both addresses every 0.1 s, and
# every check below holds for each of them (the figures: MOVE and MOVE-v6).
#
#   stopped  a1's keepalived is killed (SIGTERM): sb becomes master, takes
#            a1's addresses over (192.0.2.11 on tk1, 2001:db8:2::11 on tk2);
#            the client follows sb (each adapter's own MAC); a1's
#            notify_stop released them on a1.
#   restart  a1's keepalived starts again: a1 preempts (reclaim), sb
#            releases once a1 answers for each address (ARP probe, DAD
#            neighbour solicitation); the client is back on a1's MAC for
#            both, with no black hole.
#   killed   the same with SIGKILL: no notify runs on a1, which keeps the
#            address (the kit's limits); the client follows sb, and comes
#            back after the restart (restart-k, figures printed only).
#   crash    a1 dies (every process, cables pulled): the same as killed.
#   boot     a1 boots (run-time addresses gone) and starts keepalived: as
#            restart.
#   split    a1's cables leave the switch while a1 runs on (it keeps
#            carrier, stays master, hears nothing): sb becomes master too
#            and takes the addresses over; the client follows sb.
#   heal     the cables back: two masters hear each other; sb yields
#            (advertising once more first: higher_prio_send_advert) and
#            releases once a1 answers; a1, master all along, hears sb's
#            lower priority and announces again (notify_master_rx_lower_pri:
#            ipto-notify reassert), so the client is back on a1's MAC with
#            no black hole (without the reassert nobody announces, and the
#            client waits for its entry to go stale: seconds).
#
# Black hole: the client keeps sending to a MAC whose host no longer holds
# the address, until its neighbour entry is probed again (Linux: seconds;
# delay_first_probe_time alone is 5 s). With a reply every 0.1 s that shows
# as 10 or more requests in a row unanswered; the failbacks must show none.
# A ping in flight while the MAC changes may be lost: that is not one.
# Every VRRP advert on the wire comes from a management address.
set -u
IPTO=${1:?usage: test-keepalived.sh IPTO KITDIR}
KIT=${2:?usage: test-keepalived.sh IPTO KITDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${LAN_SH:=$HERE/../netns/lan.sh}"
# shellcheck source=../netns/lan.sh
. "$LAN_SH"
# shellcheck source=cluster-lib.sh
. "$HERE/cluster-lib.sh"

[ "$(id -u)" = 0 ] || lan_skip "needs root"
command -v keepalived >/dev/null || lan_skip "keepalived not installed (.ci/deps installs it)"
command -v tshark >/dev/null || lan_skip "tshark not installed"

fail() { ka_fail "$@"; }
ok() { echo "ok - $*"; }

SVC=192.0.2.11
SVC6=2001:db8:2::11
BLACK_HOLE_RUN=10
ka_up ipto-kad- || fail "the LAN and the hosts"
# the plan: IPv4 on tk1, IPv6 on tk2 (each its own MAC)
plan=$("$IPTO" -c "$CONF" plan --fail a1) || fail "ipto plan"
grep -q "^bind $SVC/24 of a1 on sb tk1 " <<<"$plan" &&
	grep -q "^bind $SVC6/64 of a1 on sb tk2 " <<<"$plan" || fail "unexpected plan: $plan"
ka_kit "$KIT" ipto-notify || fail "kit"

# every VRRP packet on the switch, for the whole run
SW=$(lan_ns sw)
ip netns exec "$SW" tshark -n -i br0 -f 'ip proto 112 or arp' -w "$CL_DIR/vrrp.pcap" \
	>"$CL_DIR/tshark.log" 2>&1 &
TSHARK=$!
lan_atexit "kill $TSHARK 2>/dev/null; true"
for ((i = 0; i < 200; i++)); do
	grep -q 'Capturing on' "$CL_DIR/tshark.log" && break
	sleep 0.05
done

ka_gone() { ! cl_pids "$1" | while read -r p; do cat "/proc/$p/comm"; done 2>/dev/null | grep -qx keepalived; }
# holds HOST IF [IF6]: the IPv4 address on IF, the IPv6 one on IF6 (or
# IF); holds_none HOST IF: neither on IF
holds() {
	lan_exec "$1" ip -br addr show dev "$2" | grep -q " $SVC/" &&
		lan_exec "$1" ip -br addr show dev "${3:-$2}" | grep -q " $SVC6/"
}
holds_none() { ! lan_exec "$1" ip -br addr show dev "$2" | grep -q -e " $SVC/" -e " $SVC6/"; }

ka_start a1
wait_for 60 "a1 master, $SVC and $SVC6 on eth0" holds a1 eth0
ka_start sb
for a in "$SVC" "$SVC6"; do
	lan_exec c1 ping -c 1 -W 2 "$a" >/dev/null || fail "client cannot ping $a"
	lan_neigh_wait c1 "$a" "$MAC_A1" --timeout 10000 >/dev/null ||
		fail "client's entry for $a: $(lan_neigh c1 "$a")"
done
# sb's initial BACKUP has run (its notify log says so) before the first move
wait_for 60 "sb's keepalived up (backup notify ran)" grep -q 'a1 backup: ' "$CL_DIR/sb/notify.log"
ok "a1 is master and holds $SVC and $SVC6; the client reaches both at $MAC_A1"

OUT=$CL_DIR/out
mkdir -p "$OUT"
RESULTS=()
not_on_sb() { ! lan_exec sb ip -br addr | grep -q -e " $SVC/" -e " $SVC6/"; }
entry_is() { [ "$(lan_neigh c1 "$2" | awk '{ print $3 }')" = "$1" ]; }
# move NAME MAC MAC6 ACTION...: ping both addresses, run ACTION, wait
# until the client's entry for the IPv4 address is MAC, for the IPv6 one
# MAC6, and the pings of each are answered again; record the figures (NAME
# for IPv4, NAME-v6).
move() {
	local name=$1 mac=$2 mac6=$3 p p6 t r
	shift 3
	p=$(cl_ping_start c1 "$SVC" "$OUT/$name.log")
	p6=$(cl_ping_start c1 "$SVC6" "$OUT/$name-v6.log")
	t=$(cl_now)
	cl_wait_replies "$OUT/$name.log" "$t" 5 30 || fail "$name: no replies before the move"
	cl_wait_replies "$OUT/$name-v6.log" "$t" 5 30 || fail "$name: no IPv6 replies before the move"
	t=$(cl_now)
	"$@" || fail "$name: $*"
	wait_for 120 "$name: the client's entry for $SVC is $mac" entry_is "$mac" "$SVC"
	wait_for 120 "$name: the client's entry for $SVC6 is $mac6" entry_is "$mac6" "$SVC6"
	t=$(cl_now)
	cl_wait_replies "$OUT/$name.log" "$t" 10 60 ||
		fail "$name: the client's pings to $SVC did not resume"
	cl_wait_replies "$OUT/$name-v6.log" "$t" 10 60 ||
		fail "$name: the client's pings to $SVC6 did not resume"
	cl_ping_stop "$p"
	cl_ping_stop "$p6"
	r=$(cl_ping_report "$OUT/$name.log")
	RESULTS+=("$name $r")
	LAST=$r
	r=$(cl_ping_report "$OUT/$name-v6.log")
	RESULTS+=("$name-v6 $r")
	LAST6=$r
	ok "$name: the client's entries are $mac ($SVC) and $mac6 ($SVC6), its pings are answered"
}
no_black_hole() {
	local run run6
	run=$(echo "$LAST" | awk '{ print $3 }')
	run6=$(echo "$LAST6" | awk '{ print $3 }')
	[ "$run" -lt "$BLACK_HOLE_RUN" ] ||
		fail "$1: $run pings to $SVC in a row unanswered (a black hole)"
	[ "$run6" -lt "$BLACK_HOLE_RUN" ] ||
		fail "$1: $run6 pings to $SVC6 in a row unanswered (a black hole)"
	ok "$1: no black hole ($run in a row unanswered at most, $run6 for IPv6)"
}

# keepalived killed (SIGTERM): its notify_stop releases on a1
ka_term() { ka_signal a1 TERM; }
move stopped "$MAC_TK1" "$MAC_TK2" ka_term
holds sb tk1 tk2 || fail "sb does not hold $SVC on tk1 and $SVC6 on tk2"
wait_for 30 "a1's keepalived exits" ka_gone a1
wait_for 30 "a1 releases $SVC and $SVC6 (notify_stop)" holds_none a1 eth0
ok "stopped: sb took $SVC over on tk1 and $SVC6 on tk2, a1 released them"

move restart "$MAC_A1" "$MAC_A1" ka_start a1
no_black_hole restart
wait_for 30 "sb releases $SVC and $SVC6" not_on_sb
holds a1 eth0 || fail "a1 does not hold $SVC and $SVC6"
for a in "$SVC" "$SVC6"; do
	grep -q "a1 backup: another host answers for $a\$" "$CL_DIR/sb/notify.log" ||
		fail "sb released without seeing a1 answer for $a"
done
ok "restart: sb released $SVC and $SVC6 after a1 answered for each (ARP probe, DAD NS)"

# keepalived killed with SIGKILL: no notify script runs, a1 keeps the
# address while sb takes it over (the kit's README: limits). The clients
# follow sb, and come back after the restart; the figures are printed.
ka_kill() { ka_signal a1 KILL; }
move killed "$MAC_TK1" "$MAC_TK2" ka_kill
holds sb tk1 tk2 || fail "sb does not hold $SVC on tk1 and $SVC6 on tk2"
ok "killed: sb took $SVC over on tk1 and $SVC6 on tk2 (a1 still holds it: $(holds a1 eth0 && echo yes || echo no))"
move restart-k "$MAC_A1" "$MAC_A1" ka_start a1
wait_for 30 "sb releases $SVC and $SVC6" not_on_sb
ok "restart after SIGKILL: the client is back on a1, sb holds nothing"

crash_a1() { cl_crash a1; }
move crash "$MAC_TK1" "$MAC_TK2" crash_a1
boot_a1() { cl_reboot a1 eth0 "$SVC/24" "$SVC6/64" && ka_start a1; }
move boot "$MAC_A1" "$MAC_A1" boot_a1
no_black_hole boot
wait_for 30 "sb releases $SVC and $SVC6" not_on_sb
ok "boot: a1 is master again, sb holds nothing"

split_a1() { cl_detach a1 off; }
move split "$MAC_TK1" "$MAC_TK2" split_a1
holds sb tk1 tk2 || fail "split: sb does not hold $SVC on tk1 and $SVC6 on tk2"
holds a1 eth0 || fail "split: a1 (master, cut off) let its addresses go"
ok "split: both hosts master, sb took $SVC and $SVC6 over, a1 kept them"
heal_a1() { cl_detach a1 on; }
move heal "$MAC_A1" "$MAC_A1" heal_a1
no_black_hole heal
wait_for 30 "sb releases $SVC and $SVC6" not_on_sb
grep -q 'a1 reassert: ' "$CL_DIR/a1/notify.log" ||
	fail "heal: a1 did not announce again (no reassert in its notify log)"
ok "heal: a1 announced again (reassert), sb released, the client is back on a1"

kill "$TSHARK" 2>/dev/null
wait "$TSHARK" 2>/dev/null
srcs=$(tshark -n -r "$CL_DIR/vrrp.pcap" -Y vrrp -T fields -e ip.src 2>/dev/null | sort | uniq -c)
n=$(echo "$srcs" | awk '{ s += $1 } END { print s + 0 }')
bad=$(echo "$srcs" | awk '$2 != "198.51.100.11" && $2 != "198.51.100.2"')
[ "$n" -gt 0 ] || fail "no VRRP adverts captured"
[ -z "$bad" ] || fail "VRRP adverts from other addresses: $bad"
ok "$n VRRP adverts, all from the management addresses: $(echo $srcs)"

echo "# keepalived $(keepalived --version 2>&1 | awk 'NR == 1 { print $2 }'), advert_int 1 s, client pings every ${CL_PING_INTERVAL} s"
printf '# %-12s %6s %6s %14s %16s\n' move sent lost "lost in a row" "longest gap (s)"
for r in "${RESULTS[@]}"; do
	# shellcheck disable=SC2086
	printf '# %-12s %6s %6s %14s %16s\n' $r
done
