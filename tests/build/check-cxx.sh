#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A consumer that uses IPTO_OPTS() builds warning-free as C++11, C++14 and
# C++17, and as C99 and C11 (-Wall -Wextra -pedantic -Werror), and each
# build runs against the library.
# usage: check-cxx.sh INCLUDEDIR LIBDIR CONSUMER.c
set -eu
inc=$1 libdir=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cxx=${CXX:-c++} cc=${CC:-cc}
command -v "$cxx" >/dev/null 2>&1 || { echo "no C++ compiler ($cxx)"; exit 77; }
status=0
for std in c++11 c++14 c++17 c99 c11; do
	case $std in
	c++*) compile="$cxx -x c++" ;;
	*) compile="$cc -x c" ;;
	esac
	# SANITIZE_FLAGS: the library's -fsanitize=, if any (see meson.build)
	# shellcheck disable=SC2086
	if ! $compile -std=$std -Wall -Wextra -pedantic -Werror ${SANITIZE_FLAGS:-} -I"$inc" "$src" \
		-x none -o "$tmp/consumer-$std" -L"$libdir" -lipto; then
		echo "FAIL: the consumer does not build cleanly as $std"
		status=1
		continue
	fi
	if ! LD_LIBRARY_PATH="$libdir" "$tmp/consumer-$std"; then
		echo "FAIL: the $std consumer's checks failed"
		status=1
	fi
done
[ $status -eq 0 ] && echo "ok: the IPTO_OPTS consumer builds warning-free and runs as C++11/14/17, C99 and C11"
exit $status
