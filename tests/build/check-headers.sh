#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The public headers compile on their own, as strict C99 and as C++.
# usage: check-headers.sh INCLUDEDIR
set -eu
inc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}
cxx=${CXX:-g++}
status=0
for h in "$inc"/ipto/*.h; do
	name=$(basename "$h")
	printf '#include <ipto/%s>\nint main(void) { return 0; }\n' "$name" > "$tmp/t.c"
	if ! $cc -std=c99 -pedantic -Werror -Wall -Wextra -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o"; then
		echo "FAIL: $name as C99"; status=1
	fi
	cp "$tmp/t.c" "$tmp/t.cpp"
	if ! $cxx -std=c++11 -pedantic -Werror -Wall -Wextra -I"$inc" -c "$tmp/t.cpp" -o "$tmp/t.o"; then
		echo "FAIL: $name as C++"; status=1
	fi
done
[ $status -eq 0 ] && echo "ok: every public header compiles as C99 -pedantic and C++"
exit $status
