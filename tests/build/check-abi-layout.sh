#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The layout of the public structs against their baseline (abi-layout.c,
# made by update-abi-layout.py): every member keeps its offset, size and
# type, a callback's signature included, which abidiff does not see inside
# an ops table. A mismatch is a compile error naming the struct and member.
# Then the same check against a copy of the headers with one callback's
# parameter type changed must fail: proof that the check bites.
# usage: check-abi-layout.sh INCLUDEDIR ABI-LAYOUT.c
set -u
inc=$1 src=$2
cc=${CC:-cc}
[ -f "$src" ] || { echo "FAIL: no layout baseline at $src"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
if ! $cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$inc" "$src"; then
	echo "FAIL: the public structs no longer match tests/build/abi-layout.c"
	echo "      if it is intended, run tests/build/update-abi-layout.py (with"
	echo "      update-abi.sh) and say why in NEWS"
	exit 1
fi
# The mutation: adapter_set_up's "bool up" becomes "int up".
cp -R "$inc" "$tmp/inc"
hdr=$tmp/inc/ipto/ipto-backend.h
sed 's/\((\*adapter_set_up)(struct ipto_binder \*binder, const char \*ifname, \)bool up)/\1int up)/' \
	"$inc/ipto/ipto-backend.h" > "$hdr"
if cmp -s "$inc/ipto/ipto-backend.h" "$hdr"; then
	echo "FAIL: the self-check found no adapter_set_up(..., bool up) to change"
	exit 1
fi
# shellcheck disable=SC2086
if $cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$tmp/inc" "$src" 2> "$tmp/err"; then
	echo "FAIL: a changed callback parameter type went unnoticed"
	exit 1
fi
if ! grep -q 'struct ipto_binder_ops member adapter_set_up' "$tmp/err"; then
	cat "$tmp/err"
	echo "FAIL: the changed callback failed the build, but not by the layout check"
	exit 1
fi
echo "ok: public struct layouts match the baseline; a changed callback type is caught"
