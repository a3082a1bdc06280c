#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the test-backend-*.sh scripts: two namespaces joined by a veth
# pair, removed on exit whatever happens, and small assertion helpers.
#   iptobe-a-ID: veth-a (02:00:5e:00:53:0a)  <->  iptobe-b-ID: veth-b
# ID is unique per run (the PID and mktemp's random part), so two runs at
# once, or a namespace left by a killed run, never share a name.
# Nothing here ever touches an interface outside these namespaces.

TOOL=${1:?usage: $0 PATH-TO-test-backend-tool}
WORK=$(mktemp -d)
RUN_ID=$$-${WORK##*.}
NS_A=iptobe-a-$RUN_ID
NS_B=iptobe-b-$RUN_ID
FAILS=0

cleanup() {
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$WORK"
}

skip() { echo "SKIP: $*"; exit 77; }

setup_pair() {
	[ "$(id -u)" = 0 ] || skip "needs root (CAP_NET_ADMIN, CAP_NET_RAW)"
	command -v jq >/dev/null || skip "needs jq (Debian package jq)"
	command -v capsh >/dev/null || skip "needs capsh (Debian package libcap2-bin)"
	trap cleanup EXIT
	trap 'exit 1' INT TERM
	ip netns add "$NS_A" 2>/dev/null || skip "cannot create namespaces"
	ip netns add "$NS_B" || exit 1
	ip link add veth-a netns "$NS_A" address 02:00:5e:00:53:0a type veth \
		peer name veth-b netns "$NS_B" address 02:00:5e:00:53:0b || exit 1
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
}

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# Runs the tool in namespace A without CAP_NET_ADMIN and CAP_NET_RAW
# (dropped from the bounding set, so not even root gets them back).
in_a_unprivileged() {
	ip netns exec "$NS_A" capsh --drop=cap_net_admin,cap_net_raw -- \
		-c 'exec "$0" "$@"' "$@"
}

ok() { echo "ok: $*"; }
not_ok() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# expect_rc WANT DESCRIPTION CMD...: the command exits with status WANT.
expect_rc() {
	_want=$1 _what=$2
	shift 2
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ "$rc" = "$_want" ]; then
		ok "$_what (exit $rc)"
	else
		not_ok "$_what: exit $rc, want $_want"
		sed 's/^/    /' "$WORK/err"
	fi
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3: got '$1', want '$2'"
	fi
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
