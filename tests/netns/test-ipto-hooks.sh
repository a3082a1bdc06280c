#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ipto as a cluster manager's hook runs it, on a real LAN of namespaces:
#   - a MAC that differs from the description is named as such (not as
#     the errno the library returns, "Stale file handle");
#   - --background returns once the addresses are bound and the first
#     round is out: counted in frames on a client's wire when the parent
#     has exited; the rest of the schedule still arrives, from a child
#     that holds no lock and no pipe of the caller;
#   - --refresh keeps announcing after the schedule until SIGTERM, then
#     exits 0 and leaves the addresses bound;
#   - --syslog sends the messages to syslog, facility daemon, ident ipto:
#     to a test socket at /dev/log in a private mount namespace (the host's
#     logging is never touched), from the parent and from the background
#     child.
#
# usage: test-ipto-hooks.sh PATH/TO/ipto PATH/TO/ipto-agent
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"
command -v jq >/dev/null || { echo "not ok - jq is missing (.ci/deps)"; exit 1; }
command -v unshare >/dev/null && command -v flock >/dev/null ||
	{ echo "not ok - unshare and flock (util-linux) are missing"; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)

lan_up --prefix hooks- --clients 1 --actives 1 --ips 1 --takeover 1 || exit 1
forget_record sb
lan_exec a1 ip link set eth0 down
A11=$(lan_ip4 a1 1)
TK1_MAC=$(lan_mac sb tk1)
sc_conf "a1 $A11/24 mac=$(lan_mac a1 eth0)" tk1
C=(-c "$sc_tmp/cluster.conf")
# Three rounds, one frame each (one IPv4 address, one style), 5 s apart.
SCHED=0:arp-announce,5000:arp-announce,5000:arp-announce


# The client's wire: every ARP frame c1 receives (arp-log.py).
WIRE=$sc_tmp/wire
lan_exec c1 python3 "$HERE/arp-log.py" eth0 "$WIRE" &
lan_atexit "kill $! 2>/dev/null"
lan_poll 20 grep -qx ready "$WIRE" 2>/dev/null || { bad "arp-log.py did not start"; finish; }
# frames: the frames from tk1 for a1's address seen so far.
frames() { grep -c "^$TK1_MAC $A11 " "$WIRE"; }
frames_at_least() { [ "$(frames)" -ge "$1" ]; }
# lock_free: nobody holds the standby's ipto lock (the library's file).
lock_free() {
	lan_exec sb sh -c 'f=/run/ipto/$(stat -L -c %i /proc/self/ns/net).lock
		[ ! -e "$f" ] || flock -n "$f" true'
}
release() { ipto_on sb "${C[@]}" release -f a1 && [ $rc = 0 ]; }

# --- a MAC mismatch says so ------------------------------------------------
ipto_on sb -n "a1,$A11/24" -a sb,tk1,mac=02:00:5e:30:01:77 takeover -f a1 --schedule once --json
check "a wrong mac= in the description fails: exit 1 ($rc)" [ $rc = 1 ]
check "... stderr names the MAC the adapter has and the one expected: $err" \
	eval '[[ $err == *"tk1 has MAC $TK1_MAC but the plan expects 02:00:5e:30:01:77"* ]]'
check "... and nowhere says 'Stale file handle'" eval '! grep -qi "stale file" <<<"$out$err"'
check "... the JSON report's check_adapter entry gives the reason in words" \
	eval '[ "$(jq -r ".report[] | select(.outcome == \"failed\") | .error" <<<"$out")" = "the adapter'"'"'s MAC is not the one the cluster description gives" ]'
check "... the error object: exit 1" [ "$(jq -c '.error | [.exit, (.message | test("has MAC"))]' <<<"$out")" = '[1,true]' ]
check "... the error object: code EADDRNOTAVAIL, errno 99 (not ESTALE)" \
	[ "$(jq -c '.error | [.code, .errno]' <<<"$out")" = '["EADDRNOTAVAIL",99]' ]
check "... the failed check_adapter entry's result is -99" \
	[ "$(jq -c '[.report[] | select(.outcome == "failed") | [.op, .result]]' <<<"$out")" = '[["check_adapter",-99]]' ]
check "... nothing was bound" eval '[ -z "$(addrs sb tk1)" ]'

# --- --background -------------------------------------------------------------
# Through a pipe, as a hook's caller reads it: the command substitution
# ends when every writer of the pipe is gone, so a child that kept the
# caller's stdout would hold it for the whole schedule.
out=$(lan_exec sb "$IPTO" "${C[@]}" takeover -f a1 --schedule "$SCHED" --background --json \
	2>"$sc_tmp/err")
rc=$?
check "takeover --background exits 0 ($rc: $(cat "$sc_tmp/err"))" [ $rc = 0 ]
# The first frame was sent before the parent exited; give the capture the
# time to read it, then count: the 2nd round is due 5 s after the 1st.
lan_poll 10 frames_at_least 1
n_exit=$(frames)
check "when the parent has returned, the wire has seen the first round only ($n_exit frame)" \
	[ "$n_exit" = 1 ]
check "... its JSON says ok and reports 1 frame in round 0" \
	[ "$(jq -c '[.ok, ([.report[] | select(.op == "announce") | .frames] | add), ([.report[] | .round] | max)]' <<<"$out")" = '[true,1,0]' ]
pid=$(jq -r '.background.pid' <<<"$out")
check "... and names the child that goes on ($pid)" kill -0 "$pid"
check "the address is bound when the parent returns" has_addr sb tk1 "$A11/24"
check "the child holds no lock" lock_free
check "the child runs in its own session" \
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]
lan_poll 30 frames_at_least 3
check "the rest of the schedule goes out: $(frames) of 3 frames" [ "$(frames)" = 3 ]
lan_poll 10 eval '! kill -0 "$pid" 2>/dev/null'
check "the child exits after the schedule" eval '! kill -0 "$pid" 2>/dev/null'
check "release after the background takeover" release

# A release while the child still has rounds to send: its next round finds
# the address gone and sends nothing (it would pull the clients back to a
# host that no longer has the address); the child then exits.
base=$(frames)
out=$(lan_exec sb "$IPTO" "${C[@]}" takeover -f a1 --schedule "$SCHED" --background --json \
	2>"$sc_tmp/err")
rc=$?
pid=$(jq -r '.background.pid' <<<"$out")
check "takeover --background again exits 0 and names the child ($rc, $pid)" \
	[ $rc = 0 ] && kill -0 "$pid"
lan_poll 10 frames_at_least $((base + 1))
check "release before the child's 2nd round" release
lan_poll 30 eval '! kill -0 "$pid" 2>/dev/null'
check "the child exits at its 2nd round" eval '! kill -0 "$pid" 2>/dev/null'
check "... having sent nothing after the release: $(($(frames) - base)) frame(s) in all" \
	[ $(($(frames) - base)) = 1 ]

# Without --background the same command returns after the whole schedule.
base=$(frames)
ipto_on sb "${C[@]}" takeover -f a1 --schedule "$SCHED"
lan_poll 10 frames_at_least $((base + 3))
check "without --background, the parent returns after all 3 rounds ($(($(frames) - base)))" \
	[ $rc = 0 ] && [ $(($(frames) - base)) = 3 ]
# The packet socket's close is left to a detached child that exits after
# the parent: the lock is free when the command returns, the child keeps
# nothing of the caller's, and is gone soon after.
check "the lock is free when the command has returned" lock_free
ipto_left() { ip netns pids "$(lan_ns sb)" | xargs -r ps -o comm= -p | grep -c '^ipto$'; }
lan_poll 10 eval '[ "$(ipto_left)" = 0 ]'
check "no ipto process is left in sb after it ($(ipto_left))" [ "$(ipto_left)" = 0 ]
check "release" release

# --- --refresh ----------------------------------------------------------------
base=$(frames)
# ip netns exec execs ipto: $! is ipto's pid.
ip netns exec "$(lan_ns sb)" "$IPTO" "${C[@]}" takeover -f a1 --schedule 0:arp-announce \
	--refresh 1 --json >"$sc_tmp/refresh.out" 2>"$sc_tmp/refresh.err" &
rpid=$!
lan_poll 30 frames_at_least $((base + 3))
check "--refresh 1: a one-round schedule keeps announcing ($(($(frames) - base)) frames)" \
	frames_at_least $((base + 3))
# It only sends frames now: the host's lock is not its to keep, so another
# run on the host is not held up by it (soak: it timed out).
check "... and leaves the host's lock free while it refreshes" lock_free
kill -TERM $rpid
wait $rpid
rc=$?
check "SIGTERM ends it with exit 0 ($rc: $(cat "$sc_tmp/refresh.err"))" [ $rc = 0 ]
check "... its JSON says ok and reports the refreshes" \
	[ "$(jq '.ok and ([.report[] | select(.op == "announce" and .outcome == "done") | .round] | max) >= 2' \
		"$sc_tmp/refresh.out")" = true ]
check "... and the address stays bound (no release implied)" has_addr sb tk1 "$A11/24"
check "release after the refresh" release

# --background --refresh: the child refreshes until SIGTERM.
base=$(frames)
out=$(lan_exec sb "$IPTO" "${C[@]}" takeover -f a1 --schedule 0:arp-announce --refresh 1 \
	--background --json 2>"$sc_tmp/err")
rc=$?
pid=$(jq -r '.background.pid' <<<"$out")
check "--background --refresh: the parent exits 0 and names the child ($rc, $pid)" \
	[ $rc = 0 ] && kill -0 "$pid"
lan_poll 30 frames_at_least $((base + 3))
check "... the child keeps announcing ($(($(frames) - base)) frames)" frames_at_least $((base + 3))
kill -TERM "$pid"
lan_poll 10 eval '! kill -0 "$pid" 2>/dev/null'
check "... and exits on SIGTERM" eval '! kill -0 "$pid" 2>/dev/null'
check "... leaving the address bound" has_addr sb tk1 "$A11/24"
check "release after the background refresh" release

# --- --syslog -----------------------------------------------------------------
# A private mount namespace with its own /dev (a tmpfs): /dev/log there is
# the test's socket; the host's /dev is not touched.
LOG=$sc_tmp/syslog
SB_NS=$(lan_ns sb)
unshare -m --propagation private bash -s -- "$IPTO" "$SB_NS" "$LOG" "$HERE" \
	"$sc_tmp" "$SCHED" >"$sc_tmp/unshare.out" 2>&1 <<'EOS'
set -u
ipto=$1 ns=$2 log=$3 here=$4 tmp=$5 sched=$6
mount -t tmpfs -o mode=0755 hooks-dev /dev || exit 1
mknod -m 666 /dev/null c 1 3 && mknod -m 444 /dev/urandom c 1 9 || exit 1
python3 "$here/syslog-sink.py" /dev/log "$log" &
sink=$!
# wait_log PATTERN SECS: poll the sink's file until PATTERN shows up, by
# bash's SECONDS clock (the sink may read a queued datagram late).
wait_log() {
	local end=$((SECONDS + $2))
	until grep -qE "$1" "$log" 2>/dev/null; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}
wait_log '^ready$' 10
ip netns exec "$ns" "$ipto" --syslog -c "$tmp/cluster.conf" takeover -f zz
echo "error-rc=$?"
ip netns exec "$ns" "$ipto" --syslog -c "$tmp/cluster.conf" takeover -f a1 \
	--schedule "$sched" --background
echo "background-rc=$?"
# The child logs when its schedule is done (or fails).
wait_log 'in the background' 30
ip netns exec "$ns" "$ipto" --syslog -c "$tmp/cluster.conf" release -f a1
echo "release-rc=$?"
# The release's datagram is queued when it exits: let the sink write it
# before it is stopped.
wait_log 'release --fail a1: done' 10
kill $sink
EOS
sed 's/^/# /' "$LOG" 2>/dev/null
check "the unknown node fails with exit 2" grep -qx error-rc=2 "$sc_tmp/unshare.out"
# daemon.err = 3 * 8 + 3 = 27; daemon.notice = 29.
check "... and its message reaches syslog as daemon.err from ipto[PID]" \
	grep -qE "^<27>.* ipto\[[0-9]+\]: --fail: no active node 'zz'" "$LOG"
check "the background takeover exits 0" grep -qx background-rc=0 "$sc_tmp/unshare.out"
check "the background child logs that the schedule is done (daemon.notice)" \
	grep -qE "^<29>.* ipto\[[0-9]+\]: takeover --fail a1: done, in the background: 3 frame\(s\) in 3 round\(s\)$" "$LOG"
check "the release is logged too" grep -qE "^<29>.* ipto\[[0-9]+\]: release --fail a1: done" "$LOG"
check "the release exits 0" grep -qx release-rc=0 "$sc_tmp/unshare.out"

finish
