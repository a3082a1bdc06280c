#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ipto-agent systemd unit: `systemd-analyze verify` passes on it (run
# against the built agent), a broken copy fails (so the check checks), it
# keeps the hardening doc/agent.md promises, and `systemd-analyze security`
# rates its exposure at 3.0 or lower (printed). Skips (77) without
# systemd-analyze; .ci/deps installs systemd.
#
# usage: test-agent-unit.sh BUILD/examples/ipto-agent.service BUILD/examples/ipto-agent
set -u
unit=${1:?usage: $0 UNIT AGENT}
agent=${2:?usage: $0 UNIT AGENT}
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
n=0 nfail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); echo "not ok $n - $*"; nfail=$((nfail + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The unit as installed, with ExecStart= pointing at the agent just built.
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
sed "s|^ExecStart=$exe |ExecStart=$(realpath "$agent") |" "$unit" >"$tmp/ipto-agent.service"
check "ExecStart= runs ipto-agent listen with the key as a credential" \
	grep -q '^ExecStart=.*/ipto-agent listen --key ${CREDENTIALS_DIRECTORY}/agent.key ' "$tmp/ipto-agent.service"
systemd-analyze verify --man=no "$tmp/ipto-agent.service" >"$tmp/verify" 2>&1
rc=$?
sed 's/^/# /' "$tmp/verify"
check "systemd-analyze verify passes (exit $rc, no message)" [ $rc = 0 -a ! -s "$tmp/verify" ]

mkdir "$tmp/broken"
sed 's/^ProtectSystem=strict/ProtectSystem=strictest/; s/^CapabilityBoundingSet=.*/&\nExecStartPre=relative-path/' \
	"$tmp/ipto-agent.service" >"$tmp/broken/ipto-agent.service"
systemd-analyze verify --man=no "$tmp/broken/ipto-agent.service" >/dev/null 2>&1
check "a broken copy fails verify (the check can fail)" [ $? != 0 ]

want() { grep -qx "$1" "$tmp/ipto-agent.service"; }
for line in 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW' \
	'AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW' 'NoNewPrivileges=yes' \
	'ProtectSystem=strict' 'PrivateTmp=yes' \
	'RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_PACKET' \
	'ProtectHome=yes' 'PrivateDevices=yes' 'RestrictNamespaces=yes' \
	'SystemCallFilter=@system-service' 'MemoryDenyWriteExecute=yes'; do
	check "the unit has $line" want "$line"
done

systemd-analyze security --offline=yes "$tmp/ipto-agent.service" >"$tmp/sec" 2>&1
level=$(sed -n 's/.*Overall exposure level for ipto-agent.service: \([0-9.]*\).*/\1/p' "$tmp/sec")
grep '✗' "$tmp/sec" | sed 's/^/# /'
echo "# systemd-analyze security: exposure $level"
check "systemd-analyze security --offline rates it ($level)" [ -n "$level" ]
systemd-analyze security --offline=yes --threshold=30 "$tmp/ipto-agent.service" >/dev/null 2>&1
check "exposure at most 3.0 (systemd-analyze --threshold=30)" [ $? = 0 ]
echo "1..$n"
[ $nfail = 0 ]
