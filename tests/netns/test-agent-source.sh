#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An instruction from an address it hands over (doc/agent.md, "The
# instruction's source address"). One network, no management subnet: the
# standby's agent listens on sb's 192.0.2.2, and a1's primary address is its
# service address A11, so the kernel sends a1's instructions from A11. Before
# the fix the standby took A11 over, its reply went to its own new copy,
# instruct timed out (exit 3) and both hosts held A11. Now:
#  1. `takeover a1` (every address) from A11: the standby refuses before
#     binding (EDESTADDRREQ, logged); instruct exits 5 "nothing bound";
#     a1 alone holds its addresses, one MAC answers ARP for each.
#  2. `takeover a1 A11`: instruct sends from a1's other address A12 and
#     succeeds; a1 drops A11: sb alone holds it, one MAC answers.
#  3. `takeover a1 A12` from a host whose only address is A12, and with
#     --source A12: instruct refuses, nothing sent (exit 5).
#  4. With a management address (--source): the takeover succeeds, a1
#     drops A12, sb alone holds it.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up ags- --need arping --quiet --clients 1 --actives 1 --ips 2 --takeover 2
# The agent on sb's address of the one network.
AGENT_AT=192.0.2.2:$PORT
AGENT_ALLOW=$LAN_NET4
MGMT=192.0.2.200
# a1 drops its primary address in step 2: its other one stays.
lan_sysctl a1 net.ipv4.conf.eth0.promote_secondaries=1
check "the standby's agent answers on $AGENT_AT" start_agent -v

# holders ADDR: the hosts whose `ip addr` shows ADDR, of a1 and sb.
holders() {
	local n h=
	for n in a1 sb; do
		[ -n "$(lan_exec "$n" ip -o addr show to "$1")" ] && h+="$n "
	done
	echo "$h"
}
# macs_answering ADDR: the distinct MACs that answer c1's ARP requests.
macs_answering() {
	lan_exec c1 arping -b -c 10 -w 3 -I eth0 "$1" 2>/dev/null |
		grep -o '\[[0-9A-Fa-f:]*\]' | tr -d '[]' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' '
}
# requests: how many instructions the agent has logged so far.
requests() { grep -c ' <- ' "$sc_tmp/agent.log"; }
M_A1=$(lan_mac a1 eth0)
check "a1 sends to the standby from $A11 (its primary address)" \
	[ "$(lan_exec a1 ip -o route get 192.0.2.2 | grep -o 'src [0-9.]*')" = "src $A11" ]

# --- 1. every address of a1, from one of them -------------------------------
instruct a1 takeover a1 --timeout 5000
check "takeover a1 from $A11: exit 5 ($rc: $err)" [ $rc = 5 ]
check "... the standby refused it, nothing bound, naming $A11" \
	eval 'grep -q "refused takeover, nothing bound: the instruction comes from $A11" <<<"$err"'
check "... errno EDESTADDRREQ (89)" eval 'grep -q "errno 89," <<<"$err"'
check "the standby logged the refusal" \
	grep -q "takeover a1 refused, nothing bound: the instruction comes from $A11" \
	"$sc_tmp/agent.log"
check "nothing is marked on the standby: '$(marked sb)'" [ -z "$(marked sb)" ]
check "exactly one host holds $A11: $(holders "$A11")" [ "$(holders "$A11")" = "a1 " ]
check "exactly one host holds $A12: $(holders "$A12")" [ "$(holders "$A12")" = "a1 " ]
answers=$(macs_answering "$A11")
check "exactly one MAC answers ARP for $A11, a1's: $answers" [ "$answers" = "$M_A1 " ]

# --- 2. one address, the kernel's source: instruct sends from the other -----
instruct a1 takeover a1 "$A11" --timeout 5000
check "takeover a1 $A11: exit 0 ($rc: $out$err)" [ $rc = 0 ]
check "... sent from $A12, the address a1 keeps" \
	grep -q "<- $A12: takeover a1 $A11" "$sc_tmp/agent.log"
lan_exec a1 ip addr del "$A11/24" dev eth0
check "a1 dropped $A11 after the reply, $A12 stays: $(addrs a1 eth0)" \
	[ "$(addrs a1 eth0)" = "$A12/24 " ]
check "exactly one host holds $A11: $(holders "$A11")" [ "$(holders "$A11")" = "sb " ]
answers=$(macs_answering "$A11")
tk=$(marked sb | tr ';' '\n' | awk -v a="$A11/24" '$2 == a { print $1 }')
check "exactly one MAC answers ARP for $A11, sb $tk's: $answers" \
	[ -n "$tk" -a "$answers" = "$(lan_mac sb "$tk") " ]

# --- 3. no address to send from -----------------------------------------------
n0=$(requests)
before=$(snapshot sb)
instruct a1 takeover a1 "$A12" --timeout 5000
check "takeover a1 $A12 from a host whose only address it is: exit 5 ($rc: $err)" \
	eval '[ $rc = 5 ] && grep -q "refused here, nothing sent: .* has no other address" <<<"$err"'
instruct a1 takeover a1 "$A12" --source "$A12" --timeout 5000
check "with --source $A12: exit 5, refused here ($rc: $err)" \
	eval '[ $rc = 5 ] && grep -q "refused here, nothing sent: --source $A12 is the address" <<<"$err"'
check "the agent heard neither ($(requests) requests, $n0 before)" [ "$(requests)" = "$n0" ]
check "... and nothing changed on the standby" [ "$(snapshot sb)" = "$before" ]
check "exactly one host holds $A12: $(holders "$A12")" [ "$(holders "$A12")" = "a1 " ]

# --- 4. from a management address ---------------------------------------------
lan_exec a1 ip addr add "$MGMT/24" dev eth0
instruct a1 takeover a1 "$A12" --source "$MGMT" --timeout 5000
check "takeover a1 $A12 --source $MGMT: exit 0 ($rc: $out$err)" [ $rc = 0 ]
check "... sent from $MGMT" grep -q "<- $MGMT: takeover a1 $A12" "$sc_tmp/agent.log"
lan_exec a1 ip addr del "$A12/24" dev eth0
check "exactly one host holds $A12: $(holders "$A12")" [ "$(holders "$A12")" = "sb " ]
answers=$(macs_answering "$A12")
tk=$(marked sb | tr ';' '\n' | awk -v a="$A12/24" '$2 == a { print $1 }')
check "exactly one MAC answers ARP for $A12, sb $tk's: $answers" \
	[ -n "$tk" -a "$answers" = "$(lan_mac sb "$tk") " ]
instruct a1 release a1 --source "$MGMT"
check "the agent releases a1 ($rc: $out$err): '$(marked sb)'" [ $rc = 0 -a -z "$(marked sb)" ]
check "the agent stops cleanly" stop_agent
finish
