#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Probe before binding (doc/watch.md): a1 still holds its addresses (it
# "failed" without letting go). `ipto probe` on the standby must refuse
# them (exit 1, naming a1's MAC), change nothing on the standby, and put
# only probes on the wire (ARP with sender IP 0.0.0.0; IPv6 NS from ::);
# an address nobody uses probes free (exit 0). Then the same through the
# cluster description (--fail a1), and after a1 lets go, the probe passes.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
command -v tshark >/dev/null || { echo "not ok - tshark is missing (.ci/deps)"; exit 1; }

lan_up --prefix wch-p- --clients 1 --actives 1 --ips 1 --takeover 2 --ipv6 || exit 1
C=$(lan_ip4 a1)
C6=$(lan_ip6 a1)
A1MAC=$(lan_mac a1 eth0)
E=$(lan_mac sb tk1)
sc_conf "a1 $C/24 $C6/64 mac=$A1MAC" tk1 tk2
quiet_adapters sb mgmt
matches() { [[ $1 =~ $2 ]]; }
before=$(snapshot sb)

check "tshark captures on sb tk1" capture_start sb "$sc_tmp/p.pcap" -i tk1 -f "arp or icmp6"
ipto_on sb probe -i tk1 --ip "$C/24"
check "probe of C (a1 holds it) exits 1 ($rc)" [ $rc = 1 ]
check "it names a1's MAC: $err" grep -q "$C/24 is in use: $A1MAC answers for it on tk1" <<<"$err"
ipto_on sb probe -i tk1 --ip "$C6/64" --json
check "probe of C6 (a1 holds it) exits 1 ($rc)" [ $rc = 1 ]
check "JSON says in-use by a1: $out" \
	[ "$(jq -r '[.result, .mac, .frame] | join(" ")' <<<"$out")" = "in-use $A1MAC na" ]
ipto_on sb probe -i tk1 --ip 192.0.2.200/24 --ip 2001:db8:2::200/64
check "probe of two free addresses exits 0 ($rc): $out" [ $rc = 0 ]
cap_has "$sc_tmp/p.pcap" "eth.src == $E && (arp.dst.proto_ipv4 == 192.0.2.200 || icmpv6.nd.ns.target_address == 2001:db8:2::200)" 6
capture_stop
check "the standby is exactly as before (addresses, links, sysctls)" [ "$(snapshot sb)" = "$before" ]

probes4=$(tshark -n -r "$sc_tmp/p.pcap" -Y "arp.src.hw_mac == $E" -T fields \
	-e eth.dst -e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 2>/dev/null | sort | uniq -c |
	awk '{ print $1 "x" $2 "/" $3 "/" $4 "/" $5 }' | tr '\n' ' ')
note "ARP from the standby: $probes4"
check "IPv4 probes only: broadcast requests from 0.0.0.0 (C refused at the first answer)" \
	matches "$probes4" "^1xff:ff:ff:ff:ff:ff/1/0.0.0.0/$C 3xff:ff:ff:ff:ff:ff/1/0.0.0.0/192.0.2.200 \$"
answer=$(tshark -n -r "$sc_tmp/p.pcap" -Y "arp.opcode == 2 && arp.src.proto_ipv4 == $C" -T fields \
	-e arp.src.hw_mac 2>/dev/null | sort -u)
check "a1 answered the probe for C ($answer)" [ "$answer" = "$A1MAC" ]
ns=$(tshark -n -r "$sc_tmp/p.pcap" -Y "eth.src == $E && icmpv6.type == 135" -T fields \
	-e ipv6.src -e ipv6.dst -e icmpv6.nd.ns.target_address -e icmpv6.opt.type 2>/dev/null | sort | uniq -c |
	awk '{ print $1 "x" $2 "/" $3 "/" $4 "/" $5 }' | tr '\n' ' ')
note "IPv6 NS from the standby: $ns"
check "IPv6 probes only: DAD NS from :: to the solicited-node group, no option" \
	matches "$ns" "^1x::/ff02::1:ff00:11/$C6/ 3x::/ff02::1:ff00:200/2001:db8:2::200/ \$"
# The kernel's own multicast listener reports and router solicitations
# (tk1 came up just before) are not the probe's.
other=$(tshark -n -r "$sc_tmp/p.pcap" -Y "eth.src == $E && !(arp.src.proto_ipv4 == 0.0.0.0) &&
	!(icmpv6.type == 135) && !(icmpv6.type in {131 132 133 143})" 2>/dev/null)
check "nothing else left the standby's tk1 ${other:+: $other}" [ -z "$other" ]

# Through the description: the plan's addresses from the plan's adapter.
ipto_on sb -c "$sc_tmp/cluster.conf" probe --fail a1 --count 1
refused() { [ $rc = 1 ] && grep -q "is in use: $A1MAC" <<<"$err"; }
check "probe --fail a1 refuses ($rc): $err" refused
lan_exec a1 ip addr flush dev eth0 scope global
ipto_on sb -c "$sc_tmp/cluster.conf" probe --fail a1
check "once a1 let go of its addresses, probe --fail a1 exits 0 ($rc): $out $err" [ $rc = 0 ]

# Bad input: a clear message, exit 2, nothing sent.
ipto_on sb probe --ip "$C"
check "probe without -i: exit 2 ($rc: $err)" [ $rc = 2 ]
ipto_on sb probe -i nosuch0 --ip "$C"
says() { [ $rc = 1 ] && grep -q "$1" <<<"$err"; }
check "probe on a missing interface: exit 1 ($rc: $err)" says nosuch0
lan_exec sb ip link set tk1 down
ipto_on sb probe -i tk1 --ip "$C"
check "probe from a down adapter: exit 1, says it is down ($err)" says "tk1 is down"
finish
