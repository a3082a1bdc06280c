#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command-line contract of the ipto command, with the dry-run binder and
# injector (no privileges, no network): bad arguments exit 2 with one line
# on stderr that names the argument; failures exit 1 with one line; --json
# output parses; plan prints the patent's figures as the patent places them.
#
# usage: test-ipto-cli.sh PATH/TO/ipto [PATH/TO/examples/demo/cluster.conf]
set -u
IPTO=${1:?usage: test-ipto-cli.sh PATH/TO/ipto [cluster.conf]}
EXAMPLE_CONF=${2:+$(realpath "$2")}
IPTO=$(realpath "$IPTO") && [ -x "$IPTO" ] || { echo "not ok - $IPTO is not executable"; exit 1; }
if ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
	echo "not ok - python3 and jq (.ci/deps) are needed to check --json output"
	exit 1
fi
# The interpreter itself, not a wrapper script (pyenv's shims cost ~0.1 s
# a call, and the helpers call it for every case).
PY=$(python3 -c 'import sys; print(sys.executable)')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

nfail=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); echo "not ok $n - $*"; nfail=$((nfail + 1)); }

# run ARGS...: runs ipto; sets $rc, $out (stdout), $err (stderr).
run() {
	"$IPTO" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# json_error RC ARGS...: the same run with --json in front exits RC,
# writes the same one line to stderr, and stdout is exactly one line: a
# JSON object whose "error" is {"code": "E...", "errno": N, "message": the
# stderr line without "ipto: " and " (see ipto --help)", "exit": RC} (the
# one shape of every error; a result document may carry more members).
json_error() {
	local want_rc=$1 text_err=$err
	shift
	run --json "$@"
	if [ "$rc" != "$want_rc" ] || [ "$err" != "$text_err" ] ||
		[ "$(wc -l <"$tmp/out")" != 1 ]; then
		bad "--json $*: rc=$rc (want $want_rc), stderr '$err' (want '$text_err'), stdout: $out"
		return
	fi
	# "ipto: " or "ipto probe: ", "(see ipto --help)" or "(see ipto watch --help)"
	local msg=${text_err#*: }
	msg=${msg% (see ipto*--help)}
	if jq -e --arg msg "$msg" --argjson rc "$want_rc" '.error |
		type == "object" and keys == ["code", "errno", "exit", "message"] and
		.exit == $rc and .message == $msg and (.errno | type) == "number" and
		.errno > 0 and (.code | type) == "string"' "$tmp/out" >/dev/null; then
		# Each code is checked against its errno once, at the end.
		jq -r '.error | "\(.code) \(.errno)"' "$tmp/out" >>"$tmp/codes"
		ok "--json error object: ipto --json $*"
	else
		bad "--json $*: not the error object: $out"
	fi
}

# usage_error NEEDLE ARGS...: exit 2, nothing on stdout, exactly one line
# on stderr, and that line contains NEEDLE (the argument it names); with
# --json, the error object (json_error).
usage_error() {
	local needle=$1
	shift
	run "$@"
	if [ $rc = 2 ] && [ -z "$out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
		[[ $err == *"$needle"* ]] && [[ $err == "ipto: "* ]]; then
		ok "usage error names '$needle': ipto $*"
	else
		bad "usage error naming '$needle' expected: ipto $* (rc=$rc, stderr: $err, stdout: $out)"
	fi
	json_error 2 "$@"
}

# op_error NEEDLE ARGS...: exit 1 and one line on stderr containing NEEDLE.
op_error() {
	local needle=$1
	shift
	run "$@"
	if [ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [[ $err == *"$needle"* ]]; then
		ok "failure says '$needle': ipto $*"
	else
		bad "exit 1 saying '$needle' expected: ipto $* (rc=$rc, stderr: $err)"
	fi
	json_error 1 "$@"
}

# succeeds ARGS...: exit 0 and nothing on stderr.
succeeds() {
	run "$@"
	if [ $rc = 0 ] && [ -z "$err" ]; then
		ok "succeeds: ipto $*"
	else
		bad "ipto $* should succeed (rc=$rc, stderr: $err)"
	fi
}

# json_ok PYEXPR ARGS...: exit $JSON_RC (default 0), stdout parses with
# python3 -m json.tool, and the Python expression PYEXPR holds for the
# parsed value j.
json_ok() {
	local expr=$1
	shift
	run "$@"
	if [ $rc != "${JSON_RC:-0}" ]; then
		bad "ipto $* exits $rc: $err"
		return
	fi
	if ! "$PY" -m json.tool <"$tmp/out" >/dev/null 2>"$tmp/jerr"; then
		bad "ipto $*: stdout is not JSON: $(cat "$tmp/jerr"): $out"
		return
	fi
	if "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ('"$expr"') else 1)' "$tmp/out"; then
		ok "JSON of ipto $* parses and $expr"
	else
		bad "JSON of ipto $*: $expr does not hold: $out"
	fi
}

# same_text FILE_EXPECTED: stdout equals the expected text exactly.
same_text() {
	local what=$1 want=$2
	if [ "$out" = "$want" ]; then
		ok "$what"
	else
		bad "$what: got"$'\n'"$out"$'\n'"--- expected"$'\n'"$want"
	fi
}

DRY=(--binder dryrun --injector dryrun)

# --- help and version ---------------------------------------------------------
succeeds --help
[[ $out == Usage:\ ipto* ]] && ok "--help starts with Usage" || bad "--help: $out"
for opt in config node adapter fail taken-over share standby schedule keep-devconf \
	dad binder injector interface ip mac style count interval output json \
	verbose help version; do
	grep -q -- "--$opt" "$tmp/out" || bad "--help does not mention --$opt"
done
succeeds -h
succeeds --version
[[ $out =~ ^ipto\ \(libipto\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]] && ok "--version: $out" ||
	bad "--version prints '$out'"
if [ -w /dev/full ]; then
	"$IPTO" --help >/dev/full 2>/dev/null
	[ $? = 1 ] && ok "--help to a full disk exits 1" || bad "--help to /dev/full does not fail"
fi

# --- bad command lines exit 2 and name the argument ------------------------------
C1=(-n a1,192.0.2.11/24,mac=02:00:5e:20:01:00 -a sb,tk1,mac=02:00:5e:30:01:01)
usage_error "no command" 
usage_error "'bogus'" bogus
usage_error "'--bogus'" plan --bogus -f a1 "${C1[@]}"
usage_error "'-x'" plan -x
usage_error "--fail needs a value" plan "${C1[@]}" --fail
usage_error "--config needs a value" check -c
usage_error "--fail NODE is required" plan "${C1[@]}"
usage_error "--fail NODE is required" takeover "${C1[@]}" "${DRY[@]}"
usage_error "--fail NODE is required" release "${C1[@]}" "${DRY[@]}"
usage_error "'zz'" plan "${C1[@]}" -f zz
usage_error "'zz'" plan "${C1[@]}" --taken-over zz -f a1
usage_error "empty item" plan "${C1[@]}" -f a1,,a2
usage_error "--fail a1,a1" plan "${C1[@]}" -f a1,a1
usage_error "--standby: no standby 'sbx'" takeover "${C1[@]}" -f a1 -s sbx "${DRY[@]}"
usage_error "'extra'" plan "${C1[@]}" -f a1 extra
usage_error "--output: not an option of 'plan'" plan "${C1[@]}" -f a1 -o x.pcap
usage_error "--standby: not an option of 'plan'" plan "${C1[@]}" -f a1 -s sb
usage_error "--interface: not an option of 'takeover'" takeover "${C1[@]}" -f a1 -i eth0 "${DRY[@]}"
usage_error "--node: not an option of 'announce'" announce -n a1,192.0.2.1/24 -i eth0 --ip 192.0.2.1
usage_error "--schedule: not an option of 'release'" release "${C1[@]}" -f a1 --schedule once "${DRY[@]}"
usage_error "--binder: unknown binder 'foo'" plan "${C1[@]}" -f a1 --binder foo
usage_error "--injector: unknown injector 'foo'" takeover "${C1[@]}" -f a1 --injector foo
usage_error "--schedule: unknown frame style 'foo'" takeover "${C1[@]}" -f a1 --schedule 0:foo "${DRY[@]}"
usage_error "--schedule: 'x' is not a number" takeover "${C1[@]}" -f a1 --schedule x:na "${DRY[@]}"
usage_error "is not DELAY_MS:STYLE" takeover "${C1[@]}" -f a1 --schedule 100 "${DRY[@]}"
usage_error "more than 64 rounds" takeover "${C1[@]}" -f a1 "${DRY[@]}" \
	--schedule "$(printf '0:na,%.0s' {1..64})0:na"
usage_error "'arp-request' needs an explicit target" frames --ip 192.0.2.1 --mac 02:00:00:00:00:01 -o x --style arp-request
usage_error "--node a1,224.0.0.1/24" plan -n a1,224.0.0.1/24 -a sb,tk1,mac=02:00:5e:30:01:01 -f a1
usage_error "'300.1.1.1' is not an IP address" plan -n a1,300.1.1.1 -f a1
usage_error "--node a1,192.0.2.11/24: " plan -n a1,192.0.2.11/24 -n a1,192.0.2.11/24 -f a1
usage_error "'zz:zz'" check -a sb,tk1,mac=zz:zz
usage_error "not a unicast MAC" check -a sb,tk1,mac=01:00:5e:00:00:01
usage_error "unknown adapter attribute 'foo'" check -a sb,tk1,mac=02:00:5e:30:01:01,foo
usage_error "--adapter sb,tk9: adapter tk9 has no mac= and this host has no interface tk9" check -n a1,192.0.2.11/24 -a sb,tk9 --binder dryrun
usage_error "--config nofile" check -c nofile
usage_error "--count: '0' is not a number" announce -i eth0 --ip 192.0.2.1 --count 0
usage_error "--count: '-1' is not a number" announce -i eth0 --ip 192.0.2.1 --count -1
usage_error "--interval: '1e3' is not a number" announce -i eth0 --ip 192.0.2.1 --interval 1e3
usage_error "--interface IF is required" announce --ip 192.0.2.1
usage_error "--ip ADDR is required" announce -i eth0
usage_error "--ip: '192.0.2' is not an IP address" announce -i eth0 --ip 192.0.2
usage_error "--ip: '224.0.0.1' is not a unicast address" frames --ip 224.0.0.1 --mac 02:00:00:00:00:01 -o x
usage_error "--mac: 'ff:ff:ff:ff:ff:ff' is not a unicast" frames --ip 192.0.2.1 --mac ff:ff:ff:ff:ff:ff -o x
usage_error "--output FILE is required" frames --ip 192.0.2.1 --mac 02:00:00:00:00:01
usage_error "--mac MAC is required" frames --ip 192.0.2.1 -o x
usage_error "no style given applies to '2001:db8::1'" frames --ip 2001:db8::1 --mac 02:00:00:00:00:01 -o x --style arp-announce
run frames --ip 192.0.2.1 --mac 02:00:00:00:00:01 -o - --json
[ $rc = 2 ] && [[ $err == *"--json: stdout carries the pcap"* ]] &&
	[[ $out == '{"error":{"code":"EINVAL"'* ]] &&
	ok "frames -o - --json: a usage error, in JSON" || bad "frames -o - --json: rc=$rc $err $out"

# The config file: errors name FILE:LINE.
cat >bad.conf <<'EOF'
# a comment line, then a good one
node a1 192.0.2.11/24   # trailing comment
adapter sb tk1 mac=02:00:5e:30:01:01
frobnicate x
EOF
usage_error "bad.conf:4: unknown directive 'frobnicate'" check -c bad.conf
printf 'node a1 %s\n' "$(head -c 5000 /dev/zero | tr '\0' x)" >long.conf
usage_error "long.conf:1: line longer than" check -c long.conf
printf 'adapter sb\n' >short.conf
usage_error "short.conf:1: 'adapter' needs a standby and an interface" check -c short.conf
printf 'node a1 192.0.2.11/24\nadapter a1 tk1 mac=02:00:5e:30:01:01\n' >clash.conf
usage_error "clash.conf:2: " check -c clash.conf
# neighbour and neighbours-file lines (doc/neighbour-list.md)
nb() { printf 'node a1 192.0.2.11/24 mac=02:00:5e:20:01:00\nadapter sb tk1 mac=02:00:5e:30:01:01\n%s\n' "$1" >nb.conf; }
# nb_refused LINE MESSAGE: the description with LINE as its third line is
# refused, naming MESSAGE.
nb_refused() { nb "$1"; usage_error "$2" check -c nb.conf; }
nb_refused 'neighbour 192.0.2.300' 'nb.conf:3: "192.0.2.300" is not an IPv4 or IPv6 address (without a prefix)'
nb_refused 'neighbour 192.0.2.50/24' 'nb.conf:3: "192.0.2.50/24" is not an IPv4 or IPv6 address'
nb_refused 'neighbour ff02::1' "nb.conf:3: ff02::1 is no neighbour (multicast"
nb_refused 'neighbour 192.0.2.50 01:00:5e:00:00:01' "nb.conf:3: 01:00:5e:00:00:01 is not a unicast MAC"
nb_refused 'neighbour 192.0.2.50 00:00:5e:00:53:50 extra' "nb.conf:3: unexpected 'extra'"
nb_refused 'neighbour 192.0.2.50 node=a9' "nb.conf:3: node=a9: no such node"
nb_refused 'neighbour' "nb.conf:3: 'neighbour' needs an address"
nb_refused 'neighbours-file a1 relative.neigh' "nb.conf:3: 'relative.neigh' is not an absolute path"
nb_refused 'neighbours-file a9 /x.neigh' "nb.conf:3: a9: no such node"
nb_refused $'neighbours-file a1 /x.neigh\nneighbours-file a1 /y.neigh' "nb.conf:4: node a1 has a neighbours-file already"
# good lines: plan --json counts them; a missing neighbours-file is no
# error; --no-directed tells none
nb $'neighbour 192.0.2.50 00:00:5e:00:53:50\nneighbour 192.0.2.51 node=a1\nneighbour 198.51.100.9\nneighbours-file a1 '"$tmp"'/none.neigh'
# (the machine's own neighbour table and router count too, and a host
# that is both is told once: between 2 and 2 + those)
json_ok '[(a["ip"], a["sources"]["description"], 2 <= a["told"] <= 2 + a["sources"].get("router", 0) + a["sources"].get("table", 0) + a["sources"].get("watch", 0)) for a in j["neighbours"]["addresses"]] == [("192.0.2.11/24", 2, True)] and j["neighbours"]["lists"][0]["used"] is False' \
	-c nb.conf plan --fail a1 --json
json_ok 'j["neighbours"]["directed"] is False and j["neighbours"]["addresses"][0]["told"] == 0 and j["ok"]' \
	-c nb.conf takeover --fail a1 --json --no-directed "${DRY[@]}"
# ipto neighbours --write: this host's table as a list the parser takes
usage_error "neighbours: --write FILE is required" neighbours
json_ok 'j["command"] == "neighbours" and j["ok"] and j["written"] >= 0' neighbours --write "$tmp/host.neigh" --json
if [ "$(head -n 1 "$tmp/host.neigh")" = "# neighbour table of this host (ipto neighbours --write)" ] &&
	[ ! -e "$tmp/host.neigh.tmp" ]; then
	ok "neighbours --write: the list, renamed into place"
else
	bad "neighbours --write: $(head -c 300 "$tmp/host.neigh")"
fi
nb "neighbours-file a1 $tmp/host.neigh"
json_ok 'j["neighbours"]["lists"][0]["used"] is True' -c nb.conf plan --fail a1 --json

# Messages that say what is wrong.
printf 'node a1 192.0.2.11/24\nadapter sb tk1 mac=02:00:5e:30:01:01\nadapter sb2 tk9\n' >nomac.conf
usage_error "--standby: no standby 'nosuch' in the cluster description" \
	-c nomac.conf takeover -f a1 -s nosuch "${DRY[@]}"
run -c nomac.conf takeover -f a1 -s nosuch "${DRY[@]}"
[[ $err != *mac=* ]] && ok "an unknown --standby is not blamed on a mac= of line 3" ||
	bad "--standby nosuch: $err"
mkdir conf.d
usage_error "--config conf.d: is a directory" check -c conf.d
run --json check -c conf.d
[ "$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["error"]["code"])' <<<"$out")" = EISDIR ] &&
	ok "-c DIR: code EISDIR" || bad "-c DIR --json: $out"
if [ -r /proc/self/mem ]; then
	usage_error "--config /proc/self/mem: cannot read it: Input/output error" check -c /proc/self/mem
fi
# An empty description, or a node without an address, is an error for
# every command that reads one.
printf '# nothing here\n\n' >empty.conf
for cmd in check "plan -f a1" "takeover -f a1 ${DRY[*]}" "release -f a1 ${DRY[*]}" \
	"status --binder dryrun" "reclaim --node a1 -i eth0 ${DRY[*]}"; do
	# shellcheck disable=SC2086 # the words of $cmd
	usage_error "the cluster description has no active node" -c empty.conf $cmd
done
usage_error "the cluster description has no active node" check -a sb,tk1,mac=02:00:5e:30:01:01
for cmd in check "plan -f a1" "takeover -f a1 ${DRY[*]}" "status --binder dryrun"; do
	# shellcheck disable=SC2086
	usage_error "node a2 has no address in the cluster description" \
		-n a1,192.0.2.11/24 -n a2,mac=02:00:5e:20:02:00 -a sb,tk1,mac=02:00:5e:30:01:01 $cmd
done
# The watch, probe and tickle commands (examples/ipto/watch.c) take the
# same error path.
printf 'garbage\n' >conns.txt
for args in "probe" "watch --bogus" "tickle --conns nofile --ip 192.0.2.1" \
	"tickle --conns conns.txt --ip 192.0.2.1"; do
	# shellcheck disable=SC2086 # the words of $args
	run $args
	# shellcheck disable=SC2086
	[ $rc = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [[ $err == "ipto ${args%% *}: "* ]] &&
		ok "ipto $args: exit 2, one line" || bad "ipto $args: rc=$rc err=$err"
	# shellcheck disable=SC2086
	json_error 2 $args
done

# Options of the hooks: only where they apply, with a value in range.
usage_error "--refresh: not an option of 'plan'" -c nomac.conf plan -f a1 --refresh 2
usage_error "--background: not an option of 'release'" -c nomac.conf release -f a1 --background "${DRY[@]}"
usage_error "--refresh: '0' is not a number from 1 to 86400" -c nomac.conf takeover -f a1 --refresh 0 "${DRY[@]}"

# --- large nodes on the command line -------------------------------------------
# One --node with 1500 addresses (more than a line of the config holds).
spec=a1
for ((i = 0; i < 1500; i++)); do spec+=",2001:db8:2::1:$(printf %x $i)/64"; done
run -n "$spec" -a sb,tk1,mac=02:00:5e:30:01:01 --share "${DRY[@]}" takeover --fail a1 --schedule once
if [ $rc = 0 ] && [ "$(grep -c ' of a1 bound on sb tk1 ' <<<"$out")" = 1500 ]; then
	ok "--node with 1500 addresses: all 1500 bound (dry run)"
else
	bad "--node with 1500 addresses: rc=$rc, $(grep -c ' bound on ' <<<"$out") bound, stderr: $err"
fi

# --- operations that fail exit 1 with one line ----------------------------------
C2=(-n a1,192.0.2.11/24,192.0.2.12/24 -a sb,tk1,mac=02:00:5e:30:01:01)
op_error "node a1 has 2 IPs, standby sb has 1 adapters" plan "${C2[@]}" -f a1
op_error "node a1 has 2 IPs" takeover "${C2[@]}" -f a1 "${DRY[@]}"
run check "${C2[@]}"
[ $rc = 1 ] && [[ $out == "NOT OK"* ]] && [[ $err == *"1 missing"* ]] &&
	ok "check of a pool that breaks the capacity rule exits 1" ||
	bad "check: rc=$rc out=$out err=$err"
op_error "--interface eth9" announce -i eth9 --ip 192.0.2.1 --binder dryrun --injector dryrun
op_error "--output nodir/x.pcap" frames --ip 192.0.2.1 --mac 02:00:00:00:00:01 -o nodir/x.pcap
if [ -w /dev/full ]; then
	op_error "--output /dev/full" frames --ip 192.0.2.1 --mac 02:00:00:00:00:01 -o /dev/full
	# When stdout itself fails, the message goes to stderr only.
	"$IPTO" --json --version >/dev/full 2>"$tmp/err"
	[ $? = 1 ] && [[ $(cat "$tmp/err") == "ipto: cannot write the output: "* ]] &&
		ok "--version to a full disk: exit 1, says why" || bad "--version >/dev/full: $(cat "$tmp/err")"
fi

# --- the patent's figures --------------------------------------------------------
# Fig. 2: one active node (28) with one IP, standby (32) with the management
# adapter (29, not a takeover adapter here, so not listed) and one takeover
# adapter (30): the IP goes on adapter 30.
cat >fig2.conf <<'EOF'
node a1 192.0.2.11/24 mac=02:00:5e:20:01:00
adapter sb tk1 mac=02:00:5e:30:01:01
EOF
run -c fig2.conf plan -f a1
same_text "Fig. 2: the one IP goes on the takeover adapter" \
"takeover plan: 1 node, 1 step
nodes: a1
bind 192.0.2.11/24 of a1 on sb tk1 02:00:5e:30:01:01, announce to 192.0.2.255"

# Fig. 4: one node (49) with two IPs; the standby's management adapter (50)
# doubles as a takeover adapter, so the spare adapter (51) is used first.
cat >fig4.conf <<'EOF'
node a1 192.0.2.11/24 192.0.2.12/24 mac=02:00:5e:20:01:00
adapter sb mgmt mac=02:00:5e:30:01:00 management
adapter sb tk1 mac=02:00:5e:30:01:01
EOF
run -c fig4.conf plan -f a1
same_text "Fig. 4: the spare adapter first, then the management adapter" \
"takeover plan: 1 node, 2 steps
nodes: a1
bind 192.0.2.11/24 of a1 on sb tk1 02:00:5e:30:01:01, announce to 192.0.2.255
bind 192.0.2.12/24 of a1 on sb mgmt 02:00:5e:30:01:00, announce to 192.0.2.255 [management adapter]"
json_ok 'j["kind"] == "takeover" and [s["ifname"] for s in j["steps"]] == ["tk1", "mgmt"] and j["steps"][1]["management"] is True and all(s["mac"] != "02:00:5e:20:01:00" for s in j["steps"])' \
	-c fig4.conf plan -f a1 --json

# Fig. 1: nodes 6 (two IPs) and 8 (one IP); with the management adapter (9)
# doubling, two adapters suffice where the old way needed three (Fig. 7).
cat >fig1.conf <<'EOF'
node a1 192.0.2.11/24 192.0.2.12/24 mac=02:00:5e:20:01:00
node a2 192.0.2.21/24 mac=02:00:5e:20:02:00
adapter sb mgmt mac=02:00:5e:30:01:00 management
adapter sb tk1 mac=02:00:5e:30:01:01
EOF
run -c fig1.conf check
[ $rc = 0 ] && [[ $out == "ok: the largest node has 2 IP(s); the largest standby has 2 takeover adapter(s)" ]] &&
	ok "Fig. 1: 2 adapters satisfy the capacity rule for 2 + 1 IPs" || bad "Fig. 1 check: $rc $out $err"
json_ok 'j["ok"] is True and j["required"] == 2 and j["available"] == 2 and j["error"] is None' \
	-c fig1.conf check --json
run -c fig1.conf plan -f a2
same_text "Fig. 1: node 8's one IP alone goes on the spare adapter" \
"takeover plan: 1 node, 1 step
nodes: a2
bind 192.0.2.21/24 of a2 on sb tk1 02:00:5e:30:01:01, announce to 192.0.2.255"
op_error "node a2 has 1 IPs" -c fig1.conf plan --taken-over a1 -f a2
run -c fig1.conf -a sb,tk2,mac=02:00:5e:30:01:02 plan --taken-over a1 -f a2
same_text "Fig. 1 with a third adapter: the second failure takes what is left" \
"takeover plan: 1 node, 1 step
nodes: a2
bind 192.0.2.21/24 of a2 on sb mgmt 02:00:5e:30:01:00, announce to 192.0.2.255 [management adapter]"
usage_error "--taken-over a1: " -c fig1.conf plan --taken-over a1 --taken-over a1 -f a2
usage_error "--fail a1: " -c fig1.conf plan --taken-over a1 -f a1
usage_error "either every node to release is in --taken-over, or none is" \
	-c fig1.conf -a sb,tk2,mac=02:00:5e:30:01:02 release --taken-over a1 -f a1,a2 "${DRY[@]}"
# Releasing the second of two takeovers unbinds what that takeover bound.
json_ok '[(s["action"], s["ip"], s["ifname"]) for s in j["plan"]["steps"]] == [("unbind", "192.0.2.21/24", "mgmt")]' \
	-c fig1.conf -a sb,tk2,mac=02:00:5e:30:01:02 release --taken-over a1 --taken-over a2 -f a2 "${DRY[@]}" --json

# --- JSON of every command ------------------------------------------------------------
JSON_RC=1 json_ok 'j["ok"] is False and j["required"] == 2 and "1 missing" in j["error"]["message"] and j["error"]["code"] == "ENOSPC" and j["error"]["exit"] == 1' check "${C2[@]}" --json
json_ok 'j["command"] == "takeover" and j["ok"] and j["result"] == 0 and j["error"] is None and j["plan"]["kind"] == "takeover" and {r["op"] for r in j["report"]} >= {"check_adapter", "devconf", "addr_add", "adapter_up", "announce"} and sum(r["frames"] for r in j["report"]) == 4 + sum(a["told"] for a in j["neighbours"]["addresses"])' \
	-c fig4.conf takeover -f a1 --schedule once "${DRY[@]}" --json
json_ok 'j["command"] == "release" and j["ok"] and j["plan"]["kind"] == "release" and [s["action"] for s in j["plan"]["steps"]] == ["unbind", "unbind"]' \
	-c fig4.conf release -f a1 "${DRY[@]}" --json
# Best fit puts a1 on sb (1 free adapter) rather than sb2 (2): sb2 has
# nothing to do, which is a success.
json_ok 'j["ok"] and j["report"] == [] and j["standby"] == "sb2" and j["plan"]["steps"][0]["standby"] == "sb"' \
	-c fig2.conf -a sb2,tk1,mac=02:00:5e:40:01:01 -a sb2,tk2,mac=02:00:5e:40:01:02 \
	takeover -f a1 -s sb2 "${DRY[@]}" --json --schedule once
run -c fig2.conf -a sb2,tk1,mac=02:00:5e:40:01:01 -a sb2,tk2,mac=02:00:5e:40:01:02 \
	takeover -f a1 -s sb2 "${DRY[@]}"
[ $rc = 0 ] && [ "$out" = "nothing to do on standby sb2" ] &&
	ok "takeover on a standby the plan does not use does nothing and succeeds" ||
	bad "takeover -s sb2: rc=$rc out=$out err=$err"
json_ok 'j == {"command": "announce", "interface": "eth0", "mac": "02:00:5e:30:01:01", "frames": 3, "rounds": 2, "dry_run": True, "error": None}' \
	announce -i eth0 --ip 192.0.2.11/24,2001:db8::11 --mac 02:00:5e:30:01:01 --injector dryrun \
	--count 2 --interval 0 --json
json_ok 'j == {"command": "frames", "output": "f.pcap", "frames": 2, "error": None}' frames --ip 192.0.2.11/24 --mac 02:00:5e:30:01:01 -o f.pcap --json
# Names with JSON's special characters come out escaped.
json_ok 'j["nodes"] == ["a\"1\\x"] and j["steps"][0]["ifname"] == "t\"k"' \
	-n 'a"1\x,192.0.2.11/24' -a 'sb,t"k,mac=02:00:5e:30:01:01' plan -f 'a"1\x' --json
# A failed takeover still writes its JSON, exits 1 and says why on stderr.
run -c fig1.conf takeover --taken-over a1 -f a2 "${DRY[@]}"
json_error 1 -c fig1.conf takeover --taken-over a1 -f a2 "${DRY[@]}"
[[ $err == *"node a2 has 1 IPs"* ]] && ok "a takeover that cannot be planned says why" ||
	bad "unplannable takeover: rc=$rc out=$out err=$err"

# A dry run says so: in JSON, and on the first line of the text.
json_ok 'j["dry_run"] is True and j["dry_run_binder"] is True and j["dry_run_injector"] is True and j["error"] is None' \
	-c fig4.conf takeover -f a1 --schedule once "${DRY[@]}" --json
json_ok 'j["dry_run"] is True and j["dry_run_binder"] is True and j["dry_run_injector"] is False' \
	-c fig4.conf release -f a1 --binder dryrun --json
run -c fig4.conf release -f a1 --binder dryrun
[ $rc = 0 ] && [ "$(head -n1 <<<"$out")" = "dry run: nothing is changed on this host" ] &&
	ok "a dry-run release says so first" || bad "dry-run release: rc=$rc $out $err"
run announce -i eth0 --ip 192.0.2.11 --mac 02:00:5e:30:01:01 --injector dryrun
[ "$out" = "dry run: would have sent 2 frame(s) from eth0 (02:00:5e:30:01:01), 1 round(s)" ] &&
	ok "a dry-run announce says so" || bad "dry-run announce: $out"
# --background and --refresh in a dry run: the parent reports the first
# round; the child (no output of its own) finishes the rest.
json_ok 'j["ok"] and j["background"]["pid"] > 0 and max(r["round"] for r in j["report"]) == 0' \
	-c fig4.conf takeover -f a1 --schedule 0:arp-announce,50:arp-announce "${DRY[@]}" --background --json

# --- text output of the operations ----------------------------------------------------
run -c fig4.conf takeover -f a1 --schedule 0:arp-announce,1:arp-bcast-target "${DRY[@]}"
same_text "takeover prints each bound address and the announcement count" \
"dry run: nothing is changed on this host, no frame is sent
192.0.2.11/24 of a1 bound on sb tk1 (02:00:5e:30:01:01)
192.0.2.12/24 of a1 bound on sb mgmt (02:00:5e:30:01:00) [management adapter]
announced: 4 frame(s) in 2 round(s)"
run frames --ip 192.0.2.11/24,2001:db8::11/64 --mac 02:00:5e:30:01:01 -o f.pcap
[ $rc = 0 ] && [ "$out" = "wrote 3 frame(s) to f.pcap" ] && [ "$(stat -c %s f.pcap)" -gt 200 ] &&
	ok "frames writes a pcap file" || bad "frames: rc=$rc out=$out err=$err"
"$IPTO" frames --ip 192.0.2.11/24 --mac 02:00:5e:30:01:01 -o - >stdout.pcap 2>"$tmp/err"
[ $? = 0 ] && [ "$(od -An -tx1 -N4 stdout.pcap | tr -d ' ')" = d4c3b2a1 ] &&
	[ "$(cat "$tmp/err")" = "wrote 2 frame(s) to -" ] &&
	ok "frames -o - writes only the pcap to stdout" || bad "frames -o -: $(cat "$tmp/err")"

# --- the example config of the source tree -------------------------------------------
if [ -n "$EXAMPLE_CONF" ]; then
	run -c "$EXAMPLE_CONF" check
	[ $rc = 0 ] && [[ $out == ok:* ]] && ok "examples/demo/cluster.conf passes check" ||
		bad "examples/demo/cluster.conf: rc=$rc $out $err"
	json_ok '[s["ifname"] for s in j["steps"]] == ["mgmt"]' \
		-c "$EXAMPLE_CONF" plan --taken-over a1 -f a2 --json
fi

# Every code the error objects gave is the name of their errno.
if "$PY" - "$tmp/codes" <<'PY'; then
import errno, sys
pairs = {tuple(l.split()) for l in open(sys.argv[1])}
wrong = [p for p in pairs if errno.errorcode.get(int(p[1])) != p[0]]
print("# codes seen:", " ".join(sorted(c for c, _ in pairs)))
sys.exit(1 if wrong or not pairs else 0)
PY
	ok "every error object's code names its errno"
else
	bad "an error object's code is not its errno's name (see $tmp/codes)"
fi

echo "1..$n"
[ $nfail = 0 ]
