#!/usr/bin/env bash
# Runs the allocator fuzzer (fuzz_malloc.c) for a bounded time on the committed corpus.
#
#   tests/fuzz/run.sh [seconds] [libFuzzer options...]    (default: 60 seconds)
#
# Builds target/fuzz/fuzz_malloc (make fuzz) first. New inputs go to target/fuzz/corpus,
# never into tests/fuzz/corpus; a crashing input is written to target/fuzz/artifacts/ and
# the exit status is libFuzzer's (0: nothing found). The last line gives the executions,
# the time and exec/s. To grow the committed corpus after a long run:
#   target/fuzz/fuzz_malloc -merge=1 tests/fuzz/corpus target/fuzz/corpus
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shim=$(cd "$here/../.." && pwd)
seconds=${1:-60}
shift || true

if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
    echo "run.sh: clang not found (scripts/setup.sh installs it): the fuzzer cannot be built" >&2
    exit 2
fi
make -s -C "$shim" fuzz
work=$shim/target/fuzz
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/run.log

status=0
start=$SECONDS
"$work/fuzz_malloc" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$here/corpus" >"$log" 2>&1 || status=$?

tail -n 25 "$log"
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
corpus=$(find "$here/corpus" "$work/corpus" -type f | wc -l)
echo "fuzz_malloc: ${runs:-?} executions in $((SECONDS - start)) s, ${rate:-?} exec/s, corpus ${corpus} files, exit ${status}"
exit "$status"
