#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-pacemaker-supervise.sh IPTO AGENT SUPERVISE: never two holders under
# Pacemaker. A corosync 3 + Pacemaker 2 cluster of a1 and sb (the hosts of
# test-pacemaker.sh) runs ocf:libipto:ipto for a1's 192.0.2.11 (reclaim on
# a1's eth0, takeover onto sb's tk1), each host's pacemakerd under
# "ipto-supervise --engine pacemaker" (SUPERVISE, as shipped). For each way
# a1's engine dies while a1 itself runs on:
#
#   killed    corosync and every Pacemaker daemon SIGKILLed at once
#   corosync  corosync alone SIGKILLed (pacemakerd would wait for a new
#             one; the supervisor watches corosync too)
#
# the checks: within DEADLINE s (10) of the signal, by the clock, a1 holds
# nothing (the target is 1 s, TARGET: each move prints its time and whether
# it met the target; the suite fails on the bound, which separates a
# release by the supervisor from none at all, not on a speed this machine
# may not have) (ip addr in a1's namespace) and its MAC answers no ARP request
# for the address; the supervisor logs pacemakerd's exit and the release;
# then sb holds it on tk1 and exactly one MAC, sb tk1's, answers at the
# client. Then a1's engine starts again: the resource goes home, announced,
# and the client's neighbour entry follows a1's MAC (a node that kept its
# address through the kill would come back to a cluster that stops sb's
# copy and starts nothing, and the client would stay on sb's MAC until its
# entry went stale: 20-45 s of black hole, tests/bench/outage.sh).
#
# Last, the supervisor itself SIGKILLed, then the engine: nobody releases
# (a1 keeps the address) until "ipto-supervise --engine pacemaker ...
# --release" (a unit's ExecStopPost=) does.
#
# Without the supervisor (PCMK_SUPERVISE empty) "killed" fails: a1 keeps
# the address while sb takes it over, and two MACs answer.
# Skips (77) without root or without corosync/Pacemaker installed.
set -u
IPTO=${1:?usage: test-pacemaker-supervise.sh IPTO AGENT SUPERVISE}
AGENT=${2:?usage: test-pacemaker-supervise.sh IPTO AGENT SUPERVISE}
SUPERVISE=${3:?usage: test-pacemaker-supervise.sh IPTO AGENT SUPERVISE}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${LAN_SH:=$HERE/../netns/lan.sh}"
# shellcheck source=../netns/lan.sh
. "$LAN_SH"
# shellcheck source=cluster-lib.sh
. "$HERE/cluster-lib.sh"

pcmk_require
for c in arping setsid; do
	command -v "$c" >/dev/null || lan_skip "$c not installed"
done

fail() {
	echo "FAIL: $*" >&2
	if [ -n "$CL_DIR" ]; then
		cl_exec sb crm_mon -1 -f -o >&2 2>/dev/null
		for h in a1 sb; do
			echo "--- $h: supervise.log" >&2
			cat "$CL_DIR/$h/log/pacemaker/supervise.log" >&2 2>/dev/null
		done
	fi
	exit 1
}
ok() { echo "ok - $*"; }

SVC=192.0.2.11
DEADLINE=${DEADLINE:-10}
TARGET=1
pcmk_lan ipto-pcs- "$AGENT" || fail "the LAN and the hosts"
LOG=/var/log/pacemaker/supervise.log
PCMK_SUPERVISE=("$SUPERVISE" --engine pacemaker --config "$CONF" --node a1
	--ipto "$IPTO" --log "$LOG")
pcmk_up a1 sb || fail "the cluster did not come up"
pcmk_ipto "$CONF" "$IPTO" || fail "cibadmin"

a1_holds() { lan_exec a1 ip -br addr show dev eth0 | grep -q " $SVC/"; }
sb_holds() { lan_exec sb ip -br addr show dev tk1 | grep -q " $SVC/"; }
slog() { cat "$CL_DIR/$1/log/pacemaker/supervise.log" 2>/dev/null; }
one_mac() {
	local m
	m=$(cl_macs4 c1 "$SVC")
	[ "$m" = "$1" ] || fail "$2: MACs answering ARP for $SVC: $(echo $m) (want $1 only)"
	ok "$2: exactly one MAC answers for $SVC: $m"
}
home() {
	pcmk_wait_where sb ip-a1 a1 180 || fail "$1: ip-a1 not back on a1"
	a1_holds || fail "$1: a1 does not hold $SVC"
	lan_neigh_wait c1 "$SVC" "$MAC_A1" --timeout 10000 >/dev/null ||
		fail "$1: the client's entry for $SVC is $(lan_neigh c1 "$SVC"), not a1's $MAC_A1 (not announced)"
	one_mac "$MAC_A1" "$1"
	lan_exec c1 ping -c 1 -W 2 "$SVC" >/dev/null || fail "$1: client cannot ping $SVC"
}
# the client has no entry yet (an announcement updates one, it creates none)
pcmk_wait_where sb ip-a1 a1 180 || fail "ip-a1 did not start on a1"
lan_exec c1 ping -c 1 -W 2 "$SVC" >/dev/null || fail "client cannot ping $SVC"
home "start"
ok "ip-a1 on a1 (reclaim), pacemakerd under ipto-supervise on both hosts"

no_daemons() { [ -z "$(pcmk_daemons a1)" ]; }
FIGURES=()
met() { if cl_within "$1" "$TARGET"; then echo met; else echo "not met on this machine"; fi; }
# move NAME KILL...: the checks of the header after KILL...
move() {
	local name=$1 t0 d n
	shift
	n=$(slog a1 | grep -c 'exited with status')
	t0=$(cl_now)
	"$@" || fail "$name: $*"
	while a1_holds && cl_within "$(cl_since "$t0")" "$DEADLINE"; do sleep 0.02; done
	d=$(cl_since "$t0")
	! a1_holds || fail "$name: a1 still holds $SVC ${d}s after the signal"
	cl_within "$d" "$DEADLINE" || fail "$name: released after ${d}s: not within ${DEADLINE}s"
	ok "$name: ${d}s after the signal a1 holds nothing (target ${TARGET} s: $(met "$d"))"
	! cl_macs4 c1 "$SVC" | grep -qx "$MAC_A1" || fail "$name: a1's MAC still answers for $SVC"
	ok "$name: a1's MAC answers no ARP request for $SVC"
	wait_for 10 "$name: the supervisor logs the release" \
		test "$(slog a1 | grep -c 'pacemakerd (pid [0-9]*) exited with status [0-9]*: releasing a1')" -gt "$n"
	wait_for 10 "$name: a1's Pacemaker daemons gone (left: $(pcmk_daemons a1 | tr '\n' ' '))" \
		no_daemons
	pcmk_wait_where sb ip-a1 sb 180 || fail "$name: ip-a1 not on sb"
	sb_holds || fail "$name: sb does not hold $SVC on tk1"
	one_mac "$MAC_TK1" "$name"
	lan_exec c1 ping -c 1 -W 2 "$SVC" >/dev/null || fail "$name: client cannot ping $SVC on sb"
	FIGURES+=("$name $d")
	ok "$name: sb serves $SVC on tk1"
}

move killed pcmk_kill a1
pcmk_restart a1 || fail "restart after killed"
home "restart after killed"

move corosync pcmk_kill a1 corosync
pcmk_restart a1 || fail "restart after corosync"
home "restart after corosync"

# The supervisor SIGKILLed, then the engine: nobody releases
kill_supervisor() {
	local p found=''
	for p in $(cl_pids a1); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ipto-supervise ] &&
			{ kill -s KILL "$p"; found=1; }
	done
	[ -n "$found" ]
}
kill_supervisor || fail "no supervisor on a1"
pcmk_kill a1 || fail "no engine on a1"
sleep 1
a1_holds || fail "unsupervised kill: a1 released (nothing should have)"
ok "supervisor killed, then the engine: a1 still holds $SVC (no one released)"
t0=$(cl_now)
cl_exec a1 "${PCMK_SUPERVISE[@]}" --release || fail "ipto-supervise --release failed"
! a1_holds || fail "ipto-supervise --release left $SVC on a1"
ok "ipto-supervise --engine pacemaker --release (a unit's ExecStopPost=) released $SVC on a1 in $(cl_since "$t0")s"
pcmk_wait_where sb ip-a1 sb 180 || fail "after --release: ip-a1 not on sb"
one_mac "$MAC_TK1" "after --release"

echo "# Pacemaker $(pacemakerd --version 2>/dev/null | awk 'NR == 1 { print $2 }'), corosync token ${PCMK_TOKEN} ms; seconds from the signal until a1 holds nothing"
for r in "${FIGURES[@]}"; do
	# shellcheck disable=SC2086
	printf '# %-10s %8s\n' $r
done
