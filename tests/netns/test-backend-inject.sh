#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# An injector (packet or pcap) against a real kernel: frames sent on veth-a
# arrive at the peer veth-b byte for byte, in order, one at a time and in
# batches; without CAP_NET_RAW, opening says -EPERM and nothing is sent.
# usage: test-backend-inject.sh TOOL packet|pcap
. "$(dirname "$0")/test-backend-lib.sh"
BACKEND=${2:?usage: $0 TOOL packet|pcap}
setup_pair
EPERM=1 ENODEV=19 ENETDOWN=100 EOPNOTSUPP=95
ip -n "$NS_A" link set veth-a up
ip -n "$NS_B" link set veth-b up

# capture FIRST COUNT -- SENDER...: start the capture in B, wait until it is
# listening, run the sender in A, then check the capture's verdict.
capture() {
	first=$1 count=$2 what=$3
	shift 3
	rm -f "$WORK/ready"
	mkfifo "$WORK/ready"
	in_b "$TOOL" recv veth-b "$first" "$count" "$WORK/ready" \
		>"$WORK/recv.out" 2>"$WORK/recv.err" &
	rpid=$!
	# blocks until the receiver has bound its socket (guard: 60 s)
	timeout 60 sh -c 'read line < "$0"' "$WORK/ready" ||
		{ not_ok "$what: the capture did not start"; kill $rpid; return; }
	"$@" >"$WORK/send.out" 2>"$WORK/send.err"
	src=$?
	if [ $src -ne 0 ]; then
		not_ok "$what: sender exit $src"
		sed 's/^/    /' "$WORK/send.err"
		kill $rpid 2>/dev/null
		wait $rpid
		return
	fi
	if wait $rpid; then
		ok "$what: $(cat "$WORK/recv.out")"
	else
		not_ok "$what: capture failed"
		sed 's/^/    /' "$WORK/recv.err"
	fi
}

in_a "$TOOL" send "$BACKEND" veth-a 0 0 single >/dev/null 2>&1
[ $? = $EOPNOTSUPP ] && skip "libipto built without the $BACKEND injector"

# frame 0 is a bare 14-byte header, frame 1 is 1514 bytes
capture 0 3 "3 single frames (14, 1514, 134 bytes)" \
	in_a "$TOOL" send "$BACKEND" veth-a 0 3 single
# more than one sendmmsg() chunk (64), lengths 60..1459
capture 100 150 "a batch of 150 frames" \
	in_a "$TOOL" send "$BACKEND" veth-a 100 150 batch

expect_rc $ENODEV "open of a missing interface" in_a "$TOOL" send "$BACKEND" nosuch0 0 1 single

# Without CAP_NET_RAW: -EPERM, and the peer receives nothing. The capture
# waits for one frame; the privileged sender's frame 7 must be the first.
rm -f "$WORK/ready"
mkfifo "$WORK/ready"
in_b "$TOOL" recv veth-b 7 1 "$WORK/ready" >"$WORK/recv.out" 2>"$WORK/recv.err" &
rpid=$!
timeout 60 sh -c 'read line < "$0"' "$WORK/ready"
expect_rc $EPERM "unprivileged open" in_a_unprivileged "$TOOL" send "$BACKEND" veth-a 5 1 single
grep -q "CAP_NET_RAW" "$WORK/err" && ok "the log names CAP_NET_RAW" || not_ok "no CAP_NET_RAW in the log"
in_a "$TOOL" send "$BACKEND" veth-a 7 1 single
if wait $rpid; then ok "nothing arrived from the unprivileged run"; else
	not_ok "the capture saw a frame before frame 7"; sed 's/^/    /' "$WORK/recv.err"; fi

# A link that is down: the send (or the open) fails with -ENETDOWN.
ip -n "$NS_A" link set veth-a down
expect_rc $ENETDOWN "sending on a down link" in_a "$TOOL" send "$BACKEND" veth-a 0 1 single

# libpcap is loaded when the pcap injector is first made, not with libipto:
# the library does not link it, and a libpcap that cannot be loaded (here
# hidden under /dev/null in a private mount namespace) is -ELIBACC with a
# message, not a failure to start.
if [ "$BACKEND" = pcap ]; then
	ELIBACC=79
	lib=$(ldd "$TOOL" | awk '$1 ~ /^libipto\.so/ { print $3 }')
	if readelf -d "$lib" | grep -q 'NEEDED.*libpcap'; then
		not_ok "$lib links libpcap"
	else
		ok "$(basename "$lib") does not link libpcap"
	fi
	real=$(readlink -f "$(ldconfig -p | awk '/libpcap\.so/ { print $NF; exit }')")
	expect_rc $ELIBACC "without a loadable libpcap" unshare -m sh -c \
		'mount --bind /dev/null "$0" && exec ip netns exec "$1" "$2" send pcap veth-a 0 1 single' \
		"$real" "$NS_A" "$TOOL"
	grep -q "cannot load libpcap" "$WORK/err" && ok "... and the log says so" ||
		not_ok "no 'cannot load libpcap' in the log: $(cat "$WORK/err")"
fi
finish
