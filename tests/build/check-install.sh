#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install into a scratch root, then build and run a consumer the way a user
# does: pkg-config --cflags --libs libipto, <ipto/ipto.h>, -std=c99 -pedantic.
# usage: check-install.sh BUILDDIR CONSUMER.c
set -eu
build=$1 consumer=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --destdir "$tmp/root" --quiet >/dev/null

pcdir=$(dirname "$(find "$tmp/root" -name libipto.pc | head -n1)")
[ -f "$pcdir/libipto.pc" ] || { echo "FAIL: libipto.pc not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
flags=$(pkg-config --cflags --libs libipto)
echo "pkg-config --cflags --libs libipto: $flags"
if pkg-config --print-requires libipto | grep -q .; then
	echo "FAIL: libipto must not have public Requires (only Requires.private)"
	exit 1
fi
# CC: the library's compiler; SANITIZE_FLAGS: its -fsanitize=, if any
# shellcheck disable=SC2086 # both are word lists
${CC:-cc} -std=c99 -pedantic -Werror -Wall -Wextra ${SANITIZE_FLAGS:-} "$consumer" -o "$tmp/consumer" $flags
libdir=$(pkg-config --variable=libdir libipto)
case $libdir in "$tmp/root"/*) ;; *) libdir=$tmp/root$libdir ;; esac
soname=$(readelf -d "$libdir/libipto.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libipto.so.1" ] || { echo "FAIL: SONAME is '$soname'"; exit 1; }
incdir=$(pkg-config --variable=includedir libipto)
case $incdir in "$tmp/root"/*) ;; *) incdir=$tmp/root$incdir ;; esac
[ -f "$incdir/ipto/ipto.h" ] ||
	{ echo "FAIL: ipto/ipto.h not installed"; exit 1; }
LD_LIBRARY_PATH="$libdir" "$tmp/consumer"
