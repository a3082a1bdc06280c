#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's main demo works: run examples/duplex-demo.sh as a user would
# and check what it tells them (every client followed, every client pings,
# no MAC twice, PASS, exit 0), and that it leaves nothing behind, also when
# interrupted with Ctrl-C in the middle of the takeover.
#
# usage: test-duplex-demo.sh SOURCE_ROOT BUILD_ROOT
set -u
src=${1:?usage: test-duplex-demo.sh SOURCE_ROOT BUILD_ROOT}
build=${2:?usage: test-duplex-demo.sh SOURCE_ROOT BUILD_ROOT}
demo=$src/examples/duplex-demo.sh
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

nfail=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); echo "not ok $n - $*"; nfail=$((nfail + 1)); }
# This run's own namespace prefix: another run's demo is never "ours".
export IPTO_DEMO_PREFIX=iptodm-$$-
ours() { ip netns list | awk '{ print $1 }' | grep "^$IPTO_DEMO_PREFIX"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# lan_poll and the clock (the demo itself builds the LAN)
# shellcheck source=lan.sh
. "$src/tests/netns/lan.sh"

if [ -n "$(ours)" ]; then
	echo "# namespaces of an earlier run are left: $(ours | tr '\n' ' ')"
fi

# --- a normal run -----------------------------------------------------------
"$demo" "$build" >"$tmp/out" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/out"
[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err"
[ $rc = 77 ] && { echo "SKIP: the demo cannot make namespaces here"; exit 77; }
[ $rc = 0 ] && ok "the demo exits 0" || bad "the demo exits $rc"
grep -q '^PASS: 3 clients followed 2 addresses to the standby' "$tmp/out" &&
	ok "it ends with PASS" || bad "no PASS line"
[ "$(grep -cE "^  c[123]  192.0.2.11 +[0-9]+\.[0-9] ms   192.0.2.12 +[0-9]+\.[0-9] ms" "$tmp/out")" = 3 ] &&
	ok "it times all 3 clients following both addresses" || bad "not every client followed"
[ "$(grep -c 'lladdr 02:00:5e:20:01:00 REACHABLE <- a1 eth0' "$tmp/out")" = 6 ] &&
	ok "before: every client's table has both addresses at a1's MAC" || bad "before tables"
[ "$(grep -c 'lladdr 02:00:5e:30:01:01 .*<- sb tk1' "$tmp/out")" = 3 ] &&
	[ "$(grep -c 'lladdr 02:00:5e:30:01:02 .*<- sb tk2' "$tmp/out")" = 3 ] &&
	ok "after: every client's table has each address at its takeover adapter's MAC" ||
	bad "after tables"
[ "$(grep -c 'ping: every client reaches 192.0.2.11 192.0.2.12' "$tmp/out")" = 2 ] &&
	ok "clients ping both addresses before and after" || bad "pings"
grep -q 'eth0 stays UP 02:00:5e:20:01:00' "$tmp/out" &&
	ok "a1's adapter stays up with its own MAC (the dangerous case)" || bad "a1's adapter"
line=$(grep 'distinct MACs' "$tmp/out")
[[ $line =~ ^\ +([0-9]+)\ adapters.*\ ([0-9]+)\ distinct\ MACs ]] &&
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" -ge 15 ] &&
	ok "no MAC appears twice: $line" || bad "the MAC line: $line"
[ "$(wc -l <"$tmp/out")" -le 60 ] && ok "the output is short ($(wc -l <"$tmp/out") lines)" ||
	bad "the output has $(wc -l <"$tmp/out") lines"
[ -z "$(ours)" ] && ok "no namespace is left" || bad "namespaces left: $(ours)"
[ ! -s "$tmp/err" ] && ok "nothing on stderr" || bad "stderr: $(cat "$tmp/err")"

# --- Ctrl-C in the middle -----------------------------------------------------
# With job control the demo runs in its own process group, and SIGINT goes
# to the whole group, as a terminal's Ctrl-C does.
set -m
# IPTO_DEMO_HOLD keeps it after the first address until the Ctrl-C (a file
# nobody makes), however fast the takeover is.
IPTO_DEMO_HOLD="$tmp/never" "$demo" "$build" >"$tmp/out2" 2>&1 &
pid=$!
set +m
reached=0
lan_poll 120 grep -q "a1 -> sb  takeover a1 192.0.2.11" "$tmp/out2" && reached=1
kill -INT -- -"$pid"
wait "$pid"
rc=$?
[ $reached = 1 ] && ok "interrupted during the takeover" || bad "the demo never got to the takeover"
[ $rc = 130 ] && ok "Ctrl-C: the demo exits 130" || bad "Ctrl-C: exit $rc"
[ -z "$(ours)" ] && ok "Ctrl-C: no namespace is left" || bad "Ctrl-C: namespaces left: $(ours)"
# Its children got the same SIGINT and may still be on their way out
# (slowly under the sanitizers): give them 30 s by the clock, not forever.
group_gone() { ! kill -0 -- -"$pid" 2>/dev/null; }
lan_poll 30 group_gone
if kill -0 -- -"$pid" 2>/dev/null; then
	bad "Ctrl-C: processes of the demo are still running: $(pgrep -g "$pid" | tr '\n' ' ')"
else
	ok "Ctrl-C: every process of the demo has ended (agent, watchers)"
fi
grep -q '^PASS' "$tmp/out2" && bad "an interrupted demo claims PASS" || ok "an interrupted demo does not claim PASS"

# --- a client that does not follow makes it fail -------------------------------
IPTO_DEMO_STUCK_CLIENT=c3 "$demo" "$build" >"$tmp/out3" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out3" | grep -E 'c3|FAIL|PASS'
[ $rc = 1 ] && ok "a client with static ARP entries makes the demo exit 1" || bad "stuck client: exit $rc"
grep -q "^  c3  192.0.2.11  DID NOT FOLLOW (still 02:00:5e:20:01:00 PERMANENT)" "$tmp/out3" && ok "it names the client that did not follow" ||
	bad "the stuck client is not named"
grep -q '^FAIL' "$tmp/out3" && ! grep -q '^PASS' "$tmp/out3" && ok "it says FAIL" || bad "no FAIL line"
[ -z "$(ours)" ] && ok "a failed demo leaves no namespace" || bad "namespaces left: $(ours)"

# --- a wrong build dir fails loudly -------------------------------------------------
"$demo" "$tmp/nobuild" >"$tmp/out4" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "no build directory" "$tmp/out4" &&
	ok "a wrong build dir fails with a message" || bad "wrong build dir: rc=$rc $(cat "$tmp/out4")"

echo "1..$n"
[ $nfail = 0 ]
