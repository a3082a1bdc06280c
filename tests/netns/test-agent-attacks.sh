#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ipto-agent tried as a hostile host on the management LAN would, on real
# kernels: unauthenticated, wrong-key, tampered, replayed and stale
# requests; a wildcard or pool-address bind; a world-readable or foreign
# key; slowloris; a slow reader; a flood of 1,000 connections. Each is
# refused or survived with nothing changed on the standby (its whole `ip
# addr` and ARP sysctls, before and after), every refused request gets
# exactly "denied" and shows in the agent's log, and the legitimate path
# still works, during the abuse too. The attacker is agent-abuse.py, which
# speaks the protocol from doc/agent.md with Python's own HMAC.
#
# The time an authenticated ping takes while 1,000 abusive connections, a
# slowloris and a slow reader are active is measured and printed (not
# asserted: a timed assertion is flaky on a loaded machine).
#
# usage: test-agent-attacks.sh PATH/TO/ipto PATH/TO/ipto-agent
# shellcheck source=scenario-lib.sh
. "$(dirname "$0")/scenario-lib.sh"
ABUSE=$(dirname "$(realpath "$0")")/agent-abuse.py
command -v python3 >/dev/null || { echo "not ok - python3 is missing (.ci/deps)"; exit 1; }

lan_up --prefix agt- --clients 2 --actives 1 --ips 2 --takeover 2 --second-subnet ||
	exit 1
IP1=$(lan_ip4 a1 1)
IP2=$(lan_ip4 a1 2)
sc_conf "a1 $IP1/24 $IP2/24 mac=$(lan_mac a1 eth0)" tk1 tk2
quiet_adapters sb mgmt
# c1 and c2 are hosts on the management network (allowed peers without the
# key); c1 also carries the flood's 50 source addresses, c2 one address
# outside the allow-list used below (198.51.100.0/25).
FLOOD_FIRST=30
FLOOD_COUNT=50
{
	for ((i = 0; i < FLOOD_COUNT; i++)); do
		echo "addr add 198.51.100.$((FLOOD_FIRST + i))/24 dev eth0"
	done
} | lan_exec c1 ip -batch - || exit 1
lan_exec c2 ip addr add 198.51.100.200/24 dev eth0 || exit 1

abuse() { # NODE ARGS...: agent-abuse.py in NODE; sets $out
	local node=$1
	shift
	out=$(lan_exec "$node" python3 "$ABUSE" "$@" 2>&1)
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$out"; }
unchanged() { # DESCRIPTION: sb is as in $sc_tmp/before; a1's addresses are not on it
	snapshot sb >"$sc_tmp/after"
	if cmp -s "$sc_tmp/before" "$sc_tmp/after" &&
		! lan_exec sb ip -o addr show | grep -qE " ($IP1|$IP2)/"; then
		ok "$1: nothing changed on the standby"
	else
		bad "$1: the standby changed"
		diff "$sc_tmp/before" "$sc_tmp/after" | sed 's/^/# /'
	fi
}
logged() { # PATTERN DESCRIPTION: the agent's log has a line matching it
	if grep -qE "$1" "$sc_tmp/agent.log"; then ok "$2"; else bad "$2"; fi
}

# --- the key file and the address ------------------------------------------
note "bad key files and bind addresses: the agent refuses to start"
listen_rc() { # ARGS...: rc and stderr of a listen that should refuse
	timeout 10 ip netns exec "$(lan_ns sb)" "$AGENT" listen --config "$sc_tmp/cluster.conf" \
		--standby sb "$@" >"$sc_tmp/out" 2>"$sc_tmp/err"
	rc=$?
	err=$(cat "$sc_tmp/err")
}
cp "$AGENT_KEY" "$sc_tmp/open.key" && chmod 644 "$sc_tmp/open.key"
listen_rc --key "$sc_tmp/open.key" --address "$AGENT_AT"
check "world-readable key: listen exits 2 naming the mode ($err)" \
	[ $rc = 2 -a -n "$(grep -F 'mode 0644' <<<"$err")" ]
lan_exec a1 "$AGENT" instruct --key "$sc_tmp/open.key" "$AGENT_AT" ping 2>"$sc_tmp/err"
check "world-readable key: instruct refuses it too (exit 2)" [ $? = 2 ]
cp "$AGENT_KEY" "$sc_tmp/group.key" && chmod 640 "$sc_tmp/group.key"
listen_rc --key "$sc_tmp/group.key" --address "$AGENT_AT"
check "group-readable key: exit 2" [ $rc = 2 ]
cp -p "$AGENT_KEY" "$sc_tmp/foreign.key" && chown 65534 "$sc_tmp/foreign.key"
listen_rc --key "$sc_tmp/foreign.key" --address "$AGENT_AT"
check "key owned by another user: exit 2 naming the owner ($err)" \
	[ $rc = 2 -a -n "$(grep -F 'owned by uid 65534' <<<"$err")" ]
printf 'short\n' >"$sc_tmp/short.key" && chmod 600 "$sc_tmp/short.key"
listen_rc --key "$sc_tmp/short.key" --address "$AGENT_AT"
check "a file that is no key: exit 2" [ $rc = 2 ]
listen_rc --key "$AGENT_KEY" --address "0.0.0.0:$PORT"
check "wildcard bind: exit 2, 'wildcard' named ($err)" [ $rc = 2 -a -n "$(grep -F wildcard <<<"$err")" ]
lan_exec sb ip addr add "$IP2/32" dev lo
listen_rc --key "$AGENT_KEY" --address "$IP2:$PORT"
check "a pool address (a1's $IP2): exit 2, a1 named ($err)" \
	[ $rc = 2 -a -n "$(grep -F 'active node a1' <<<"$err")" ]
lan_exec sb ip addr del "$IP2/32" dev lo
listen_rc --key "$AGENT_KEY" --address "[::]:$PORT"
check "IPv6 wildcard bind: exit 2" [ $rc = 2 ]
# The explicit flag lets a wildcard through (and the agent then serves).
ip netns exec "$(lan_ns sb)" "$AGENT" listen --key "$AGENT_KEY" --config "$sc_tmp/cluster.conf" \
	--standby sb --address "0.0.0.0:$((PORT + 1))" --allow-unsafe-address >"$sc_tmp/wild.log" 2>&1 &
wild=$!
# (30 s at most, by the clock)
check "--allow-unsafe-address: the wildcard listener serves" \
	lan_poll 30 lan_exec a1 "$AGENT" instruct --key "$AGENT_KEY" "198.51.100.2:$((PORT + 1))" ping \
	>/dev/null 2>&1
kill -TERM $wild && wait $wild

# --- requests ---------------------------------------------------------------
AGENT_ALLOW=198.51.100.0/25
check "the agent listens (allow-list $AGENT_ALLOW)" \
	start_agent --per-peer 25 --conn-timeout 3000
snapshot sb >"$sc_tmp/before"

printf 'takeover a1 %s\n' "$IP1" >"$sc_tmp/plain"
abuse c1 send "$AGENT_AT" "$sc_tmp/plain"
check "unauthenticated 'takeover a1 $IP1': exactly 'denied', then closed ($out)" \
	[ "$out" = "reply=b'denied\\n' closed=1" ]
logged "denied 198\.51\.100\.101: malformed: 'takeover a1 $IP1'" "unauthenticated: logged"
unchanged "unauthenticated"

printf 'takeover a1 %s \033[2J\001\n' "$IP1" >"$sc_tmp/ctl"
abuse c1 send "$AGENT_AT" "$sc_tmp/ctl"
check "control bytes: 'denied'" [ "$out" = "reply=b'denied\\n' closed=1" ]
logged "malformed: 'takeover a1 $IP1 \\\\x1b\[2J\\\\x01'" "control bytes: logged escaped (\\x1b, \\x01)"
no_esc() { ! grep -q $'\033' "$sc_tmp/agent.log"; }
check "control bytes: no raw ESC in the log" no_esc

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$sc_tmp/wrong.key"
abuse c1 req "$AGENT_AT" "$sc_tmp/wrong.key" takeover a1 "$IP1"
check "wrong key: 'denied' ($out)" [ "$(field verdict)" = denied ]
logged "denied 198\.51\.100\.101: bad tag" "wrong key: logged"
unchanged "wrong key"

abuse c1 req "$AGENT_AT" "$AGENT_KEY" takeover a1 "$IP2" --tamper "$IP2" "$IP1"
check "tampered (right key, $IP2 changed to $IP1 after signing): 'denied'" \
	[ "$(field verdict)" = denied ]
unchanged "tampered"

abuse c1 req "$AGENT_AT" "$AGENT_KEY" takeover a1 "$IP1" --ts-offset -31000
check "stale (31 s old, window 30 s): 'denied'" [ "$(field verdict)" = denied ]
logged "denied 198\.51\.100\.101: stale" "stale: logged"
abuse c1 req "$AGENT_AT" "$AGENT_KEY" takeover a1 "$IP1" --ts-offset 31000
check "from the future (31 s ahead): 'denied'" [ "$(field verdict)" = denied ]
unchanged "stale"

# Replay: a real takeover request, then its release, then the takeover
# request again, byte for byte.
abuse a1 req "$AGENT_AT" "$AGENT_KEY" takeover a1 "$IP1" --save "$sc_tmp/captured"
check "a1's authenticated takeover of $IP1: ok, reply tag verified ($out)" [ "$(field verdict)" = ok ]
check "$IP1 is on the standby now" has_addr sb tk1 "$IP1/24"
instruct a1 release a1
check "a1 releases it (exit $rc)" [ $rc = 0 ]
snapshot sb >"$sc_tmp/before"
abuse c2 send "$AGENT_AT" "$sc_tmp/captured"
check "the captured takeover, replayed by c2: 'denied'" [ "$out" = "reply=b'denied\\n' closed=1" ]
abuse a1 send "$AGENT_AT" "$sc_tmp/captured"
check "... and replayed from a1's own address: 'denied'" [ "$out" = "reply=b'denied\\n' closed=1" ]
logged "denied 198\.51\.100\.11: replayed" "replay: logged"
unchanged "replayed"

abuse c2 req "$AGENT_AT" "$AGENT_KEY" ping --src 198.51.100.200
check "a peer outside the allow-list, with the right key: 'denied'" [ "$(field verdict)" = denied ]
logged "denied 198\.51\.100\.200: peer not in the --allow list" "allow-list: logged"

# Per-peer limit: 25 connections from one address are held, the rest denied.
abuse c1 flood "$AGENT_AT" --src 198.51.100. --first 30 --count 1 --per-src 40 --hold 1
check "per-peer limit: of 40 connections from one address, 15+ denied ($out)" \
	[ "$(field denied)" -ge 15 ]

# --- a hostile "standby": instruct believes only an authenticated reply -----
fake() { # REPLY: c1 pretends to be the standby; a1 instructs it; sets $rc, $err
	rm -f "$sc_tmp/fake.ready"
	lan_exec c1 python3 "$ABUSE" fake-standby 198.51.100.101:7499 "$1" \
		--ready "$sc_tmp/fake.ready" >"$sc_tmp/fake.out" 2>&1 &
	local f=$!
	lan_poll 30 test -s "$sc_tmp/fake.ready"
	lan_exec a1 "$AGENT" instruct --key "$AGENT_KEY" 198.51.100.101:7499 takeover a1 \
		>"$sc_tmp/out" 2>"$sc_tmp/err"
	rc=$?
	err=$(cat "$sc_tmp/err")
	wait $f
}
fake 'ok 0 taken over 0000000000000000000000000000000000000000000000000000000000000000\n'
check "a forged 'ok' (wrong tag): instruct exits 3, prints no ok ($err)" \
	[ $rc = 3 -a ! -s "$sc_tmp/out" ]
fake 'ok 0 taken over\n'
check "an 'ok' without a tag: exit 3" [ $rc = 3 ]
fake 'denied\n'
check "'denied': instruct exits 4" [ $rc = 4 ]
fake '\x1b]0;owned\x07\x1b[2J junk\n'
check "control bytes in a reply: exit 3, printed escaped ($err)" \
	[ $rc = 3 ] && ! grep -q $'\033' "$sc_tmp/err" && grep -qF '\x1b]0;owned\x07' "$sc_tmp/err"

# --- slowloris, slow reader, flood, and a legitimate peer meanwhile ---------
note "abuse: 1,000 connections from 50 addresses, a slowloris, a slow reader"
lan_exec c1 python3 "$ABUSE" flood "$AGENT_AT" --src 198.51.100. --first $FLOOD_FIRST \
	--count $FLOOD_COUNT --per-src 20 --hold 25 --ready "$sc_tmp/flood.ready" \
	>"$sc_tmp/flood.out" 2>&1 &
flood=$!
lan_exec c2 python3 "$ABUSE" slowloris "$AGENT_AT" --conns 4 --interval 100 --max 25 \
	>"$sc_tmp/loris.out" 2>&1 &
loris=$!
lan_exec c2 python3 "$ABUSE" slowreader "$AGENT_AT" "$AGENT_KEY" --max 25 \
	>"$sc_tmp/reader.out" 2>&1 &
reader=$!
lan_atexit "kill $flood $loris $reader 2>/dev/null; true"
lan_poll 60 test -s "$sc_tmp/flood.ready"
check "the flood opened its 1,000 connections" [ "$(cat "$sc_tmp/flood.ready" 2>/dev/null)" = 1000 ]
held=$(lan_exec sb ss -Htn state established "( sport = :$PORT )" | wc -l)
note "connections the agent holds now: $held"
check "the agent holds hundreds of them at once ($held)" [ "$held" -ge 500 ]
abuse a1 measure "$AGENT_AT" "$AGENT_KEY" --n 30 --gap 100
measured=$out
check "during the abuse every authenticated ping was served ($out)" \
	[ "$(field served)" = 30 ] && [ "$(field failed)" = 0 ]
instruct a1 ping
check "ipto-agent instruct ping works during the abuse (exit $rc)" [ $rc = 0 ]
unchanged "flood + slowloris + slow reader (while they run)"
instruct a1 takeover a1 "$IP1"
check "a legitimate takeover during the abuse: exit 0 ($out)" [ $rc = 0 ]
check "... and $IP1 is bound on the standby" has_addr sb tk1 "$IP1/24"
wait $loris $reader $flood
out=$(cat "$sc_tmp/loris.out")
note "slowloris: $out"
check "slowloris: every trickling connection was closed by the agent" \
	[ "$(field closed)" = 4 ]
out=$(cat "$sc_tmp/reader.out")
note "slow reader: $out"
check "slow reader: cut off by the agent, every time it came back" [ "$(field cut_off)" -ge 1 ]
out=$(cat "$sc_tmp/flood.out")
note "flood: $out"
check "flood: the agent closed flood connections at their deadline" [ "$(field closed_by_agent)" -ge 1000 ]
logged "denied 198\.51\.100\.102: (does not read its replies|too many requests)" \
	"slow reader: its cut-offs are logged"
note "refusals logged one by one, by reason (at most 20 a second for each):"
sed -n 's/^ipto-agent: denied [^ ]*: \([^:(]*\).*/\1/p' "$sc_tmp/agent.log" | sort | uniq -c |
	sed 's/^/#   /'
grep 'not logged one by one' "$sc_tmp/agent.log" | tail -n 4 | sed 's/^/#   /' 
logged "connection deadline passed" "deadlines: logged"
instruct a1 release a1
check "after the abuse: release works (exit $rc)" [ $rc = 0 ]
check "the agent stops cleanly (SIGTERM, exit 0, no sanitizer report)" stop_agent

echo "# AGENT-LATENCY during 1000 abusive connections + slowloris + slow reader: $measured"
finish
