#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A C++ consumer that uses IPTO_OPTS() builds warning-free as C++11, C++14
# and C++17 (-Wall -Wextra -pedantic -Werror) and runs against the library.
# usage: check-cxx.sh INCLUDEDIR LIBDIR CONSUMER.cc
set -eu
inc=$1 libdir=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cxx=${CXX:-c++}
command -v "$cxx" >/dev/null 2>&1 || { echo "no C++ compiler ($cxx)"; exit 77; }
status=0
for std in c++11 c++14 c++17; do
	if ! $cxx -std=$std -Wall -Wextra -pedantic -Werror -I"$inc" "$src" \
		-o "$tmp/consumer-$std" -L"$libdir" -lipto; then
		echo "FAIL: the consumer does not build cleanly as $std"
		status=1
		continue
	fi
	if ! LD_LIBRARY_PATH="$libdir" "$tmp/consumer-$std"; then
		echo "FAIL: the $std consumer's checks failed"
		status=1
	fi
done
[ $status -eq 0 ] && echo "ok: the C++11/14/17 consumers build warning-free and run"
exit $status
