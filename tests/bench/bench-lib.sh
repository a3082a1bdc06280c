# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench-lib.sh: what the benchmark scripts of tests/bench share. Source it
# with SRC set to the top of the source tree.

# bench_build NAME [DIR]: BUILD, the build directory (DIR, or $SRC/build)
# as an absolute path; exit 2 naming NAME when there is none.
bench_build() {
	# shellcheck disable=SC2034 # the caller's
	BUILD=$(cd "${2:-$SRC/build}" 2>/dev/null && pwd) || {
		echo "$1: no build directory (meson setup build && meson compile -C build)" >&2
		exit 2
	}
}

# bench_built NAME PROGRAM...: exit 2 naming NAME and the first PROGRAM that
# is not built.
bench_built() {
	local name=$1 p
	shift
	for p in "$@"; do
		[ -x "$p" ] || { echo "$name: $p not built" >&2; exit 2; }
	done
}

# bench_root NAME: exit 77 (skip) naming NAME unless run as root.
bench_root() {
	[ "$(id -u)" = 0 ] || { echo "$1: needs root (network namespaces)" >&2; exit 77; }
}

# bench_figure: median [min-max] of the numbers on stdin, 3 decimals.
bench_figure() {
	sort -g | awk '{ x[NR] = $1 } END { printf "%.3f [%.3f-%.3f]", x[int((NR + 1) / 2)], x[1], x[NR] }'
}

# bench_scenario_env BUILDDIR: for benches that run a netns scenario test
# (tests/netns/test-scenario-*.sh) again and again: build (absolute), src,
# the environment meson gives the test; exit 77 unless run as root.
bench_scenario_env() {
	build=$(realpath "${1:-build}")
	src=$(realpath "$(dirname "$0")/../..")
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
	export IPTO_BUILD_ROOT=$build NEIGH_WATCH=$build/tests/netns/neigh-watch LAN_SH=$src/tests/netns/lan.sh
}

# bench_scenario_run NAME RUN PATTERN: run test-scenario-NAME.sh once, its
# output in $out; when a result is "not ok" or no line matches PATTERN
# (grep -E), exit 1 with its failures and notes, naming RUN.
bench_scenario_run() {
	out=$("$src/tests/netns/test-scenario-$1.sh" "$build/examples/ipto" "$build/examples/ipto-agent" 2>&1)
	if ! grep -qE -- "$3" <<<"$out" || grep -q '^not ok' <<<"$out"; then
		echo "run $2 failed:" >&2
		grep -E '^not ok|^#' <<<"$out" >&2
		exit 1
	fi
}
