#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command-line contract of ipto watch / probe / tickle and of
# ipto-conns-from-ss, without privileges and without sending anything:
# bad input gives exit 2 and a message naming it; a connection this host
# does not hold is skipped; the helper turns `ss` output (a stand-in `ss`
# on PATH) into exactly the documented file format.
# usage: test-watch-cli.sh PATH/TO/ipto PATH/TO/ipto-conns-from-ss
set -u
IPTO=$1
SS2=$2
n=0
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# TAP: one line per result, whatever the description holds
ok() { local d="$*"; n=$((n + 1)); echo "ok $n - ${d//$'\n'/ | }"; }
bad() { local d="$*"; n=$((n + 1)); echo "not ok $n - ${d//$'\n'/ | }"; fails=$((fails + 1)); }
# expect RC REGEX ARGS...: ipto ARGS exits RC and stderr+stdout match REGEX
expect() {
	local want=$1 re=$2 rc out
	shift 2
	out=$("$IPTO" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$re" <<<"$out"; then
		ok "ipto $* -> $rc"
	else
		bad "ipto $* -> $rc (want $want, /$re/): $out"
	fi
}
expect 0 'Usage: ipto \[DESCRIPTION\] watch' watch --help
expect 0 'Usage: ipto \[DESCRIPTION\] watch' -c x.conf probe -h
expect 0 'with neither, every address' watch --help
expect 2 "--policy: 'bogus' \(defend, report\)" watch --policy bogus --ip 192.0.2.1
expect 2 "--ip: 'nonsense' is not an IP address" watch --ip nonsense
expect 2 "--ip: '224.0.0.1' is not a unicast address" watch --ip 224.0.0.1
expect 2 "--count: not an option of 'watch'" watch --ip 192.0.2.1 --count 3
expect 2 "options of 'watch' only" probe --policy report -i eth0 --ip 192.0.2.1
expect 2 "--interface IF with --ip ADDR, is required" probe --ip 192.0.2.1
expect 2 "not both" -c x.conf probe --fail a1 -i eth0 --ip 192.0.2.1
expect 2 "--count: '0' is not a number in 1..100" probe -i eth0 --ip 192.0.2.1 --count 0
expect 2 "--conns FILE is required" tickle
expect 2 "--conns $tmp/none: No such file" tickle --conns "$tmp/none"
expect 2 "unexpected argument 'extra'" tickle --conns x extra
expect 2 "--fail needs a cluster description" watch --fail a1
# The description: read and checked by the same loader as every other
# verb's, so watch, probe and tickle refuse what plan refuses, with the
# same words, before they open anything.
SB=(-a sb,tk1,mac=02:00:5e:30:01:01)
A1=(-n a1,192.0.2.11/24,mac=02:00:5e:20:01:00)
for verb in watch "probe" "tickle --conns $tmp/none"; do
	# shellcheck disable=SC2086 # the verb's own words
	expect 2 "^ipto ${verb%% *}: the cluster description has no active node" \
		"${SB[@]}" $verb --fail a1
	# shellcheck disable=SC2086
	expect 2 "node a2 has no address in the cluster description" \
		"${A1[@]}" -n a2 "${SB[@]}" $verb --fail a1
	# shellcheck disable=SC2086
	expect 2 "--fail: no active node 'zz' in the cluster description" \
		"${A1[@]}" "${SB[@]}" $verb --fail zz
	# shellcheck disable=SC2086 # --fail A,B is a list, as for plan
	expect 2 "--fail: no active node 'zz' in the cluster description" \
		"${A1[@]}" "${SB[@]}" $verb --fail a1,zz
done
expect 2 "--standby: no standby 'nope' in the cluster description" \
	"${A1[@]}" "${SB[@]}" probe --fail a1 --standby nope
expect 2 "^ipto: --fail: no active node 'zz' in the cluster description" \
	"${A1[@]}" "${SB[@]}" plan --fail zz
printf '# ok\n192.0.2.11:80 192.0.2.101:5\n192.0.2.11:80 192.0.2.101\n' >"$tmp/bad.conns"
expect 2 "$tmp/bad.conns:3: not a connection" tickle --conns "$tmp/bad.conns"
# Addresses this host does not hold: skipped before any socket is opened.
printf '198.51.100.250:80 198.51.100.251:5\n[2001:db8:ffff::1]:80 [2001:db8::7]:5\n' >"$tmp/c"
expect 0 'tickled 0 connection\(s\) 3 time\(s\); 2 skipped' tickle --conns "$tmp/c" --interval 1
expect 0 'tickled 0 connection\(s\) 3 time\(s\); 0 skipped' tickle --conns "$tmp/c" --ip 192.0.2.99
expect 1 'none of the addresses is held by this host' watch --ip 198.51.100.250 --run-dir "$tmp/run"

# The record: --recent shows what was recorded in the last minutes only
# (conflicts.1, the rotated file, first).
mkdir -p "$tmp/rec"
now=$(date +%s%N)
line() { # NS ADDR
	printf '{"event":"conflict","time":"T","time_ns":%s,"addr":"%s","ifname":"tk1","mac":"02:00:5e:20:01:00","own_mac":"02:00:5e:30:01:01","frame":"arp-announce","op":1,"policy":"defend","defended":true,"defend_error":0,"count":1}\n' "$1" "$2"
}
{ line $((now - 3600000000000)) 192.0.2.1/24; line $((now - 60000000000)) 192.0.2.2/24; } >"$tmp/rec/conflicts.1"
{ echo 'not json'; line $((now - 7200000000000)) 192.0.2.3/24; line $((now - 1000000000)) 192.0.2.4/24; } >"$tmp/rec/conflicts"
got=$("$IPTO" watch --recent 10 --run-dir "$tmp/rec" --json | jq -r .addr | tr '\n' ' ')
[ "$got" = "192.0.2.2/24 192.0.2.4/24 " ] && ok "watch --recent 10 --json: the two recent conflicts, oldest first" ||
	bad "watch --recent 10: $got"
expect 0 '^2 conflict\(s\) in the last 10 minute\(s\)' watch --recent 10 --run-dir "$tmp/rec"
expect 0 'claims 192.0.2.4/24 on tk1 \(arp-announce, defend, defended\)' watch --recent 10 --run-dir "$tmp/rec"
expect 0 '^0 conflict\(s\)' watch --recent 5 --run-dir "$tmp/none"
expect 2 'reads the record only' watch --recent 5 --ip 192.0.2.1
# the default directory is this namespace's, next to the library's record
ino=$(stat -L -c %i /proc/self/ns/net)
IPTO_RUN_DIR= expect 1 "cannot listen|none of the addresses" watch --ip 198.51.100.250
IPTO_RUN_DIR= expect 0 'conflict\(s\) in the last 5 minute' watch --recent 5
"$IPTO" watch -h | grep -q 'NETNS-INODE' && ok "watch -h names the default record directory" || bad "watch -h"
[ -n "$ino" ] && ok "this namespace: $ino"

# ipto-conns-from-ss with a stand-in ss
mkdir "$tmp/bin"
cat >"$tmp/bin/ss" <<'EOT'
#!/bin/sh
[ "$*" = "-H -t -n state established" ] || { echo "unexpected ss $*" >&2; exit 3; }
cat <<'EOS'
0      0          192.0.2.11:7411      192.0.2.101:55750
0      0          192.0.2.11%tk1:22    198.51.100.7:40000
0      0          192.0.2.2:22         192.0.2.101:40001
0      0   [::ffff:192.0.2.11]:7411   [::ffff:192.0.2.102]:45032
0      0     [2001:db8:2::11]:443       [2001:db8::7]:40000 users:(("srv",pid=1,fd=3))
EOS
EOT
chmod +x "$tmp/bin/ss"
PATH=$tmp/bin:$PATH "$SS2" -o "$tmp/conns" 192.0.2.11 2001:db8:2::11
rc=$?
got=$(grep -v '^#' "$tmp/conns" 2>/dev/null)
want='192.0.2.11:7411 192.0.2.101:55750
192.0.2.11:22 198.51.100.7:40000
192.0.2.11:7411 192.0.2.102:45032
[2001:db8:2::11]:443 [2001:db8::7]:40000'
if [ $rc = 0 ] && [ "$got" = "$want" ] && head -n1 "$tmp/conns" | grep -q '^# ipto connections'; then
	ok "ipto-conns-from-ss: the service addresses' connections, mapped IPv4 as IPv4, device suffix dropped"
else
	bad "ipto-conns-from-ss ($rc): $got"
fi
expect 0 'tickled 0 connection\(s\) 3 time\(s\); 4 skipped' tickle --conns "$tmp/conns" --interval 1
all=$(PATH=$tmp/bin:$PATH "$SS2" | grep -vc '^#')
[ "$all" = 5 ] && ok "without addresses it lists every connection ($all)" || bad "all: $all"
PATH=$tmp/bin:$PATH "$SS2" 192.0.2.11/24 >/dev/null 2>&1
[ $? = 2 ] && ok "an address with a prefix is a usage error" || bad "prefix accepted"
echo "1..$n"
[ $fails = 0 ]
