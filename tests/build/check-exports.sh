#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The built library exports only ipto_ names, and exactly the names that
# lib/libipto.sym lists and the sources mark IPTO_EXPORT.
# usage: check-exports.sh LIBRARY SYMFILE LIBDIR
set -eu
lib=$1 sym=$2 libdir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
	sed 's/@.*//' | grep -v '^IPTO_[0-9.]*$' | sort -u > "$tmp/exported"
[ -s "$tmp/exported" ] || { echo "no exported symbols found in $lib"; exit 1; }

if grep -v '^ipto_' "$tmp/exported"; then
	echo "FAIL: the symbols above lack the ipto_ prefix"
	exit 1
fi

# Every exported symbol carries a version node.
if nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | grep -v '@@IPTO_'; then
	echo "FAIL: the symbols above have no IPTO_ version node"
	exit 1
fi

sed -n 's/^[[:space:]]*\(ipto_[a-z0-9_]*\);.*/\1/p' "$sym" | sort -u > "$tmp/listed"
# Definitions marked IPTO_EXPORT: the name is the identifier before '('.
awk '/^IPTO_EXPORT/ { want = 1; buf = "" }
     want { buf = buf " " $0
            if (index($0, "(")) {
                    sub(/[[:space:]]*\(.*/, "", buf); n = split(buf, w, /[ \t*]+/)
                    print w[n]; want = 0 } }
     # IPTO_DEFINE_REF_UNREF(ipto_x, free_fn) defines ipto_x_ref and _unref.
     /^IPTO_DEFINE_REF_UNREF\(/ { s = $0; sub(/^IPTO_DEFINE_REF_UNREF\([[:space:]]*/, "", s)
            sub(/[[:space:]]*,.*/, "", s); print s "_ref"; print s "_unref" }
     # IPTO_DEFINE_BACKEND(ipto_x, who) defines ipto_x_new, _ref, _unref
     # and _get_ctx.
     /^IPTO_DEFINE_BACKEND\(/ { s = $0; sub(/^IPTO_DEFINE_BACKEND\([[:space:]]*/, "", s)
            sub(/[[:space:]]*,.*/, "", s)
            print s "_new"; print s "_ref"; print s "_unref"; print s "_get_ctx" }
     # IPTO_DEFINE_ENUM_NAME(ipto_x_name, enum, ...) defines ipto_x_name.
     /^IPTO_DEFINE_ENUM_NAME\(/ { s = $0; sub(/^IPTO_DEFINE_ENUM_NAME\([[:space:]]*/, "", s)
            sub(/[[:space:]]*,.*/, "", s); print s }' "$libdir"/*.c |
	sort -u > "$tmp/marked"

status=0
if ! diff -u "$tmp/listed" "$tmp/exported"; then
	echo "FAIL: lib/libipto.sym and the library's exports differ"
	status=1
fi
if ! diff -u "$tmp/listed" "$tmp/marked"; then
	echo "FAIL: lib/libipto.sym and the IPTO_EXPORT definitions differ"
	status=1
fi
[ $status -eq 0 ] && echo "ok: $(wc -l < "$tmp/exported") symbols, all ipto_, all versioned, sym file in step"
exit $status
