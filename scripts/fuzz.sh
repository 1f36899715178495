#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets of tests/fuzz with clang (build/fuzz), replays every
# input of tests/fuzz/regressions/<target>, then fuzzes each target for FUZZ_SECONDS (default 60)
# from its checked-in corpus, two targets at a time. Fails on a crash, a sanitizer report, an
# unexpected exception or a hang (over 10 s for one input), naming the input to keep.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
build=build/fuzz
targets=(config prometheus gmd_json aws_xml)
bin=$build/tests/fuzz

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DIM_FUZZ=ON \
  -DIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target "${targets[@]/#/fuzz_}"

status=0
failed=0
for t in "${targets[@]}"; do
  mapfile -t old < <(find "tests/fuzz/regressions/$t" -type f ! -name README | sort)
  if ((${#old[@]})); then
    echo "fuzz: replaying ${#old[@]} regression input(s) of $t"
    "$bin/fuzz_$t" -runs=1 "${old[@]}" >"$build/replay-$t.log" 2>&1 ||
      { echo "fuzz: $t fails on a regression input:"; tail -30 "$build/replay-$t.log"; status=1; failed=$((failed + 1)); }
  fi
done

run_one() {
  local t=$1 work="$build/corpus/$1"
  mkdir -p "$work"
  if "$bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/$t-" "$work" "tests/fuzz/corpus/$t" >"$build/fuzz-$t.log" 2>&1; then
    echo "fuzz: $t: $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$build/fuzz-$t.log" | sed 's/.*: //') inputs in ${secs} s, no failure"
  else
    echo "fuzz: $t FAILED; the input is $(ls -t "$build/$t-"* 2>/dev/null | head -1)"
    echo "      (fix the bug, then keep the input in tests/fuzz/regressions/$t/)"
    tail -40 "$build/fuzz-$t.log"
    return 1
  fi
}

pids=()
for t in "${targets[@]}"; do
  run_one "$t" & pids+=($!)
  if ((${#pids[@]} == 2)); then
    for p in "${pids[@]}"; do wait "$p" || { status=1; failed=$((failed + 1)); }; done
    pids=()
  fi
done
for p in "${pids[@]}"; do wait "$p" || { status=1; failed=$((failed + 1)); }; done
echo "fuzz: $((${#targets[@]} - failed)) passed, $failed failed"
exit $status
