#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every doc/*.md is installed into the doc directory, and every document the
# installed headers name is one of them (no source-tree paths like doc/x.md);
# every man page names the project version.
# usage: check-docs.sh SOURCE_ROOT BUILD_DIR
set -eu
src=$1 build=$2
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
inst=$(meson introspect --installed "$build" | jq -r '.[]')
fail=0
for f in "$src"/doc/*.md; do
	n=$(basename "$f")
	if ! printf '%s\n' "$inst" | grep -q "/doc/libipto/$n\$"; then
		echo "FAIL: doc/$n is not installed into <datadir>/doc/libipto"
		fail=1
	fi
done
if grep -rn 'doc/[A-Za-z0-9_-]*\.md' "$src/include"; then
	echo "FAIL: the headers name source-tree paths (above)"
	fail=1
fi
for n in $(grep -rho '[A-Za-z0-9_-]*\.md' "$src/include" | sort -u); do
	if printf '%s\n' "$inst" | grep -q "/doc/libipto/$n\$"; then
		echo "ok: the headers name $n, installed"
	else
		echo "FAIL: the headers name $n, which is not installed"
		fail=1
	fi
done
# Every man page says the project version (.TH's source field).
version=$(meson introspect --projectinfo "$build" | jq -r .version)
for f in "$src"/doc/*.[1-8]; do
	if grep -q "^\.TH .*\"libipto $version\"" "$f"; then
		echo "ok: $(basename "$f") says libipto $version"
	else
		echo "FAIL: $(basename "$f") does not say \"libipto $version\": $(grep '^\.TH' "$f")"
		fail=1
	fi
done
exit $fail
