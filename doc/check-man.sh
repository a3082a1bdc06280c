#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man page renders without groff warnings and documents exactly the
# long options `ipto --help` lists (so neither can drift from the other).
# usage: check-man.sh PATH/TO/ipto PATH/TO/ipto.1
set -u
ipto=$1
page=$2
command -v groff >/dev/null || { echo "SKIP: groff not installed"; exit 77; }
rc=0
warn=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
if [ -n "$warn" ]; then
	echo "not ok - groff warns about $page:"
	echo "$warn"
	rc=1
else
	echo "ok - $page renders without warnings"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$ipto" --help | grep -o -e '--[a-z][a-z-]*' | sort -u >"$tmp/help"
sed 's/\\-/-/g' "$page" | grep -o -e '--[a-z][a-z-]*' | sort -u >"$tmp/page"
missing=$(comm -23 "$tmp/help" "$tmp/page")
extra=$(comm -13 "$tmp/help" "$tmp/page")
[ -s "$tmp/help" ] || { echo "not ok - ipto --help lists no option"; exit 1; }
if [ -n "$missing" ]; then
	echo "not ok - options in --help but not in the man page:" $missing
	rc=1
else
	echo "ok - the man page documents every option of --help ($(wc -l <"$tmp/help"))"
fi
if [ -n "$extra" ]; then
	echo "not ok - options in the man page but not in --help:" $extra
	rc=1
else
	echo "ok - the man page documents no option --help does not know"
fi
exit $rc
