#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The patent's Fig. 2 and Fig. 3 on real kernels: terminals 21 and 24
# (c1, c2), active system 28 (a1) with one IP "C", standby 32 (sb) with
# adapter 29 for the instructions (mgmt, management network) and one
# takeover adapter 30 (tk1). a1 instructs the standby (ST02-ST03), then
# brings the IP and its adapter down; the standby binds C to tk1 with tk1's
# own MAC "e" and sends the ARP request "e, C, 0, BCA" (ST04); every
# terminal's ARP table now maps C to e (ST05).
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"

lan_up --prefix iptosc-f2- --clients 2 --actives 1 --ips 1 --takeover 1 --second-subnet ||
	exit 1
C=$(lan_ip4 a1)
A1MAC=$(lan_mac a1 eth0)
E=$(lan_mac sb tk1)
sc_conf "a1 $C/24 mac=$A1MAC" tk1

# Adapter 29 is on the LAN but is no takeover adapter.
quiet_adapters sb mgmt
# ST01: the standby waits for an instruction.
check "ST01: the standby's agent listens on the management network" start_agent -v
for c in c1 c2; do
	check "$c reaches C=$C on a1" pings $c "$C"
	check "$c's ARP table maps C to a1's MAC" [ "$(entry $c "$C")" = "$A1MAC" ]
done

# Capture what terminal 21 receives, to see the patent's frame.
check "tshark captures on c1" capture_start c1 "$sc_tmp/c1.pcap" -i eth0 -f arp

# Bad instructions change nothing and say why with an errno.
instruct a1 takeover a1 192.0.2.99
check "an address a1 does not have: exit 1, errno ENOENT (2)" \
	[ $rc = 1 -a -n "$(grep 'errno 2,' <<<"$err")" ]
instruct a1 takeover ghost
check "an unknown node: exit 1, named in the reply" [ $rc = 1 -a -n "$(grep "'ghost'" <<<"$err")" ]
check "bad instructions bound nothing on tk1" [ "$(addrs sb tk1)" = "" ]

# ST02-ST03: a1 picks its one IP, instructs the standby, waits for the
# reply, then deactivates the IP and its adapter.
instruct a1 takeover a1 "$C"
check "ST03: a1's instruction is answered ok (exit 0)" [ $rc = 0 ]
check "the reply names tk1 and its own MAC: $out" [ "$out" = "$C/24 on tk1 $E" ]
# Repeating the instruction (as after a lost reply) is harmless.
instruct a1 takeover a1 "$C"
check "a repeated instruction is answered ok" [ $rc = 0 ]
check "... and C is once on the standby, on tk1" \
	[ "$(lan_exec sb ip -o addr show to "$C" | awk '{ print $2 }')" = tk1 ]
lan_exec a1 ip addr del "$C/24" dev eth0
lan_exec a1 ip link set eth0 down

# ST04: the standby bound C to takeover adapter 30 with its own MAC.
check "ST04: ip addr on the standby shows C on tk1" has_addr sb tk1 "$C/24"
check "C is on no other adapter of the standby" [ -z "$(lan_exec sb ip -o addr show to "$C" | grep -v ' tk1 ')" ]
check "tk1 kept its own MAC e=$E" [ "$(lan_exec sb cat /sys/class/net/tk1/address)" = "$E" ]
# ST05: every terminal's table maps C to e.
for c in c1 c2; do
	check "ST05: $c's ARP table maps C to e" follows $c "$C" "$E"
	check "$c reaches C on the standby" pings $c "$C"
done


# The frames: every round of both schedules (the agent logs each
# schedule's end), then until the capture holds them (dumpcap writes
# behind), then stop the capture.
lan_poll 60 log_count_ge "$sc_tmp/agent.log" 'schedule complete' 2
patent_frames() {
	tshark -n -r "$sc_tmp/c1.pcap" -Y "arp.opcode == 1 && arp.src.hw_mac == $E &&
		arp.src.proto_ipv4 == $C && arp.dst.hw_mac == 00:00:00:00:00:00 &&
		arp.dst.proto_ipv4 == 192.0.2.255" 2>/dev/null | wc -l
}
six_frames() { [ "$(patent_frames)" -ge 6 ]; }
lan_poll 30 six_frames
capture_stop
patent=$(patent_frames)
[ "$patent" = 6 ] || tshark -n -r "$sc_tmp/c1.pcap" 2>/dev/null | sed 's/^/# /'
check "c1 received the patent's request 'e, C, 0, BCA' in each of the 6 rounds (2 instructions x 3): $patent" \
	[ "$patent" = 6 ]
check "the agent stops on SIGTERM, exit 0" stop_agent
check "... and C stays bound on tk1" has_addr sb tk1 "$C/24"
finish
