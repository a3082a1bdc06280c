#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# After the takeover (doc/watch.md): the failed node wakes up with its old
# IP and MAC and announces the address again (a gratuitous ARP, as a node
# whose stack comes back does). `ipto watch` on the standby must report
# the conflict from that very frame, and:
#  - with --policy report: only report it (the clients go to the woken
#    node, and the standby sends nothing about the address);
#  - with --policy defend: re-announce at once, so the clients end on the
#    standby's MAC; in the capture on the standby's adapter the frame
#    right after the woken node's is the standby's announcement.
# Each conflict is recorded under --run-dir, and the watcher exits 0 on
# SIGTERM.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
command -v jq >/dev/null || { echo "not ok - jq is missing (.ci/deps)"; exit 1; }
command -v arping >/dev/null || { echo "not ok - arping is missing (.ci/deps)"; exit 1; }
command -v tshark >/dev/null || { echo "not ok - tshark is missing (.ci/deps)"; exit 1; }

sc_one_ip wch-w- 2
sc_reach_a1
# a1 fails without bringing anything down; the standby takes C over.
ipto_on sb -c "$sc_tmp/cluster.conf" takeover --fail a1
check "ipto takeover exits 0" [ $rc = 0 ]
for c in c1 c2; do
	check "$c follows the standby ($E)" follows $c "$C" "$E"
done

# about_c PCAP: the sender MAC of every ARP frame about C, in order.
about_c() {
	tshark -n -r "$1" -Y "arp.src.proto_ipv4 == $C" -T fields -e arp.src.hw_mac \
		2>/dev/null | tr '\n' ' '
}
# wake: a1's stack comes back and announces C with its old MAC.
wake() { lan_exec a1 arping -q -U -c 1 -I eth0 "$C"; }
conflict() { # POLICY DEFENDED
	wait_for "$sc_tmp/watch-$1.out" ".event == \"conflict\" and .addr == \"$C/24\" and
		.mac == \"$A1MAC\" and .ifname == \"tk1\" and .own_mac == \"$E\" and
		.frame == \"arp-announce\" and .policy == \"$1\" and .defended == $2"
}
n_conflicts() { jq -c 'select(.event == "conflict")' "$1" | wc -l; }

# --- report ---------------------------------------------------------------
check "ipto watch --policy report starts (ready)" start_watch report
check "it watches C on tk1" \
	wait_for "$sc_tmp/watch-report.out" ".event == \"watch\" and .addr == \"$C/24\" and .ifname == \"tk1\""
check "tshark captures on sb tk1" capture_start sb "$sc_tmp/report.pcap" -i tk1 -f arp
wake
check "the conflict is reported: $A1MAC claims $C on tk1, not defended" conflict report false
for c in c1 c2; do
	check "report only: $c goes to the woken a1 ($A1MAC)" follows $c "$C" "$A1MAC"
done
check "ipto watch exits 0 on SIGTERM, last line {\"event\":\"stop\"}" stop_watch report
cap_has "$sc_tmp/report.pcap" "arp.src.proto_ipv4 == $C" 1
capture_stop
check "one frame, one report ($(n_conflicts "$sc_tmp/watch-report.out"))" \
	[ "$(n_conflicts "$sc_tmp/watch-report.out")" = 1 ]
seq_r=$(about_c "$sc_tmp/report.pcap")
note "ARP about C on sb tk1, by sender MAC: $seq_r"
check "the standby sent nothing about C: only a1's frame" [ "$seq_r" = "$A1MAC " ]
check "the conflict is recorded in the run directory" \
	[ "$(jq -c "select(.event == \"conflict\" and .mac == \"$A1MAC\")" "$sc_tmp/run/conflicts" | wc -l)" = 1 ]

# --- defend ---------------------------------------------------------------
check "ipto watch --policy defend starts (ready)" start_watch defend
check "tshark captures on sb tk1" capture_start sb "$sc_tmp/defend.pcap" -i tk1 -f arp
wake
check "the conflict is reported and defended" conflict defend true
for c in c1 c2; do
	check "defend: $c ends on the standby ($E) again" follows $c "$C" "$E"
done
# The repeat of the defence comes 1.1 s after the first whether or not the
# clients needed it: the watch stays until it is on the wire (or 10 s).
cap_has "$sc_tmp/defend.pcap" "arp.src.proto_ipv4 == $C" 3
check "ipto watch exits 0 on SIGTERM" stop_watch defend
capture_stop
check "one frame, one report ($(n_conflicts "$sc_tmp/watch-defend.out"))" \
	[ "$(n_conflicts "$sc_tmp/watch-defend.out")" = 1 ]
seq_d=$(about_c "$sc_tmp/defend.pcap")
note "ARP about C on sb tk1, by sender MAC: $seq_d"
# A client that took a1's frame ignores the defence for its locktime (1 s):
# the defence goes again after it.
check "the frame right after a1's is the standby's announcement from $E, and again later" \
	[ "$seq_d" = "$A1MAC $E $E " ]
ann=$(tshark -n -r "$sc_tmp/defend.pcap" -Y "arp.src.hw_mac == $E" -T fields \
	-e eth.dst -e arp.opcode -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 -e arp.dst.hw_mac 2>/dev/null |
	sort -u)
check "it is an RFC 5227 announcement: broadcast request, target IP = sender IP = C ($ann)" \
	[ "$ann" = "$(printf 'ff:ff:ff:ff:ff:ff\t1\t%s\t%s\t00:00:00:00:00:00' "$C" "$C")" ]
t_garp=$(tshark -n -r "$sc_tmp/defend.pcap" -Y "arp.src.hw_mac == $A1MAC" -T fields -e frame.time_epoch 2>/dev/null | head -n1)
t_def=$(tshark -n -r "$sc_tmp/defend.pcap" -Y "arp.src.hw_mac == $E" -T fields -e frame.time_epoch 2>/dev/null | head -n1)
note "defence on the wire $(awk -v a="$t_garp" -v b="$t_def" 'BEGIN { printf "%.3f", (b - a) * 1000 }') ms after a1's frame"
t_again=$(tshark -n -r "$sc_tmp/defend.pcap" -Y "arp.src.hw_mac == $E" -T fields -e frame.time_epoch 2>/dev/null | sed -n 2p)
gap=$(awk -v a="$t_def" -v b="$t_again" 'BEGIN { printf "%d", (b - a) * 1000 }')
check "... and again after the clients' locktime: ${gap} ms later (1100 ms in the library, at least 1000 by the capture's clock)" \
	[ "$gap" -ge 1000 ]
check "both conflicts are in the record" [ "$(jq -c 'select(.event == "conflict")' "$sc_tmp/run/conflicts" | wc -l)" = 2 ]

# --- a1 talks again: an ordinary ARP request (for c1) from C, a1's MAC ----
check "ipto watch (defend) starts again" start_watch defend
lan_exec a1 arping -q -c 1 -s "$C" -I eth0 "$(lan_ip4 c1)"
check "its ARP request is a conflict too, defended" \
	wait_for "$sc_tmp/watch-defend.out" ".event == \"conflict\" and .mac == \"$A1MAC\" and
		.frame == \"arp-request\" and .defended == true"
for c in c1 c2; do
	check "$c ends on the standby ($E)" follows $c "$C" "$E"
done
check "ipto watch exits 0 on SIGTERM" stop_watch defend
ipto_on sb watch --recent 10 --run-dir "$sc_tmp/run"
check "ipto watch --recent 10 lists the three conflicts: $(tail -n1 <<<"$out")" \
	[ "$(grep -c "claims $C/24 on tk1" <<<"$out")" = 3 ]
IPTO_RUN_DIR=$sc_tmp/run ipto_on sb -c "$sc_tmp/cluster.conf" status
note "ipto status:" "$out"
check "ipto status shows them too" [ "$(grep -c "conflict: $A1MAC claims $C/24 on tk1" <<<"$out")" = 3 ]
IPTO_RUN_DIR=$sc_tmp/run ipto_on sb -c "$sc_tmp/cluster.conf" status --json
check "ipto status --json exits 0 ($rc) and carries them in C's entry: $(jq -c --arg a "$C/24" '.addresses[] | select(.ip == $a) | [.conflicts[] | [.mac, .adapter, .frame, .defended]]' <<<"$out")" \
	[ $rc = 0 -a "$(jq -c --arg a "$C/24" '.addresses[] | select(.ip == $a) | [.conflicts[] | [.mac, .adapter, .frame, .policy, .defended]]' <<<"$out")" = \
	  "[[\"$A1MAC\",\"tk1\",\"arp-announce\",\"report\",false],[\"$A1MAC\",\"tk1\",\"arp-announce\",\"defend\",true],[\"$A1MAC\",\"tk1\",\"arp-request\",\"defend\",true]]" ]
now_ns=$(date +%s%N)
check "... each with its time (UTC text, and time_ns within the last 10 minutes)" \
	jq -e --arg a "$C/24" --argjson now "$now_ns" '[.addresses[] | select(.ip == $a) | .conflicts[] |
		(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")) and .time_ns <= $now and .time_ns > $now - 600000000000] |
		length == 3 and all' <<<"$out"
IPTO_RUN_DIR=$sc_tmp/none ipto_on sb -c "$sc_tmp/cluster.conf" status
check "... and says nothing of conflicts when none is recorded" [ "$(grep -c conflict <<<"$out")" = 0 ]
IPTO_RUN_DIR=$sc_tmp/none ipto_on sb -c "$sc_tmp/cluster.conf" status --json
check "... (JSON: an empty array)" [ "$(jq -c '[.addresses[].conflicts]' <<<"$out")" = "[[]]" ]
finish
