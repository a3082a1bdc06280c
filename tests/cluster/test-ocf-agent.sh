#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-ocf-agent.sh IPTO AGENT: the OCF agent on its own, on the test LAN
# (no cluster daemons): ocf-tester (resource-agents) on the standby and on
# the node's own host, then each OCF exit code the agent maps, checked on
# what the client and the kernel show.
#
#   a1: 192.0.2.11 and .12 on eth0        sb: mgmt (management), tk1, tk2
#
# Skips (77) without root or without ocf-tester / ocf-shellfuncs.
set -u
IPTO=${1:?usage: test-ocf-agent.sh IPTO AGENT}
AGENT=${2:?usage: test-ocf-agent.sh IPTO AGENT}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${LAN_SH:=$HERE/../netns/lan.sh}"
LAN_TAP=1 # TAP output: lan_skip skips with "1..0 # SKIP"
# shellcheck source=../netns/lan.sh
. "$LAN_SH"

[ "$(id -u)" = 0 ] || lan_skip "needs root"
command -v ocf-tester >/dev/null && [ -r /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs ] ||
	lan_skip "ocf-tester / ocf-shellfuncs not installed (package resource-agents)"

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
bail() { echo "Bail out! $*"; exit 1; }

lan_up --prefix ipto-ocf- --clients 1 --actives 1 --ips 2 --takeover 2 || bail "lan_up"
T=$(mktemp -d /tmp/ipto-ocf.XXXXXX) || bail mktemp
lan_atexit "rm -rf '$T'"
# ocf-tester runs the agent as nobody (its permission check), who may not
# reach the checkout (a clone in /root): it checks a staged copy.
lan_stage AGENT_RUN "$AGENT" || bail "lan_stage $AGENT"
A1=192.0.2.11
A2=192.0.2.12
CONF=$T/ipto.conf
cat >"$CONF" <<EOF
node a1 $A1/24 $A2/24 mac=$(lan_mac a1 eth0)
adapter sb mgmt mac=$(lan_mac sb mgmt) management
adapter sb tk1 mac=$(lan_mac sb tk1)
adapter sb tk2 mac=$(lan_mac sb tk2)
EOF
# the agent runs as Pacemaker runs it: in HOST's namespace, with HOST's name
# (the agent falls back to uname -n when no cluster answers crm_node -n),
# and with no descriptor but stdin, stdout and stderr: pacemaker-execd
# closes the others (here the LAN's lock) before it runs an agent
on() {
	local h=$1 f
	shift
	(
		for f in /proc/"$BASHPID"/fd/*; do
			f=${f##*/}
			[ "$f" -gt 2 ] && eval "exec $f>&-"
		done 2>/dev/null
		exec ip netns exec "$(lan_ns "$h")" unshare --uts sh -c 'hostname "$0"; exec "$@"' "$h" "$@"
	)
}
# ra HOST ACTION [NAME=VALUE...]: run the agent's ACTION, print its exit code
ra() {
	local h=$1 act=$2
	shift 2
	on "$h" env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=ip-a1 \
		OCF_RESKEY_config="$CONF" OCF_RESKEY_node=a1 OCF_RESKEY_ipto="$IPTO" \
		OCF_RESKEY_interface=eth0 "$@" "$AGENT" "$act" >"$T/ra.out" 2>&1
	echo $?
}
has() { lan_exec "$1" ip -br addr show dev "$2" | grep -q " $3/"; }
tester() {
	local h=$1
	shift
	on "$h" ocf-tester -n ip-a1 -o config="$CONF" -o node=a1 -o ipto="$IPTO" "$@" \
		"$AGENT_RUN" >"$T/tester.out" 2>&1
}

# --- meta-data: every parameter the agent reads is declared ------------------
md=$(OCF_ROOT=/usr/lib/ocf "$AGENT" meta-data)
want=$(grep -o 'OCF_RESKEY_[a-z_]*' "$AGENT" | sed 's/OCF_RESKEY_//; s/_default$//' |
	grep -v '^CRM_' | sort -u)
missing=
for p in $want; do
	grep -q "<parameter name=\"$p\"" <<<"$md" || missing+=" $p"
done
[ -z "$missing" ] && ok "meta-data declares every parameter ($(echo $want))" ||
	not_ok "meta-data lacks:$missing"
for a in start stop monitor validate-all meta-data; do
	grep -q "<action name=\"$a\"" <<<"$md" || missing+=" $a"
done
[ -z "$missing" ] && ok "meta-data lists start stop monitor validate-all meta-data" ||
	not_ok "meta-data lacks actions:$missing"

# --- ocf-tester on the standby: takeover / release -----------------------------
if tester sb; then
	ok "ocf-tester passes on the standby sb"
else
	not_ok "ocf-tester on sb"; sed 's/^/# /' "$T/tester.out"
fi
lan_exec sb ip -br addr | grep -qE " ($A1|$A2)/" &&
	not_ok "sb still holds a1's addresses after ocf-tester" ||
	ok "ocf-tester left nothing on sb"

# --- on the standby, each exit code against what the kernel shows --------------
r=$(ra sb monitor)
[ "$r" = 7 ] && ok "monitor before start: 7 (OCF_NOT_RUNNING)" || not_ok "monitor before start: $r"
r=$(ra sb start)
if [ "$r" = 0 ] && has sb tk1 "$A1" || has sb tk2 "$A1"; then
	ok "start on sb: 0, $A1 bound on a takeover adapter"
else
	not_ok "start on sb: $r ($(lan_exec sb ip -br addr | tr '\n' ';'))"
fi
ifa1=$(lan_exec sb ip -br addr | awk -v a="$A1/24" '{ for (i = 3; i <= NF; i++) if ($i == a) print $1 }')
ifa1=${ifa1%%@*}
lan_exec c1 ping -c 1 -W 2 "$A1" >/dev/null 2>&1
if lan_neigh_wait c1 "$A1" "$(lan_mac sb "${ifa1:-tk1}")" --timeout 5000 >/dev/null; then
	ok "the client reaches $A1 at sb $ifa1's own MAC"
else
	not_ok "client's entry for $A1: $(lan_neigh c1 "$A1")"
fi
r=$(ra sb monitor)
[ "$r" = 0 ] && ok "monitor after start: 0 (OCF_SUCCESS)" || not_ok "monitor after start: $r"
r=$(ra sb start)
[ "$r" = 0 ] && ok "start again: 0" || not_ok "start again: $r"
# one of the two addresses goes away behind the agent's back: degraded
lan_exec sb ip addr del "$A2/24" dev "$(lan_exec sb ip -br addr | awk -v a="$A2/24" '{ for (i = 3; i <= NF; i++) if ($i == a) { sub(/@.*/, "", $1); print $1 } }')" 2>/dev/null
r=$(ra sb monitor)
[ "$r" = 1 ] && ok "monitor with $A2 gone: 1 (OCF_ERR_GENERIC)" ||
	not_ok "monitor degraded: $r ($(cat "$T/ra.out"))"
r=$(ra sb stop)
[ "$r" = 0 ] && ok "stop: 0" || not_ok "stop: $r ($(cat "$T/ra.out"))"
lan_exec sb ip -br addr | grep -qE " ($A1|$A2)/" &&
	not_ok "stop left a1's addresses on sb" || ok "stop removed what start added"
r=$(ra sb monitor)
[ "$r" = 7 ] && ok "monitor after stop: 7" || not_ok "monitor after stop: $r"
r=$(ra sb stop)
[ "$r" = 0 ] && ok "stop when stopped: 0" || not_ok "stop when stopped: $r"

# --- validate-all: the description and the capacity rule ------------------------
r=$(ra sb validate-all)
[ "$r" = 0 ] && ok "validate-all: 0" || not_ok "validate-all: $r ($(cat "$T/ra.out"))"
grep -v '^adapter sb tk2' "$CONF" >"$T/small.conf"
r=$(ra sb validate-all OCF_RESKEY_config="$T/small.conf")
# mgmt + tk1 still fit two addresses: the capacity rule holds
[ "$r" = 0 ] && ok "validate-all with mgmt + tk1: 0" || not_ok "validate-all small: $r"
grep -v '^adapter sb tk' "$CONF" >"$T/tiny.conf"
r=$(ra sb validate-all OCF_RESKEY_config="$T/tiny.conf")
[ "$r" = 6 ] && ok "validate-all, capacity rule broken: 6 (OCF_ERR_CONFIGURED)" ||
	not_ok "validate-all tiny: $r ($(cat "$T/ra.out"))"
r=$(ra sb validate-all OCF_RESKEY_node=nosuch)
[ "$r" = 6 ] && ok "validate-all, unknown node: 6" || not_ok "validate-all nosuch: $r"
r=$(ra sb validate-all OCF_RESKEY_config="$T/none.conf")
[ "$r" = 5 ] && ok "validate-all, no description file: 5 (OCF_ERR_INSTALLED)" ||
	not_ok "validate-all none: $r"
r=$(ra sb validate-all OCF_RESKEY_ipto="$T/no-ipto")
[ "$r" = 5 ] && ok "validate-all, no ipto command: 5 (OCF_ERR_INSTALLED)" ||
	not_ok "validate-all no ipto: $r"
printf 'node a1 %s/24\nbogus line\n' "$A1" >"$T/bad.conf"
r=$(ra sb start OCF_RESKEY_config="$T/bad.conf")
[ "$r" = 6 ] && ok "start with a broken description: 6, nothing bound" ||
	not_ok "start bad conf: $r"
lan_exec sb ip -br addr | grep -qE " ($A1|$A2)/" && not_ok "bad start changed sb"
# start checks no more than its parameters before the takeover: the
# takeover's refusal of a broken capacity rule still says 6
r=$(ra sb start OCF_RESKEY_config="$T/tiny.conf")
[ "$r" = 6 ] && ok "start, capacity rule broken: 6, nothing bound" ||
	not_ok "start tiny: $r ($(cat "$T/ra.out"))"
lan_exec sb ip -br addr | grep -qE " ($A1|$A2)/" && not_ok "start tiny changed sb"

# --- start in the background: returns after the first round ------------------
# c1's wire: every ARP frame it receives (arp-log.py); the announcements
# are the frames from sb's tk1 / tk2 for a1's addresses (nothing else on
# the LAN asks for them meanwhile).
# Three rounds of two frames (one an address), 5 s apart.
SCHED=0:arp-announce,5000:arp-announce,5000:arp-announce
WIRE=$T/wire
lan_exec c1 python3 "$HERE/../netns/arp-log.py" eth0 "$WIRE" &
lan_atexit "kill $! 2>/dev/null"
# wait_for SECONDS CMD...: poll CMD until it succeeds or the deadline
# (read from the clock) passes
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
}
wait_for 20 grep -qx ready "$WIRE" 2>/dev/null || bail "arp-log.py did not start"
TK="$(lan_mac sb tk1)|$(lan_mac sb tk2)"
frames() { grep -cE "^($TK) ($A1|$A2) " "$WIRE"; }
frames_at_least() { [ "$(frames)" -ge "$1" ]; }
# bg_pid VERB: the pid of the detached ipto of that verb for a1, if any
bg_pid() { pgrep -f -- "$IPTO -c $CONF $1 .*a1 .*--schedule $SCHED --background" | head -n 1; }
lock_free() {
	lan_exec sb sh -c 'f=/run/ipto/$(stat -L -c %i /proc/self/ns/net).lock
		[ ! -e "$f" ] || flock -n "$f" true'
}
# the targets of PID's descriptors, one a line: "FD TARGET"
fds() { for f in /proc/"$1"/fd/*; do echo "${f##*/} $(readlink "$f")"; done; }

base=$(frames)
r=$(ra sb start OCF_RESKEY_schedule="$SCHED")
pid=$(bg_pid takeover)
[ "$r" = 0 ] && [ -n "$pid" ] && kill -0 "$pid" &&
	ok "start (background): 0, and the detached ipto ($pid) still runs after start returned" ||
	not_ok "start (background): $r, child '${pid}' ($(cat "$T/ra.out"))"
has sb tk1 "$A1" || has sb tk2 "$A1" && { has sb tk1 "$A2" || has sb tk2 "$A2"; } &&
	ok "... both addresses are bound when start returns" || not_ok "... addresses: $(lan_exec sb ip -br addr | tr '\n' ';')"
# the first round went out before start returned; give the capture the
# time to read it: the 2nd round is due 5 s after the 1st
wait_for 10 frames_at_least $((base + 2))
n_ret=$(($(frames) - base))
[ "$n_ret" = 2 ] && ok "... when start has returned, the wire has seen the first round only ($n_ret frames)" ||
	not_ok "... frames at start's return: $n_ret (want 2)"
if [ -n "$pid" ]; then
	fl=$(fds "$pid")
	[ "$(grep -E '^[012] ' <<<"$fl" | awk '{ print $2 }' | sort -u)" = /dev/null ] &&
		ok "... the child's stdin, stdout and stderr are /dev/null" ||
		not_ok "... the child's stdio: $(tr '\n' ';' <<<"$fl")"
	grep -vE '^[012] ' <<<"$fl" | grep -qvE ' (socket|anon_inode):\[' &&
		not_ok "... the child keeps a descriptor that is not its own socket or timer: $(tr '\n' ';' <<<"$fl")" ||
		ok "... the child keeps no other descriptor than its own sockets and timer (no pipe, no file)"
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] &&
		ok "... the child runs in its own session" || not_ok "... the child's session: $(ps -o sid= -p "$pid")"
fi
lock_free && ok "... the host lock is free while the child runs" || not_ok "... the lock is held"
wait_for 30 frames_at_least $((base + 6))
[ $(($(frames) - base)) = 6 ] &&
	ok "the later rounds arrive after start returned: $(($(frames) - base)) of 6 frames" ||
	not_ok "later rounds: $(($(frames) - base)) of 6 frames"
wait_for 10 eval '! kill -0 "${pid:-0}" 2>/dev/null'
! kill -0 "${pid:-0}" 2>/dev/null && ok "the child exits after the schedule" ||
	not_ok "the child $pid still runs after its schedule"
r=$(ra sb monitor)
[ "$r" = 0 ] && ok "monitor after the background start: 0" || not_ok "monitor: $r"
r=$(ra sb stop)
[ "$r" = 0 ] && ! lan_exec sb ip -br addr | grep -qE " ($A1|$A2)/" &&
	ok "stop: 0, nothing left" || not_ok "stop: $r ($(cat "$T/ra.out"))"

# stop right after start: the addresses go, the child with them, and the
# wire sees nothing after the first round
base=$(frames)
r=$(ra sb start OCF_RESKEY_schedule="$SCHED")
pid=$(bg_pid takeover)
[ "$r" = 0 ] && [ -n "$pid" ] && kill -0 "$pid" &&
	ok "start again (background): 0, child $pid runs" || not_ok "start again: $r, child '${pid}'"
r=$(ra sb stop)
[ "$r" = 0 ] && ! lan_exec sb ip -br addr | grep -qE " ($A1|$A2)/" &&
	ok "stop right after start: 0, both addresses gone" || not_ok "stop after start: $r ($(cat "$T/ra.out"))"
! kill -0 "${pid:-0}" 2>/dev/null && ok "... the child is gone when stop returns" ||
	not_ok "... the child $pid still runs after stop"
# past the whole schedule's length (10 s after the 1st round), on the clock
wait_for 10 frames_at_least $((base + 2))
sleep 11
[ $(($(frames) - base)) = 2 ] &&
	ok "... no frame after the first round, past the schedule's end ($(($(frames) - base)) in all)" ||
	not_ok "... frames after stop: $(($(frames) - base)) in all (want 2)"

# background=false: start returns after the whole schedule
base=$(frames)
r=$(ra sb start OCF_RESKEY_schedule="$SCHED" OCF_RESKEY_background=false)
wait_for 10 frames_at_least $((base + 6))
[ "$r" = 0 ] && [ $(($(frames) - base)) = 6 ] && [ -z "$(bg_pid takeover)" ] &&
	ok "background=false: start returns after all 3 rounds ($(($(frames) - base)) frames), no child left" ||
	not_ok "background=false: $r, $(($(frames) - base)) frames, child '$(bg_pid takeover)'"
r=$(ra sb stop)
[ "$r" = 0 ] && ok "stop: 0" || not_ok "stop: $r"

# --- on a1's own host: reclaim / release ---------------------------------------
lan_exec a1 ip addr flush dev eth0 scope global
if tester a1 -o interface=eth0; then
	ok "ocf-tester passes on a1's own host (reclaim)"
else
	not_ok "ocf-tester on a1"; sed 's/^/# /' "$T/tester.out"
fi
r=$(ra a1 start)
has a1 eth0 "$A1" && has a1 eth0 "$A2" && [ "$r" = 0 ] &&
	ok "start on a1: 0, both addresses on eth0" || not_ok "start on a1: $r ($(cat "$T/ra.out"))"
r=$(ra a1 monitor)
[ "$r" = 0 ] && ok "monitor on a1: 0" || not_ok "monitor on a1: $r"
r=$(ra a1 stop)
! has a1 eth0 "$A1" && ! has a1 eth0 "$A2" && [ "$r" = 0 ] &&
	ok "stop on a1: 0, reclaim's addresses gone" || not_ok "stop on a1: $r"
# reclaim in the background, stopped at once: the child goes with it
r=$(ra a1 start OCF_RESKEY_schedule="$SCHED")
pid=$(bg_pid reclaim)
[ "$r" = 0 ] && [ -n "$pid" ] && kill -0 "$pid" && has a1 eth0 "$A1" &&
	ok "start on a1 (background): 0, addresses bound, child $pid runs after start returned" ||
	not_ok "start on a1 (background): $r, child '${pid}' ($(cat "$T/ra.out"))"
r=$(ra a1 stop)
[ "$r" = 0 ] && ! has a1 eth0 "$A1" && ! kill -0 "${pid:-0}" 2>/dev/null &&
	ok "stop on a1 right after: 0, addresses and child gone" || not_ok "stop on a1 after a background start: $r"
r=$(ra a1 start OCF_RESKEY_interface=)
[ "$r" = 6 ] && ok "start on a1 without interface: 6" || not_ok "start no interface: $r"

echo "1..$n"
[ $fails = 0 ]
