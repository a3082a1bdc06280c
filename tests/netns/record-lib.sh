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
