#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The one-NIC demo works: examples/duplex-demo.sh --macvlan, as a user runs
# it. The standby has only mgmt; the takeover creates two macvlans on it,
# every client follows them, no MAC appears twice, status shows the links,
# and nothing is left behind.
#
# usage: test-duplex-demo-macvlan.sh SOURCE_ROOT BUILD_ROOT
set -u
src=${1:?usage: test-duplex-demo-macvlan.sh SOURCE_ROOT BUILD_ROOT}
build=${2:?usage: test-duplex-demo-macvlan.sh SOURCE_ROOT BUILD_ROOT}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
n=0
nfail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); echo "not ok $n - $*"; nfail=$((nfail + 1)); }
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# This run's own namespace prefix: another run's demo is never "left".
export IPTO_DEMO_PREFIX=iptodm-mv-$$-

"$src/examples/duplex-demo.sh" --macvlan "$build" >"$tmp/out" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/out"
[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err"
[ $rc = 77 ] && { echo "SKIP: the demo cannot make namespaces here"; exit 77; }
check "the one-NIC demo exits 0" [ $rc = 0 ]
check "it ends with PASS" grep -q '^PASS: 3 clients followed 2 addresses to the standby' "$tmp/out"
check "the standby has only mgmt; the plan uses two macvlans on it" \
	[ "$(grep -c '^    bind .* on sb ipto[01] .*\[macvlan on mgmt\]$' "$tmp/out")" = 2 ]
check "every client maps the addresses to the macvlans (sb ipto0, sb ipto1)" \
	[ "$(grep -cE 'lladdr [0-9a-f:]+ .*<- sb ipto[01]$' "$tmp/out")" = 6 ]
check "status lists both virtual adapters, each with one address" \
	[ "$(grep -c 'adapter [01] of sb, created by a takeover, up, 1 address(es)' "$tmp/out")" = 2 ]
check "no namespace is left" [ -z "$(ip netns list | awk '{ print $1 }' | grep "^$IPTO_DEMO_PREFIX")" ]
echo "1..$n"
[ $nfail = 0 ]
