#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One takeover at a time per standby host: 20 rounds of a slow, failing
# takeover (slow-fail: it holds the host lock, binds a1's address, changes
# ARP settings, waits, then fails and rolls back) racing a good
# `ipto takeover --fail a2`. The good run waits for the lock (it says so
# with -v), then runs on what the kernel holds after the rollback; every
# round it must exit 0 with a2's address marked on its adapter and every
# ARP guard in place. The failing run is slowed by a hook that waits for
# a file the test creates once the good run waits (no sleeping and hoping).
# Also: a run that cannot get the lock within --lock-timeout fails with a
# clear message and changes nothing.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"
SLOW=${IPTO_BUILD_ROOT:?}/tests/netns/slow-fail
[ -x "$SLOW" ] || { echo "not ok - $SLOW is not built"; exit 1; }

rec_up rec-race- --management --clients 1 --actives 2 --ips 1 --takeover 2
lan_exec a1 ip link set eth0 down
lan_exec a2 ip link set eth0 down
NS=$(lan_ns sb)

# wait_for SECONDS CMD...: poll CMD every 10 ms until it succeeds or the
# deadline (by the clock) passes.
wait_for() {
	local end
	end=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.01
	done
}

good_rounds=0
for round in $(seq 1 20); do
	rm -f "$sc_tmp/ready" "$sc_tmp/go"
	ip netns exec "$NS" "$SLOW" "$sc_tmp/ready" "$sc_tmp/go" mgmt "$A1/24" tk1 tk2 mgmt \
		>"$sc_tmp/slow.out" 2>&1 &
	slow=$!
	wait_for 20 test -e "$sc_tmp/ready" || note "round $round: slow-fail never got ready"
	ip netns exec "$NS" "$IPTO" -v "${C[@]}" takeover --fail a2 --schedule once \
		>"$sc_tmp/good.out" 2>"$sc_tmp/good.err" &
	good=$!
	wait_for 10 grep -q "waiting up to" "$sc_tmp/good.err" ||
		note "round $round: the good run did not wait for the lock"
	touch "$sc_tmp/go"
	wait $slow
	rc_slow=$?
	wait $good
	rc_good=$?
	guards=$(lan_exec sb sysctl -n net.ipv4.conf.tk1.arp_ignore net.ipv4.conf.tk2.arp_ignore \
		net.ipv4.conf.mgmt.arp_ignore net.ipv4.conf.tk1.arp_announce \
		net.ipv4.conf.tk2.arp_announce net.ipv4.conf.mgmt.arp_announce | tr '\n' ' ')
	held=$(marked sb)
	if [ $rc_slow = 1 ] && [ $rc_good = 0 ] && [ "$held" = "tk1 $A2/24;" ] &&
		[ "$guards" = "1 1 1 2 2 2 " ] && ! kdump sb | grep -q "\"$A1/24\""; then
		good_rounds=$((good_rounds + 1))
	else
		note "round $round: slow-fail $rc_slow ($(cat "$sc_tmp/slow.out")), good $rc_good," \
			"held '$held', guards '$guards'" "$(sed 's/^/  /' "$sc_tmp/good.err")"
	fi
	ipto_on sb "${C[@]}" release --fail a2
	[ $rc = 0 ] || note "round $round: release exit $rc: $err"
done
check "20 rounds: the good takeover intact every time ($good_rounds of 20)" [ $good_rounds = 20 ]
check "after the releases the ARP settings are back (0 0 0 0 0 0)" \
	[ "$(lan_exec sb sysctl -n net.ipv4.conf.tk1.arp_ignore net.ipv4.conf.tk2.arp_ignore \
		net.ipv4.conf.mgmt.arp_ignore net.ipv4.conf.tk1.arp_announce \
		net.ipv4.conf.tk2.arp_announce net.ipv4.conf.mgmt.arp_announce | tr '\n' ' ')" = "0 0 0 0 0 0 " ]

# A lock held for longer than --lock-timeout: exit 1, a clear line, no change.
rm -f "$sc_tmp/ready" "$sc_tmp/go"
ip netns exec "$NS" "$SLOW" "$sc_tmp/ready" "$sc_tmp/go" mgmt "$A1/24" tk1 tk2 mgmt >/dev/null 2>&1 &
slow=$!
wait_for 20 test -e "$sc_tmp/ready"
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once --lock-timeout 1
check "a takeover that cannot get the lock in 1 s exits 1 ($rc)" [ $rc = 1 ]
check "... saying why: $err" [ -n "$(grep -i 'another takeover or release' <<<"$err")" ]
touch "$sc_tmp/go"
wait $slow
check "... and a2's address was never added" [ -z "$(marked sb)" ]
finish
