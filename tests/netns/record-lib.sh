# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# record-lib.sh: helpers of the kernel-record tests (test-scenario-rec-*.sh),
# sourced after scenario-lib.sh. They read the kernel independently of
# libipto: addr-dump.py is one raw RTM_GETADDR dump that shows IFA_PROTO,
# which Debian 12's iproute2 does not.
ADDR_DUMP=$(dirname "$0")/addr-dump.py

# kdump NODE: every address of NODE, one JSON object per line.
kdump() { lan_exec "$1" python3 "$ADDR_DUMP"; }
# proto_of NODE IF ADDR/PREFIX: the address's protocol ("-" when absent,
# "null" when the kernel keeps none).
proto_of() {
	kdump "$1" | jq -r --arg i "$2" --arg a "$3" \
		'select(.ifname == $i and .addr == $a) | .proto' | grep . || echo -
}
# marked NODE: "IF ADDR" for every address NODE's kernel marks as taken
# over (protocol 112), sorted.
marked() {
	kdump "$1" | jq -r 'select(.proto == 112) | "\(.ifname) \(.addr)"' | sort | tr '\n' ';'
}
# forget_record NODE...: at teardown, remove what libipto keeps under /run
# for NODE's namespace (its record and its lock file), as a reboot would.
forget_record() {
	local n ino
	for n in "$@"; do
		ino=$(lan_exec "$n" stat -L -c %i /proc/self/ns/net 2>/dev/null) || continue
		lan_atexit "rm -rf /run/ipto/$ino /run/lock/ipto-$ino.lock"
	done
}

# rec_up PREFIX [--need CMD]... [--management] [--quiet] LAN_UP_OPTION...:
# the preamble every record scenario shares. Without jq (which the helpers
# above use) or a CMD: "not ok" and exit 1. Builds the LAN (lan_up --prefix
# PREFIX LAN_UP_OPTION...; exit 1 on failure) and forgets the records of sb
# and of every active node at teardown. Sets A<J><L> to address L of active
# node aJ (A11 A12 A21 ...), and A<J> to it as well when each node has one
# (A1 A2 ...). Writes the description $sc_tmp/cluster.conf: every active
# node with its addresses (/24) and its eth0 MAC, then sb's takeover
# adapters tk1..tkK, then with --management sb's mgmt as the management
# adapter; sets C=(-c "$sc_tmp/cluster.conf"). With --quiet, sb's mgmt
# answers no ARP for an address it does not carry (quiet_adapters).
rec_up() {
	local prefix=${1:?rec_up PREFIX ...} mgmt=0 quiet=0 j l line n nodes=(sb)
	shift
	local need=(jq)
	while [ $# -gt 0 ]; do
		case $1 in
		--need) need+=("${2:?rec_up: --need CMD}"); shift 2 ;;
		--management) mgmt=1; shift ;;
		--quiet) quiet=1; shift ;;
		*) break ;;
		esac
	done
	for n in "${need[@]}"; do
		command -v "$n" >/dev/null || { echo "not ok - $n is missing (.ci/deps)"; exit 1; }
	done
	lan_up --prefix "$prefix" "$@" || exit 1
	for ((j = 1; j <= LAN_ACTIVES; j++)); do nodes+=("a$j"); done
	forget_record "${nodes[@]}"
	{
		for ((j = 1; j <= LAN_ACTIVES; j++)); do
			line="node a$j"
			for ((l = 1; l <= LAN_IPS; l++)); do
				declare -g "A$j$l=$(lan_ip4 "a$j" "$l")"
				line+=" $(lan_ip4 "a$j" "$l")/24"
			done
			[ "$LAN_IPS" = 1 ] && declare -g "A$j=$(lan_ip4 "a$j" 1)"
			echo "$line mac=$(lan_mac "a$j" eth0)"
		done
		for ((l = 1; l <= LAN_TAKEOVER; l++)); do echo "adapter sb tk$l"; done
		[ $mgmt = 1 ] && echo "adapter sb mgmt management"
	} >"$sc_tmp/cluster.conf"
	C=(-c "$sc_tmp/cluster.conf")
	[ $quiet = 0 ] || quiet_adapters sb mgmt
}
