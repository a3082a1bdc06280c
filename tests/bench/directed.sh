#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2046 # the tools print fields, split on purpose
#
# directed.sh: what directed announcements cost a takeover (issue 19,
# doc/benchmarks.md "Directed announcements"), on the LAN of run.sh (the
# same namespaces helper, the same tools: bench-takeover, bench-floor,
# bench-exec). N addresses, one per takeover adapter, each with M
# neighbours on its subnet (a node's neighbour list, every MAC known and
# known to the switch), in one round: the broadcast frame of each
# address, then M directed frames each.
#
#   tests/bench/directed.sh [BUILDDIR] [--reps R] [--n N]     (as root)
#
# Rows: IPv4 with M = 0 and 64 (a /24 has room for no more), IPv6 with
# M = 0, 64 and 1024. Columns (median [min-max] of R runs):
#   lib sent    ipto_takeover_start() from the call to the last frame of
#               the round handed to the kernel (its report), ms
#   directed    lib sent minus the M = 0 row's median: what the N*M
#               directed frames add, ms
#   floor       the same N*M sends, one send() each on the adapters'
#               packet sockets in turn (bench-floor sends), ms
#   allocs      heap allocations in ipto_takeover_start(), and per
#               directed frame over the M = 0 row
#   ipto        the whole `ipto takeover --schedule once` process, its
#               neighbours read from the description's neighbours-file
#               (and the standby's table and routes), ms
#   ip -batch   one `ip -batch` adding the same N addresses, ms
#   refresh     heap allocations in 100 refresh rounds of the same
#               takeover (bench-takeover allocs), every frame again
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=bench-lib.sh
. "$SRC/tests/bench/bench-lib.sh"
BUILD=
REPS=7
N=16
while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=$2; shift ;;
	--n) N=$2; shift ;;
	-*) sed -n '4,27p' "$0" >&2; exit 2 ;;
	*) BUILD=$1 ;;
	esac
	shift
done
bench_build directed.sh "$BUILD"
B=$BUILD/tests/bench
IPTO=$BUILD/examples/ipto
bench_built directed.sh "$B/bench-takeover" "$B/bench-floor" "$B/bench-exec" "$IPTO"
bench_root directed.sh
TMP=$(mktemp -d /tmp/iptobd.XXXXXX)
RAW=$TMP/raw.tsv
: >"$RAW"
# shellcheck source=../netns/lan.sh
. "$SRC/tests/netns/lan.sh"
export IPTO_BUILD_ROOT=$BUILD
lan_atexit "rm -rf '$TMP'"
lan_up --prefix iptobd- --clients 1 --actives 1 --ips 1 --takeover "$N" --ipv6 || exit 1
SB=$(lan_ns sb)
ADAPTERS=$(lan_takeover_ifs | paste -sd, -)
for ifn in $(lan_takeover_ifs); do
	lan_sysctl sb "net.ipv4.conf.$ifn.arp_ignore=1" "net.ipv4.conf.$ifn.arp_announce=2"
done
log() { printf '%s\n' "$*" >&2; }
flush() { lan_takeover_ifs | sed 's/^/addr flush dev /' | ip -n "$SB" -batch - >/dev/null 2>&1; }

# addrs FAM: N lines "ADDR/PREFIX tkI"; neigh FAM M: the neighbour list
addrs() {
	local i
	for ((i = 1; i <= N; i++)); do
		if [ "$1" = 4 ]; then echo "192.0.2.$((150 + i))/24 tk$i"
		else printf '2001:db8:2::1:%x/64 tk%d\n' "$i" "$i"; fi
	done
}
neigh() {
	local i
	echo "# $2 neighbours"
	for ((i = 1; i <= $2; i++)); do
		if [ "$1" = 4 ]; then printf '192.0.2.%d 02:00:5e:50:00:%02x\n' $((169 + i)) "$i"
		else printf '2001:db8:2::2:%x 02:00:5e:50:%02x:%02x\n' "$i" $((i / 256)) $((i % 256)); fi
	done
}

# The switch knows every neighbour, as a LAN's switch knows its hosts:
# static entries send their MACs (02:00:5e:50:HH:LL, no namespace has
# them) to c1's port, where they end. A frame to a known MAC is then one
# delivery, not a flood to every port (the MAC-unknown case floods, on a
# real LAN too).
SW=$(lan_ns sw)
PORT=$(lan_port c1 eth0)
for ((i = 1; i <= 1024; i++)); do
	printf 'fdb replace 02:00:5e:50:%02x:%02x dev %s master static\n' $((i / 256)) $((i % 256)) "$PORT"
done | ip netns exec "$SW" bridge -batch - || exit 1

for row in "4 0" "4 64" "6 0" "6 64" "6 1024"; do
	# shellcheck disable=SC2086 # two words
	set -- $row
	fam=$1 m=$2 tag="v$1-$2"
	addrs "$fam" >"$TMP/work"
	neigh "$fam" "$m" >"$TMP/list"
	{
		echo "node a1 $(awk '{ print $1 }' "$TMP/work" | paste -sd' ' -)"
		for ((i = 1; i <= N; i++)); do echo "adapter sb tk$i"; done
		echo "neighbours-file a1 $TMP/list"
	} >"$TMP/conf"
	if [ "$fam" = 4 ]; then
		awk '{ print "addr add " $1 " dev " $2 }' "$TMP/work" >"$TMP/add.batch"
	else
		awk '{ print "addr add " $1 " dev " $2 " nodad" }' "$TMP/work" >"$TMP/add.batch"
	fi
	listarg=()
	[ "$m" -gt 0 ] && listarg=("$TMP/list")
	log "row $tag: $REPS runs"
	for ((r = 1; r <= REPS; r++)); do
		flush
		out=$(ip netns exec "$SB" "$B/bench-takeover" takeover "$TMP/work" "$ADAPTERS" packet "${listarg[@]}") ||
			{ log "  bench-takeover failed"; continue; }
		# T_CALL T_DONE NEW_NS ALLOCS BYTES CHECKED_US BOUND_US ANNOUNCED_US RETURNED_US
		# shellcheck disable=SC2086 # its fields
		set -- $out
		printf '%s\tlib\t%s\n%s\tallocs\t%s\n' "$tag" "$(awk -v u="$8" 'BEGIN { printf "%.3f", u / 1000 }')" "$tag" "$4" >>"$RAW"
		flush
		: >"$TMP/exec.out"
		ip netns exec "$SB" "$B/bench-exec" "$TMP/exec.out" "$IPTO" -c "$TMP/conf" takeover \
			--fail a1 --schedule once >/dev/null 2>"$TMP/err" || log "  ipto takeover: $(head -c 300 "$TMP/err")"
		set -- $(cat "$TMP/exec.out")
		printf '%s\tipto\t%s\n' "$tag" "$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')" >>"$RAW"
		ip netns exec "$SB" "$IPTO" -c "$TMP/conf" release --fail a1 >/dev/null 2>&1 || log "  release failed"
		flush
		: >"$TMP/exec.out"
		ip netns exec "$SB" "$B/bench-exec" "$TMP/exec.out" ip -batch "$TMP/add.batch" >/dev/null
		set -- $(cat "$TMP/exec.out")
		printf '%s\tipbatch\t%s\n' "$tag" "$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')" >>"$RAW"
		if [ "$m" -gt 0 ]; then
			set -- $(ip netns exec "$SB" "$B/bench-floor" sends "$ADAPTERS" $((N * m)) $([ "$fam" = 4 ] && echo 60 || echo 86))
			printf '%s\tfloor\t%s\n' "$tag" "$(awk -v u="$2" 'BEGIN { printf "%.3f", u / 1000 }')" >>"$RAW"
		fi
	done
	flush
	set -- $(ip netns exec "$SB" "$B/bench-takeover" allocs "$TMP/work" "$ADAPTERS" 100 packet "${listarg[@]}")
	printf '%s\trefresh\t%s %s %s\n' "$tag" "$1" "$2" "$3" >>"$RAW"
	flush
done

printf 'libipto directed announcements benchmark, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf 'machine: %s, %s CPUs, Linux %s; LAN: veth + bridge in namespaces; N = %s addresses, one per takeover adapter; %s runs\n' \
	"$(uname -m)" "$(nproc)" "$(uname -r)" "$N" "$REPS"
awk -F'\t' -v N="$N" '
function med(k,   n, i, j, t, a) {
	n = split(v[k], a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return ""
	lo[k] = a[1]; hi[k] = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function cell(k,   m) { m = med(k); return m == "" ? "-" : sprintf("%.2f [%.2f-%.2f]", m, lo[k], hi[k]) }
$2 == "refresh" { rf[$1] = $3; next }
{ v[$1 SUBSEP $2] = v[$1 SUBSEP $2] " " $3; if (!($1 in seen)) { seen[$1] = 1; order[++no] = $1 } }
END {
	printf "%-8s %5s %8s  %-22s %9s  %-22s %7s %10s  %-22s %-22s %6s  %s\n", "row", "M", "frames", "lib sent (ms)", "directed", "floor N*M sends (ms)", "allocs", "per frame", "ipto takeover (ms)", "ip -batch (ms)", "ratio", "refresh: rounds frames allocs"
	for (i = 1; i <= no; i++) {
		r = order[i]; split(r, p, "-"); m = p[2]; fam = substr(p[1], 2)
		base = "v" fam "-0"
		l = med(r SUBSEP "lib"); b = med(base SUBSEP "lib")
		d = (m > 0 && l != "" && b != "") ? sprintf("%.2f", l - b) : "-"
		a = med(r SUBSEP "allocs"); ab = med(base SUBSEP "allocs")
		pf = (m > 0) ? sprintf("%.4f", (a - ab) / (N * m)) : "-"
		ip = med(r SUBSEP "ipto"); ib = med(r SUBSEP "ipbatch")
		printf "%-8s %5d %8d  %-22s %9s  %-22s %7d %10s  %-22s %-22s %6s  %s\n", r, m, N * (1 + m),
			cell(r SUBSEP "lib"), d, cell(r SUBSEP "floor"), a, pf, cell(r SUBSEP "ipto"),
			cell(r SUBSEP "ipbatch"), (ib > 0 ? sprintf("%.2fx", ip / ib) : "-"), rf[r]
		if (m > 0) { dir[r] = d; fl[r] = med(r SUBSEP "floor") }
	}
	print ""
	print "Targets (medians of this run):"
	ip = med("v4-64" SUBSEP "ipto"); ib = med("v4-64" SUBSEP "ipbatch")
	printf "  ipto takeover, N=%d with 64 neighbours each, within 2x ip -batch: IPv4 %.2fx", N, ip / ib
	ip6 = med("v6-64" SUBSEP "ipto"); ib6 = med("v6-64" SUBSEP "ipbatch")
	printf ", IPv6 %.2fx -> %s\n", ip6 / ib6, (ip / ib <= 2 && ip6 / ib6 <= 2) ? "MET" : "NOT MET"
	s = ""; okf = 1
	for (r in dir) { s = s sprintf(" %s %s vs %.2f ms;", r, dir[r], fl[r]); if (dir[r] + 0 > fl[r] + 0) okf = 0 }
	printf "  directed frames within the sequential floor of the same sends:%s -> %s\n", s, okf ? "MET" : "NOT MET"
}' "$RAW"
