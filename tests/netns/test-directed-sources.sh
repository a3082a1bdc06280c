#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each source of the neighbours a takeover tells directly
# (doc/neighbour-list.md), end to end through `ipto takeover`: five
# clients drop gratuitous ARP and hold a fresh entry for the service
# address (locktime 60 s), so no broadcast frame moves them; c5 drops
# unsolicited NA too. The standby's neighbour table holds c5 only. Then,
# in the first round only (--schedule once):
#   c1, named by a1's neighbours-file (c), follows;
#   c2, in the senders file `ipto watch` keeps (d), follows;
#   c3, a `neighbour` line of the description (e), follows;
#   c4, named by nothing, keeps a1's MAC;
#   c5, in the standby's neighbour table (a), follows for the IPv4 and
#   the IPv6 address (a directed NS: no NA can move it).
# A refused list (a bad line) and a missing one are no error: the
# takeover goes on with the other sources; a warning names FILE:LINE. The
# reclaim on a1 brings clients that hold the standby's fresh entry back
# the same way. A bad `neighbour` line in the description exits 2 naming
# FILE:LINE.
# usage: test-directed-sources.sh IPTO
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lan.sh
. "$here/lan.sh"
ipto=${1:?usage: test-directed-sources.sh IPTO}
[ "$(id -u)" = 0 ] || lan_skip "needs root to create network namespaces"
lan_neigh_watch_path >/dev/null || exit 1

# shellcheck source=tap-lib.sh
. "$here/tap-lib.sh"

lan_up --prefix iptods- --clients 5 --actives 1 --ips 1 --takeover 2 --ipv6 || exit 1
tmp=$(mktemp -d)
lan_atexit "rm -rf '$tmp'"

S=$(lan_ip4 a1) S6=$(lan_ip6 a1) A1M=$(lan_mac a1 eth0)
for i in 1 2 3 4 5; do
	lan_sysctl "c$i" net.ipv4.conf.all.drop_gratuitous_arp=1 \
		net.ipv4.conf.eth0.drop_gratuitous_arp=1 net.ipv4.neigh.eth0.locktime=6000
done
lan_sysctl c5 net.ipv6.conf.all.drop_unsolicited_na=1 net.ipv6.conf.eth0.drop_unsolicited_na=1
C5=$(lan_ip4 c5) C56=$(lan_ip6 c5)
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
node a1 $S/24 $S6/64 mac=$A1M
adapter sb tk1
adapter sb tk2
neighbours-file a1 $list
neighbour $C3 node=a1
EOF
good_list() { printf '# neighbours of a1\n%s %s\n' "$C1" "$C1M" >"$list"; }

# Every client resolves a1 now (fresh entries), then a1 fails; the
# standby's table is emptied, then holds c5 (it reaches c5 on both
# families).
fresh_then_fail() {
	local i
	lan_exec a1 ip addr replace "$S/24" dev eth0
	lan_exec a1 ip addr replace "$S6/64" dev eth0 nodad
	lan_exec c5 ip -6 neigh flush to "$S6" dev eth0
	lan_exec c5 ping -n -q -c 1 -W 5 "$S6" >/dev/null || bad "c5 reaches a1 over IPv6"
	lan_neigh_wait c5 "$S6" "$A1M" -t 5000 >/dev/null || bad "c5 holds a1's MAC for $S6"
	# the IPv4 entries last: their locktime (60 s) runs from here
	for i in 1 2 3 4 5; do
		lan_exec "c$i" ip neigh flush to "$S" dev eth0
		lan_exec "c$i" ping -n -q -c 1 -W 5 "$S" >/dev/null ||
			bad "c$i reaches a1"
	done
	lan_exec a1 ip addr del "$S/24" dev eth0
	lan_exec a1 ip addr del "$S6/64" dev eth0
	for i in mgmt tk1 tk2; do
		lan_exec sb ip neigh flush dev $i
		lan_exec sb ip -6 neigh flush dev $i
	done
	lan_exec sb ping -n -q -c 1 -W 5 "$C5" >/dev/null || bad "the standby reaches c5"
	lan_exec sb ping -n -q -c 1 -W 5 "$C56" >/dev/null || bad "the standby reaches c5 over IPv6"
}
# The MAC of the adapter that holds ADDR on the standby.
mac_of() {
	local ifn
	ifn=$(lan_exec sb ip -o addr show to "$1" | awk '{ print $2; exit }')
	[ -n "$ifn" ] && lan_mac sb "$ifn"
}
takeover() { lan_exec sb "$ipto" -c "$conf" --schedule once --json takeover --fail a1; }
release() { lan_exec sb "$ipto" -c "$conf" release --fail a1 >/dev/null || bad "release exits 0"; }
moved() { lan_neigh_wait "$1" "${2:-$S}" "$(mac_of "${2:-$S}")" -t 5000 >/dev/null; }
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
check "(a) c5, in the standby's table, follows in the first round" moved c5
check "(a) c5 (drop_unsolicited_na=1) follows for $S6 too" moved c5 "$S6"
echo "# $(json 'print(j["neighbours"])' 2>&1)"
check "JSON: IPv4: 4 told, one from each source" json '
a = {x["ip"]: x for x in j["neighbours"]["addresses"]}
assert a[sys.argv[2] + "/24"] == {"ip": sys.argv[2] + "/24", "told": 4,
  "sources": {"table": 1, "node_list": 1, "watch": 1, "description": 1}}, a
' "$S"
check "JSON: IPv6: c5 from the table" json '
a = {x["ip"]: x for x in j["neighbours"]["addresses"]}
v6 = a[sys.argv[2] + "/64"]
assert v6["told"] >= 1 and v6["sources"].get("table", 0) == v6["told"], v6
' "$S6"
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
assert [x for x in j['neighbours']['addresses'] if x['ip'] == '$S/24'][0]['sources'] == {'table': 1, 'watch': 1, 'description': 1}"
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
assert [x for x in j['neighbours']['addresses'] if x['ip'] == '$S/24'][0]['told'] == 2"
release

# --- the reclaim on a1 tells the neighbours too ----------------------------------
# c3 and c5 hold the standby's MAC, fresh (within their 60 s locktime,
# drop_gratuitous_arp=1): only a directed request brings them back. a1
# comes back with its address gone (its table holds no client on the
# subnet any more): c3 from the description, c5 from a1's list.
printf '%s %s\n' "$C5" "$(lan_mac c5 eth0)" >"$list"
back() { lan_neigh_wait "$1" "$S" "$A1M" -t 5000 >/dev/null; }
check "before the reclaim: c3 does not hold a1's MAC" bash -c "! grep -q ' $A1M ' <<<'$(lan_neigh c3 "$S")'"
out=$(lan_exec a1 "$ipto" -c "$conf" --schedule once --json reclaim --node a1 --interface eth0 2>"$tmp/err")
rc=$?
check "reclaim on a1 exits 0 ($(head -c 200 "$tmp/err"))" [ $rc = 0 ]
check "... c3 follows back to a1 in the first round" back c3
check "... c5 follows back to a1 in the first round" back c5
echo "# $(json 'print(j["neighbours"])' 2>&1)"
check "... JSON: c3 from the description, c5 from the list" json '
a = [x for x in j["neighbours"]["addresses"] if x["ip"] == sys.argv[2] + "/24"][0]
assert a["sources"].get("description") == 1 and a["sources"].get("node_list") == 1, a
' "$S"
lan_exec a1 ip addr del "$S/24" dev eth0 2>/dev/null
lan_exec a1 ip addr del "$S6/64" dev eth0 2>/dev/null


printf 'neighbour 192.0.2.300\n' >>"$conf"
err=$(lan_exec sb "$ipto" -c "$conf" plan --fail a1 2>&1 >/dev/null)
rc=$?
check "a bad neighbour line: exit 2" [ $rc = 2 ]
check "... naming $conf:6 ($err)" \
	[ "$err" = "ipto: $conf:6: \"192.0.2.300\" is not an IPv4 or IPv6 address (without a prefix)" ]
sed -i '$d' "$conf"
printf 'neighbour %s 01:00:5e:00:00:01\n' "$C3" >>"$conf"
err=$(lan_exec sb "$ipto" -c "$conf" takeover --fail a1 2>&1 >/dev/null)
rc=$?
check "a multicast MAC: exit 2, $conf:6, nothing bound ($err)" \
	[ "$rc:$err:$(lan_exec sb ip -br addr | grep -c "$S/")" = \
	  "2:ipto: $conf:6: 01:00:5e:00:00:01 is not a unicast MAC:0" ]

echo "# $nfail failed"
[ $nfail = 0 ]
