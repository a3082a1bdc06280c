#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A takeover interrupted by a failing step leaves nothing behind, on real
# kernels: `ip addr`, link states and the ARP / IPv6 sysctls of the
# standby are exactly what they were, the command says why in one line and
# exits 1, and the clients keep what they had.
#  1. IPv6 is disabled on the adapter planned for the IPv6 address: binding
#     fails after the IPv4 address was bound and the ARP sysctls were set
#     (the takeover adapters start down, so no link was raised yet);
#  2. the same through the agent's whole-node instruction;
#  3. an adapter disappears between two instructions: the first address
#     goes on tk1, then tk2 is deleted; the instruction for the address
#     that needs tk2 fails with ENODEV (the agent reads the description
#     afresh for each instruction and names the missing adapter) and
#     changes nothing; the address already taken over stays.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix iptosc-ir- --clients 1 --actives 1 --ips 1 --takeover 2 --ipv6 \
	--second-subnet --takeover-down || exit 1
V4=$(lan_ip4 a1 1)
V6=$(lan_ip6 a1 1)
sc_conf "a1 $V4/24 $V6/64 mac=$(lan_mac a1 eth0)" tk1 tk2
quiet_adapters sb mgmt
pings c1 "$V4"
pings c1 "$V6"

# --- 1. ipto takeover --------------------------------------------------------------
lan_sysctl sb net.ipv6.conf.tk2.disable_ipv6=1
before=$(snapshot sb)
ipto_on sb -c "$sc_tmp/cluster.conf" plan --fail a1
check "the plan puts $V4 on tk1 and $V6 on tk2" \
	[ -n "$(grep "bind $V4/24 of a1 on sb tk1" <<<"$out")" -a -n "$(grep "bind $V6/64 of a1 on sb tk2" <<<"$out")" ]
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover exits 1" [ $rc = 1 ]
check "one line names tk2 and says nothing was changed: $err" \
	[ "$(wc -l <<<"$err")" = 1 -a -n "$(grep 'tk2' <<<"$err")" -a -n "$(grep 'nothing was changed' <<<"$err")" ]
after=$(snapshot sb)
check "ip addr, link states and sysctls of the standby are as before" [ "$after" = "$before" ]
[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/# /'
check "tk1 is still down and has no address" \
	[ "$(lan_exec sb ip -br link show tk1 | awk '{ print $2 }')" = DOWN -a -z "$(addrs sb tk1)" ]

ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1 --json
check "--json: exit 1, rolled_back true, the failed step is addr_add on tk2" \
	python3 -c '
import json, sys
j = json.loads(sys.argv[1])
failed = [r for r in j["report"] if r["outcome"] == "failed"]
undone = {r["op"] for r in j["report"] if r["outcome"] == "undone"}
assert not j["ok"] and j["rolled_back"] and j["result"] < 0, j
assert [(r["op"], r["ifname"]) for r in failed] == [("addr_add", "tk2")], failed
assert undone == {"devconf", "addr_add"}, undone
assert not [r for r in j["report"] if r["outcome"] == "done" and r["op"] not in ("open_adapter",)], j
' "$out"
check "... and still nothing changed" [ "$(snapshot sb)" = "$before" ]
check "c1 still reaches $V4 and $V6 on a1" eval 'pings c1 "$V4" && pings c1 "$V6"'
check "c1 still maps $V4 to a1" [ "$(entry c1 "$V4")" = "$(lan_mac a1 eth0)" ]

# --- 2. the agent's whole-node instruction: all or nothing ---------------------------
check "the standby's agent listens" start_agent
instruct a1 takeover a1
check "the whole-node instruction fails: exit 1 with an errno" \
	[ $rc = 1 -a -n "$(grep 'errno [0-9]' <<<"$err")" ]
check "the reply says it was undone: $err" [ -n "$(grep 'undone' <<<"$err")" ]
check "... and nothing changed on the standby" [ "$(snapshot sb)" = "$before" ]
instruct a1 takeover a1 "$V6"
check "the IPv6 address alone fails the same way" [ $rc = 1 -a "$(snapshot sb)" = "$before" ]

# --- 3. an adapter disappears between two instructions -----------------------------
lan_sysctl sb net.ipv6.conf.tk2.disable_ipv6=0
instruct a1 takeover a1 "$V4"
check "the first address goes over: $out" [ $rc = 0 -a "$out" = "$V4/24 on tk1 $(lan_mac sb tk1)" ]
lan_exec sb ip link del tk2
mid=$(snapshot sb)
instruct a1 takeover a1 "$V6"
check "the address that needs the vanished tk2 fails with ENODEV (19): $err" \
	[ $rc = 1 -a -n "$(grep 'errno 19' <<<"$err")" ]
after=$(snapshot sb)
unchanged() { [ "$after" = "$mid" ] && has_addr sb tk1 "$V4/24"; }
check "... and changes nothing: $V4 stays on tk1, nothing else moved" unchanged
[ "$after" = "$mid" ] || diff <(echo "$mid") <(echo "$after") | sed 's/^/# /'
check "c1 follows $V4 to tk1 all the same" follows c1 "$V4" "$(lan_mac sb tk1)"
finish
