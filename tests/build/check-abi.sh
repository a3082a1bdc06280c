#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Compare the built library's ABI with the committed baseline. Additions are
# fine; any change to existing symbols or the types they use fails until the same commit regenerates the
# baseline (tests/build/update-abi.sh) and explains why in NEWS.
# The dry-run backends (<ipto/ipto-dryrun.h>, version node IPTO_DRYRUN_1.0)
# are not covered: abi-dryrun.supp leaves them out.
# usage: check-abi.sh LIBRARY INCLUDEDIR BASELINE
set -u
lib=$1 inc=$2 baseline=$3
supp=$(dirname "$0")/abi-dryrun.supp
command -v abidw >/dev/null || { echo "abidw (abigail-tools) not installed"; exit 77; }
[ -f "$baseline" ] || { echo "FAIL: no ABI baseline at $baseline"; exit 1; }
# Without debug information abidw sees the symbols and no types, and a
# changed struct would pass: say so and skip (-Dbuildtype=release/plain).
if ! readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then
	echo "SKIP: $lib has no debug information (build with -g to compare types)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abidw --no-corpus-path --suppressions "$supp" --headers-dir "$inc/ipto" --out-file "$tmp/current.abi" "$lib" || exit 1
# Only types of the public headers count: the opaque objects (struct
# ipto_takeover, ...) are private and may change freely.
abidiff --no-added-syms --suppressions "$supp" --hd1 "$inc/ipto" --hd2 "$inc/ipto" "$baseline" "$tmp/current.abi" > "$tmp/diff"
rc=$?
cat "$tmp/diff"
if [ $((rc & 3)) -ne 0 ]; then
	echo "FAIL: abidiff could not compare (exit $rc)"
	exit 1
fi
# With --no-added-syms, new functions are not reported and leave the exit
# status 0. Bit 8 is an incompatible change (a symbol removed); bit 4 any
# change to what existing symbols use (a struct's size or layout, a
# parameter's type), which breaks callers just as surely.
if [ $((rc & 12)) -ne 0 ]; then
	echo "FAIL: the ABI of existing symbols changed against $baseline"
	echo "      if it is intended, run tests/build/update-abi.sh and say why in NEWS"
	exit 1
fi
echo "ok: ABI compatible with the baseline (abidiff exit $rc)"
