#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerate the committed ABI baseline from a build directory.
# usage: tests/build/update-abi.sh BUILDDIR
# Commit the new baseline together with a NEWS entry that says why.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
abidw --no-corpus-path --suppressions "$top/tests/build/abi-dryrun.supp" --headers-dir "$top/include/ipto" \
	--out-file "$top/tests/build/libipto.abi" "$build/lib/libipto.so.1"
echo "updated tests/build/libipto.abi"
# The layout baseline of the public structs goes with it (abi-layout test).
python3 "$top/tests/build/update-abi-layout.py"
echo "add a NEWS entry explaining the change"
