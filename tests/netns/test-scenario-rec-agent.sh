#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel is the record for ipto-agent too: the agent and the `ipto`
# command (or any other process) see each other's takeovers in the kernel
# and never undo, double or block each other (doc/agent.md).
#  1. `ipto takeover` of a1, then the agent's release of a1: exactly the
#     marked addresses go; an administrator's address on a takeover adapter
#     stays.
#  2. The agent's takeover of a1, then `ipto takeover --fail a2`: a2 lands
#     on the other adapters, and ipto releases what the agent took over. And
#     the other way round, one address at a time (takeover NODE IP):
#     `ipto takeover` of a2 (onto the first adapters), then the agent puts
#     a1's addresses one by one on the adapters a2 leaves free; and a node
#     the agent half took over keeps its adapter out of its next address's
#     way when another node came between.
#  3. While another process holds the host's lock (flock(1) on the file
#     doc/record.md names), an agent takeover is refused with EBUSY and
#     changes nothing; an instruct that retries within its deadline
#     succeeds once the lock is free.
#  4. An agent's announcement schedule stops once `ipto release` removed
#     its address: no later round draws the clients to the standby.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up ag2- --quiet --clients 1 --actives 2 --ips 2 --takeover 4 --second-subnet
check "the standby's agent answers" start_agent -v

# adapter_of NODE-IP: the takeover adapter the kernel marks it on ("" none).
adapter_of() { marked sb | tr ';' '\n' | awk -v a="$1/24" '$2 == a { print $1 }'; }
# one_each: every marked adapter carries one marked address.
one_each() { [ -z "$(marked sb | tr ';' '\n' | awk 'NF { print $1 }' | sort | uniq -d)" ]; }

# --- 1. ipto takes over, the agent releases ---------------------------------
ADMIN=192.0.2.250/24
lan_exec sb ip addr add "$ADMIN" dev tk3
ipto_on sb "${C[@]}" takeover --fail a1 --schedule once
check "ipto takeover --fail a1 exits 0 ($rc: $err)" [ $rc = 0 ]
check "both of a1's addresses are marked on two adapters: $(marked sb)" \
	eval '[ -n "$(adapter_of "$A11")" ] && [ -n "$(adapter_of "$A12")" ] && one_each'
instruct a1 release a1
check "the agent releases what ipto took over (exit $rc: $out$err)" \
	[ $rc = 0 -a -n "$(grep "^released $A11/24\|; $A11/24" <<<"$out")" ]
check "nothing is marked any more: '$(marked sb)'" [ -z "$(marked sb)" ]
check "neither address is anywhere on the standby" \
	[ -z "$(lan_exec sb ip -o addr show to "$A11"; lan_exec sb ip -o addr show to "$A12")" ]
check "the administrator's $ADMIN on tk3 stays, unmarked ($(proto_of sb tk3 $ADMIN))" \
	[ "$(proto_of sb tk3 $ADMIN)" = null ]
instruct a1 release a1
check "a second release: not taken over here, errno EALREADY (114)" \
	[ $rc = 1 -a -n "$(grep 'errno 114,' <<<"$err")" ]
lan_exec sb ip addr del "$ADMIN" dev tk3

# --- 2. the agent takes over, then ipto; then the other way round ----------
instruct a1 takeover a1
check "the agent takes a1 over (exit $rc: $out$err)" [ $rc = 0 ]
t11=$(adapter_of "$A11") t12=$(adapter_of "$A12")
check "a1's addresses are marked on two adapters ($t11, $t12)" \
	eval '[ -n "$t11" ] && [ -n "$t12" ] && [ "$t11" != "$t12" ]'
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once
check "ipto takeover --fail a2 exits 0 ($rc: $err)" [ $rc = 0 ]
t21=$(adapter_of "$A21") t22=$(adapter_of "$A22")
check "a2 went on the other adapters ($t21, $t22; a1 on $t11, $t12): $(marked sb)" \
	eval '[ -n "$t21" ] && [ -n "$t22" ] && one_each'
check "a1's addresses did not move" \
	[ "$(adapter_of "$A11") $(adapter_of "$A12")" = "$t11 $t12" ]
instruct a1 takeover a1 "$A12"
check "repeating a1's takeover of $A12 is ok and keeps it on $t12 ($out$err)" \
	eval '[ $rc = 0 ] && [ "$(adapter_of "$A12")" = "$t12" ] && one_each'
ipto_on sb "${C[@]}" release --fail a1
check "ipto releases what the agent took over ($rc: $err)" \
	[ $rc = 0 -a -z "$(adapter_of "$A11")$(adapter_of "$A12")" ]
check "... and a2's stay: $(marked sb)" \
	[ "$(adapter_of "$A21") $(adapter_of "$A22")" = "$t21 $t22" ]
ipto_on sb "${C[@]}" release --fail a2
check "ipto releases a2 ($rc): '$(marked sb)'" [ $rc = 0 -a -z "$(marked sb)" ]
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once
t21=$(adapter_of "$A21") t22=$(adapter_of "$A22")
check "ipto takes a2 over first, onto $t21 and $t22 ($rc: $err)" \
	eval '[ $rc = 0 ] && [ -n "$t21" ] && [ -n "$t22" ]'
instruct a1 takeover a1 "$A11"
check "the agent takes $A11 alone over (exit $rc: $out$err)" [ $rc = 0 ]
instruct a1 takeover a1 "$A12"
check "then $A12 alone (exit $rc: $out$err)" [ $rc = 0 ]
check "each went on a free adapter of its own, a2's untouched: $(marked sb)" \
	eval '[ -n "$(adapter_of "$A11")" ] && [ -n "$(adapter_of "$A12")" ] && one_each &&
	      [ "$(adapter_of "$A21") $(adapter_of "$A22")" = "$t21 $t22" ]'
instruct a1 release a1
check "the agent releases a1, a2 stays ($rc)" \
	[ $rc = 0 -a -z "$(adapter_of "$A11")$(adapter_of "$A12")" -a -n "$(adapter_of "$A21")" ]
ipto_on sb "${C[@]}" release --fail a2
check "ipto releases a2 ($rc): '$(marked sb)'" [ $rc = 0 -a -z "$(marked sb)" ]
# A node half taken over by the agent, then another node by ipto: the
# agent's next address of the first node avoids the adapter its own first
# address is on, though the planner (the node set aside) would put it there.
instruct a1 takeover a1 "$A12"
t12=$(adapter_of "$A12")
check "the agent takes $A12 alone over, onto $t12 ($rc: $out$err)" [ $rc = 0 -a -n "$t12" ]
ipto_on sb "${C[@]}" takeover --fail a2 --schedule once
check "ipto takes a2 over meanwhile ($rc: $err): $(marked sb)" [ $rc = 0 ] && one_each
instruct a1 takeover a1 "$A11"
check "the agent's $A11 goes on a free adapter, not $A12's $t12 ($rc: $out$err): $(marked sb)" \
	eval '[ $rc = 0 ] && [ -n "$(adapter_of "$A11")" ] && one_each'
ipto_on sb "${C[@]}" release --fail a1 --fail a2
check "ipto releases both ($rc): '$(marked sb)'" [ $rc = 0 -a -z "$(marked sb)" ]

# --- 3. the host's lock ------------------------------------------------------
ino=$(lan_exec sb stat -L -c %i /proc/self/ns/net)
LOCK=/run/lock/ipto-$ino.lock
# hold_lock: flock(1) holds the lock until $sc_tmp/unlock exists.
hold_lock() {
	rm -f "$sc_tmp/locked" "$sc_tmp/unlock"
	flock "$LOCK" sh -c "touch '$sc_tmp/locked'; while [ ! -e '$sc_tmp/unlock' ]; do sleep 0.05; done" &
	holder=$!
	lan_atexit "touch '$sc_tmp/unlock'; kill $holder 2>/dev/null"
	local end=$(($(date +%s) + 10))
	while [ ! -e "$sc_tmp/locked" ] && [ "$(date +%s)" -lt $end ]; do sleep 0.05; done
	[ -e "$sc_tmp/locked" ]
}
check "another process holds $LOCK" hold_lock
before=$(snapshot sb)
instruct a2 takeover a2 --timeout 300
check "an agent takeover meanwhile fails with errno EBUSY (16) (exit $rc: $err)" \
	[ $rc = 1 -a -n "$(grep 'errno 16,' <<<"$err")" -a -n "$(grep busy <<<"$err")" ]
check "... and changes nothing" [ "$(snapshot sb)" = "$before" ]
instruct a2 release a2 --timeout 300
check "so does a release (exit $rc)" [ $rc = 1 -a -n "$(grep 'errno 16,' <<<"$err")" ]
# An instruct with time to spare asks again until the lock is free.
busy0=$(grep -c 'busy' "$sc_tmp/agent.log")
lan_exec a2 "$AGENT" instruct --key "$AGENT_KEY" "$AGENT_AT" takeover a2 --timeout 30000 \
	>"$sc_tmp/retry.out" 2>"$sc_tmp/retry.err" &
retry=$!
end=$(($(date +%s) + 15))
while [ "$(grep -c 'busy' "$sc_tmp/agent.log")" -le "$busy0" ] && [ "$(date +%s)" -lt $end ]; do
	sleep 0.05
done
check "the agent answered the retrying instruct busy" \
	[ "$(grep -c 'busy' "$sc_tmp/agent.log")" -gt "$busy0" ]
check "nothing was taken over while the lock was held" [ "$(snapshot sb)" = "$before" ]
touch "$sc_tmp/unlock"
wait $holder
wait $retry
rc=$?
check "once it is free the retrying instruct succeeds (exit $rc: $(cat "$sc_tmp/retry.err"))" \
	[ $rc = 0 -a -n "$(grep 'was busy; asked' "$sc_tmp/retry.err")" ]
check "a2's addresses are marked on two adapters: $(marked sb)" \
	eval '[ -n "$(adapter_of "$A21")" ] && [ -n "$(adapter_of "$A22")" ] && one_each'
# --- 4. an announcement schedule stops with its address ----------------------
# The agent's takeover of a1 (default schedule: rounds at 0, 1.1, 2.2 s),
# released by ipto right after the first round: no later round may tell
# the clients that a1's address is on the standby.
check "tshark captures on c1" capture_start c1 "$sc_tmp/c1.pcap" -i eth0 -f arp
log0=$(wc -l <"$sc_tmp/agent.log")
# since: the agent's log lines about $A11 from here on.
since() { tail -n +$((log0 + 1)) "$sc_tmp/agent.log" | grep -F "$A11/24"; }
instruct a1 takeover a1
check "the agent takes a1 over with the default schedule ($rc: $out$err)" [ $rc = 0 ]
ipto_on sb "${C[@]}" release --fail a1
t_rel=$(date +%s.%N)
check "ipto releases it at once ($rc: $err)" [ $rc = 0 -a -z "$(adapter_of "$A11")" ]
# Wait (up to 15 s) until the agent is done with that schedule either way.
end=$(($(date +%s) + 15))
while ! since | grep -q 'announcements stop\|schedule complete' &&
	[ "$(date +%s)" -lt $end ]; do
	sleep 0.05
done
capture_stop
check "the agent says the schedule stopped: $(since | grep -o 'released on this host since.*\|schedule complete' | head -1)" \
	[ -n "$(since | grep 'announcements stop')" ]
frames() {
	tshark -n -r "$sc_tmp/c1.pcap" -T fields -e frame.time_epoch \
		-Y "arp.src.proto_ipv4 == $A11 && arp.src.hw_mac != $(lan_mac a1 eth0) && frame.time_epoch $1 $t_rel" \
		2>/dev/null | wc -l
}
early=$(frames '<=') late=$(frames '>')
note "released at $t_rel; frames on c1 with sender $A11 (time, sender MAC, target IP):"
tshark -n -r "$sc_tmp/c1.pcap" -T fields -e frame.time_epoch -e arp.src.hw_mac -e arp.dst.proto_ipv4 \
	-Y "arp.src.proto_ipv4 == $A11" 2>/dev/null | sed 's/^/#   /'
since | sed 's/^/# agent: /'
check "c1 saw the first round ($early frames) and nothing of $A11 from the standby after the release ($late)" \
	[ "$early" -ge 1 -a "$late" = 0 ]
check "the agent stops cleanly" stop_agent
finish
