#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# client-matrix.sh: measure which announcement frames move a Linux client's
# neighbour entry to the standby's takeover adapter, for each client
# configuration, on the test LAN of lan.sh. Every sender is libipto's own:
# `ipto announce --style S` for each frame style alone, and `ipto takeover`
# for the library's default schedule, end to end. Prints one table per
# family: rows = client configurations, columns = senders, cell = how many
# clients' entries moved to the takeover adapter's MAC, and when (ms after
# the sender started, slowest client).
#
# With --check it is the test of the matrix (meson test client-matrix): it
# runs the columns that rows have expectations for, and prints TAP, one line
# per expected cell (see EXPECT below).
#
# usage: client-matrix.sh [--check] [--per-cell N] [--window MS] [--runs R]
#                         [--column F:NAME=CMD]... [--no-default-columns]
#                         [--ipto PATH] [--schedule SPEC] [--family 4|6]
#                         [--markdown] [--verbose]
#
# One run of a column, for every row at once (each row has its own N clients):
#   1. a1 holds the address IP (192.0.2.11 / 2001:db8:2::11) and is plugged;
#      the clients of every row are set to the row's sysctls and their entry
#      for IP is deleted; tk1 has no address and kernel-default arp_ignore
#      and arp_announce;
#   2. rows with an "old" entry ping IP (entry created, then left alone
#      for at least 1.3 s: longer than the 1 s locktime; the script waits
#      until CLOCK_MONOTONIC says so, and checks it again with t0 below:
#      an old cell whose entries were younger than that fails);
#   3. a neigh-watch per client starts waiting for IP -> tk1's MAC;
#   4. rows with a "fresh" entry ping IP (entry under 1 s old when the
#      first frame leaves, see below);
#   5. a1's cable is pulled (a failed node stays silent), and the standby
#      binds IP on its takeover adapter tk1 (nothing is sent by that) --
#      unless the column binds it itself (F = 4t or 6t: `ipto takeover`);
#   6. the column's command runs in the standby's namespace; t0 is taken
#      there just before it starts, t1 just after it returned;
#   7. --window ms after the command returned (by the clock, t1; earlier
#      once every watcher has seen its change), the watchers that have not
#      seen the change are stopped: those clients did not follow, and the
#      state they saw last is kept (still the old MAC, or no entry at all).
#
# A "fresh" entry must still be inside its locktime when the first frame
# reaches the client, or the run says nothing about locktime. The script
# knows an upper bound of that age: t1 (minus the span between the first and
# last announcement that `ipto --json takeover` reports) minus the moment the
# fresh pings started. A run where that bound is 900 ms or more (a machine
# too busy) is run again, at most 3 times; then its fresh cells show
# "stale" (a check: SKIP). This only decides whether a run is valid; no
# result is judged by its time.
#
# A column is F:NAME=CMD: F is 4 or 6 (the family it announces), with a
# "t" (4t, 6t) when the command binds the address itself; CMD is a shell
# command run with sh -c inside the standby's namespace, with
#   IF    the takeover adapter (tk1)     MAC   its MAC
#   IP    the address taken over         PLEN  its prefix length
#   BCAST 192.0.2.255                    IPTO  the ipto command (--ipto)
#   SCHEDULE  the --schedule SPEC given (else empty)
# e.g. --column '4:arping -U=arping -q -U -c 1 -I "$IF" "$IP"'
# The command's exit status is checked: a failed sender shows as ERR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"

check=0 per_cell='' window=2000 runs=1 markdown=0 verbose=0 defaults=1 family=
ipto='' schedule=''
columns=()
usage() {
	sed -n '/^# usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=1 ;;
	--per-cell) per_cell=${2-}; shift ;;
	--window) window=${2-}; shift ;;
	--runs) runs=${2-}; shift ;;
	--column) columns+=("${2-}"); shift ;;
	--no-default-columns) defaults=0 ;;
	--ipto) ipto=${2-}; shift ;;
	--schedule) schedule=${2-}; shift ;;
	--family) family=${2-}; shift ;;
	--markdown) markdown=1 ;;
	--verbose) verbose=1 ;;
	*) usage ;;
	esac
	shift
done
# A check needs one client per cell to assert an outcome (and is quicker
# with fewer namespaces); a measurement shows more.
[ -n "$per_cell" ] || per_cell=$((check ? 1 : 3))
for v in "$per_cell" "$window" "$runs"; do
	case $v in '' | *[!0-9]* | 0) usage ;; esac
done
case $family in '' | 4 | 6) ;; *) usage ;; esac

: "${IPTO_BUILD_ROOT:=$here/../../build}"
[ -n "$ipto" ] || ipto=$IPTO_BUILD_ROOT/examples/ipto
if [ "$(id -u)" != 0 ]; then
	[ $check = 1 ] && { echo "1..0 # SKIP needs root to create network namespaces"; exit 0; }
	lan_skip "needs root to create network namespaces"
fi
NW=$(lan_neigh_watch_path) || exit 2
[ -x "$ipto" ] || { echo "client-matrix: $ipto not found (build first, or --ipto PATH)" >&2; exit 2; }
command -v ping >/dev/null ||
	{ echo "client-matrix: needs ping (iputils-ping)" >&2; exit 2; }

# --- columns -----------------------------------------------------------------
# Each frame style alone, one frame, from `ipto announce`; the first round of
# the default schedule alone (`ipto announce` without --style sends its
# IPv4 styles); and the default schedule end to end: `ipto takeover` binds
# the address, sets arp_ignore/arp_announce and runs the library's default
# schedule (include/ipto/ipto-takeover.h), as a cluster manager would.
# shellcheck disable=SC2016 # expanded by the sender's shell
announce='"$IPTO" announce -i "$IF" --ip "$IP"'
# shellcheck disable=SC2016
takeover='"$IPTO" --json --node "a1,$IP/$PLEN" --adapter "sb,$IF" ${SCHEDULE:+--schedule "$SCHEDULE"} takeover --fail a1'
# The same with every client known to the standby (a `neighbour` line
# each, both families, in $NEIGHBOURS: doc/neighbour-list.md), so each
# round also sends one directed request (NS) to each: its first round
# only (directed-once), and the default schedule (default+directed).
# shellcheck disable=SC2016
directed='"$IPTO" --json -c "$NEIGHBOURS" --node "a1,$IP/$PLEN" --adapter "sb,$IF"'
if [ $defaults = 1 ]; then
	columns=(
		"4:none=true"
		"4:arp-announce=$announce --style arp-announce"
		"4:arp-reply=$announce --style arp-reply"
		"4:arp-bcast-target=$announce --style arp-bcast-target"
		"4:announce+bcast, 1 round=$announce --style arp-announce,arp-bcast-target"
		"4t:default-schedule=$takeover"
		"4t:directed-once=$directed --schedule once takeover --fail a1"
		"4t:default+directed=$directed takeover --fail a1"
		"6:none=true"
		"6:na=$announce --style na"
		"6t:default-schedule=$takeover"
		"6t:directed-once=$directed --schedule once takeover --fail a1"
		"6t:default+directed=$directed takeover --fail a1"
		"${columns[@]}"
	)
fi

# --- rows: LABEL|FAMILY|SYSCTLS|ENTRY|EXPECT|REASON ---------------------------
# ENTRY: fresh (<1 s old), old (>1 s), none.
# EXPECT (what --check asserts), space-separated COLUMN=OUTCOME:
#   Y       every client's entry moved to tk1's MAC
#   N:old   no client's entry moved; each still holds the failed node's MAC
#   N:none  no client's entry moved; none of them has an entry at all
# REASON: why a cell of the row does not converge (shown by --check).
garp="drop_gratuitous_arp=1 drops every frame whose target IP is its sender IP (the announcement and the reply); the broadcast-target request passes but obeys locktime"
lock="locktime: a request whose target IP is not its sender IP cannot change an entry updated less than 1 s before"
noacc="arp_accept=0: a client creates no entry from an unsolicited frame; it asks when it needs the address, and only the owning adapter answers (test arp-flux)"
bcnew="arp_accept creates entries only from frames whose target IP is their sender IP, never from the broadcast-target request"
na6="a host never creates a neighbour entry from an unsolicited NA (RFC 4861 7.2.5); it solicits when it needs the address"
dun="drop_unsolicited_na=1 drops every unsolicited NA: no frame can move the entry; the client's own NUD (STALE, DELAY, PROBE to the old MAC, then multicast solicitation) finds the standby when it next sends"
rows=(
	"defaults, entry <1 s old|4||fresh|none=N:old arp-announce=Y arp-reply=Y arp-bcast-target=N:old default-schedule=Y directed-once=Y|$lock"
	"defaults, entry >1 s old|4||old|none=N:old arp-announce=Y arp-bcast-target=Y default-schedule=Y directed-once=Y|"
	"drop_gratuitous_arp=1, entry <1 s|4|net.ipv4.conf.eth0.drop_gratuitous_arp=1|fresh|arp-announce=N:old arp-reply=N:old arp-bcast-target=N:old default-schedule=Y directed-once=Y|$garp"
	"drop_gratuitous_arp=1, entry >1 s|4|net.ipv4.conf.eth0.drop_gratuitous_arp=1|old|arp-announce=N:old arp-reply=N:old arp-bcast-target=Y default-schedule=Y directed-once=Y|$garp"
	"arp_accept=0 (default), no entry|4||none|arp-announce=N:none default-schedule=N:none directed-once=Y|$noacc"
	"arp_accept=1, entry >1 s|4|net.ipv4.conf.eth0.arp_accept=1|old|default-schedule=Y directed-once=Y|"
	"arp_accept=1, no entry|4|net.ipv4.conf.eth0.arp_accept=1|none|arp-announce=Y arp-bcast-target=N:none default-schedule=Y directed-once=Y|$bcnew"
	"arp_accept=2, entry >1 s|4|net.ipv4.conf.eth0.arp_accept=2|old|default-schedule=Y directed-once=Y|"
	"arp_accept=2, no entry|4|net.ipv4.conf.eth0.arp_accept=2|none|arp-announce=Y arp-bcast-target=N:none default-schedule=Y directed-once=Y|$bcnew"
	"defaults, entry <1 s old|6||fresh|na=Y default-schedule=Y directed-once=Y|"
	"defaults, entry >1 s old|6||old|none=N:old na=Y default-schedule=Y directed-once=Y|"
	"defaults, no entry|6||none|na=N:none default-schedule=N:none directed-once=Y|$na6"
	"drop_unsolicited_na=1, entry >1 s|6|net.ipv6.conf.eth0.drop_unsolicited_na=1|old|na=N:old default-schedule=N:old directed-once=Y|$dun"
	"accept_untracked_na=1, no entry|6|net.ipv6.conf.eth0.accept_untracked_na=1|none|default-schedule=N:none directed-once=Y|$na6; accept_untracked_na acts only on a router (forwarding=1)"
	"accept_untracked_na=1, forwarding=1 (router), no entry|6|net.ipv6.conf.eth0.accept_untracked_na=1 net.ipv6.conf.eth0.forwarding=1|none|default-schedule=Y directed-once=Y|"
)
# Keep only the rows (and columns) of the chosen family; leave out rows whose
# sysctl this kernel lacks (a check reports their expectations as SKIP).
sel=() dropped=()
for r in "${rows[@]}"; do
	IFS='|' read -r label fam sysctls entry _ <<<"$r"
	[ -z "$family" ] || [ "$fam" = "$family" ] || continue
	key=${sysctls%%=*}
	if [ -n "$key" ] && [ ! -e "/proc/sys/$(echo "${key/.eth0./.default.}" | tr . /)" ]; then
		echo "# row '$label': no $key in this kernel, left out" >&2
		dropped+=("$r")
		continue
	fi
	sel+=("$r")
done
rows=("${sel[@]}")
# expected ROW COLUMN-NAME: the row's expected outcome for that column, if any.
expected() {
	local e
	IFS='|' read -r _ _ _ _ e _ <<<"$1"
	for e in $e; do
		[ "${e%%=*}" = "$2" ] && { echo "${e#*=}"; return 0; }
	done
	return 1
}
sel=()
for c in "${columns[@]}"; do
	case $c in
	[46]:?*=* | [46]t:?*=*) ;;
	*) echo "client-matrix: bad --column '$c' (F:NAME=CMD)" >&2; exit 2 ;;
	esac
	f=${c%%:*} f=${f%t} n=${c#*:} n=${n%%=*}
	[ -z "$family" ] || [ "$f" = "$family" ] || continue
	if [ $check = 1 ]; then
		# a check runs only the columns some row has an expectation for
		want=0
		for r in "${rows[@]}"; do
			IFS='|' read -r _ rf _ _ _ <<<"$r"
			[ "$rf" = "$f" ] && expected "$r" "$n" >/dev/null && { want=1; break; }
		done
		[ $want = 1 ] || continue
	fi
	sel+=("$c")
done
columns=("${sel[@]}")
nclients=$((${#rows[@]} * per_cell))
[ $nclients -le 99 ] || { echo "client-matrix: $nclients clients, 99 at most" >&2; exit 2; }

# --- the LAN -------------------------------------------------------------------
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"
if [ $check = 1 ]; then
	prefix=iptomx-c-
else
	prefix=iptomx-m-
fi
lan_up --prefix $prefix --clients $nclients --actives 1 --takeover 1 --ipv6 || {
	[ $check = 1 ] && echo "Bail out! lan_up failed"
	exit 1
}
sb=$(lan_ns sb)
tkmac=$(lan_mac sb tk1)
a1mac=$(lan_mac a1 eth0)
# every client, both families, as description lines (the directed columns)
neighbours=$tmp/neighbours.conf
for ((i = 1; i <= nclients; i++)); do
	echo "neighbour $(lan_ip4 "c$i") $(lan_mac "c$i" eth0)"
	echo "neighbour $(lan_ip6 "c$i") $(lan_mac "c$i" eth0)"
done >"$neighbours"
# row_clients I: the clients of row I (0-based).
row_clients() {
	local i
	for ((i = $1 * per_cell + 1; i <= ($1 + 1) * per_cell; i++)); do echo "c$i"; done
}
for ((r = 0; r < ${#rows[@]}; r++)); do
	IFS='|' read -r label fam sysctls entry _ <<<"${rows[$r]}"
	[ -n "$sysctls" ] || continue
	for c in $(row_clients $r); do
		# shellcheck disable=SC2086
		lan_sysctl "$c" $sysctls || exit 1
	done
done
now_us() { "$NW" --now; }
# An "old" entry is at least this old (µs) when the first frame leaves.
OLD_US=1300000
log() { [ $verbose = 1 ] && echo "# $*" >&2; return 0; }

# Results, per "row,col": followed, total, maxms (slowest), err (bad setup),
# stale (fresh entries were not fresh), last (the states of the clients that
# did not follow, one a line); err[send,col]: the sender failed.
declare -A followed total maxms err stale young last
fresh_ages=() old_ages=()

# ping_rows ROW...: the clients of these rows ping $ip, all at once (a
# failed ping marks the row's cell as a bad setup, in cur_err).
ping_rows() {
	local r c i
	local -a ppids=() prows=()
	for r in "$@"; do
		for c in $(row_clients "$r"); do
			lan_exec "$c" ping -n -q -c 1 -W 2 "$ip" >/dev/null 2>&1 &
			ppids+=("$!") prows+=("$r")
		done
	done
	for ((i = 0; i < ${#ppids[@]}; i++)); do
		if ! wait "${ppids[$i]}"; then
			cur_err[${prows[$i]}]=1
			log "$name: a ping from row ${prows[$i]} failed"
		fi
	done
}

# run_column COL: one run of column COL for all rows of its family. Fills
# the cur_* arrays (per row) and sets cur_age (ms, the fresh entries' age
# bound; -1 without fresh rows) and cur_senderr.
run_column() {
	local col=$1 spec=${columns[$1]} fam binds=0 name cmd ip plen r c i t0 t1 tf to rc ms out span
	local end now alive d
	local -a wpids=() wclients=() wrows=() old_rows=() fresh_rows=()
	fam=${spec%%:*} spec=${spec#*:}
	case $fam in *t) binds=1 fam=${fam%t} ;; esac
	name=${spec%%=*} cmd=${spec#*=}
	if [ "$fam" = 4 ]; then ip=$(lan_ip4 a1) plen=24; else ip=$(lan_ip6 a1) plen=64; fi
	cur_followed=() cur_total=() cur_max=() cur_err=() cur_last=() cur_age=-1 cur_senderr=
	cur_young=

	# 1. reset (a takeover column changed tk1's ARP settings)
	lan_cable a1 eth0 on
	ip -n "$sb" addr del "$ip/$plen" dev tk1 2>/dev/null
	lan_sysctl sb net.ipv4.conf.tk1.arp_ignore=0 net.ipv4.conf.tk1.arp_announce=0
	for ((r = 0; r < ${#rows[@]}; r++)); do
		IFS='|' read -r _ f _ entry _ <<<"${rows[$r]}"
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
		IFS='|' read -r _ f _ _ _ <<<"${rows[$r]}"
		[ "$f" = "$fam" ] || continue
		for c in $(row_clients $r); do
			ip netns exec "$(lan_ns "$c")" "$NW" --wait "$ip" "$tkmac" -i eth0 \
				-t 0 --abs -r "$tmp/ready.$c" >"$tmp/out.$c" 2>/dev/null &
			wpids+=("$!") wclients+=("$c") wrows+=("$r")
		done
	done
	for ((i = 0; i < ${#wclients[@]}; i++)); do
		lan_poll 30 test -e "$tmp/ready.${wclients[$i]}" || {
			cur_err[${wrows[$i]}]=1
			log "$name: the watcher of ${wclients[$i]} did not start"
		}
	done
	# entries as the row wants them?
	for ((i = 0; i < ${#wclients[@]}; i++)); do
		IFS='|' read -r _ _ _ entry _ <<<"${rows[${wrows[$i]}]}"
		[ "$entry" = fresh ] && continue
		out=$(lan_neigh "${wclients[$i]}" "$ip")
		case $entry:$out in
		old:*" $a1mac "*) ;;
		none:*" NONE") ;;
		*) cur_err[${wrows[$i]}]=1; log "$name: ${wclients[$i]} ($entry) starts with: $out" ;;
		esac
	done
	# Old entries must be older than the locktime (1 s) plus margin: wait
	# until the clock says so (to was read after their pings returned, so
	# now - to is at most their age).
	lan_until_us $((to + OLD_US))
	# 4. fresh entries
	tf=$(now_us)
	ping_rows "${fresh_rows[@]}"
	# 5. a1 fails silently; the standby binds the address (or the column will)
	lan_cable a1 eth0 off
	if [ $binds = 0 ]; then
		ip -n "$sb" addr add "$ip/$plen" dev tk1 nodad 2>/dev/null ||
			ip -n "$sb" addr add "$ip/$plen" dev tk1
	fi
	# 6. send; t0 and t1 are taken inside the namespace around the command
	rm -f "$tmp/t0" "$tmp/t1"
	# shellcheck disable=SC2016 # the inner shell expands them
	ip netns exec "$sb" env IF=tk1 IP="$ip" PLEN="$plen" MAC="$tkmac" NEIGHBOURS="$neighbours" \
		BCAST="$LAN_BCAST4" IPTO="$ipto" SCHEDULE="$schedule" NW="$NW" \
		T0="$tmp/t0" T1="$tmp/t1" sh -c \
		'"$NW" --now >"$T0" && { eval "$1"; rc=$?; "$NW" --now >"$T1"; exit $rc; }' \
		sh "$cmd" >"$tmp/sender" 2>&1
	rc=$?
	t0=$(cat "$tmp/t0") t1=$(cat "$tmp/t1" 2>/dev/null || now_us)
	# The first frame left at most (last announcement - first one) before
	# t1; `ipto --json takeover` reports both, other senders send at once.
	span=$(grep -o '"op":"announce"[^}]*"time_us":[0-9]*' "$tmp/sender" |
		sed 's/.*://' | sort -n | sed -n '1p;$p' | paste -sd' ' |
		awk '{ print ($2 > $1) ? $2 - $1 : 0 }')
	if [ ${#fresh_rows[@]} -gt 0 ]; then
		cur_age=$(((t1 - ${span:-0} - tf) / 1000))
		fresh_ages+=($(((t0 - tf) / 1000)))
	fi
	# t0 was read right before the first frame: the old entries' age then
	# is at least t0 - to. A run where that is under the margin is invalid
	# (a fault of this script, not of the machine): its old cells fail.
	if [ ${#old_rows[@]} -gt 0 ]; then
		old_ages+=($(((t0 - to) / 1000)))
		[ $((t0 - to)) -ge $OLD_US ] || cur_young=$(((t0 - to) / 1000))
	fi
	if [ $rc != 0 ]; then
		cur_senderr=1
		echo "# column '$name': the sender failed ($rc): $(head -c 300 "$tmp/sender")" >&2
	fi
	# 7. window (by the clock, from t1), then stop the watchers; the
	# wait ends early once every watcher has seen its change.
	end=$((t1 + window * 1000))
	while now=$(now_us) && [ "$now" -lt "$end" ]; do
		alive=0
		for i in "${wpids[@]}"; do kill -0 "$i" 2>/dev/null && { alive=1; break; }; done
		[ $alive = 1 ] || break
		d=$((end - now))
		lan_sleep_us $((d < 50000 ? d : 50000))
	done
	kill -TERM "${wpids[@]}" 2>/dev/null
	for ((i = 0; i < ${#wpids[@]}; i++)); do
		r=${wrows[$i]} c=${wclients[$i]}
		cur_total[r]=$((cur_total[r] + 1))
		if wait "${wpids[$i]}"; then
			ms=$((($(cat "$tmp/out.$c") - t0) / 1000))
			cur_followed[r]=$((cur_followed[r] + 1))
			[ "$ms" -gt "${cur_max[$r]--1}" ] && cur_max[r]=$ms
			log "$name: $c followed after $ms ms"
		else
			out=$(tail -n 1 "$tmp/out.$c")
			cur_last[r]+="$c: $out"$'\n'
			log "$name: $c did not follow: $out"
		fi
	done
	ip -n "$sb" addr del "$ip/$plen" dev tk1 2>/dev/null
	lan_cable a1 eth0 on
}

# measure COL: run column COL until its fresh entries were fresh (3 tries),
# then add the run to the results.
measure() {
	local col=$1 try r
	for ((try = 1; try <= 3; try++)); do
		run_column "$col"
		[ "$cur_age" -lt 900 ] && break
		echo "# column '${columns[$col]%%=*}': fresh entries up to $cur_age ms old at the first frame (try $try of 3)" >&2
	done
	[ -n "$cur_senderr" ] && err[send,$col]=1
	for r in "${!cur_total[@]}"; do
		total[$r,$col]=$((${total[$r,$col]-0} + cur_total[r]))
		followed[$r,$col]=$((${followed[$r,$col]-0} + ${cur_followed[$r]-0}))
		[ -n "${cur_max[$r]-}" ] && [ "${cur_max[$r]}" -gt "${maxms[$r,$col]--1}" ] &&
			maxms[$r,$col]=${cur_max[$r]}
		[ -n "${cur_err[$r]-}" ] && err[$r,$col]=1
		last[$r,$col]+=${cur_last[$r]-}
		IFS='|' read -r _ _ _ entry _ <<<"${rows[$r]}"
		[ "$entry" = fresh ] && [ "$cur_age" -ge 900 ] && stale[$r,$col]=$cur_age
		[ "$entry" = old ] && [ -n "$cur_young" ] && young[$r,$col]=$cur_young
	done
}

for ((run = 1; run <= runs; run++)); do
	for ((col = 0; col < ${#columns[@]}; col++)); do
		log "run $run column ${columns[$col]%%=*}"
		measure $col
	done
done

# --- the tables -----------------------------------------------------------------
range() { printf '%s\n' "$@" | sort -n | sed -n '1p;$p' | paste -sd- | sed 's/^\([0-9]*\)-\1$/\1/'; }
cell() {
	local r=$1 col=$2 f=${followed[$1,$2]-0} t=${total[$1,$2]-0}
	if [ -n "${err[send,$col]-}" ]; then echo "ERR"; return; fi
	if [ -n "${err[$r,$col]-}" ]; then echo "bad setup"; return; fi
	if [ -n "${stale[$r,$col]-}" ]; then echo "stale"; return; fi
	if [ -n "${young[$r,$col]-}" ]; then echo "too young"; return; fi
	if [ "$f" -gt 0 ]; then echo "$f/$t ${maxms[$r,$col]}ms"; else echo "$f/$t"; fi
}
colname() { local n=${columns[$1]#*:}; echo "${n%%=*}"; }
tables() {
	local fam col r line sep lw=14 label f cols
	echo "# client matrix: $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $("$ipto" --version)"
	echo "# $per_cell clients per cell, $runs run(s); window ${window} ms after the sender returned"
	echo "# cell: clients whose entry moved to tk1's MAC / clients, and the slowest one (ms after the sender started)"
	echo "# entries: <1 s old = $(range "${fresh_ages[@]:-0}") ms, >1 s old = $(range "${old_ages[@]:-0}") ms when the sender started;" \
		"client locktime $(lan_exec c1 sysctl -n net.ipv4.neigh.eth0.locktime) (1/100 s)"
	for r in "${rows[@]}"; do l=${r%%|*}; [ ${#l} -gt "$lw" ] && lw=${#l}; done
	for fam in 4 6; do
		cols=()
		for ((col = 0; col < ${#columns[@]}; col++)); do
			f=${columns[$col]%%:*}
			[ "${f%t}" = "$fam" ] && cols+=("$col")
		done
		[ ${#cols[@]} -gt 0 ] || continue
		echo
		if [ $markdown = 1 ]; then
			line="| IPv$fam client |"
			sep="|---|"
			for col in "${cols[@]}"; do
				line+=" $(colname "$col") |"
				sep+="---|"
			done
			echo "$line"
			echo "$sep"
		else
			printf '%-*s' "$lw" "IPv$fam client"
			for col in "${cols[@]}"; do printf ' %-16s' "$(colname "$col")"; done
			echo
		fi
		for ((r = 0; r < ${#rows[@]}; r++)); do
			IFS='|' read -r label f _ _ _ <<<"${rows[$r]}"
			[ "$f" = $fam ] || continue
			if [ $markdown = 1 ]; then
				line="| $label |"
				for col in "${cols[@]}"; do line+=" $(cell $r "$col") |"; done
				echo "$line"
			else
				printf '%-*s' "$lw" "$label"
				for col in "${cols[@]}"; do printf ' %-16s' "$(cell $r "$col")"; done
				echo
			fi
		done
	done
}

if [ $check = 0 ]; then
	tables
	exit 0
fi

# --- the check: one TAP line per expected cell ------------------------------------
tables | sed 's/^/# /; s/^# # /# /; s/^# $/#/'
n=0 nfail=0
tap() { # tap ok|not-ok DESCRIPTION [DIRECTIVE]
	n=$((n + 1))
	[ "$1" = ok ] || nfail=$((nfail + 1))
	echo "${1/-/ } $n - $2${3:+ # $3}"
}
for r in "${dropped[@]}"; do
	IFS='|' read -r label fam _ _ exp _ <<<"$r"
	for e in $exp; do
		tap ok "IPv$fam $label: ${e%%=*}" "SKIP this kernel lacks the row's sysctl"
	done
done
for ((r = 0; r < ${#rows[@]}; r++)); do
	IFS='|' read -r label fam _ _ exp reason <<<"${rows[$r]}"
	for e in $exp; do
		cname=${e%%=*} want=${e#*=} col=
		for ((k = 0; k < ${#columns[@]}; k++)); do
			f=${columns[$k]%%:*}
			[ "${f%t}" = "$fam" ] && [ "$(colname $k)" = "$cname" ] && { col=$k; break; }
		done
		what="IPv$fam $label: $cname"
		if [ -z "$col" ]; then
			tap not-ok "$what: no such column"
			continue
		fi
		f=${followed[$r,$col]-0} t=${total[$r,$col]-0}
		if [ -n "${err[send,$col]-}" ]; then
			tap not-ok "$what: the sender failed"
		elif [ -n "${err[$r,$col]-}" ]; then
			tap not-ok "$what: bad setup (a ping failed or the entry did not start as the row says)"
		elif [ -n "${young[$r,$col]-}" ]; then
			tap not-ok "$what: the >1 s entries were only ${young[$r,$col]} ms old when the sender started"
		elif [ -n "${stale[$r,$col]-}" ]; then
			tap ok "$what" "SKIP the machine was too busy to keep the entry fresh (${stale[$r,$col]} ms)"
		elif [ "$t" -eq 0 ]; then
			tap not-ok "$what: no client measured"
		elif [ "$want" = Y ]; then
			if [ "$f" -eq "$t" ]; then
				tap ok "$what moves every client to tk1 ($f/$t)"
			else
				tap not-ok "$what moves every client to tk1: only $f/$t; the others: $(printf '%s' "${last[$r,$col]}" | paste -sd';')"
			fi
		else
			# N:old / N:none: nobody moved, and each client shows the
			# reason: its old entry, or none at all.
			bad=0
			while IFS= read -r line; do
				[ -n "$line" ] || continue
				case $want:$line in
				N:old:*" $a1mac "*) ;;
				N:none:*" NONE") ;;
				*) bad=1 ;;
				esac
			done <<<"${last[$r,$col]-}"
			if [ "$want" = N:old ]; then
				kept="each keeps the failed node's $a1mac"
			else
				kept="none has an entry"
			fi
			# The same frames must have moved the clients of another row,
			# or "nobody moved" would say nothing (the control excepted).
			moved=0
			for ((q = 0; q < ${#rows[@]}; q++)); do
				[ "${followed[$q,$col]-0}" -gt 0 ] && moved=1
			done
			why=$reason
			[ "$cname" = none ] && why="the control: binding the address sends nothing"
			if [ "$cname" != none ] && [ $moved = 0 ]; then
				tap not-ok "$what moves no client, but it moved no other row's client either: did it send anything?"
			elif [ "$f" -eq 0 ] && [ $bad = 0 ]; then
				tap ok "$what moves no client; $kept${why:+ ($why)}"
			else
				tap not-ok "$what moves no client and $kept: $f/$t moved; states: $(printf '%s' "${last[$r,$col]-}" | paste -sd';')"
			fi
		fi
	done
done
echo "1..$n"
[ $nfail = 0 ] || echo "# $nfail of $n cells differ from the expectation"
exit 0
