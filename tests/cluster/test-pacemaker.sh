#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-pacemaker.sh IPTO AGENT: the OCF agent (ocf:libipto:ipto) in a real
# corosync 3 + Pacemaker 2 cluster of two hosts in network namespaces:
# active a1 (service address 192.0.2.11 on eth0) and standby sb (mgmt +
# takeover adapter tk1); corosync runs over the management network (hb0,
# 198.51.100.0/24). Next to it, ocf:heartbeat:IPaddr2 moves 192.0.2.50 in
# the same cluster. A client c1 pings both every 0.1 s.
#
#   1. a1 crashes (every process killed, cables pulled): both resources go
#      to sb, the client's pings resume, its neighbour entry for .11 is
#      sb's tk1 MAC (the adapter keeps its own MAC).
#   2. a1 boots again: both resources fail back (no stickiness), the
#      client's entry is a1's eth0 MAC again, sb holds nothing.
#   3. a1 is put in standby (a graceful move: stop on a1 undoes what start
#      did) and back online.
#
# Prints the lost pings and the longest unanswered window of each move for
# both agents (no timed assertion: the machine is shared).
# Skips (77) without root or without corosync/Pacemaker installed.
set -u
IPTO=${1:?usage: test-pacemaker.sh IPTO AGENT}
AGENT=${2:?usage: test-pacemaker.sh IPTO AGENT}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${LAN_SH:=$HERE/../netns/lan.sh}"
# shellcheck source=../netns/lan.sh
. "$LAN_SH"
# shellcheck source=cluster-lib.sh
. "$HERE/cluster-lib.sh"

pcmk_require IPaddr2

fail() {
	echo "FAIL: $*" >&2
	[ -n "$CL_DIR" ] && cl_exec sb crm_mon -1 -f -o >&2 2>/dev/null
	exit 1
}
ok() { echo "ok - $*"; }

SVC=192.0.2.11
VIP=192.0.2.50
pcmk_lan ipto-pcmk- "$AGENT" || fail "the LAN and the hosts"

t0=$(cl_now)
pcmk_up a1 sb || fail "the cluster did not come up"
echo "# cluster of 2 up in $(awk -v a="$t0" -v b="$(cl_now)" 'BEGIN { printf "%.1f", b - a }') s"

pcmk_ipto_vip "$CONF" "$IPTO" "$VIP" || fail "cibadmin"

pcmk_wait_where a1 ip-a1 a1 120 || fail "ip-a1 did not start on a1"
pcmk_wait_where a1 vip a1 120 || fail "vip did not start on a1"
lan_exec a1 ip -br addr show dev eth0 | grep -q " $SVC/24" ||
	fail "a1 does not hold $SVC after start (reclaim)"
lan_exec c1 ping -c 1 -W 2 "$SVC" >/dev/null || fail "client cannot ping $SVC"
lan_exec c1 ping -c 1 -W 2 "$VIP" >/dev/null || fail "client cannot ping $VIP"
lan_neigh_wait c1 "$SVC" "$MAC_A1" --timeout 10000 >/dev/null ||
	fail "client's entry for $SVC: $(lan_neigh c1 "$SVC"), not a1's $MAC_A1"
ok "ocf:libipto:ipto started on a1 (reclaim), client reaches $SVC at $MAC_A1"
echo "# memory (PSS): a1 $(cl_pss a1) MiB, sb $(cl_pss sb) MiB"

OUT=$CL_DIR/out
mkdir -p "$OUT"
RESULTS=()
# move NAME WHERE ACTION...: ping both addresses, run ACTION, wait until both
# resources run on WHERE and both pings answered again, record the figures.
move() {
	local name=$1 where=$2 t p1 p2 r
	shift 2
	p1=$(cl_ping_start c1 "$SVC" "$OUT/$name-ipto.log")
	p2=$(cl_ping_start c1 "$VIP" "$OUT/$name-ipaddr2.log")
	t=$(cl_now)
	cl_wait_replies "$OUT/$name-ipto.log" "$t" 5 30 &&
		cl_wait_replies "$OUT/$name-ipaddr2.log" "$t" 5 30 || fail "$name: no pings before the move"
	t=$(cl_now)
	"$@" || fail "$name: $*"
	pcmk_wait_where sb ip-a1 "$where" 180 || fail "$name: ip-a1 not on $where"
	pcmk_wait_where sb vip "$where" 180 || fail "$name: vip not on $where"
	cl_wait_replies "$OUT/$name-ipto.log" "$t" 10 60 ||
		fail "$name: the client's pings to $SVC (ipto) did not resume"
	cl_wait_replies "$OUT/$name-ipaddr2.log" "$t" 10 60 ||
		fail "$name: the client's pings to $VIP (IPaddr2) did not resume"
	cl_ping_stop "$p1"
	cl_ping_stop "$p2"
	r=$(cl_ping_report "$OUT/$name-ipto.log")
	RESULTS+=("$name ocf:libipto:ipto $r")
	r=$(cl_ping_report "$OUT/$name-ipaddr2.log")
	RESULTS+=("$name ocf:heartbeat:IPaddr2 $r")
	ok "$name: both resources on $where, the client's pings resumed"
}

# 1. failover: a1 crashes
move failover sb cl_crash a1
lan_neigh_wait c1 "$SVC" "$MAC_TK1" --timeout 10000 >/dev/null ||
	fail "after failover the client's entry for $SVC is $(lan_neigh c1 "$SVC"), not sb tk1's $MAC_TK1"
lan_exec sb ip -br addr show dev tk1 | grep -q " $SVC/24" || fail "sb tk1 does not hold $SVC"
cl_exec sb "$IPTO" -c "$CONF" status --node a1 >/dev/null ||
	fail "ipto status --node a1 on sb exits $? after the takeover"
ok "failover: the client's entry for $SVC is sb tk1's own MAC $MAC_TK1"

# 2. failback: a1 boots (its run-time addresses are gone) and rejoins
boot_a1() { cl_reboot a1 eth0 "$SVC/24" "$VIP/24" && pcmk_start a1; }
move failback a1 boot_a1
lan_neigh_wait c1 "$SVC" "$MAC_A1" --timeout 10000 >/dev/null ||
	fail "after failback the client's entry for $SVC is $(lan_neigh c1 "$SVC"), not a1's $MAC_A1"
lan_exec sb ip -br addr | grep -q " $SVC/" && fail "sb still holds $SVC after the failback"
ok "failback: sb released $SVC, the client's entry is a1's $MAC_A1 again"

# 3. graceful: a1 in standby (stop on a1 removes what reclaim added), back
standby_a1() { cl_exec sb crm_attribute --node a1 --name standby --update "$1"; }
move standby sb standby_a1 on
lan_exec a1 ip -br addr show dev eth0 | grep -q " $SVC/" &&
	fail "a1 still holds $SVC after stop"
lan_neigh_wait c1 "$SVC" "$MAC_TK1" --timeout 10000 >/dev/null ||
	fail "after standby the client's entry for $SVC is $(lan_neigh c1 "$SVC")"
move online a1 standby_a1 off
lan_neigh_wait c1 "$SVC" "$MAC_A1" --timeout 10000 >/dev/null ||
	fail "after online the client's entry for $SVC is $(lan_neigh c1 "$SVC")"
ok "standby/online: stop on a1 removed $SVC, start brought it back"

echo "# Pacemaker + corosync (token ${PCMK_TOKEN} ms), client pings every ${CL_PING_INTERVAL} s"
printf '# %-10s %-22s %6s %6s %12s %16s\n' move agent sent lost "lost in a row" "longest gap (s)"
for r in "${RESULTS[@]}"; do
	# shellcheck disable=SC2086
	printf '# %-10s %-22s %6s %6s %12s %16s\n' $r
done
# Every failed action is visible in the cluster's status.
fails=$(cl_exec sb crm_mon -1 --output-as=xml 2>/dev/null | grep -c '<failure ')
[ "$fails" = 0 ] || fail "the cluster recorded $fails failed action(s)"
ok "no failed actions"
