#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-fuzz.sh FUZZER CORPUS_DIR [SECONDS]: fuzz for SECONDS (default
# $IPTO_FUZZ_SECONDS or 5) starting from a copy of the seed corpus (the
# committed corpus is never written), then print one line:
#   fuzz-X: N execs in S s, cov C, ft F, corpus K inputs
# Exit status: libFuzzer's (non-zero on a crash, whose input is kept in
# $IPTO_FUZZ_ARTIFACTS or the build directory and named).
set -u
fuzzer=${1:?usage: run-fuzz.sh FUZZER CORPUS [SECONDS]}
seeds=${2:?usage: run-fuzz.sh FUZZER CORPUS [SECONDS]}
secs=${3:-${IPTO_FUZZ_SECONDS:-5}}
name=$(basename "$fuzzer")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=${IPTO_FUZZ_ARTIFACTS:-$(dirname "$fuzzer")}
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus/" 2>/dev/null
"$fuzzer" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$artifacts/$name-" "$work/corpus" >"$work/log" 2>&1
rc=$?
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$done_line")
ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$done_line")
if [ $rc != 0 ]; then
	tail -n 40 "$work/log"
	echo "$name: FAILED (exit $rc); crashing input: $(ls "$artifacts/$name-"* 2>/dev/null | head -n1)"
	exit $rc
fi
echo "$name: ${execs:-?} execs in $secs s, cov ${cov:-?}, ft ${ft:-?}, corpus $(ls "$work/corpus" | wc -l) inputs"
