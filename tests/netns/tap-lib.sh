# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tap-lib.sh: the result lines of the netns tests that are not patent
# scenarios (those have scenario-lib.sh). Source it after lan.sh:
#   ok DESCRIPTION / bad DESCRIPTION: one result line; bad counts in $nfail;
#   check DESCRIPTION CMD...: ok when CMD succeeds, bad otherwise.
nfail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; nfail=$((nfail + 1)); }
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
