#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# client-matrix.sh: measure which announcement frames move a Linux client's
# neighbour entry to the standby's takeover adapter, for each client
# configuration, on the test LAN of lan.sh. Prints one table per family:
# rows = client configurations, columns = frame senders, cell = how many
# clients' entries moved to the takeover adapter's MAC, and when (ms after
# the sender started, slowest client).
#
# usage: client-matrix.sh [--per-cell N] [--window MS] [--runs R]
#                         [--column F:NAME=CMD]... [--no-default-columns]
#                         [--ipto PATH] [--family 4|6] [--markdown] [--verbose]
#
# One run of a column, for every row at once (each row has its own N clients):
#   1. a1 holds the address IP (192.0.2.11 / 2001:db8:2::11) and is plugged;
#      the clients of every row are set to the row's sysctls and their entry
#      for IP is deleted;
#   2. rows with an "old" entry ping IP (entry created, then left alone
#      for at least 1.3 s: longer than the 1 s locktime);
#   3. a neigh-watch per client starts waiting for IP -> tk1's MAC;
#   4. rows with a "fresh" entry ping IP (entry under 1 s old at step 6);
#   5. a1's cable is pulled (a failed node stays silent), and the standby
#      binds IP on its takeover adapter tk1 (nothing is sent by that);
#   6. the column's command runs in the standby's namespace; t0 is taken
#      there just before it starts;
#   7. --window ms after the command returned, the watchers that have not
#      seen the change are stopped: those clients did not follow.
#
# A column is F:NAME=CMD: F is 4 or 6 (the family it announces), CMD a
# shell command run with sh -c inside the standby's namespace, with
#   IF       the takeover adapter (tk1)      MAC  its MAC
#   IP       the address taken over          BCAST 192.0.2.255
#   ANNOUNCE tests/netns/announce-tmp (a temporary sender, see announce-tmp.c)
#   IPTO     the ipto command given with --ipto (else empty)
# e.g. --column '4:ipto bcast=$IPTO announce -i $IF --ip $IP --style arp-bcast-target'
# The command's exit status is checked: a failed sender shows as ERR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"

per_cell=3 window=2000 runs=1 markdown=0 verbose=0 defaults=1 family=
ipto=
columns=()
usage() {
	sed -n '/^# usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--per-cell) per_cell=${2-}; shift ;;
	--window) window=${2-}; shift ;;
	--runs) runs=${2-}; shift ;;
	--column) columns+=("${2-}"); shift ;;
	--no-default-columns) defaults=0 ;;
	--ipto) ipto=${2-}; shift ;;
	--family) family=${2-}; shift ;;
	--markdown) markdown=1 ;;
	--verbose) verbose=1 ;;
	*) usage ;;
	esac
	shift
done
for v in "$per_cell" "$window" "$runs"; do
	case $v in '' | *[!0-9]* | 0) usage ;; esac
done
case $family in '' | 4 | 6) ;; *) usage ;; esac

[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
: "${IPTO_BUILD_ROOT:=$here/../../build}"
NW=$(lan_neigh_watch_path) || exit 2
ANNOUNCE=${ANNOUNCE_TMP:-$IPTO_BUILD_ROOT/tests/netns/announce-tmp}
for tool in "$ANNOUNCE" ${ipto:+"$ipto"}; do
	[ -x "$tool" ] || { echo "client-matrix: $tool not found (build first)" >&2; exit 2; }
done
command -v arping >/dev/null && command -v ping >/dev/null ||
	{ echo "client-matrix: needs arping (iputils-arping) and ping (iputils-ping)" >&2; exit 2; }

# --- columns -----------------------------------------------------------------
U='arping -q -U -c 1 -I "$IF" "$IP"'
A='arping -q -A -c 1 -I "$IF" "$IP"'
B='"$ANNOUNCE" arp "$IF" request "$IP" "$BCAST"'
# arping waits a second after its last frame: run it in the background so
# that the frames of one round leave together, and collect it at the end.
round="$U & p=\"\$p \$!\"; $A & p=\"\$p \$!\"; $B || s=1"
rounds2="s=0 p=; $round; sleep 1.1; $round; for q in \$p; do wait \$q || s=1; done; exit \$s"
if [ $defaults = 1 ]; then
	columns=(
		"4:none=true"
		"4:arping -U=$U"
		"4:arping -A=$A"
		"4:bcast-target=$B"
		"4:-U + bcast=$U & u=\$!; $B && wait \$u"
		"4:2 rounds 1.1 s=$rounds2"
		'6:none=true'
		'6:NA, O set=$ANNOUNCE na "$IF" "$IP"'
		'6:NA, O clear=$ANNOUNCE na "$IF" "$IP" no-override'
		"${columns[@]}"
	)
fi
if [ -n "$ipto" ]; then
	for s in arp-announce arp-reply arp-bcast-target; do
		columns+=("4:ipto $s=\$IPTO announce -i \"\$IF\" --ip \"\$IP\" --style $s")
	done
	columns+=('4:ipto default, 1 round=$IPTO announce -i "$IF" --ip "$IP"'
		'4:ipto default, 2 rounds=$IPTO announce -i "$IF" --ip "$IP" --count 2'
		'6:ipto na=$IPTO announce -i "$IF" --ip "$IP" --style na')
fi

# --- rows: LABEL|FAMILY|SYSCTLS|ENTRY (fresh: <1 s old, old: >1 s, none) -----
rows=(
	"defaults, entry <1 s old|4||fresh"
	"defaults, entry >1 s old|4||old"
	"drop_gratuitous_arp=1, entry <1 s|4|net.ipv4.conf.eth0.drop_gratuitous_arp=1|fresh"
	"drop_gratuitous_arp=1, entry >1 s|4|net.ipv4.conf.eth0.drop_gratuitous_arp=1|old"
	"arp_accept=0 (default), no entry|4||none"
	"arp_accept=1, entry >1 s|4|net.ipv4.conf.eth0.arp_accept=1|old"
	"arp_accept=1, no entry|4|net.ipv4.conf.eth0.arp_accept=1|none"
	"arp_accept=2, entry >1 s|4|net.ipv4.conf.eth0.arp_accept=2|old"
	"arp_accept=2, no entry|4|net.ipv4.conf.eth0.arp_accept=2|none"
	"defaults, entry <1 s old|6||fresh"
	"defaults, entry >1 s old|6||old"
	"defaults, no entry|6||none"
	"drop_unsolicited_na=1, entry >1 s|6|net.ipv6.conf.eth0.drop_unsolicited_na=1|old"
	"accept_untracked_na=1, no entry|6|net.ipv6.conf.eth0.accept_untracked_na=1|none"
	"accept_untracked_na=1, forwarding=1 (router), no entry|6|net.ipv6.conf.eth0.accept_untracked_na=1 net.ipv6.conf.eth0.forwarding=1|none"
)
# Keep only the rows (and columns) of the chosen family; drop rows whose
# sysctl this kernel lacks.
sel=()
for r in "${rows[@]}"; do
	IFS='|' read -r label fam sysctls entry <<<"$r"
	[ -z "$family" ] || [ "$fam" = "$family" ] || continue
	key=${sysctls%%=*}
	if [ -n "$key" ] && [ ! -e "/proc/sys/$(echo "${key/.eth0./.default.}" | tr . /)" ]; then
		echo "# row '$label': no $key in this kernel, left out" >&2
		continue
	fi
	sel+=("$r")
done
rows=("${sel[@]}")
sel=()
for c in "${columns[@]}"; do
	case $c in
	[46]:?*=*) [ -z "$family" ] || [ "${c%%:*}" = "$family" ] && sel+=("$c") ;;
	*) echo "client-matrix: bad --column '$c' (F:NAME=CMD)" >&2; exit 2 ;;
	esac
done
columns=("${sel[@]}")
nclients=$((${#rows[@]} * per_cell))
[ $nclients -le 99 ] || { echo "client-matrix: $nclients clients, 99 at most" >&2; exit 2; }

# --- the LAN -------------------------------------------------------------------
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"
lan_up --prefix iptolan-cm- --clients $nclients --actives 1 --takeover 1 --ipv6 || exit 1
sb=$(lan_ns sb)
tkmac=$(lan_mac sb tk1)
# row_clients I: the clients of row I (0-based).
row_clients() {
	local i
	for ((i = $1 * per_cell + 1; i <= ($1 + 1) * per_cell; i++)); do echo "c$i"; done
}
for ((r = 0; r < ${#rows[@]}; r++)); do
	IFS='|' read -r label fam sysctls entry <<<"${rows[$r]}"
	[ -n "$sysctls" ] || continue
	for c in $(row_clients $r); do
		# shellcheck disable=SC2086
		lan_sysctl "$c" $sysctls || exit 1
	done
done
now_us() { "$NW" --now; }
log() { [ $verbose = 1 ] && echo "# $*" >&2; return 0; }

# Results: res[row,col] accumulates "followed total maxms"; notes per column.
declare -A followed total maxms err
fresh_ages=() old_ages=()

# ping_rows ROW...: the clients of these rows ping $ip, all at once (a
# failed ping marks the row's cell, in run_column's variables).
ping_rows() {
	local r c i
	ppids=() prows=()
	for r in "$@"; do
		for c in $(row_clients $r); do
			lan_exec "$c" ping -n -q -c 1 -W 2 "$ip" >/dev/null 2>&1 &
			ppids+=("$!") prows+=("$r")
		done
	done
	for ((i = 0; i < ${#ppids[@]}; i++)); do
		if ! wait "${ppids[$i]}"; then
			err[${prows[$i]},$col]=1
			log "$name: a ping from row ${prows[$i]} failed"
		fi
	done
}

# run_column COL: one run of column COL for all rows of its family.
run_column() {
	local col=$1 spec=${columns[$1]} fam name cmd ip plen r c i t0 t1 tf to rc ms out
	local -a wpids=() wclients=() wrows=() ppids=() prows=() old_rows=() fresh_rows=()
	fam=${spec%%:*} spec=${spec#*:}
	name=${spec%%=*} cmd=${spec#*=}
	if [ "$fam" = 4 ]; then ip=$(lan_ip4 a1) plen=24; else ip=$(lan_ip6 a1) plen=64; fi

	# 1. reset
	lan_cable a1 eth0 on
	ip -n "$sb" addr del "$ip/$plen" dev tk1 2>/dev/null
	for ((r = 0; r < ${#rows[@]}; r++)); do
		IFS='|' read -r _ f _ entry <<<"${rows[$r]}"
		[ "$f" = "$fam" ] || continue
		for c in $(row_clients $r); do
			ip -n "$(lan_ns "$c")" neigh del "$ip" dev eth0 2>/dev/null
		done
		case $entry in old) old_rows+=("$r") ;; fresh) fresh_rows+=("$r") ;; esac
	done
	# 2. old entries
	ping_rows "${old_rows[@]}"
	to=$(now_us)
	# 3. watchers
	rm -f "$tmp"/ready.* "$tmp"/out.*
	for ((r = 0; r < ${#rows[@]}; r++)); do
		IFS='|' read -r _ f _ _ <<<"${rows[$r]}"
		[ "$f" = "$fam" ] || continue
		for c in $(row_clients $r); do
			ip netns exec "$(lan_ns "$c")" "$NW" --wait "$ip" "$tkmac" -i eth0 \
				-t 0 --abs -r "$tmp/ready.$c" >"$tmp/out.$c" 2>/dev/null &
			wpids+=("$!") wclients+=("$c") wrows+=("$r")
		done
	done
	for c in "${wclients[@]}"; do
		for ((i = 0; i < 200; i++)); do [ -e "$tmp/ready.$c" ] && break; sleep 0.05; done
	done
	# entries as the row wants them?
	for ((i = 0; i < ${#wclients[@]}; i++)); do
		IFS='|' read -r _ _ _ entry <<<"${rows[${wrows[$i]}]}"
		[ "$entry" = fresh ] && continue
		out=$(lan_neigh "${wclients[$i]}" "$ip")
		case $entry:$out in
		old:*" $(lan_mac a1 eth0) "*) ;;
		none:*" NONE") ;;
		*) err[${wrows[$i]},$col]=1; log "$name: ${wclients[$i]} ($entry) starts with: $out" ;;
		esac
	done
	# old entries must be older than the locktime (1 s) plus margin
	t1=$(now_us)
	[ $((t1 - to)) -lt 1300000 ] && sleep "$(printf '0.%06d' $((1300000 - (t1 - to))))"
	# 4. fresh entries
	ping_rows "${fresh_rows[@]}"
	tf=$(now_us)
	# 5. a1 fails silently; the standby binds the address
	lan_cable a1 eth0 off
	ip -n "$sb" addr add "$ip/$plen" dev tk1 nodad 2>/dev/null ||
		ip -n "$sb" addr add "$ip/$plen" dev tk1
	# 6. send; t0 is taken inside the namespace, just before the command
	ip netns exec "$sb" env IF=tk1 IP="$ip" MAC="$tkmac" BCAST="$LAN_BCAST4" \
		ANNOUNCE="$ANNOUNCE" IPTO="$ipto" NW="$NW" T0="$tmp/t0" \
		sh -c '"$NW" --now >"$T0" && eval "$1"' sh "$cmd" >"$tmp/sender" 2>&1
	rc=$?
	t0=$(cat "$tmp/t0")
	[ ${#fresh_rows[@]} -gt 0 ] && fresh_ages+=($(((t0 - tf) / 1000)))
	[ ${#old_rows[@]} -gt 0 ] && old_ages+=($(((t0 - to) / 1000)))
	if [ $rc != 0 ]; then
		err[send,$col]=1
		echo "# column '$name': the sender failed ($rc): $(head -c 300 "$tmp/sender")" >&2
	fi
	# 7. window, then stop the watchers
	sleep "$((window / 1000)).$(printf '%03d' $((window % 1000)))"
	kill -TERM "${wpids[@]}" 2>/dev/null
	for ((i = 0; i < ${#wpids[@]}; i++)); do
		r=${wrows[$i]} c=${wclients[$i]}
		total[$r,$col]=$((${total[$r,$col]-0} + 1))
		if wait "${wpids[$i]}"; then
			ms=$((($(cat "$tmp/out.$c") - t0) / 1000))
			followed[$r,$col]=$((${followed[$r,$col]-0} + 1))
			[ "$ms" -gt "${maxms[$r,$col]--1}" ] && maxms[$r,$col]=$ms
			log "$name: $c followed after $ms ms"
		else
			log "$name: $c did not follow: $(cat "$tmp/out.$c")"
		fi
	done
	ip -n "$sb" addr del "$ip/$plen" dev tk1 2>/dev/null
	lan_cable a1 eth0 on
}

for ((run = 1; run <= runs; run++)); do
	for ((col = 0; col < ${#columns[@]}; col++)); do
		log "run $run column ${columns[$col]%%=*}"
		run_column $col
	done
done

# --- the tables -----------------------------------------------------------------
range() { printf '%s\n' "$@" | sort -n | sed -n '1p;$p' | paste -sd- | sed 's/^\([0-9]*\)-\1$/\1/'; }
cell() {
	local r=$1 col=$2 f=${followed[$1,$2]-0} t=${total[$1,$2]-0}
	if [ -n "${err[send,$col]-}" ]; then echo "ERR"; return; fi
	if [ -n "${err[$r,$col]-}" ]; then echo "bad setup"; return; fi
	if [ "$f" -gt 0 ]; then echo "$f/$t ${maxms[$r,$col]}ms"; else echo "$f/$t"; fi
}
echo "# client matrix: $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(arping -V 2>&1 | head -1)"
echo "# $per_cell clients per cell, $runs run(s); window ${window} ms after the sender returned"
echo "# cell: clients whose entry moved to tk1's MAC / clients, and the slowest one (ms after the sender started)"
echo "# entries: <1 s old = $(range "${fresh_ages[@]:-0}") ms, >1 s old = $(range "${old_ages[@]:-0}") ms when the sender started;" \
	"client locktime $(lan_exec c1 sysctl -n net.ipv4.neigh.eth0.locktime) (1/100 s)"
lw=14
for r in "${rows[@]}"; do l=${r%%|*}; [ ${#l} -gt $lw ] && lw=${#l}; done
for fam in 4 6; do
	cols=()
	for ((col = 0; col < ${#columns[@]}; col++)); do
		[ "${columns[$col]%%:*}" = "$fam" ] && cols+=("$col")
	done
	[ ${#cols[@]} -gt 0 ] || continue
	echo
	if [ $markdown = 1 ]; then
		line="| IPv$fam client |"
		sep="|---|"
		for col in "${cols[@]}"; do
			n=${columns[$col]#*:}
			line+=" ${n%%=*} |"
			sep+="---|"
		done
		echo "$line"
		echo "$sep"
	else
		printf '%-*s' $lw "IPv$fam client"
		for col in "${cols[@]}"; do n=${columns[$col]#*:}; printf ' %-15s' "${n%%=*}"; done
		echo
	fi
	for ((r = 0; r < ${#rows[@]}; r++)); do
		IFS='|' read -r label f _ _ <<<"${rows[$r]}"
		[ "$f" = $fam ] || continue
		if [ $markdown = 1 ]; then
			line="| $label |"
			for col in "${cols[@]}"; do line+=" $(cell $r $col) |"; done
			echo "$line"
		else
			printf '%-*s' $lw "$label"
			for col in "${cols[@]}"; do printf ' %-15s' "$(cell $r $col)"; done
			echo
		fi
	done
done
