#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# startup.sh [BUILDDIR] [REPS]: what starting a process that links libipto
# costs, fork to exit (bench-exec), median [min-max] of REPS (default 40)
# runs each, interleaved: `ipto --version` as built (libpcap loaded only
# when the pcap injector or writer is made), the same with libpcap
# preloaded (LD_PRELOAD: what linking libpcap cost every process), and
# `ip -V` beside them. Needs no root and no network. Prints one table
# (doc/backends.md, "libpcap is loaded when it is first used").
set -u
B=${1:-build}
REPS=${2:-40}
IPTO=$B/examples/ipto
EXEC=$B/tests/bench/bench-exec
[ -x "$IPTO" ] && [ -x "$EXEC" ] || { echo "startup.sh: build $B first (ninja -C $B)" >&2; exit 2; }
PCAP=$(ldconfig -p | awk '/libpcap\.so\.[0-9]/ { print $NF; exit }')
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
: >"$TMP/all"
one() {
	local label=$1
	shift
	"$EXEC" "$TMP/one" "$@" >/dev/null 2>&1
	awk -v l="$label" '{ printf "%s\t%.3f\n", l, ($2 - $1) / 1e6 }' "$TMP/one" >>"$TMP/all"
}
for ((r = 0; r < REPS; r++)); do
	one "ipto --version" "$IPTO" --version
	[ -n "$PCAP" ] && one "ipto --version, libpcap preloaded" env LD_PRELOAD="$PCAP" "$IPTO" --version
	one "env ipto --version (env's own cost)" env "$IPTO" --version
	one "ip -V" ip -V
done
echo "process start, fork to exit (ms, median [min-max] of $REPS runs), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "libpcap: ${PCAP:-not found}; $(ldd "$IPTO" | grep -c '=>') shared libraries as built"
for l in "ipto --version" "ipto --version, libpcap preloaded" "env ipto --version (env's own cost)" "ip -V"; do
	awk -F'\t' -v l="$l" '$1 == l { print $2 }' "$TMP/all" | sort -n |
		awk -v l="$l" '{ v[NR] = $1 } END { if (NR) printf "  %-40s %6.2f [%.2f-%.2f]\n", l, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'
done
