#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-keepalived-supervise.sh IPTO KITDIR: never two holders. The hosts of
# test-keepalived.sh (a1: 192.0.2.11 and 2001:db8:2::11 on eth0; sb: mgmt,
# tk1, tk2; VRRP over hb0) run the real keepalived under the kit's
# supervisor (examples/keepalived/ipto-supervise), with the kit's files as
# shipped (only the paths of the description, of ipto and of a log filled
# in). For each way a1's keepalived ends:
#
#   killed   every keepalived process of a1 SIGKILLed (no notify runs)
#   parent   only keepalived's main process SIGKILLed (the supervisor's
#            child; its VRRP child is left to the supervisor)
#   stopped  the supervisor is sent SIGTERM (a service stop): it passes it
#            on, keepalived runs its notify_stop and exits 0
#
# the checks, measured from the signal by the clock: within DEADLINE (10 s)
# a1 holds neither address (ip addr in a1's namespace) and none of its
# keepalived processes is left (after a clean stop: within 10 s, keepalived
# finishes its own shutdown), a1's MAC answers nothing for them (ARP requests
# from the client; DAD neighbour solicitations from the client, the
# answers captured there); the supervisor exits with keepalived's status
# (137, 137, 0); then sb holds both (tk1, tk2) and exactly one MAC
# answers for each address from the client: sb's (tk1 for IPv4, tk2 for
# IPv6). The target is 1 s (TARGET): each move prints its times and
# whether they met it; the suite fails on the bound, which separates a
# release by the supervisor from none at all, not on a speed this machine
# may not have. Between the moves a1 starts again, preempts, and then
# exactly one MAC answers: a1's eth0.
#
# Last, the supervisor itself is SIGKILLed, then keepalived: a1 keeps the
# addresses until "ipto-supervise ... --release" (the systemd unit's
# ExecStopPost=, ipto-keepalived.service) releases them; then sb serves.
#
# Without the supervisor (keepalived run directly) "killed" fails: a1
# keeps both addresses, and two MACs answer for each once sb took them
# over.
set -u
IPTO=${1:?usage: test-keepalived-supervise.sh IPTO KITDIR}
KIT=${2:?usage: test-keepalived-supervise.sh IPTO KITDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${LAN_SH:=$HERE/../netns/lan.sh}"
# shellcheck source=../netns/lan.sh
. "$LAN_SH"
# shellcheck source=cluster-lib.sh
. "$HERE/cluster-lib.sh"

[ "$(id -u)" = 0 ] || lan_skip "needs root"
for c in keepalived tshark dumpcap arping setsid; do
	command -v "$c" >/dev/null || lan_skip "$c not installed"
done

fail() { ka_fail "$@"; }
ok() { echo "ok - $*"; }

SVC=192.0.2.11
SVC6=2001:db8:2::11
DEADLINE=10
TARGET=1
met() { if within "$1" "$TARGET"; then echo met; else echo "not met on this machine"; fi; }
ka_up ipto-kas- || fail "the LAN and the hosts"
ka_kit "$KIT" ipto-notify ipto-supervise || fail "kit"

# ka_start HOST: keepalived under the supervisor, in HOST's namespaces; the
# supervisor's exit status goes to $CL_DIR/HOST/etc-keepalived/supervise.rc
ka_start() {
	local h=$1 role
	case $h in a1) role="--interface eth0" ;; *) role="--standby $h" ;; esac
	rm -f "$CL_DIR/$h/etc-keepalived/supervise.rc"
	# shellcheck disable=SC2086
	setsid nsenter --net="/run/netns/$(lan_ns "$h")" --mount="$CL_DIR/ns/$h.mnt" \
		--uts="$CL_DIR/ns/$h.uts" -- \
		sh -c '"$@"; echo $? >/etc/keepalived/supervise.rc' sh \
		/etc/keepalived/ipto-supervise --config "$CONF" --node a1 $role \
		--ipto "$IPTO" --log /etc/keepalived/notify.log -- \
		keepalived -n -l -D -G -P -f /etc/keepalived/keepalived.conf \
		-p /run/keepalived.pid -r /run/keepalived_vrrp.pid \
		</dev/null >>"$CL_DIR/$h/keepalived.log" 2>&1 &
	disown
}
# ka_pids HOST [COMM]: HOST's processes named COMM (keepalived)
ka_pids() {
	local p
	for p in $(cl_pids "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "${2:-keepalived}" ] && echo "$p"
	done
	return 0
}
ka_gone() { [ -z "$(ka_pids "$1")" ]; }
holds() {
	lan_exec "$1" ip -br addr show dev "$2" | grep -q " $SVC/" &&
		lan_exec "$1" ip -br addr show dev "${3:-$2}" | grep -q " $SVC6/"
}
holds_none() { ! lan_exec "$1" ip -br addr show dev "$2" | grep -q -e " $SVC/" -e " $SVC6/"; }
not_on_sb() { ! lan_exec sb ip -br addr | grep -q -e " $SVC/" -e " $SVC6/"; }
sb_serves() { holds sb tk1 tk2; }
a1_serves() { holds a1 eth0 && not_on_sb; }
since() { cl_since "$@"; }
within() { cl_within "$@"; }
macs4() { cl_macs4 c1 "$SVC"; }
# macs6: the MACs that answer DAD neighbour solicitations for the IPv6
# address sent from the client (ipto probe), as captured at the client:
# the source MAC of each neighbour advertisement for it. The probe names
# the first MAC that answered; a capture that lacks it missed the start
# and is taken again (at most 3 times).
macs6() {
	local cap i try out first
	for try in 1 2 3; do
		cap=$CL_DIR/ns6.$try.$RANDOM
		# (ip netns exec execs dumpcap: $! is dumpcap's pid)
		ip netns exec "$(lan_ns c1)" dumpcap -i eth0 -f 'icmp6 and ip6[40] == 136' \
			-w "$cap.pcap" >"$cap.log" 2>&1 &
		local dc=$!
		for ((i = 0; i < 100; i++)); do
			grep -qs "Capturing on" "$cap.log" && break
			sleep 0.05
		done
		out=$(lan_exec c1 "$IPTO" probe -i eth0 --ip "$SVC6" --count 3 --interval 300 \
			--wait 1000 --json 2>/dev/null)
		first=$(sed -n 's/.*"result":"in-use".*"mac":"\([0-9a-f:]*\)".*/\1/p' <<<"$out")
		# every holder answers each solicitation at once; the last ones are in
		sleep 0.5
		kill -INT "$dc" 2>/dev/null
		wait "$dc" 2>/dev/null
		out=$(tshark -n -r "$cap.pcap" \
			-Y "icmpv6.type == 136 && icmpv6.nd.na.target_address == $SVC6" \
			-T fields -e eth.src 2>/dev/null | tr 'A-F' 'a-f' | sort -u)
		if [ -z "$first" ] || grep -qx "$first" <<<"$out"; then
			[ -n "$out" ] && echo "$out"
			return 0
		fi
		echo "# macs6: the probe saw $first answer, the capture did not (try $try)" >&2
	done
	fail "macs6: no capture of the answers for $SVC6"
}
# one_mac MAC MAC6 WHAT: exactly MAC answers for the IPv4 address, MAC6
# for the IPv6 one
one_mac() {
	local m m6
	m=$(macs4)
	m6=$(macs6)
	[ "$m" = "$1" ] || fail "$3: MACs answering ARP for $SVC: $(echo $m) (want $1 only)"
	[ "$m6" = "$2" ] || fail "$3: MACs answering NS for $SVC6: $(echo $m6) (want $2 only)"
	ok "$3: exactly one MAC answers for each address: $m ($SVC), $m6 ($SVC6)"
}
supervise_rc() { cat "$CL_DIR/a1/etc-keepalived/supervise.rc" 2>/dev/null; }

ka_start a1
wait_for 60 "a1 master, $SVC and $SVC6 on eth0" holds a1 eth0
ka_start sb
for a in "$SVC" "$SVC6"; do
	lan_exec c1 ping -c 1 -W 2 "$a" >/dev/null || fail "client cannot ping $a"
done
wait_for 60 "sb's keepalived up (backup notify ran)" grep -q 'a1 backup: ' "$CL_DIR/sb/notify.log"
one_mac "$MAC_A1" "$MAC_A1" "start"
ok "a1 (keepalived under ipto-supervise) holds $SVC and $SVC6, sb is backup"

# move NAME RC GONE SIGNAL...: end a1's keepalived with the command
# SIGNAL..., then the checks of the header; RC: the supervisor's exit
# status; GONE: the deadline for keepalived's processes to be gone (a
# clean stop lets keepalived finish its own shutdown first)
FIGURES=()
move() {
	local name=$1 want_rc=$2 gone=$3 t0 d dk m
	shift 3
	t0=$(cl_now)
	"$@" || fail "$name: $*"
	while ! holds_none a1 eth0 && within "$(since "$t0")" "$DEADLINE"; do sleep 0.02; done
	d=$(since "$t0")
	holds_none a1 eth0 ||
		fail "$name: a1 still holds $SVC or $SVC6 ${d}s after the signal: $(lan_exec a1 ip -br addr show dev eth0)"
	within "$d" "$DEADLINE" || fail "$name: released after ${d}s: not within ${DEADLINE}s"
	while ! ka_gone a1 && within "$(since "$t0")" "$gone"; do sleep 0.02; done
	dk=$(since "$t0")
	ka_gone a1 && within "$dk" "$gone" ||
		fail "$name: a1's keepalived still runs ${dk}s after the signal: $(ka_pids a1)"
	ok "$name: ${d}s after the signal a1 holds neither address, keepalived gone after ${dk}s (target ${TARGET} s: $(met "$d"))"
	# a1's MAC answers nothing now, whether or not sb has taken over yet
	m=$(macs4; macs6)
	! grep -qx "$MAC_A1" <<<"$m" || fail "$name: a1's MAC still answers for $SVC or $SVC6"
	ok "$name: a1's MAC answers neither ARP nor NS for the addresses"
	wait_for 10 "$name: the supervisor exits" test -s "$CL_DIR/a1/etc-keepalived/supervise.rc"
	[ "$(supervise_rc)" = "$want_rc" ] ||
		fail "$name: the supervisor exited $(supervise_rc), not keepalived's $want_rc"
	grep -q "supervise: keepalived (pid [0-9]*) exited with status $want_rc: releasing a1" \
		"$CL_DIR/a1/notify.log" || fail "$name: no release by the supervisor in a1's log"
	wait_for 30 "$name: sb holds $SVC on tk1 and $SVC6 on tk2" sb_serves
	one_mac "$MAC_TK1" "$MAC_TK2" "$name"
	for a in "$SVC" "$SVC6"; do
		lan_exec c1 ping -c 1 -W 2 "$a" >/dev/null || fail "$name: client cannot ping $a on sb"
	done
	FIGURES+=("$name $d $dk")
	ok "$name: sb serves both addresses, the supervisor exited $want_rc"
}
back() {
	ka_start a1
	wait_for 60 "$1: a1 preempts, holds both, sb none" a1_serves
	one_mac "$MAC_A1" "$MAC_A1" "$1"
}

kill_all() {
	local p
	p=$(ka_pids a1)
	[ -n "$p" ] || return 1
	# shellcheck disable=SC2086
	kill -s KILL $p
}
move killed 137 "$DEADLINE" kill_all
back "restart after killed"

# keepalived's main process: the one whose pid is its session's (setsid)
kill_main() {
	local p
	for p in $(ka_pids a1); do
		[ "$(ps -o sid= -p "$p" | tr -d ' ')" = "$p" ] && { kill -s KILL "$p"; return; }
	done
	return 1
}
move parent 137 "$DEADLINE" kill_main
back "restart after parent"

term_supervisor() {
	local p
	p=$(ka_pids a1 ipto-supervise)
	[ -n "$p" ] || return 1
	# shellcheck disable=SC2086
	kill -s TERM $p
}
move stopped 0 10 term_supervisor
# in the log of this last run: keepalived's own notify_stop before the
# supervisor saw it exit (the supervisor's release logs "a1 stop:" too)
awk '/ supervise: started / { own = 0 }
	/ a1 stop: / && !done { own = 1 }
	/ supervise: keepalived .* exited with status 0/ { done = 1; ok = own }
	END { exit !ok }' "$CL_DIR/a1/notify.log" ||
	fail "stopped: keepalived's own notify_stop did not run before it exited"
ok "stopped: keepalived ran its notify_stop, the supervisor released after it"

# The supervisor itself SIGKILLed: keepalived lives on (a1 still serves),
# and when it dies too nobody releases: the unit's ExecStopPost= runs
# "ipto-supervise ROLE --release" (ipto-keepalived.service), which must.
back "restart after stopped"
kill_supervisor() {
	local p
	p=$(ka_pids a1 ipto-supervise)
	[ -n "$p" ] || return 1
	# shellcheck disable=SC2086
	kill -s KILL $p
}
kill_supervisor || fail "no supervisor on a1"
wait_for 10 "the supervisor is gone" test -z "$(ka_pids a1 ipto-supervise)"
[ -n "$(ka_pids a1)" ] && holds a1 eth0 ||
	fail "supervisor killed: a1's keepalived or its addresses went with it"
kill_all || fail "no keepalived on a1"
wait_for 10 "a1's keepalived is gone" ka_gone a1
holds a1 eth0 || fail "unsupervised SIGKILL: a1 released (nothing should have)"
ok "supervisor killed, then keepalived: a1 still holds both addresses (no one released)"
t0=$(cl_now)
cl_exec a1 /etc/keepalived/ipto-supervise --config "$CONF" --node a1 --interface eth0 \
	--ipto "$IPTO" --log /etc/keepalived/notify.log --release ||
	fail "ipto-supervise --release failed"
holds_none a1 eth0 || fail "ipto-supervise --release left $SVC or $SVC6 on a1"
ok "ipto-supervise --release (the unit's ExecStopPost=) released both on a1 in $(since "$t0")s"
wait_for 30 "sb holds $SVC on tk1 and $SVC6 on tk2" sb_serves
one_mac "$MAC_TK1" "$MAC_TK2" "after --release"

echo "# keepalived $(keepalived --version 2>&1 | awk 'NR == 1 { print $2 }'), advert_int 1 s; seconds from the signal"
printf '# %-8s %22s %22s\n' move "a1 holds nothing" "keepalived gone"
for r in "${FIGURES[@]}"; do
	# shellcheck disable=SC2086
	printf '# %-8s %22s %22s\n' $r
done
