#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash points (doc/record.md "Orphaned changes", the test hook
# IPTO_TEST_CRASH_AT): the ipto process is killed (SIGKILL, by the
# library itself) just before each change it would make to the system, in
# turn, in a takeover of 16 addresses (onto two takeover adapters that
# are down and two macvlans it creates, so link creation, raising and
# every guard are among the steps), in the release of that takeover, and
# in a reclaim. After each crash:
#  - no lock is held (flock -n on the library's lock file);
#  - `ipto status --json` is true to the kernel: it holds exactly what the
#    kernel marks, and when nothing is held it says "nothing held" (exit 3)
#    only if the host is as before the takeover, and else lists the
#    orphaned changes (exit 1);
#  - `ipto cleanup` never removes a held address, and when nothing is held
#    leaves the host exactly as before the takeover;
#  - the next takeover or release completes, and the host ends exactly as
#    a crash-free takeover and release leave it: addresses and their
#    marks, links and their state, every arp_ignore/arp_announce/
#    promote_secondaries, the record under /run/ipto.
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
# shellcheck source=record-lib.sh
. "$(dirname "$0")/record-lib.sh"

rec_up crash- --clients 1 --actives 1 --ips 1 --takeover 2 --takeover-down
N=16
{
	line="node a1"
	for i in $(seq 1 $N); do line+=" 198.51.100.$((10 + i))/24"; done
	echo "$line mac=$(lan_mac a1 eth0)"
	echo "adapter sb tk1"
	echo "adapter sb tk2"
	echo "adapter sb mgmt management"
	echo "adapter sb macvlan:mgmt count 2"
} >"$sc_tmp/cluster.conf"
C=(-c "$sc_tmp/cluster.conf")
TAKE=(takeover --fail a1 --share --schedule once)

# state NODE: what a run may change on NODE, one sorted line per fact
# (one process in NODE, no Python: this runs a few times per crash):
# every link (state, alias), every address, every IPv4 ARP and
# promote_secondaries setting, the record's notes (ifindex left out: a
# macvlan made again has a new one). The lock file is no fact. The marks
# are read by marks (a raw dump, slower) where they are compared.
state() {
	lan_exec "$1" sh -c '
		ip -o link show | sed -E "s/^[0-9]+: ([^:@]+)[:@].*<([^>]*)>.*/link \1 \2/"
		ip -o addr show | awk "{ print \"addr\", \$2, \$4 }"
		for d in /sys/class/net/*; do
			read -r a <"$d/ifalias" 2>/dev/null || a=
			echo "alias ${d##*/} $a"
		done
		for d in /proc/sys/net/ipv4/conf/*; do
			read -r i <"$d/arp_ignore"; read -r n <"$d/arp_announce"
			read -r p <"$d/promote_secondaries"
			echo "conf ${d##*/} $i $n $p"
		done
		rec=/run/ipto/$(stat -L -c %i /proc/self/ns/net)
		for f in "$rec"/*; do
			[ -f "$f" ] || continue
			case ${f##*/} in *lock*) continue ;; esac
			echo "record ${f##*/} $(sed -E "s/ifindex=[0-9]+ //" "$f")"
		done' | sort
}
# marks NODE PROTO: "IF ADDR" of every address NODE's kernel marks PROTO
# (addr-dump.py), sorted.
marks() {
	kdump "$1" | jq -r --argjson p "$2" 'select(.proto == $p) | "\(.ifname) \(.addr)"' |
		sort | tr '\n' ';'
}
# settle NODE: a release hands the macvlans it emptied to a detached
# reaper (doc/macvlan.md): wait, by the clock and 30 s at most, until no
# ipto process is left in NODE's namespace, so a state read after it is
# the finished one.
settle() {
	local t0=$SECONDS
	while [ $((SECONDS - t0)) -lt 30 ]; do
		ip netns pids "$(lan_ns "$1")" | xargs -r ps -o comm= -p | grep -q '^ipto$' ||
			return 0
		sleep 0.05
	done
	return 1
}
# run NODE K ARGS...: ipto ARGS on NODE, killed before step K (0: never);
# sets rc, out, err.
run() {
	local node=$1 k=$2
	shift 2
	lan_exec "$node" env IPTO_TEST_CRASH_AT="$k" "$IPTO" "$@" >"$sc_tmp/out" 2>"$sc_tmp/err"
	rc=$?
	settle "$node" || bad_list+=("ipto $*: its reaper still runs after 30 s")
	out=$(cat "$sc_tmp/out")
	err=$(cat "$sc_tmp/err")
}
# steps NODE ARGS...: the steps of ipto ARGS on NODE (it runs to the end),
# one "N: WHAT DETAIL" a line in $steps_out; sets rc.
steps() {
	local node=$1
	shift
	lan_exec "$node" env IPTO_TEST_CRASH_COUNT=1 "$IPTO" "$@" >/dev/null 2>"$sc_tmp/steps"
	rc=$?
	settle "$node" || bad_list+=("ipto $*: its reaper still runs after 30 s")
	steps_out=$(sed -n 's/^ipto-step //p' "$sc_tmp/steps")
}
# lock_free NODE: the library's lock file (from its log) is not held.
lock_free() {
	[ -n "$LOCK" ] && lan_exec "$1" flock -n "$LOCK" true
}

bad_list=()
# The library's lock file: from the log of a run that takes it.
ipto_on sb "${C[@]}" -v cleanup
LOCK=$(sed -n 's/.*lock: holding \(.*\)$/\1/p' <<<"$err" | head -n1)
check "the lock file is named in the log: '$LOCK'" [ -n "$LOCK" ]

S0=$(state sb)
steps sb "${C[@]}" "${TAKE[@]}"
check "a crash-free takeover exits 0 ($rc)" [ $rc = 0 ]
S1=$(state sb)
M1=$(marks sb 112)
TK_STEPS=$(wc -l <<<"$steps_out")
note "the steps of a takeover of $N addresses ($TK_STEPS):" $steps_out
check "... it binds all $N ($(tr ';' '\n' <<<"$M1" | grep -c .))" [ "$(tr ';' '\n' <<<"$M1" | grep -c .)" = $N ]
check "... creating the macvlans, raising the links, writing notes" \
	eval 'grep -q "link_create" <<<"$steps_out" && grep -q "link_up" <<<"$steps_out" &&
	      grep -q "record_write" <<<"$steps_out" && grep -q "send_round" <<<"$steps_out"'
steps sb "${C[@]}" release --fail a1
check "a crash-free release exits 0 ($rc)" [ $rc = 0 ]
RL_STEPS=$(wc -l <<<"$steps_out")
note "the steps of its release ($RL_STEPS):" $steps_out
check "... and leaves sb as it was" [ "$(state sb)" = "$S0" ]

# differs A B: the lines that differ between states A and B.
differs() { diff <(echo "$1") <(echo "$2") | grep '^[<>]' | tr '\n' ' '; }
# after_crash WHAT K: the checks every crash of sb gets (appended to
# bad_list), then `ipto cleanup`.
bad_list=()
after_crash() {
	local what=$1 k=$2 s_crash s_clean held st_held
	if [ $rc != 137 ] || ! grep -q "ipto-crash: killed before step $k " <<<"$err"; then
		bad_list+=("$what $k: not killed at that step (rc $rc: $(tail -n1 <<<"$err"))")
		return
	fi
	lock_free sb || bad_list+=("$what $k: the lock is still held")
	s_crash=$(state sb)
	held=$(marks sb 112)
	ipto_on sb "${C[@]}" status --json
	st_held=$(jq -r '.addresses[] | select(.held) | "\(.adapter) \(.ip)"' <<<"$out" | sort | tr '\n' ';')
	[ "$st_held" = "$held" ] ||
		bad_list+=("$what $k: status holds '$st_held', the kernel marks '$held'")
	if [ -z "$held" ] && [ "$s_crash" = "$S0" ]; then
		[ $rc = 3 ] || bad_list+=("$what $k: nothing changed, status exit $rc, not 3")
	elif [ -z "$held" ] && { [ $rc != 1 ] || [ "$(jq '.orphaned | length' <<<"$out")" = 0 ]; }; then
		bad_list+=("$what $k: sb holds nothing but differs from before ($(differs "$S0" "$s_crash")); status exit $rc, orphaned $(jq -c .orphaned <<<"$out")")
	fi
	ipto_on sb "${C[@]}" cleanup
	[ $rc = 0 ] || bad_list+=("$what $k: cleanup exit $rc")
	s_clean=$(state sb)
	[ -z "$held" ] || [ "$(marks sb 112)" = "$held" ] ||
		bad_list+=("$what $k: cleanup changed the held addresses")
	if [ -z "$held" ] && [ "$s_clean" != "$S0" ]; then
		bad_list+=("$what $k: after cleanup sb is not as before: $(differs "$S0" "$s_clean")")
	fi
	cur_held=$held
}
# finish_cycle WHAT K: from what the crash left, the next runs complete
# exactly: a release if anything is held (then sb is as before), then a
# takeover (then sb is as after a crash-free one).
finish_cycle() {
	local what=$1 k=$2 now
	if [ -n "$cur_held" ]; then
		run sb 0 "${C[@]}" release --fail a1
		now=$(state sb)
		[ $rc = 0 ] || bad_list+=("$what $k: the next release exits $rc")
		[ "$now" = "$S0" ] ||
			bad_list+=("$what $k: after the next release sb is not as before: $(differs "$S0" "$now")")
	fi
	run sb 0 "${C[@]}" "${TAKE[@]}"
	now=$(state sb)
	[ $rc = 0 ] || bad_list+=("$what $k: the next takeover exits $rc")
	[ "$k" != "$TK_STEPS" ] || [ "$(marks sb 112)" = "$M1" ] ||
		bad_list+=("$what $k: the next takeover marks $(marks sb 112), not $M1")
	[ "$now" = "$S1" ] ||
		bad_list+=("$what $k: after the next takeover sb is not as a crash-free one leaves it: $(differs "$S1" "$now")")
}

# 1. Every step of the takeover, from sb as it was.
for ((k = 1; k <= TK_STEPS; k++)); do
	run sb "$k" "${C[@]}" "${TAKE[@]}"
	after_crash takeover "$k"
	finish_cycle takeover "$k"
	run sb 0 "${C[@]}" release --fail a1
	[ "$(state sb)" = "$S0" ] || bad_list+=("takeover $k: the final release leaves sb changed")
done
check "a takeover killed at each of its $TK_STEPS steps: status true, cleanup and the next runs exact (${bad_list[*]:-})" \
	[ ${#bad_list[@]} = 0 ]

# 2. Every step of the release, from sb as the takeover leaves it (each
# cycle ends there).
bad_list=()
run sb 0 "${C[@]}" "${TAKE[@]}"
for ((k = 1; k <= RL_STEPS; k++)); do
	run sb "$k" "${C[@]}" release --fail a1
	after_crash release "$k"
	finish_cycle release "$k"
done
check "a release killed at each of its $RL_STEPS steps: status true, cleanup and the next runs exact (${bad_list[*]:-})" \
	[ ${#bad_list[@]} = 0 ]
ipto_on sb "${C[@]}" release --fail a1
check "at the end no mark, setting or note is left on sb ($(differs "$S0" "$(state sb)"))" [ "$(state sb)" = "$S0" ]

# 3. Every step of a reclaim on a1's own host (its addresses are gone
# there, as after a failure).
R0=$(state a1)
steps a1 "${C[@]}" reclaim --node a1 --interface eth0 --schedule once
check "a crash-free reclaim exits 0 ($rc)" [ $rc = 0 ]
RC_STEPS=$(wc -l <<<"$steps_out")
R1=$(state a1)
note "the steps of a reclaim ($RC_STEPS):" $steps_out
ipto_on a1 "${C[@]}" release --fail a1
check "... its release leaves a1 as it was" [ "$(state a1)" = "$R0" ]
bad_list=()
for ((k = 1; k <= RC_STEPS; k++)); do
	run a1 "$k" "${C[@]}" reclaim --node a1 --interface eth0 --schedule once
	if [ $rc != 137 ]; then
		bad_list+=("reclaim $k: not killed (rc $rc)")
		continue
	fi
	lan_exec a1 flock -n "$LOCK" true || bad_list+=("reclaim $k: the lock is still held")
	held=$(marks a1 113)
	ipto_on a1 "${C[@]}" status --node a1 --json
	st_held=$(jq -r '.addresses[] | select(.held) | "\(.adapter) \(.ip)"' <<<"$out" | sort | tr '\n' ';')
	[ "$st_held" = "$held" ] || bad_list+=("reclaim $k: status holds '$st_held', the kernel marks '$held'")
	run a1 0 "${C[@]}" reclaim --node a1 --interface eth0 --schedule once
	[ $rc = 0 ] && [ "$(state a1)" = "$R1" ] || bad_list+=("reclaim $k: the next reclaim is not exact (rc $rc)")
	run a1 0 "${C[@]}" release --fail a1
	[ $rc = 0 ] && [ "$(state a1)" = "$R0" ] || bad_list+=("reclaim $k: the release after it leaves a1 changed")
done
check "a reclaim killed at each of its $RC_STEPS steps: status true, the next runs exact (${bad_list[*]:-})" \
	[ ${#bad_list[@]} = 0 ]
finish
