#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh: libipto's takeover speed against the tools people use today and
# against the kernel floor, on a LAN of network namespaces it builds itself.
# Prints one table; every figure in it is measured in this run.
#
#   tests/bench/run.sh [BUILDDIR] [options]        (as root)
#
# Options:
#   --n "1 16 256 1024"   the numbers of addresses taken over
#   --reps R              repetitions of the fast methods (default 7)
#   --slow-reps R         repetitions of the process-per-address methods
#                         (IPaddr2, ip + arping; default 3)
#   --ipaddr2-max N       run Pacemaker's IPaddr2 only up to N addresses
#                         (default 16; it takes about half a second per IP)
#   --adapters K          takeover adapters on the standby (default 16);
#                         N > K shares adapters (IPTO_PLAN_SHARE_ADAPTERS)
#   --family auto|4|6     address family (auto, the default: IPv4 while N
#                         fits in the two IPv4 documentation subnets, i.e.
#                         N <= 502, IPv6 above)
#   --frames M            frames per injector measurement (default 200000)
#   --keep DIR            keep the raw measurements in DIR
#   --proc-n "1 16 64"    adapters (one address each) for the whole-process
#                         rows: ipto takeover/release/status against ip -batch
#   --proc-reps R         repetitions of the whole-process rows (default 7)
#
# The LAN (tests/netns/lan.sh, namespaces iptobn-*): client c1, the failed
# active node a1 (its MAC is the one clients hold before the takeover) and
# standby sb with K takeover adapters, arp_ignore=1 / arp_announce=2 set
# on them beforehand as a prepared standby would have. Before every run
# the client's neighbour entries for the N addresses are (re)set to a1's
# MAC ("stale", extern_learn so they neither count against nor suffer
# from the host-wide neighbour table limits), and the standby's takeover
# adapters carry no address.
#
# Times (CLOCK_MONOTONIC, shared by all namespaces), from the call:
#   done   the call returned (ipto_takeover_start(), the floor's loop, or
#          the command or script exited)
#   wire   the last address's first announcement reached the client's
#          adapter (kernel receive timestamp of a packet socket there)
#   moved  the client's neighbour entry of the last address got the new
#          MAC (rtnetlink neighbour event, time read)
# Each as median [min-max] over the repetitions. "x floor" is a method's
# median wire time over the sequential floor's at the same N.

usage() {
	sed -n '4,29p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench-lib.sh
. "$SRC/tests/bench/bench-lib.sh"
BUILD=
NS_LIST="1 16 256 1024"
REPS=7
SLOW_REPS=3
IPADDR2_MAX=16
K=16
FAMILY=auto
FRAMES=200000
KEEP=
PROC_NS="1 16 64"
PROC_REPS=7
while [ $# -gt 0 ]; do
	case $1 in
	--n) NS_LIST=$2; shift ;;
	--reps) REPS=$2; shift ;;
	--slow-reps) SLOW_REPS=$2; shift ;;
	--ipaddr2-max) IPADDR2_MAX=$2; shift ;;
	--adapters) K=$2; shift ;;
	--family) FAMILY=$2; shift ;;
	--frames) FRAMES=$2; shift ;;
	--keep) KEEP=$2; shift ;;
	--proc-n) PROC_NS=$2; shift ;;
	--proc-reps) PROC_REPS=$2; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) [ -z "$BUILD" ] || usage; BUILD=$1 ;;
	esac
	shift
done
bench_build run.sh "$BUILD"
B=$BUILD/tests/bench
IPTO=$BUILD/examples/ipto
bench_built run.sh "$B/bench-takeover" "$B/bench-floor" "$B/bench-watch" "$B/bench-exec" "$IPTO"
case $FAMILY in auto | 4 | 6) ;; *) usage ;; esac
bench_root run.sh

IPADDR2=/usr/lib/ocf/resource.d/heartbeat/IPaddr2
SEND_UA=/usr/libexec/heartbeat/send_ua
HAVE_ARPING=0; command -v arping >/dev/null && HAVE_ARPING=1
HAVE_IPADDR2=0; [ -x "$IPADDR2" ] && HAVE_IPADDR2=1
HAVE_SEND_UA=0; [ -x "$SEND_UA" ] && HAVE_SEND_UA=1

TMP=$(mktemp -d /tmp/iptobn.XXXXXX)
RAW=$TMP/raw.tsv
: >"$RAW"

# shellcheck source=../netns/lan.sh
. "$SRC/tests/netns/lan.sh"
export IPTO_BUILD_ROOT=$BUILD
lan_atexit "rm -rf '$TMP' /run/resource-agents/send_arp-192.0.2.* /run/resource-agents/send_arp-198.51.100.*"
lan_up --prefix iptobn- --clients 1 --actives 1 --ips 1 --takeover "$K" \
	--ipv6 --second-subnet || exit 1
SB=$(lan_ns sb)
C1=$(lan_ns c1)
OLD_MAC=$(lan_mac a1 eth0)
ADAPTERS=$(lan_takeover_ifs | paste -sd, -)
for ifn in $(lan_takeover_ifs); do
	lan_sysctl sb "net.ipv4.conf.$ifn.arp_ignore=1" "net.ipv4.conf.$ifn.arp_announce=2"
done
# A private veth pair on the standby for the injector rates: frames end
# at its peer, nothing else on the LAN is loaded.
ip -n "$SB" link add bi0 type veth peer name bi1 &&
	ip -n "$SB" link set bi0 up && ip -n "$SB" link set bi1 up || exit 1

log() { printf '%s\n' "$*" >&2; }

# ---- addresses ---------------------------------------------------------
# fam N -> the family used for N addresses
fam_of() {
	case $FAMILY in
	4 | 6) echo "$FAMILY" ;;
	*) if [ "$1" -le 502 ]; then echo 4; else echo 6; fi ;;
	esac
}

# make_work N FAM: $TMP/work-N (ADDR/PREFIX IFNAME, adapters round-robin)
make_work() {
	local n=$1 fam=$2 i=0 h net k=$K f=$TMP/work-$1
	[ "$n" -lt "$k" ] && k=$n
	: >"$f"
	if [ "$fam" = 4 ]; then
		[ "$n" -le 502 ] || { log "IPv4 holds at most 502 addresses here"; exit 2; }
		for net in 192.0.2 198.51.100; do
			for ((h = 1; h <= 254 && i < n; h++)); do
				case $h in 2 | 11 | 101) continue ;; esac
				echo "$net.$h/24 tk$((i % k + 1))" >>"$f"
				i=$((i + 1))
			done
		done
	else
		for ((i = 0; i < n; i++)); do
			printf '2001:db8:2::1:%x/64 tk%d\n' "$i" $((i % k + 1)) >>"$f"
		done
	fi
}

# ---- between runs --------------------------------------------------------
kill_ns_procs() {
	local ns pid
	for ns in "$SB" "$C1"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
}

# reset N: no address on the takeover adapters, the client's entries at
# the old MAC, nothing left running in the LAN.
reset() {
	local f=$TMP/work-$1 ifn
	kill_ns_procs
	rm -f /run/resource-agents/send_arp-192.0.2.* /run/resource-agents/send_arp-198.51.100.*
	for ifn in $(lan_takeover_ifs); do
		echo "addr flush dev $ifn scope global"
	done | ip -n "$SB" -batch - || return 1
	awk -v mac="$OLD_MAC" '{ sub(/\/.*/, "", $1);
		print "neigh replace " $1 " lladdr " mac " dev eth0 nud stale extern_learn" }' \
		"$f" | ip -n "$C1" -batch - || return 1
}

# watch_start N TIMEOUT_MS: start the client-side watcher, wait until ready.
watch_start() {
	local i
	: >"$TMP/watch.out"
	ip netns exec "$C1" "$B/bench-watch" --ips "$TMP/work-$1" \
		--old-mac "$OLD_MAC" --timeout "$2" >"$TMP/watch.out" 2>>"$TMP/watch.err" &
	WATCH_PID=$!
	for ((i = 0; i < 1000; i++)); do
		[ "$(head -n1 "$TMP/watch.out")" = ready ] && return 0
		sleep 0.005
	done
	log "bench-watch did not start"
	return 1
}

# ---- methods ------------------------------------------------------------
# Each writes "T_CALL T_DONE [extra...]" to $TMP/call.out.

m_libipto() {
	ip netns exec "$SB" "$B/bench-takeover" takeover "$TMP/work-$1" "$ADAPTERS" packet \
		>"$TMP/call.out"
}
m_libipto_pcap() {
	ip netns exec "$SB" "$B/bench-takeover" takeover "$TMP/work-$1" "$ADAPTERS" pcap \
		>"$TMP/call.out"
}
m_floor_seq() { ip netns exec "$SB" "$B/bench-floor" seq "$TMP/work-$1" >"$TMP/call.out"; }
m_floor_batch() { ip netns exec "$SB" "$B/bench-floor" batch "$TMP/work-$1" >"$TMP/call.out"; }

m_ipto_cmd() {
	local nodes a=() ifn
	nodes=a1,$(awk '{ print $1 }' "$TMP/work-$1" | paste -sd, -)
	for ifn in $(lan_takeover_ifs); do a+=(-a "sb,$ifn"); done
	ip netns exec "$SB" "$B/bench-exec" "$TMP/call.out" "$IPTO" takeover \
		-n "$nodes" "${a[@]}" --fail a1 --share \
		--schedule 0:arp-announce+na >/dev/null
}

# announce_cmd ADDR PREFIX IF: today's one-shot announcement for one address
announce_cmd() {
	case $1 in
	*:*) echo "$SEND_UA -c 1 $1 $2 $3 >/dev/null 2>&1 &" ;;
	*) echo "arping -q -U -c 1 -I $3 $1 &" ;;
	esac
}

# ip addr add + one announcement, per address, as a shell script would.
# arping -U -c 1 (and send_ua -c 1) send at once and then idle a second
# before exiting, so each runs in the background; the script waits for
# them all at the end ("done" includes that second, "wire" does not).
m_ip_arping() {
	local s=$TMP/script.sh
	{
		echo "#!/bin/sh"
		awk '{ split($1, a, "/"); print a[1], a[2], $2 }' "$TMP/work-$1" |
			while read -r ip p ifn; do
				case $ip in
				*:*) echo "ip addr add $ip/$p dev $ifn nodad" ;;
				*) echo "ip addr add $ip/$p dev $ifn" ;;
				esac
				announce_cmd "$ip" "$p" "$ifn"
			done
		echo wait
	} >"$s"
	ip netns exec "$SB" "$B/bench-exec" "$TMP/call.out" sh "$s"
}

# One ip -batch for every address, then one announcement each.
m_ip_batch() {
	local s=$TMP/script.sh
	{
		echo "#!/bin/sh"
		echo "ip -batch - <<'EOF'"
		awk '{ print "addr add " $1 " dev " $2 ($1 ~ /:/ ? " nodad" : "") }' "$TMP/work-$1"
		echo "EOF"
		awk '{ split($1, a, "/"); print a[1], a[2], $2 }' "$TMP/work-$1" |
			while read -r ip p ifn; do announce_cmd "$ip" "$p" "$ifn"; done
		echo wait
	} >"$s"
	ip netns exec "$SB" "$B/bench-exec" "$TMP/call.out" sh "$s"
}

# Pacemaker's IPaddr2 agent, "start" per address, one after the other as
# a resource group starts. It returns once send_arp runs in the background.
m_ipaddr2() {
	local s=$TMP/script.sh i=0
	{
		echo "#!/bin/sh"
		echo "export OCF_ROOT=/usr/lib/ocf"
		awk '{ split($1, a, "/"); print a[1], a[2], $2 }' "$TMP/work-$1" |
			while read -r ip p ifn; do
				i=$((i + 1))
				echo "OCF_RESKEY_ip=$ip OCF_RESKEY_cidr_netmask=$p OCF_RESKEY_nic=$ifn" \
					"OCF_RESOURCE_INSTANCE=bench-vip$i $IPADDR2 start >/dev/null 2>&1 || exit 1"
			done
	} >"$s"
	ip netns exec "$SB" "$B/bench-exec" "$TMP/call.out" sh "$s"
}

# run_one N FAM METHOD LABEL REP TIMEOUT_MS: one measured run -> $RAW
run_one() {
	local n=$1 fam=$2 m=$3 label=$4 rep=$5 tmo=$6 w c rc
	reset "$n" || { log "reset failed"; return 1; }
	watch_start "$n" "$tmo" || return 1
	: >"$TMP/call.out"
	"m_$m" "$n"
	rc=$?
	wait "$WATCH_PID"
	w=$(sed -n 2p "$TMP/watch.out")
	c=$(cat "$TMP/call.out")
	if [ $rc -ne 0 ] || [ -z "$c" ] || [ -z "$w" ]; then
		log "  $label N=$n rep $rep: failed (status $rc)"
		return 1
	fi
	# N FAM LABEL REP, then the watcher's 7 fields (5-11), then the
	# call's: T_CALL T_DONE (12, 13) and what the method adds (14...)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$fam" "$label" "$rep" "$w" "$c" | tr ' ' '\t' >>"$RAW"
}

# ---- the runs -------------------------------------------------------------
# Repetitions are interleaved (rep 1 of every method, then rep 2, ...), so
# that a burst of load from elsewhere on the machine spreads over all of
# them instead of spoiling one.
T_START=$(date +%s)
for n in $NS_LIST; do
	fam=$(fam_of "$n")
	make_work "$n" "$fam"
	methods=("libipto:libipto" "libipto_pcap:libipto-pcap" "ipto_cmd:ipto-command"
		 "floor_seq:floor-seq" "floor_batch:floor-batch")
	if { [ "$fam" = 4 ] && [ $HAVE_ARPING = 1 ]; } || { [ "$fam" = 6 ] && [ $HAVE_SEND_UA = 1 ]; }; then
		methods+=("ip_arping:ip+arping" "ip_batch:ip-batch+arping")
	fi
	if [ "$fam" = 4 ] && [ $HAVE_IPADDR2 = 1 ] && [ "$n" -le "$IPADDR2_MAX" ]; then
		methods+=("ipaddr2:IPaddr2")
	fi
	log "N=$n IPv$fam: ${#methods[@]} methods, $REPS runs ($SLOW_REPS for process-per-IP ones)"
	for ((r = 1; r <= REPS; r++)); do
		for entry in "${methods[@]}"; do
			m=${entry%%:*} label=${entry#*:}
			[ "$fam" = 6 ] && label=${label/arping/send_ua}
			case $m in
			ip_arping | ip_batch)
				[ "$r" -le "$SLOW_REPS" ] || continue
				tmo=$((20000 + n * 100)) ;;
			ipaddr2)
				[ "$r" -le "$SLOW_REPS" ] || continue
				tmo=$((15000 + n * 3000)) ;;
			*) tmo=10000 ;;
			esac
			run_one "$n" "$fam" "$m" "$label" "$r" "$tmo"
		done
	done
done
reset "$(set -- $NS_LIST; echo "$1")" >/dev/null 2>&1
kill_ns_procs

# ---- what a caller waits for: whole processes -------------------------------
# N adapters pt1..ptN with one address each, on veth pairs private to the
# standby (peers ptp* in the switch's namespace, on no bridge, so the
# frames flood nothing): `ipto takeover
# --schedule once`, `ipto status`, `ipto release`, each a whole process
# (bench-exec: fork to exit), against one `ip -batch` making the same
# address changes, and `ip -o addr show` beside status. IPaddr2 start,
# monitor and stop for N = 1.
PROC=$TMP/proc.tsv
: >"$PROC"
PMAX=0
for n in $PROC_NS; do [ "$n" -gt "$PMAX" ] && PMAX=$n; done
[ "$PMAX" -le 250 ] || { log "--proc-n: at most 250 adapters"; exit 2; }
HAVE_STATUS=0
"$IPTO" --help 2>&1 | grep -q '^  status' && HAVE_STATUS=1
# The peers live in the switch's namespace (on no bridge): a standby's
# adapters have their far ends on the switch, not on the standby, whose
# every interface a takeover guards against ARP flux and a release
# restores.
SW=$(lan_ns sw)
for ((i = 1; i <= PMAX; i++)); do
	echo "link add pt$i type veth peer name ptp$i netns $SW"
	echo "link set pt$i up"
done | ip -n "$SB" -batch - || exit 1
for ((i = 1; i <= PMAX; i++)); do
	echo "link set ptp$i up"
done | ip -n "$SW" -batch - || exit 1
for ((i = 1; i <= PMAX; i++)); do
	echo "net.ipv4.conf.pt$i.arp_ignore=1"
	echo "net.ipv4.conf.pt$i.arp_announce=2"
done | ip netns exec "$SB" sysctl -q -p - >/dev/null || exit 1

# proc_addrs N: "ADDR/24 ptI" lines, one address per adapter
proc_addrs() {
	local i h=0
	for ((i = 1; i <= $1; i++)); do
		h=$((h + 1))
		case $h in 2 | 11 | 101) h=$((h + 1)) ;; esac
		echo "192.0.2.$h/24 pt$i"
	done
}
proc_count() { ip -n "$SB" -o -4 addr show | grep -c ' pt[0-9]* '; }
# proc_time LABEL N REP CMD...: one timed process -> $PROC (ms). Exit
# codes other than those in $PROC_OK (default 0) drop the sample, logged.
proc_time() {
	local label=$1 n=$2 rep=$3 c code
	shift 3
	: >"$TMP/proc.out"
	ip netns exec "$SB" "$B/bench-exec" "$TMP/proc.out" "$@" >/dev/null 2>"$TMP/proc.err"
	c=$(cat "$TMP/proc.out")
	set -- $c
	code=${4:-none}
	case " ${PROC_OK:-0} " in
	*" $code "*) ;;
	*)	log "  $label N=$n rep $rep: exit $code: $(head -c 300 "$TMP/proc.err")"
		return 1 ;;
	esac
	[ "$code" = 0 ] || log "  $label N=$n rep $rep: exit $code (timed all the same)"
	printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$label" "$rep" "$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')" "$code" >>"$PROC"
}
log "whole processes: N = $PROC_NS adapters, $PROC_REPS runs (ipto status: $([ $HAVE_STATUS = 1 ] && echo yes || echo "not in this ipto"))"
for ((r = 1; r <= PROC_REPS; r++)); do
	for n in $PROC_NS; do
		proc_addrs "$n" >"$TMP/paddr"
		desc=(-n "a1,$(awk '{ print $1 }' "$TMP/paddr" | paste -sd, -)")
		for ((i = 1; i <= n; i++)); do desc+=(-a "sb,pt$i"); done
		awk '{ print "addr add " $1 " dev " $2 }' "$TMP/paddr" >"$TMP/padd.batch"
		awk '{ print "addr del " $1 " dev " $2 }' "$TMP/paddr" >"$TMP/pdel.batch"
		for ((i = 1; i <= PMAX; i++)); do echo "addr flush dev pt$i"; done |
			ip -n "$SB" -batch - >/dev/null 2>&1
		proc_time ipto-takeover "$n" "$r" "$IPTO" takeover "${desc[@]}" --fail a1 --schedule once
		[ "$(proc_count)" = "$n" ] || log "  ipto takeover N=$n rep $r: $(proc_count) addresses, not $n"
		# status: 0 all held and healthy, 1 degraded, 3 nothing held
		[ $HAVE_STATUS = 1 ] && PROC_OK="0 1 3" proc_time ipto-status "$n" "$r" "$IPTO" status "${desc[@]}"
		proc_time ip-addr-show "$n" "$r" ip -o addr show
		proc_time ipto-release "$n" "$r" "$IPTO" release "${desc[@]}" --fail a1
		[ "$(proc_count)" = 0 ] || log "  ipto release N=$n rep $r: $(proc_count) addresses left"
		proc_time ip-batch-add "$n" "$r" ip -batch "$TMP/padd.batch"
		[ "$(proc_count)" = "$n" ] || log "  ip -batch add N=$n rep $r: $(proc_count) addresses, not $n"
		proc_time ip-batch-del "$n" "$r" ip -batch "$TMP/pdel.batch"
		[ "$(proc_count)" = 0 ] || log "  ip -batch del N=$n rep $r: $(proc_count) addresses left"
		# the same takeover without the packet socket, from the same
		# state as the first one (a released standby: the release above
		# restored the ARP guards the takeover set)
		proc_time ipto-takeover-dryinj "$n" "$r" "$IPTO" takeover "${desc[@]}" --fail a1 \
			--schedule once --injector dryrun
		[ "$(proc_count)" = "$n" ] || log "  ipto takeover --injector dryrun N=$n rep $r: $(proc_count) addresses, not $n"
		# untimed: release it, so that the next takeover starts from a
		# released standby too (a flush by hand would leave its guards)
		ip netns exec "$SB" "$IPTO" release "${desc[@]}" --fail a1 >/dev/null 2>&1 ||
			log "  ipto release after the dry-run-injector takeover N=$n rep $r failed"
		[ "$(proc_count)" = 0 ] || log "  ipto release after --injector dryrun N=$n rep $r: $(proc_count) addresses left"
	done
	if [ $HAVE_IPADDR2 = 1 ] && [ "$r" -le "$SLOW_REPS" ]; then
		rm -f /run/resource-agents/send_arp-192.0.2.*
		ocf=(env OCF_ROOT=/usr/lib/ocf OCF_RESKEY_ip=192.0.2.1 OCF_RESKEY_cidr_netmask=24
			OCF_RESKEY_nic=pt1 OCF_RESOURCE_INSTANCE=bench-proc "$IPADDR2")
		proc_time IPaddr2-start 1 "$r" "${ocf[@]}" start
		proc_time IPaddr2-monitor 1 "$r" "${ocf[@]}" monitor
		proc_time IPaddr2-stop 1 "$r" "${ocf[@]}" stop
		kill_ns_procs
	fi
done
CLOSE=$(ip netns exec "$SB" "$B/bench-floor" close 50)
# The injectors with K ports at once: open them all, send_multi round
# robin, close them all (bench-takeover ports), 3 runs each.
PORTS=$TMP/ports.tsv
: >"$PORTS"
for ((r = 1; r <= 3; r++)); do
	for k in $PROC_NS; do
		for inj in packet pcap; do
			out=$(ip netns exec "$SB" "$B/bench-takeover" ports \
				"$(seq -f pt%g -s, 1 "$k" | sed 's/,$//')" 20000 "$inj" 2>/dev/null) || continue
			printf '%s\t%s\t%s\n' "$inj" "$k" "${out// /$'\t'}" >>"$PORTS"
		done
	done
done
for ((i = 1; i <= PMAX; i++)); do echo "link del pt$i"; done | ip -n "$SB" -batch - >/dev/null 2>&1

# ---- injectors ------------------------------------------------------------
INJ=$TMP/inject.tsv
: >"$INJ"
log "injector rates: $FRAMES frames each"
for ((r = 1; r <= 3; r++)); do
	for cfg in floor:1 floor:64 packet:1 packet:64 pcap:1 pcap:64; do
		inj=${cfg%%:*} batch=${cfg#*:}
		if [ "$inj" = floor ]; then
			out=$(ip netns exec "$SB" "$B/bench-floor" inject bi0 "$FRAMES" "$batch")
			[ "$batch" = 1 ] && label="floor: send()" || label="floor: sendmmsg() of $batch"
		else
			out=$(ip netns exec "$SB" "$B/bench-takeover" inject bi0 "$FRAMES" "$batch" "$inj")
			[ "$batch" = 1 ] && label="libipto $inj: ipto_injector_send()" ||
				label="libipto $inj: ipto_injector_send_batch() of $batch"
		fi
		[ -n "$out" ] && printf '%s\t%s\t%s\n' "$label" "$batch" "${out// /$'\t'}" >>"$INJ"
	done
done

# ---- single calls ------------------------------------------------------------
log "single netlink calls"
OPS_LIB=$(ip netns exec "$SB" "$B/bench-takeover" ops bi0 2000)
OPS_RAW=$(ip netns exec "$SB" "$B/bench-floor" ops bi0 2000)

# ---- memory -----------------------------------------------------------------
NMAX=$(set -- $NS_LIST; eval echo "\${$#}")
ip netns exec "$SB" "$B/bench-exec" "$TMP/rss-base" "$IPTO" --version >/dev/null
RSS_BASE=$(cut -d' ' -f3 "$TMP/rss-base")
ALLOC_N=16
[ "$ALLOC_N" -le "$NMAX" ] || ALLOC_N=$NMAX
make_work "$ALLOC_N" "$(fam_of "$ALLOC_N")"
reset "$ALLOC_N"
ALLOCS=$(ip netns exec "$SB" "$B/bench-takeover" allocs "$TMP/work-$ALLOC_N" "$ADAPTERS" 1000 packet)
reset "$ALLOC_N" >/dev/null 2>&1
kill_ns_procs
T_END=$(date +%s)

[ -n "$KEEP" ] && mkdir -p "$KEEP" && cp "$RAW" "$INJ" "$PROC" "$PORTS" "$KEEP/"

# ---- the table --------------------------------------------------------------
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
printf 'libipto takeover benchmark, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf 'machine: %s, %s CPUs, Linux %s; LAN: veth + bridge in namespaces; %s takeover adapters\n' \
	"$CPU" "$(nproc)" "$(uname -r)" "$K"
printf 'run time: %d s; fast methods %d runs, process-per-IP methods %d runs\n\n' \
	$((T_END - T_START)) "$REPS" "$SLOW_REPS"

awk -F'\t' '
function fmt(v) {
	if (v == "") return "-"
	if (v < 0.1) return sprintf("%.3f", v)
	if (v < 10) return sprintf("%.2f", v)
	if (v < 100) return sprintf("%.1f", v)
	return sprintf("%.0f", v)
}
function sortv(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
}
function med(a, n) { sortv(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function stat(key, col,   a, i, n, s) {
	n = cnt[key]
	for (i = 1; i <= n; i++) a[i] = val[key, i, col]
	s = med(a, n)
	lo[key, col] = a[1]; hi[key, col] = a[n]
	return s
}
function cell(key, col,   m) {
	m = stat(key, col)
	md[key, col] = m
	return sprintf("%s [%s-%s]", fmt(m), fmt(lo[key, col]), fmt(hi[key, col]))
}
{
	n = $1; fam = $2; m = $3
	key = n SUBSEP m
	if (!(key in cnt)) { order[++nk] = key; kn[key] = n; kf[key] = fam; km[key] = m }
	i = ++cnt[key]
	call = $12
	val[key, i, "done"] = ($13 - call) / 1e6
	val[key, i, "wire"] = ($9 == $11) ? ($6 - call) / 1e6 : 1e12
	val[key, i, "moved"] = ($10 == $11) ? ($8 - call) / 1e6 : 1e12
	if ($9 != $11 || $10 != $11) miss[key]++
	if (m == "libipto") { val[key, i, "new"] = $14 / 1e6; val[key, i, "allocs"] = $15
		val[key, i, "checked"] = $17 / 1e3; val[key, i, "bound"] = $18 / 1e3
		val[key, i, "announced"] = $19 / 1e3 }
	if (m ~ /^libipto/) val[key, i, "returned"] = $20 / 1e3
	if (m ~ /^floor/) val[key, i, "bound"] = ($14 - call) / 1e6
}
END {
	printf "%-5s %-4s %-17s %-26s %-26s %-26s %8s\n", "N", "fam", "method", "done ms", "wire ms", "moved ms", "x floor"
	for (k = 1; k <= nk; k++) {
		key = order[k]
		d = cell(key, "done"); w = cell(key, "wire"); mv = cell(key, "moved")
		if (km[key] == "floor-seq") floor[kn[key]] = md[key, "wire"]
	}
	for (k = 1; k <= nk; k++) {
		key = order[k]
		ratio = (kn[key] in floor) && floor[kn[key]] > 0 ? sprintf("%.2f", md[key, "wire"] / floor[kn[key]]) : "-"
		note = miss[key] ? sprintf("  (%d runs incomplete)", miss[key]) : ""
		printf "%-5s %-4s %-17s %-26s %-26s %-26s %8s%s\n", kn[key], "v" kf[key], km[key],
			sprintf("%s [%s-%s]", fmt(md[key, "done"]), fmt(lo[key, "done"]), fmt(hi[key, "done"])),
			sprintf("%s [%s-%s]", fmt(md[key, "wire"]), fmt(lo[key, "wire"]), fmt(hi[key, "wire"])),
			sprintf("%s [%s-%s]", fmt(md[key, "moved"]), fmt(lo[key, "moved"]), fmt(hi[key, "moved"])),
			ratio, note
		if (km[key] == "libipto") { lib[kn[key]] = md[key, "wire"]; libmin[kn[key]] = lo[key, "wire"] }
		if (km[key] == "floor-seq") floormin[kn[key]] = lo[key, "wire"]
		if (km[key] == "floor-batch") fb[kn[key]] = md[key, "wire"]
		if (km[key] == "IPaddr2") ip2[kn[key]] = md[key, "wire"]
		if (km[key] == "libipto") {
			a = stat(key, "allocs")
			detail[kn[key]] = sprintf("N=%s: libipto new() %.3f ms; start(): adapters checked %.3f, last bind %.3f, announced %.3f ms; returned (start() + ipto_takeover_unref()) %.3f ms; %.0f heap allocations in start() (%.1f per address)",
				kn[key], stat(key, "new"), stat(key, "checked"), stat(key, "bound"),
				stat(key, "announced"), stat(key, "returned"), a, a / kn[key])
			dorder[++nd] = kn[key]
		}
		if (km[key] == "libipto-pcap")
			pdetail[kn[key]] = sprintf("; libipto-pcap: returned %.3f ms", stat(key, "returned"))
		if (km[key] ~ /^floor/)
			detail[kn[key]] = detail[kn[key]] sprintf("; %s: last bind %.3f ms", km[key], stat(key, "bound"))
	}
	print ""
	print "Where the time goes (medians; libipto from its takeover report):"
	for (k = 1; k <= nd; k++) print "  " detail[dorder[k]] pdetail[dorder[k]]
	print ""
	print "Targets:"
	worst = 0; best_b = 1e9; s = ""
	for (k = 1; k <= nk; k++) { n = kn[order[k]]; if (km[order[k]] != "libipto" || !(n in floor)) continue
		r = lib[n] / floor[n]; s = s sprintf(" N=%s %.2fx (best runs %.2fx)", n, r, libmin[n] / floormin[n]); if (r > worst) worst = r }
	printf "  libipto within 1.5x of the sequential floor (wire, medians) at every N:%s -> %s\n", s, ((worst <= 1.5 && worst > 0) ? "MET" : "NOT MET")
	s = ""; under = 1
	for (n in lib) if (n in floor) { r = lib[n] / floor[n]; if (r > 1) under = 0 }
	for (n in lib) if (n in fb) s = s sprintf(" N=%s %.2fx", n, lib[n] / fb[n])
	printf "  libipto at or under the sequential floor: %s; vs the batched floor:%s\n", (under ? "yes" : "no"), s
	s = ""; ok = 1; any = 0
	for (n in ip2) if (n in lib) { r = ip2[n] / lib[n]; s = s sprintf(" N=%s %.0fx", n, r); any = 1; if (r < 1000) ok = 0 }
	printf "  1000x faster than IPaddr2 per IP (wire):%s -> %s\n", (any ? s : " not measured"), (any ? (ok ? "MET" : "NOT MET") : "-")
}' "$RAW"

echo
awk -F'\t' -v have_status="$HAVE_STATUS" -v reps="$PROC_REPS" -v close_us="$CLOSE" '
function fmt(v) {
	if (v < 0.1) return sprintf("%.3f", v)
	if (v < 10) return sprintf("%.2f", v)
	if (v < 100) return sprintf("%.1f", v)
	return sprintf("%.0f", v)
}
function med(key,   a, i, j, t, n) {
	n = cnt[key]
	for (i = 1; i <= n; i++) a[i] = v[key, i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	lo[key] = a[1]; hi[key] = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function cell(n, m,   key) {
	key = n SUBSEP m
	if (!(key in cnt)) return "n/a"
	md[key] = med(key)
	return sprintf("%s [%s-%s]", fmt(md[key]), fmt(lo[key]), fmt(hi[key]))
}
function ratio(n, a, b) {
	if (!((n SUBSEP a) in md) || !((n SUBSEP b) in md) || md[n SUBSEP b] <= 0) return "-"
	return sprintf("%.2fx", md[n SUBSEP a] / md[n SUBSEP b])
}
{ key = $1 SUBSEP $2; if (!($1 in seen)) { seen[$1] = 1; ns[++nn] = $1 }
  cnt[key]++; v[key, cnt[key]] = $4 }
END {
	printf "What a caller waits for: whole processes, fork to exit (ms, median [min-max] of %d runs; N adapters, one address each):\n", reps
	printf "%-4s %-20s %-20s %6s   %-20s %-20s %6s   %-20s %-20s\n", "N", "ipto takeover", "ip -batch add", "ratio",
		"ipto release", "ip -batch del", "ratio", "ipto status", "ip -o addr show"
	for (k = 1; k <= nn; k++) {
		n = ns[k]
		c1 = cell(n, "ipto-takeover"); c2 = cell(n, "ip-batch-add")
		c3 = cell(n, "ipto-release"); c4 = cell(n, "ip-batch-del")
		c5 = cell(n, "ipto-status"); c6 = cell(n, "ip-addr-show")
		if (c1 == "n/a" && c2 == "n/a") continue
		printf "%-4s %-20s %-20s %6s   %-20s %-20s %6s   %-20s %-20s\n", n, c1, c2, ratio(n, "ipto-takeover", "ip-batch-add"),
			c3, c4, ratio(n, "ipto-release", "ip-batch-del"), c5, c6
	}
	if (("1" SUBSEP "IPaddr2-start") in cnt)
		printf "IPaddr2, N=1 (%d runs): start %s, monitor %s, stop %s\n", cnt["1" SUBSEP "IPaddr2-start"],
			cell(1, "IPaddr2-start"), cell(1, "IPaddr2-monitor"), cell(1, "IPaddr2-stop")
	s = ""
	for (k = 1; k <= nn; k++) { n = ns[k]; c = cell(n, "ipto-takeover-dryinj"); if (c != "n/a") s = s sprintf("  N=%s %s", n, c) }
	if (s != "") printf "ipto takeover --injector dryrun (the same, no packet socket):%s\n", s
	split(close_us, cu, " ")
	if (cu[1] != "") printf "one close() of an unbound AF_PACKET socket (bench-floor close, 50 times): %s [%s-%s] ms\n", fmt(cu[1] / 1e3), fmt(cu[2] / 1e3), fmt(cu[3] / 1e3)
	print ""
	print "Targets (whole processes, medians of this run):"
	s = ""; ok = 1; any = 0
	for (k = 1; k <= nn; k++) { n = ns[k]; if (n != 16 && n != 64) continue
		r = ratio(n, "ipto-takeover", "ip-batch-add"); if (r == "-") continue
		any = 1; s = s sprintf(" N=%s %s", n, r); if (md[n SUBSEP "ipto-takeover"] > 2.0 * md[n SUBSEP "ip-batch-add"]) ok = 0 }
	printf "  ipto takeover within 2.0x of ip -batch (adds) at N=16 and 64:%s -> %s\n", (any ? s : " not measured"), (any ? (ok ? "MET" : "NOT MET") : "-")
	s = ""; d = ""
	for (k = 1; k <= nn; k++) { n = ns[k]; if (n != 16 && n != 64) continue
		r = ratio(n, "ipto-takeover-dryinj", "ip-batch-add"); if (r == "-") continue
		s = s sprintf(" N=%s %s", n, r)
		d = d sprintf(" N=%s %s ms", n, fmt(md[n SUBSEP "ipto-takeover"] - md[n SUBSEP "ipto-takeover-dryinj"])) }
	if (s != "") printf "    the same with --injector dryrun (no packet socket; both start from a released standby):%s; takeover minus dry-run injector (medians):%s%s\n", s, d,
		(cu[1] != "" ? sprintf("; one close() above: %s ms", fmt(cu[1] / 1e3)) : "")
	s = ""; ok = 1; any = 0
	for (k = 1; k <= nn; k++) { n = ns[k]
		r = ratio(n, "ipto-release", "ip-batch-del"); if (r == "-") continue
		any = 1; s = s sprintf(" N=%s %s", n, r); if (md[n SUBSEP "ipto-release"] > 1.5 * md[n SUBSEP "ip-batch-del"]) ok = 0 }
	printf "  ipto release within 1.5x of ip -batch (deletes):%s -> %s\n", (any ? s : " not measured"), (any ? (ok ? "MET" : "NOT MET") : "-")
	if (!have_status) print "  ipto status under 20 ms at N=64: n/a (this ipto has no status command)"
	else if (("64" SUBSEP "ipto-status") in md)
		printf "  ipto status under 20 ms at N=64: %s ms -> %s\n", fmt(md["64" SUBSEP "ipto-status"]), (md["64" SUBSEP "ipto-status"] < 20 ? "MET" : "NOT MET")
	else print "  ipto status under 20 ms at N=64: not measured (N=64 not run)"
}' "$PROC"
echo
echo "Injector ports (median of 3): K ports opened at once, 20000 frames round robin with ipto_injector_send_multi(), all closed:"
awk -F'\t' '
function med3(a, b, c) { return (a >= b) ? ((b >= c) ? b : (a >= c ? c : a)) : ((a >= c) ? a : (b >= c ? c : b)) }
function m(f, k) { return n[k] >= 3 ? med3(v[k,1,f], v[k,2,f], v[k,3,f]) : v[k,1,f] }
{ k = $1 " " $2; if (!(k in n)) o[++no] = k; n[k]++; for (f = 3; f <= 8; f++) v[k, n[k], f] = $f }
END { printf "  %-8s %5s %14s %16s %14s %14s %8s\n", "injector", "K", "open all ms", "frames/s", "close all ms", "packet sockets", "allocs"
	for (i = 1; i <= no; i++) { k = o[i]; split(k, kk, " ")
		printf "  %-8s %5s %14.2f %16.0f %14.2f %14d %8d\n", kk[1], kk[2], m(4, k) / 1e3, m(5, k), m(7, k) / 1e3, m(8, k), m(6, k) } }' "$PORTS"

echo
echo "Injector rates (frames/s, median of 3; $FRAMES frames of 60 bytes to a veth peer):"
awk -F'\t' '
function med3(a, b, c) { return (a >= b) ? ((b >= c) ? b : (a >= c ? c : a)) : ((a >= c) ? a : (b >= c ? c : b)) }
{ k = $1; if (!(k in n)) o[++no] = k; n[k]++; v[k, n[k]] = $5; op[k, n[k]] = $7; cl[k, n[k]] = $8; al[k] += $6 }
END { for (i = 1; i <= no; i++) { k = o[i]
	m = n[k] >= 3 ? med3(v[k,1], v[k,2], v[k,3]) : v[k,1]
	p = n[k] >= 3 ? med3(op[k,1], op[k,2], op[k,3]) : op[k,1]
	c = n[k] >= 3 ? med3(cl[k,1], cl[k,2], cl[k,3]) : cl[k,1]
	printf "  %-50s %8.0f%s\n", k, m, (k ~ /^libipto/ ? sprintf("   port open %.0f us, close %.0f us; %.0f heap allocations while sending", p, c, al[k]) : "") } }' "$INJ"

echo
set -- $OPS_LIB $OPS_RAW
if [ $# -ge 12 ]; then
	echo "Single netlink calls on an idle adapter (median us; heap allocations per call):"
	printf '  ipto_binder_adapter_get()     %6s  (%s)   raw RTM_GETLINK by name     %6s\n' "$1" "$5" "$9"
	printf '  ipto_binder_devconf_get()  %6s  (%s)   if_nametoindex()            %6s\n' "$2" "$6" "${10}"
	printf '  ipto_binder_addr_add()     %6s  (%s)   raw RTM_NEWADDR + ACK       %6s\n' "$3" "$7" "${11}"
	printf '  ipto_binder_addr_del()     %6s  (%s)   raw RTM_DELADDR + ACK       %6s\n' "$4" "$8" "${12}"
fi

echo
echo "Memory:"
awk -F'\t' -v base="$RSS_BASE" -v nmax="$NMAX" '
$3 == "ipto-command" && $1 == nmax { if ($14 > mx) mx = $14; c++ }
END { if (c) printf "  ipto takeover of %s addresses: peak RSS %d KiB (max of %d runs); ipto --version: %d KiB\n", nmax, mx, c, base }' "$RAW"
set -- $ALLOCS
if [ $# -ge 4 ]; then
	awk -v r="$1" -v f="$2" -v a="$3" -v b="$4" -v rep="$5" -v n="$ALLOC_N" 'BEGIN {
		printf "  announcement path: %d rounds x %d addresses = %d frames through ipto_takeover_dispatch(): %d heap allocations (%.4f per frame, %d bytes); report entries kept: %d\n",
			r, n, f, a, f ? a / f : 0, b, rep
		printf "  target: zero heap allocations per frame -> %s\n", (a == 0 && f > 0) ? "MET" : "NOT MET" }'
fi
