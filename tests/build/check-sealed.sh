#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A sealed version node never changes: the symbols lib/libipto.sym lists in
# a node marked "sealed" are exactly the symbols of that version in the
# committed ABI baseline (tests/build/libipto.abi). A symbol added to a
# sealed node (instead of a new node) fails, and so does one removed.
#
# usage: check-sealed.sh SYMFILE BASELINE
# TAP output. Besides the real check it proves itself: a copy of SYMFILE
# with a symbol added to each sealed node, and one with a symbol removed,
# must both fail.
set -u
sym=${1:?usage: check-sealed.sh SYMFILE BASELINE}
baseline=${2:?usage: check-sealed.sh SYMFILE BASELINE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

# sealed_nodes SYMFILE: the names of the nodes whose opening line says
# "sealed", e.g. "IPTO_1.0 { /* sealed: 1.0.0, 2026-12-07 */".
sealed_nodes() {
	sed -n 's/^\(IPTO_[A-Z0-9_.]*\)[[:space:]]*{.*sealed.*/\1/p' "$1"
}
# node_symbols SYMFILE NODE: the symbols listed inside NODE { ... }.
node_symbols() {
	awk -v node="$2" '
		$1 == node && /{/ { inside = 1; next }
		inside && /^}/ { exit }
		inside && match($0, /^[[:space:]]*ipto_[a-z0-9_]*;/) {
			s = substr($0, RSTART, RLENGTH); gsub(/[[:space:];]/, "", s); print s }
	' "$1" | sort -u
}
# baseline_symbols NODE: the symbols of version NODE in the baseline.
baseline_symbols() {
	sed -n "s/.*<elf-symbol name='\\(ipto_[a-z0-9_]*\\)' version='$1'.*/\\1/p" \
		"$baseline" | sort -u
}
# check SYMFILE: 0 when every sealed node of SYMFILE matches the baseline;
# prints what differs.
check() {
	rc=0
	for node in $(sealed_nodes "$1"); do
		node_symbols "$1" "$node" > "$tmp/listed"
		baseline_symbols "$node" > "$tmp/sealed"
		if [ ! -s "$tmp/sealed" ]; then
			echo "# $node: the baseline has no symbol of this version"
			rc=1
			continue
		fi
		for s in $(comm -23 "$tmp/listed" "$tmp/sealed"); do
			echo "# $node is sealed: $s was added to it (new symbols go in a new node)"
			rc=1
		done
		for s in $(comm -13 "$tmp/listed" "$tmp/sealed"); do
			echo "# $node is sealed: $s was removed from it"
			rc=1
		done
	done
	return $rc
}

nodes=$(sealed_nodes "$sym")
if [ -z "$nodes" ]; then
	not_ok "$sym marks no node sealed"
else
	ok "sealed nodes: $(echo $nodes)"
fi
if check "$sym"; then
	ok "every sealed node lists exactly the baseline's symbols"
else
	not_ok "a sealed node differs from the baseline"
fi

# The check must be able to fail: a symbol added to the first sealed node...
first=$(echo "$nodes" | head -n 1)
awk -v node="$first" '{ print } $1 == node && /{/ { getline; print; print "\tipto_sealed_check_probe;" }' \
	"$sym" > "$tmp/added.sym"
if [ -n "$first" ] && ! check "$tmp/added.sym" > "$tmp/out" &&
	grep -q 'ipto_sealed_check_probe was added' "$tmp/out"; then
	ok "a symbol added to $first fails the check"
else
	not_ok "a symbol added to ${first:-the sealed node} was not caught"
fi
# ... and one removed from it.
victim=$(node_symbols "$sym" "$first" | head -n 1)
grep -v "^[[:space:]]*$victim;" "$sym" > "$tmp/removed.sym"
if [ -n "$victim" ] && ! check "$tmp/removed.sym" > "$tmp/out" &&
	grep -q "$victim was removed" "$tmp/out"; then
	ok "a symbol removed from $first fails the check"
else
	not_ok "a symbol removed from ${first:-the sealed node} was not caught"
fi
echo "1..$n"
[ $fails -eq 0 ]
