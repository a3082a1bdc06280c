#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The agent's man page renders without groff warnings and documents exactly
# the parameters of its meta-data and every OCF exit code the agent returns.
# usage: check-ocf-man.sh AGENT PAGE
set -u
agent=$1
page=$2
command -v groff >/dev/null || { echo "SKIP: groff not installed"; exit 77; }
[ -r /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs ] ||
	{ echo "SKIP: ocf-shellfuncs not installed (resource-agents)"; exit 77; }
rc=0
warn=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
if [ -n "$warn" ]; then
	echo "not ok - groff warns about $page:"; echo "$warn"; rc=1
else
	echo "ok - $page renders without warnings"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OCF_ROOT=/usr/lib/ocf "$agent" meta-data | sed -n 's/.*<parameter name="\([a-z_]*\)".*/\1/p' |
	sort -u >"$tmp/md"
# the page's PARAMETERS section: one ".TP" + ".B name" per parameter
sed -n '/^\.SH PARAMETERS/,/^\.SH /p' "$page" | sed -n 's/^\.B \([a-z_]*\)$/\1/p' |
	sort -u >"$tmp/page"
[ -s "$tmp/md" ] || { echo "not ok - the meta-data lists no parameter"; exit 1; }
if cmp -s "$tmp/md" "$tmp/page"; then
	echo "ok - the man page documents exactly the meta-data's parameters ($(wc -l <"$tmp/md"))"
else
	echo "not ok - meta-data vs man page parameters:"; diff "$tmp/md" "$tmp/page"; rc=1
fi
for code in $(grep -o 'OCF_[A-Z_]*' "$agent" | grep -E '^OCF_(SUCCESS|ERR_[A-Z_]*|NOT_RUNNING)$' | sort -u); do
	if sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$page" | grep -q "($code)"; then
		echo "ok - EXIT STATUS documents $code"
	else
		echo "not ok - EXIT STATUS lacks $code"; rc=1
	fi
done
exit $rc
