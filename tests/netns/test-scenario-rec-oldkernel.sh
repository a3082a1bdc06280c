#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The record on kernels before 6.3 (no IFA_PROTO): with the netlink
# binder's test hook IPTO_TEST_NO_IFA_PROTO=1 libipto sends no protocol and
# ignores the one dumps carry, as on such a kernel; it finds that out by
# reading its first mark back, and keeps the marks under /run/ipto/ instead,
# checked against the kernel. Occupancy, status and exact release work the
# same. The record stays tidy: the first run that holds the lock removes
# the marks of addresses that are gone (deleted by hand here) and the link
# notes of links that are gone, on this path and on a kernel with IFA_PROTO
# (the hook unset), and status never shows them.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"
export IPTO_TEST_NO_IFA_PROTO=1

rec_up rec-old- --quiet --clients 1 --actives 2 --ips 1 --takeover 2
ino=$(lan_exec sb stat -L -c %i /proc/self/ns/net)
lan_atexit "rm -rf /run/ipto/$ino"

lan_exec a1 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "a1's takeover exits 0" [ $rc = 0 ]
check "the kernel carries no protocol: $(proto_of sb tk1 "$A1/24")" [ "$(proto_of sb tk1 "$A1/24")" = null ]
check "the mark is in the record: $(ls /run/ipto/$ino 2>&1 | tr '\n' ' ')" \
	[ "$(cat /run/ipto/$ino/addr.*."${A1}_24" 2>/dev/null)" = 112 ]
lan_exec a2 ip link set eth0 down
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once
check "a2 lands on tk2: $(addrs sb tk2)" [ $rc = 0 -a "$(addrs sb tk2)" = "$A2/24 " ]
ipto_on sb "${C[@]}" status --json
check "status sees both from the record (exit $rc)" \
	[ $rc = 0 -a "$(jq -r '[.addresses[] | .adapter] | join(",")' <<<"$out")" = "tk1,tk2" ]
lan_exec sb ip addr add 192.0.2.201/24 dev tk1
ipto_on sb "${C[@]}" release --fail a1
check "release a1 exits 0 and keeps the administrator's address: $(addrs sb tk1)" \
	[ $rc = 0 -a "$(addrs sb tk1)" = "192.0.2.201/24 " ]
check "... and drops a1's mark from the record" \
	[ -z "$(ls /run/ipto/$ino/addr.*."${A1}_24" 2>/dev/null)" ]
check "a2 is still held" [ "$(addrs sb tk2)" = "$A2/24 " ]
# --- the record stays tidy ---------------------------------------------------
R=/run/ipto/$ino
idx2=$(lan_exec sb cat /sys/class/net/tk2/ifindex)
mark2=$R/addr.$idx2.${A2}_24
check "a2's mark is $mark2" [ "$(cat "$mark2" 2>/dev/null)" = 112 ]
lan_exec sb ip addr del "$A2/24" dev tk2
check "deleting a2's address by hand leaves its mark behind" [ -e "$mark2" ]
# what a run that died would leave: notes of links that are gone, or of
# another link that has the name now (lo is ifindex 1)
printf 'ifindex=999 mac=02:00:5e:30:09:09 up=0\n' >"$R/link.gone0"
printf 'ifindex=998 mac=02:00:5e:30:09:08 arp_ignore=0\n' >"$R/link.lo"
ipto_on sb "${C[@]}" status --node a2 --json
# The guards a2's takeover set on tk2 outlive its address (deleted by
# hand, as a crash would): orphaned, so status says degraded (exit 1).
check "status before any locked run: a2 missing, nothing held, tk2's guards orphaned, no gone link (exit $rc: $(jq -c "[.held, [.addresses[] | [.node,.health]], [.orphaned[].ifname]]" <<<"$out"))" \
	eval '[ $rc = 1 ] && [ "$(jq -c "[.held, ([.addresses[] | select(.node == \"a2\") | .health[]])]" <<<"$out")" = "[0,[\"missing\"]]" ] && [ "$(jq -c "[.orphaned[].ifname] | index(\"tk2\") != null" <<<"$out")" = true ] && ! grep -q gone0 <<<"$out"'
ipto_on sb "${C[@]}" -v release --fail a2
check "the next locked run (a release with nothing held, exit $rc) prunes a2's mark" \
	eval '[ $rc = 0 ] && [ ! -e "$mark2" ] && grep -qF "record $mark2 removed: its address is gone" <<<"$err"'
check "... the note of the gone link and the note lo no longer matches" \
	eval '[ ! -e "$R/link.gone0" ] && [ ! -e "$R/link.lo" ] && grep -qF "record $R/link.gone0 removed: its link is gone" <<<"$err" && grep -qF "record $R/link.lo removed: another link has its name now" <<<"$err"'
lan_exec sb ip addr add "$A2/24" dev tk2
ipto_on sb "${C[@]}" status --node a2 --json
check "a2's address added again by hand is the administrator's: unmarked on tk2, not held: $(jq -c "[.addresses[] | [.node, .held, .health, .unmarked_on]]" <<<"$out")" \
	[ "$(jq -c '[.addresses[] | select(.node == "a2") | [.held, .health, .unmarked_on]]' <<<"$out")" = '[[false,["unmarked"],"tk2"]]' ]
lan_exec sb ip addr del "$A2/24" dev tk2
# the same on a kernel that keeps IFA_PROTO
unset IPTO_TEST_NO_IFA_PROTO
printf '112\n' >"$R/addr.$idx2.192.0.2.99_24"
printf 'ifindex=997 mac=02:00:5e:30:09:07 up=0\n' >"$R/link.gone1"
ipto_on sb "${C[@]}" -v release --fail a2
check "with IFA_PROTO the next locked run (exit $rc) prunes both too: '$(ls "$R" 2>&1 | tr '\n' ' ')'" \
	eval '[ $rc = 0 ] && [ ! -e "$R/addr.$idx2.192.0.2.99_24" ] && [ ! -e "$R/link.gone1" ]'
export IPTO_TEST_NO_IFA_PROTO=1
finish
