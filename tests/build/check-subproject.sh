#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# libipto as a meson subproject of another project: by default only the
# library, its headers and pkg-config file (no tests, no ipto command, no
# OCF agent, no man pages or docs); the parent can ask for the rest.
# Configures only (meson setup), nothing is compiled.
# usage: check-subproject.sh SOURCE_ROOT
set -eu
src=$1
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/parent/subprojects"
ln -s "$src" "$tmp/parent/subprojects/libipto"
cat >"$tmp/parent/meson.build" <<'EOT'
project('parent', 'c')
dep = dependency('libipto', fallback: ['libipto', 'libipto_dep'])
executable('parent', 'parent.c', dependencies: dep, install: true)
EOT
cat >"$tmp/parent/parent.c" <<'EOT'
#include <ipto/ipto.h>
int main(void) { return 0; }
EOT
fail=0
meson setup "$tmp/b" "$tmp/parent" >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; echo "FAIL: meson setup of the parent"; exit 1; }
tests=$(meson introspect --tests "$tmp/b" | jq -r '.[].name')
inst=$(meson introspect --installed "$tmp/b" | jq -r '.[]')
targets=$(meson introspect --targets "$tmp/b" | jq -r '.[] | select(.type == "executable") | .name')
if [ -n "$tests" ]; then
	echo "FAIL: the subproject registers tests: $(echo $tests)"; fail=1
fi
for bad in '/bin/ipto$' '/man[0-9]/' '/doc/libipto/' '/resource.d/libipto/'; do
	if printf '%s\n' "$inst" | grep -q "$bad"; then
		echo "FAIL: the subproject installs $(printf '%s\n' "$inst" | grep "$bad" | head -n 1)"
		fail=1
	fi
done
if printf '%s\n' "$targets" | grep -qx -e ipto -e ipto-agent -e 'test-.*'; then
	echo "FAIL: the subproject builds $(printf '%s\n' "$targets" | grep -x -e ipto -e ipto-agent -e 'test-.*' | tr '\n' ' ')"
	fail=1
fi
printf '%s\n' "$inst" | grep -q '/libipto\.so\.1' ||
	{ echo "FAIL: libipto.so.1 is not installed"; fail=1; }
printf '%s\n' "$inst" | grep -q '/include/ipto/ipto\.h$' ||
	{ echo "FAIL: ipto/ipto.h is not installed"; fail=1; }
[ $fail = 0 ] && echo "ok: as a subproject: the library, headers and pkg-config file only"
# asked for, the examples and docs come back
meson configure "$tmp/b" -Dlibipto:examples=enabled -Dlibipto:docs=enabled >/dev/null
meson setup --reconfigure "$tmp/b" "$tmp/parent" >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; echo "FAIL: reconfigure with examples"; exit 1; }
inst=$(meson introspect --installed "$tmp/b" | jq -r '.[]')
for want in '/bin/ipto$' '/resource.d/libipto/ipto$' '/doc/libipto/cluster-managers.md$'; do
	printf '%s\n' "$inst" | grep -q "$want" ||
		{ echo "FAIL: with examples+docs enabled, nothing matches $want"; fail=1; }
done
[ $fail = 0 ] && echo "ok: -Dlibipto:examples=enabled -Dlibipto:docs=enabled installs the command, the agent, the docs"
# On its own, with the tests and docs off (as CI's fuzzing build does).
meson setup "$tmp/minimal" "$src" -Dtests=disabled -Ddocs=disabled >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; echo "FAIL: meson setup -Dtests=disabled -Ddocs=disabled"; exit 1; }
echo "ok: -Dtests=disabled -Ddocs=disabled configures"
exit $fail
