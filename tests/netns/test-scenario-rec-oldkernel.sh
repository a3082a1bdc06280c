#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The record on kernels before 6.3 (no IFA_PROTO): with the netlink
# binder's test hook IPTO_TEST_NO_IFA_PROTO=1 libipto sends no protocol and
# ignores the one dumps carry, as on such a kernel; it finds that out by
# reading its first mark back, and keeps the marks under /run/ipto/ instead,
# checked against the kernel. Occupancy, status and exact release work the
# same.
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
finish
