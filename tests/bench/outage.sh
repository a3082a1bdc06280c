#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# outage.sh: what the clients live through when the cluster engines move
# the addresses, the same faults for every engine, side by side in one
# cluster (doc/cluster-managers.md, "Outage"). Prints one table.
#
#   tests/bench/outage.sh [BUILDDIR] [options]              (as root)
#
# Options:
#   --engine pacemaker|keepalived|both   (default both)
#   --profile default|fast|both          (default both)
#   --tail S        seconds observed after each move settled (default 2)
#   --busy-minutes N  instead of the moves: the fast profile of each engine
#                   (both at once) for N minutes with both cores kept busy
#                   by a load generator, counting the takeovers nobody caused
#                   (prints its own table)
#   --keep DIR      keep the raw logs (probe logs, daemon logs) in DIR
#
# Systems measured in the same namespaces and the same run:
#   pacemaker   one corosync + Pacemaker cluster (a1, sb): ocf:libipto:ipto
#               moves 192.0.2.11 (a1's, reclaim on a1, takeover onto sb's
#               tk1), ocf:heartbeat:IPaddr2 moves 192.0.2.50 (a1 eth0, sb
#               mgmt); the same location preference, no stickiness.
#   keepalived  one keepalived per host, two VRRP instances with the same
#               timers: the kit (examples/keepalived, no virtual_ipaddress,
#               ipto-notify) for 192.0.2.11, and keepalived's own
#               virtual_ipaddress for 192.0.2.50.
# Profiles (examples/ocf/corosync-fast.conf, examples/keepalived/fast-profile.conf):
#   default     corosync token 3000 ms (its default), consensus 3600 ms;
#               keepalived VRRPv2, advert_int 1 (the kit as shipped)
#   fast        corosync-fast.conf's token and consensus; VRRPv3, advert_int 0.1
#
# Moves, in this order, each from "a1 serves" or "sb serves":
#   switchover  planned: Pacemaker: a1 to standby; keepalived: SIGTERM
#   failback    back to a1: standby off; keepalived started again
#   crash       a1 dies: every process SIGKILLed at once, then its cables
#               pulled (the other order lets keepalived see the carrier go
#               and send a priority-0 advert, which a dead host never does)
#   boot        a1 boots (run-time addresses gone) and starts the engine
#   kill        the engine on a1 SIGKILLed (corosync and every Pacemaker
#               daemon; keepalived and its VRRP child), all stopped first
#               so that none reacts to the others' death; a1 runs on
#   restart     the engine on a1 starts again
#   unplug      a1's cables detached from the switch (the veth peers leave
#               the bridge: a1 still sees carrier and runs on; one cable
#               carries the service and the heartbeat, as on a one-NIC host)
#   replug      the cables back
#
# What a client sees: c1 pings both addresses every 10 ms (outage-probe.py
# ping); c2, an observer, sends an ARP request for each every 10 ms and
# records which MACs answer (outage-probe.py arp; not in c1, whose
# neighbour table would learn from the replies). Per move and system:
# pings lost, the longest gap between two replies, how long two MACs
# answered one round of ARP requests, the MACs answering at the end.
# A move's window runs from the fault until the engine shows the expected
# placement and the client has 30 replies in a row, plus --tail seconds.
# The whole run is niced (10); the machine may be shared.
set -u

usage() {
	sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# others share the machine
[ "$(nice)" -ge 10 ] || exec nice -n 10 "$0" "$@"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench-lib.sh
. "$SRC/tests/bench/bench-lib.sh"
HERE=$SRC/tests/bench
BUILD=
ENGINES=both
PROFILES=both
TAIL=2
BUSY=0
KEEP=
PHASE=
while [ $# -gt 0 ]; do
	case $1 in
	--engine) ENGINES=$2; shift ;;
	--profile) PROFILES=$2; shift ;;
	--tail) TAIL=$2; shift ;;
	--busy-minutes) BUSY=$2; shift ;;
	--keep) KEEP=$2; shift ;;
	--phase) PHASE=$2; PH_PROFILE=$3; PH_OUT=$4; shift 3 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) [ -z "$BUILD" ] || usage; BUILD=$1 ;;
	esac
	shift
done
bench_build outage.sh "$BUILD"
IPTO=$BUILD/examples/ipto
PROBE=$HERE/outage-probe.py
AGENT=$SRC/examples/ocf/ipto
KIT=$SRC/examples/keepalived
[ -x "$IPTO" ] || { echo "outage.sh: $IPTO not built" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "outage.sh: needs root (network namespaces)" >&2; exit 77; }
case $ENGINES in both) ENGINES="pacemaker keepalived" ;; pacemaker | keepalived) ;; *) usage ;; esac
case $PROFILES in both) PROFILES="default fast" ;; default | fast) ;; *) usage ;; esac
case $BUSY in '' | *[!0-9]*) usage ;; esac
SVC=192.0.2.11	# ocf:libipto:ipto / the keepalived kit
VIP=192.0.2.50	# ocf:heartbeat:IPaddr2 / keepalived's virtual_ipaddress

# --- the main run: one phase (a process of its own) per engine and profile

if [ -z "$PHASE" ]; then
	ENGINES=${ENGINES//-/ } PROFILES=${PROFILES//-/ }
	TMP=$(mktemp -d /tmp/ipto-outage.XXXXXX)
	LOADS=()
	cleanup() {
		local p
		for p in "${LOADS[@]}"; do kill "$p" 2>/dev/null; done
		for p in $(jobs -p); do kill -TERM "$p" 2>/dev/null; done
		wait 2>/dev/null
		[ -n "$KEEP" ] && mkdir -p "$KEEP" && cp -a "$TMP"/. "$KEEP"/
		rm -rf "$TMP"
	}
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	started=$(date -u '+%Y-%m-%d %H:%M UTC')
	load0=$(cut -d" " -f1-3 /proc/loadavg)
	if [ "$BUSY" -gt 0 ]; then
		pids=()
		for e in $ENGINES; do
			"$0" "$BUILD" --phase "$e" fast "$TMP/$e.busy" --busy-minutes "$BUSY" \
				--tail "$TAIL" ${KEEP:+--keep "$KEEP/$e"} &
			pids+=($!)
		done
		# the load starts once every cluster is up
		i=0
		for e in $ENGINES; do
			while [ ! -e "$TMP/$e.busy.ready" ]; do
				kill -0 "${pids[$i]}" 2>/dev/null || break
				sleep 1
			done
			i=$((i + 1))
		done
		for _ in 1 2; do
			sh -c 'while :; do :; done' &
			LOADS+=($!)
		done
		for e in $ENGINES; do touch "$TMP/$e.busy.go"; done
		rc=0
		for p in "${pids[@]}"; do wait "$p" || rc=1; done
		for p in "${LOADS[@]}"; do kill "$p" 2>/dev/null; done
		LOADS=()
		echo "# false failovers: fast profile, $BUSY min, both cores busy (2 busy loops at the same nice level), started $started"
		printf '# %-11s %-24s %10s %22s %14s\n' engine system takeovers "another host answered (s)" "memberships"
		cat "$TMP"/*.busy 2>/dev/null | while read -r e s n f m; do
			printf '# %-11s %-24s %10s %22s %14s\n' "$e" "$s" "$n" "$f" "$m"
		done
		exit $rc
	fi
	rc=0
	for e in $ENGINES; do
		for p in $PROFILES; do
			echo "# $e, $p profile ..." >&2
			"$0" "$BUILD" --phase "$e" "$p" "$TMP/$e-$p.rows" --tail "$TAIL" \
				${KEEP:+--keep "$KEEP/$e-$p"} || { echo "# $e $p: failed" >&2; rc=1; }
		done
	done
	echo "# outage: client pings every 10 ms, ARP observer every 10 ms; started $started; $(uname -r), $(nproc) cores, load average $load0 at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end; engines at nice 10, corosync with SCHED_RR, each engine under ipto-supervise"
	echo "# $(corosync -v 2>/dev/null | sed -n "1s/.*version '\(.*\)'.*/corosync \1/p"), $(pacemakerd --version 2>/dev/null | head -n 1), $(keepalived --version 2>&1 | head -n 1 | awk '{ print "keepalived", $2 }')"
	printf '# %-10s %-10s %-8s %-22s %6s %6s %9s %10s %11s  %s\n' engine move profile system sent lost "gap (s)" "2 MACs (s)" "2 hosts (s)" "answering at the end"
	for e in $ENGINES; do
		for m in switchover failback crash boot kill restart unplug replug; do
			for p in $PROFILES; do
				[ -f "$TMP/$e-$p.rows" ] || continue
				awk -v m="$m" '$1 == m' "$TMP/$e-$p.rows" | while read -r mv s n l g d h last; do
					printf '# %-10s %-10s %-8s %-22s %6s %6s %9s %10s %11s  %s\n' \
						"$e" "$mv" "$p" "$s" "$n" "$l" "$g" "$d" "$h" "$last"
				done
			done
		done
	done
	exit $rc
fi

# --- one phase: ENGINE (PHASE) with profile PH_PROFILE, rows to PH_OUT ------

: "${LAN_SH:=$SRC/tests/netns/lan.sh}"
export IPTO_BUILD_ROOT=$BUILD
# shellcheck source=../netns/lan.sh
. "$LAN_SH"
# shellcheck source=../cluster/cluster-lib.sh
. "$SRC/tests/cluster/cluster-lib.sh"

fail() {
	echo "outage.sh ($PHASE $PH_PROFILE): $*" >&2
	exit 1
}
log() { echo "# [$(date +%T.%N | cut -c1-12)] $PHASE $PH_PROFILE: $*" >&2; }

case $PHASE in
pacemaker)
	pcmk_have || lan_skip "corosync/Pacemaker not installed (.ci/deps)"
	[ -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ] || lan_skip "resource-agents not installed"
	PREFIX=ipto-obp- P=pc
	;;
keepalived)
	command -v keepalived >/dev/null || lan_skip "keepalived not installed"
	PREFIX=ipto-obk- P=ka
	;;
*) usage ;;
esac
# Both engines run as the kits ship them: each host's engine under the
# supervisor (examples/keepalived/ipto-supervise: the engine killed, the
# host's ipto addresses go; "Never two holders"), corosync with real-time
# scheduling (its default, which corosync-fast.conf relies on).
# shellcheck disable=SC2034 # PCMK_*, KA_SUPERVISE: read by cluster-lib.sh
PCMK_SCHED_RR=yes
# shellcheck disable=SC2034
case $PH_PROFILE in
default) PCMK_TOKEN=3000 PCMK_CONSENSUS=3600 KA_ADVERT=1 KA_VRRP=2 ;;
fast)
	# the totem timers exactly as examples/ocf/corosync-fast.conf ships them
	PCMK_TOKEN=$(awk '$1 == "token:" { print $2 }' "$SRC/examples/ocf/corosync-fast.conf")
	PCMK_CONSENSUS=$(awk '$1 == "consensus:" { print $2 }' "$SRC/examples/ocf/corosync-fast.conf")
	[ -n "$PCMK_TOKEN" ] && [ -n "$PCMK_CONSENSUS" ] || fail "corosync-fast.conf: no token or consensus"
	# and its knet link timers (interface section), if it sets them
	PCMK_KNET=$(awk '$1 == "knet_ping_interval:" || $1 == "knet_ping_timeout:" || $1 == "knet_pong_count:" { printf "\t\t%s %s\\n", $1, $2 }' \
		"$SRC/examples/ocf/corosync-fast.conf")
	KA_ADVERT=0.1 KA_VRRP=3 KA_MGMT_VIP=198.51.100.10 ;;
*) usage ;;
esac

lan_up --prefix "$PREFIX" --clients 2 --actives 1 --ips 1 --takeover 1 || fail "lan_up"
ip -n "$(lan_ns a1)" addr del "$SVC/24" dev eth0 || fail "del $SVC"
for h in a1 sb; do cl_host "$h" && cl_mgmt "$h" || fail "host $h"; done
# Two agents add addresses of one subnet to a1's eth0 (ipto's reclaim and
# IPaddr2 / virtual_ipaddress), which has none of its own there: deleting
# the primary must not take the other's secondary along
# (doc/cluster-managers.md, "replug"; systemd's sysctl defaults set it too).
for h in a1 sb; do
	ip netns exec "$(lan_ns "$h")" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 ||
		fail "promote_secondaries on $h"
done
MAC_A1=$(lan_mac a1 eth0)
MAC_TK1=$(lan_mac sb tk1)
MAC_MGMT=$(lan_mac sb mgmt)
CONF=$CL_DIR/ipto.conf
cat >"$CONF" <<EOF
node a1 $SVC/24 mac=$MAC_A1
adapter sb mgmt mac=$MAC_MGMT management
adapter sb tk1 mac=$MAC_TK1
EOF
"$IPTO" -c "$CONF" check >/dev/null || fail "ipto check"
OUT=$CL_DIR/out
mkdir -p "$OUT"
MARKS=$OUT/marks
: >"$MARKS"
# shellcheck disable=SC2034 # read by cluster-lib.sh's teardown
[ -n "$KEEP" ] && CL_KEEP_LOGS=$KEEP

# --- the engines -----------------------------------------------------------

# corosync's timers of the profile: cluster-lib.sh writes the token; the
# consensus goes next to it.
eval "_outage_lib_conf() $(declare -f _pcmk_conf | tail -n +2)"
_pcmk_conf() {
	_outage_lib_conf | sed "s/^\ttoken: .*/&\n\tconsensus: $PCMK_CONSENSUS/" |
		if [ -n "${PCMK_KNET:-}" ]; then
			sed "s/^\tconsensus: .*/&\n\tinterface {\n\t\tlinknumber: 0\n${PCMK_KNET}\t}/"
		else cat; fi
}

pc_setup() {
	local h
	for h in a1 sb; do
		install -m 755 "$AGENT" "$CL_DIR/$h/ra/libipto/ipto" || fail "install agent"
	done
	# shellcheck disable=SC2034 # read by cluster-lib.sh's pcmk_start
	PCMK_SUPERVISE=("$KIT/ipto-supervise" --engine pacemaker --config "$CONF" --node a1
		--ipto "$IPTO" --log /var/log/pacemaker/supervise.log)
	pcmk_up a1 sb || fail "the cluster did not come up"
	pcmk_ipto_vip "$CONF" "$IPTO" "$VIP" || fail "cibadmin"
}
# pc_at NODE: both resources run on NODE only and no action is pending
# (crm_mon names the node as soon as a start begins there).
pc_at() {
	pc_placed "$1" && cl_exec sb crm_resource --wait --timeout=120s >/dev/null 2>&1 &&
		pc_placed "$1"
}
pc_placed() {  # both resources run on $1 only (seen from sb, one crm_mon)
	cl_exec sb crm_mon -1 -r --output-as=xml 2>/dev/null | awk -v want="$1" '
		/<resource id="(ip-a1|vip)"/ { r = $0; sub(/.*<resource id="/, "", r); sub(/".*/, "", r); next }
		/<\/resource>/ { r = ""; next }
		r != "" && /<node name="/ { n = $0; sub(/.*<node name="/, "", n); sub(/".*/, "", n); on[r] = on[r] " " n }
		END { exit !(on["ip-a1"] == " " want && on["vip"] == " " want) }'
}
pc_standby() { cl_exec sb crm_attribute --node a1 --name standby --update "$1"; }
pc_switchover() { pc_standby on; }
pc_failback() { pc_standby off; }
pc_kill() { pcmk_kill a1; }  # corosync and every Pacemaker daemon of a1, at once
pc_restart() { pcmk_restart a1; }
pc_boot() { cl_reboot a1 eth0 "$SVC/24" "$VIP/24" && pcmk_start a1; }

ka_conf() {  # ka_conf HOST: the kit's file for HOST, the profile, the second instance
	local h=$1 prio src peer dev
	case $h in
	a1) prio=150 src=198.51.100.11 peer=198.51.100.2 dev=eth0 ;;
	sb) prio=100 src=198.51.100.2 peer=198.51.100.11 dev=mgmt ;;
	esac
	sed -e "s|/etc/ipto.conf|$CONF|" \
		-e "s|/etc/keepalived/ipto-notify |/etc/keepalived/ipto-notify --ipto $IPTO --log /etc/keepalived/notify.log |" \
		-e "s/^\([[:space:]]*advert_int\) .*/\1 $KA_ADVERT/" \
		"$KIT/keepalived-$h.conf" |
		if [ "$KA_VRRP" = 3 ]; then
			# VRRPv3 wants one address per instance: the master's
			# management address (examples/keepalived/fast-profile.conf)
			sed -e "s/^global_defs {/&\n\tvrrp_version 3/" \
				-e "s|^\([[:space:]]*\)advert_int .*|&\n\1virtual_ipaddress {\n\1\t$KA_MGMT_VIP/24 dev hb0\n\1}|"
		else cat; fi
	cat <<EOF

# outage.sh: keepalived's own address handling, the same timers
vrrp_instance outage_vip {
	state BACKUP
	interface hb0
	virtual_router_id 52
	priority $prio
	advert_int $KA_ADVERT
	unicast_src_ip $src
	unicast_peer {
		$peer
	}
	virtual_ipaddress {
		$VIP/24 dev $dev
	}
}
EOF
}
ka_setup() {
	local h
	for h in a1 sb; do
		install -m 755 "$KIT/ipto-notify" "$KIT/ipto-supervise" "$CL_DIR/$h/etc-keepalived/" || fail "kit"
		ka_conf "$h" >"$CL_DIR/$h/etc-keepalived/keepalived.conf" || fail "kit conf"
		grep -q "advert_int $KA_ADVERT\$" "$CL_DIR/$h/etc-keepalived/keepalived.conf" || fail "profile"
	done
	# shellcheck disable=SC2034 # read by cluster-lib.sh's ka_start
	KA_SUPERVISE=(/etc/keepalived/ipto-supervise --config "$CONF" --node a1
		--ipto "$IPTO" --log /etc/keepalived/notify.log)
	ka_start a1
	wait_for 60 "a1 holds both addresses" ka_at a1
	ka_start sb
	wait_for 60 "sb's keepalived up" grep -q 'a1 backup: ' "$CL_DIR/sb/etc-keepalived/notify.log"
}
ka_gone() { ! cl_pids a1 | while read -r p; do cat "/proc/$p/comm"; done 2>/dev/null | grep -qx keepalived; }
holds() { lan_exec "$1" ip -br addr show dev "$2" | grep -q " $3/"; }
ka_at() {
	case $1 in
	a1) holds a1 eth0 "$SVC" && holds a1 eth0 "$VIP" &&
		! lan_exec sb ip -br addr | grep -q -e " $SVC/" -e " $VIP/" ;;
	sb) holds sb tk1 "$SVC" && holds sb mgmt "$VIP" ;;
	esac
}
ka_switchover() { ka_signal a1 TERM; }
ka_failback() {
	wait_for 30 "a1's keepalived exits" ka_gone
	ka_start a1
}
ka_kill() {
	local p victims=()
	for p in $(cl_pids a1); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = keepalived ] && victims+=("$p")
	done
	kill_at_once "${victims[@]}"
}
ka_restart() { ka_failback; }
ka_boot() { cl_reboot a1 eth0 "$SVC/24" "$VIP/24" && ka_start a1; }

# kill_at_once PID...: stopped first, then killed: none of them runs a
# line in between (keepalived's VRRP child would otherwise get its parent's
# death signal, SIGTERM, and shut down gracefully: priority-0 advert,
# notify_stop).
kill_at_once() {
	[ $# -gt 0 ] || return 1
	kill -STOP "$@" 2>/dev/null
	kill -KILL "$@" 2>/dev/null
	return 0
}
crash() {  # every process of a1 at once, then its cables
	# shellcheck disable=SC2046
	kill_at_once $(cl_pids a1)
	cl_crash a1
}
unplug() { cl_detach a1 off; }
replug() { cl_detach a1 on; }


# --- the client and the observer ----------------------------------------------

STATE=$OUT/ping.state
python3 -c 'import socket' || lan_skip "python3 not installed"
ip netns exec "$(lan_ns c1)" python3 "$PROBE" ping "$OUT/ping.log" "$STATE" "$SVC" "$VIP" \
	2>"$OUT/ping.err" &
PING_PID=$!
ip netns exec "$(lan_ns c2)" python3 "$PROBE" arp eth0 "$OUT/arp.log" "$SVC" "$VIP" \
	2>"$OUT/arp.err" &
ARP_PID=$!
probes_stop() {
	kill -TERM "$PING_PID" "$ARP_PID" 2>/dev/null
	wait "$PING_PID" "$ARP_PID" 2>/dev/null
	return 0
}
lan_atexit probes_stop

answering() {  # both addresses: N replies in a row, now
	local n=${1:-30}
	[ -s "$STATE" ] && awk -v n="$n" '$2 < n { bad = 1 } END { exit bad || NR < 2 }' "$STATE"
}

# move NAME WHERE ACTION...: the fault, then until the engine shows both
# addresses on WHERE and the client is answered, then the tail.
move() {
	local name=$1 where=$2 t0 t1
	shift 2
	wait_for 60 "$name: the client is answered before the move" answering 30
	log "$name"
	t0=$(cl_now)
	"$@" || fail "$name: $*"
	wait_for 180 "$name: both addresses on $where" "${P}_at" "$where"
	local s=$SECONDS
	while ! answering 30; do
		[ $((SECONDS - s)) -lt 60 ] || { log "$name: the client is not answered 60 s later"; break; }
		sleep 0.05
	done
	sleep "$TAIL"
	t1=$(cl_now)
	echo "move $name $t0 $t1" >>"$MARKS"
}

t=$(cl_now)
"${P}_setup"
wait_for 180 "a1 serves both" "${P}_at" a1
log "up in $(awk -v a="$t" -v b="$(cl_now)" 'BEGIN { printf "%.1f", b - a }') s"

if [ "$BUSY" -gt 0 ]; then
	# --- false failovers: count what happens while nobody touches anything
	wait_for 60 "the client is answered" answering 30
	touch "$PH_OUT.ready"
	while [ ! -e "$PH_OUT.go" ]; do sleep 0.5; done
	case $PHASE in
	pacemaker)
		l0=$(wc -l <"$CL_DIR/sb/log/pacemaker/pacemaker.log")
		c0=$(wc -l <"$CL_DIR/sb/log/corosync/corosync.log")
		;;
	keepalived) l0=$(wc -l <"$CL_DIR/sb/keepalived.log") ;;
	esac
	t0=$(cl_now)
	log "busy for $BUSY min"
	sleep $((BUSY * 60))
	t1=$(cl_now)
	echo "move busy $t0 $t1" >>"$MARKS"
	probes_stop
	fo=$(python3 "$PROBE" report "$OUT/arp.log" "$MARKS" "$SVC=s" "$VIP=v" --count-foreign "$MAC_A1")
	f_s=$(awk '$2 == "s" { print $3 }' <<<"$fo")
	f_v=$(awk '$2 == "v" { print $3 }' <<<"$fo")
	case $PHASE in
	pacemaker)
		l=$(tail -n +$((l0 + 1)) "$CL_DIR/sb/log/pacemaker/pacemaker.log")
		n_s=$(grep -c 'Result of start operation for ip-a1 on sb' <<<"$l")
		n_v=$(grep -c 'Result of start operation for vip on sb' <<<"$l")
		m=$(tail -n +$((c0 + 1)) "$CL_DIR/sb/log/corosync/corosync.log" | grep -c 'A new membership')
		echo "pacemaker ocf:libipto:ipto $n_s $f_s $m" >>"$PH_OUT"
		echo "pacemaker ocf:heartbeat:IPaddr2 $n_v $f_v $m" >>"$PH_OUT"
		;;
	keepalived)
		l=$(tail -n +$((l0 + 1)) "$CL_DIR/sb/keepalived.log")
		n_s=$(grep -c '(ipto_a1) Entering MASTER STATE' <<<"$l")
		n_v=$(grep -c '(outage_vip) Entering MASTER STATE' <<<"$l")
		echo "keepalived kit $n_s $f_s -" >>"$PH_OUT"
		echo "keepalived virtual_ipaddress $n_v $f_v -" >>"$PH_OUT"
		;;
	esac
	exit 0
fi

move switchover sb "${P}_switchover"
move failback a1 "${P}_failback"
move crash sb crash
move boot a1 "${P}_boot"
move kill sb "${P}_kill"
move restart a1 "${P}_restart"
move unplug sb unplug
move replug a1 replug

probes_stop
case $PHASE in
pacemaker) N_SVC=ocf:libipto:ipto N_VIP=ocf:heartbeat:IPaddr2 ;;
keepalived) N_SVC=kit N_VIP=virtual_ipaddress ;;
esac
python3 "$PROBE" report "$OUT/ping.log,$OUT/arp.log" "$MARKS" "$SVC=$N_SVC" "$VIP=$N_VIP" |
	sed -e "s/$MAC_A1/a1.eth0/g" -e "s/$MAC_TK1/sb.tk1/g" -e "s/$MAC_MGMT/sb.mgmt/g" \
		-e "s/$(lan_mac a1 hb0)/a1.hb0/g" -e "s/$(lan_mac sb hb0)/sb.hb0/g" >"$PH_OUT" ||
	fail "report"
[ -s "$PH_OUT" ] || fail "no figures"
