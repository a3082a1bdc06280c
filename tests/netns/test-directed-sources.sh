#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each source of the neighbours a takeover tells directly
# (doc/neighbour-list.md), end to end through `ipto takeover`: four
# clients drop gratuitous ARP and hold a fresh entry for the service
# address (locktime 10 s), so no broadcast frame moves them; the standby's
# own neighbour table is empty. Then, in the first round only
# (--schedule once):
#   c1, named by a1's neighbours-file (c), follows;
#   c2, in the senders file `ipto watch` keeps (d), follows;
#   c3, a `neighbour` line of the description (e), follows;
#   c4, named by nothing, keeps a1's MAC.
# A refused list (a bad line) and a missing one are no error: the
# takeover goes on with the other sources; a warning names FILE:LINE. A
# bad `neighbour` line in the description exits 2 naming FILE:LINE.
# usage: test-directed-sources.sh IPTO
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"
ipto=${1:?usage: test-directed-sources.sh IPTO}
[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
lan_neigh_watch_path >/dev/null || exit 1

nfail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; nfail=$((nfail + 1)); }
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

lan_up --prefix iptods- --clients 4 --actives 1 --ips 1 --takeover 1 || exit 1
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"

S=$(lan_ip4 a1) A1M=$(lan_mac a1 eth0) TK=$(lan_mac sb tk1)
for i in 1 2 3 4; do
	lan_sysctl "c$i" net.ipv4.conf.all.drop_gratuitous_arp=1 \
		net.ipv4.conf.eth0.drop_gratuitous_arp=1 net.ipv4.neigh.eth0.locktime=1000
done
C1=$(lan_ip4 c1) C2=$(lan_ip4 c2) C3=$(lan_ip4 c3)
C1M=$(lan_mac c1 eth0) C2M=$(lan_mac c2 eth0)

# (d): the senders file beside the standby's kernel record
ino=$(stat -L -c %i "/run/netns/$(lan_ns sb)")
rec=/run/ipto/$ino
made=0
[ -d "$rec" ] || { mkdir -p "$rec" && made=1; }
lan_atexit "rm -f '$rec/neigh-seen'; [ $made = 1 ] && rmdir '$rec' 2>/dev/null; true"
printf '# seen by ipto watch\n%s %s\n' "$C2" "$C2M" >"$rec/neigh-seen"

# (c): a1's list, as its kit wrote it and pushed it here; (e): a line
list=$tmp/a1.neigh
conf=$tmp/cluster.conf
cat >"$conf" <<EOF
node a1 $S/24 mac=$A1M
adapter sb tk1
neighbours-file a1 $list
neighbour $C3 node=a1
EOF
good_list() { printf '# neighbours of a1\n%s %s\n' "$C1" "$C1M" >"$list"; }

# Every client resolves a1 now (fresh entries), then a1 fails.
fresh_then_fail() {
	local i
	lan_exec a1 ip addr replace "$S/24" dev eth0
	for i in 1 2 3 4; do
		lan_exec "c$i" ip neigh flush to "$S" dev eth0
		lan_exec "c$i" ping -n -q -c 1 -W 5 "$S" >/dev/null ||
			bad "c$i reaches a1"
	done
	lan_exec a1 ip addr del "$S/24" dev eth0
	lan_exec sb ip neigh flush dev mgmt
	lan_exec sb ip neigh flush dev tk1
}
takeover() { lan_exec sb "$ipto" -c "$conf" --schedule once --json takeover --fail a1 "$@"; }
release() { lan_exec sb "$ipto" -c "$conf" release --fail a1 >/dev/null || bad "release exits 0"; }
moved() { lan_neigh_wait "$1" "$S" "$TK" -t 5000 >/dev/null; }
kept() { lan_neigh "$1" "$S" | grep -q " $A1M "; }
json() { local code=$1; shift; python3 -c "import json, sys; j = json.loads(sys.argv[1]); $code" "$out" "$@"; }

# --- every source at once ----------------------------------------------------
good_list
fresh_then_fail
out=$(takeover 2>"$tmp/err")
rc=$?
check "takeover exits 0" [ $rc = 0 ]
check "... with nothing on stderr" [ ! -s "$tmp/err" ]
check "(c) c1, from a1's neighbours-file, follows in the first round" moved c1
check "(d) c2, from the watch-seen file, follows in the first round" moved c2
check "(e) c3, from the description, follows in the first round" moved c3
check "c4, named by no source, keeps a1's MAC" kept c4
echo "# $(json 'print(j["neighbours"])' 2>&1)"
check "JSON: 3 told, one from each source" json '
assert j["neighbours"]["addresses"] == [{"ip": sys.argv[2] + "/24", "told": 3,
  "sources": {"node_list": 1, "watch": 1, "description": 1}}], j["neighbours"]
' "$S"
check "JSON: the list was used, 1 entry" json "
assert j['neighbours']['lists'] == [{'node': 'a1', 'path': '$list', 'used': True,
  'entries': 1, 'error': None}], j['neighbours']['lists']"
release

# --- a refused list: a warning with FILE:LINE, the rest goes on ----------------
printf '# neighbours of a1\n%s %s\n%s 02:00:5e:10:01\n' "$C1" "$C1M" "$C2" >"$list"
fresh_then_fail
out=$(takeover 2>"$tmp/err")
rc=$?
check "a refused list: takeover exits 0" [ $rc = 0 ]
want="ipto: warning: node a1's neighbour list is not used: $list:3: \"02:00:5e:10:01\" is not a MAC address"
check "... stderr is exactly the warning with $list:3" [ "$(cat "$tmp/err")" = "$want" ]
check "... c1 (only in the refused list) keeps a1's MAC" kept c1
check "... c2 (the watch-seen file) follows" moved c2
check "... c3 (the description) follows" moved c3
check "... JSON: the list not used, its error with file and line" json "
l = j['neighbours']['lists'][0]
assert l['used'] is False and l['error'].startswith('$list:3: '), l
assert j['neighbours']['addresses'][0]['sources'] == {'watch': 1, 'description': 1}"
release

# --- a missing list: the node died before handing one over ----------------
rm -f "$list" "$rec/neigh-seen"
fresh_then_fail
out=$(takeover 2>"$tmp/err")
rc=$?
check "a missing list: takeover exits 0, nothing on stderr" [ "$rc:$(cat "$tmp/err")" = "0:" ]
check "... c3 (the description) follows" moved c3
check "... JSON: the list not used: no such file" json "
l = j['neighbours']['lists'][0]
assert l['used'] is False and l['error'] == '$list: no such file', l
assert j['neighbours']['addresses'][0]['told'] == 1"
release

# --- a bad neighbour line in the description: exit 2, FILE:LINE ---------------
printf 'neighbour 192.0.2.300\n' >>"$conf"
err=$(lan_exec sb "$ipto" -c "$conf" plan --fail a1 2>&1 >/dev/null)
rc=$?
check "a bad neighbour line: exit 2" [ $rc = 2 ]
check "... naming $conf:5 ($err)" \
	[ "$err" = "ipto: $conf:5: \"192.0.2.300\" is not an IPv4 or IPv6 address (without a prefix)" ]
sed -i '$d' "$conf"
printf 'neighbour %s 01:00:5e:00:00:01\n' "$C3" >>"$conf"
err=$(lan_exec sb "$ipto" -c "$conf" takeover --fail a1 2>&1 >/dev/null)
rc=$?
check "a multicast MAC: exit 2, $conf:5, nothing bound ($err)" \
	[ "$rc:$err:$(lan_exec sb ip -br addr show dev tk1 | grep -c "$S")" = \
	  "2:ipto: $conf:5: 01:00:5e:00:00:01 is not a unicast MAC:0" ]

echo "# $nfail failed"
[ $nfail = 0 ]
