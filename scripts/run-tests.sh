#!/usr/bin/env bash
# Run Strata's tests and print one closing line "total: N passed, N failed".
# usage: run-tests.sh BUILD_DIR unit|compat|all|asan
#  unit   every test binary under BUILD_DIR/{engine,wire,server}/tests
#  compat every compat-tests/test_*.sh and test_*.py against BUILD_DIR/strata
#  all    unit then compat
#  asan   unit, fuzz-corpus replay, and the compat smoke test (STRATA_SMOKE=1)
set -uo pipefail
build=${1:-build}
mode=${2:-all}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
passed=0
failed=0
failed_names=()

# Each test prints "name: P passed, F failed" last; a crash or a missing line
# counts as one failure so nothing passes silently.
run_one() {
  local name=$1; shift
  local log
  log=$(mktemp)
  echo "== $name"
  local start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  local line
  line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    local p f
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
  else
    failed=$((failed + 1))
  fi
  if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
    failed_names+=("$name")
    sed 's/^/   | /' "$log" | tail -n 60
  else
    grep -E '^(not ok|  FAIL)' "$log" | sed 's/^/   | /'
  fi
  echo "   $name: ${line:-no summary line (exit $rc)} [$((SECONDS - start))s]"
  rm -f "$log"
}

run_unit() {
  for t in $(find "$build/engine/tests" "$build/engine/promql/tests" "$build/engine/influxql/tests" "$build/engine/sql/tests" "$build/wire/tests" "$build/server/tests" \
               -maxdepth 1 -type f -name 'test_*' -perm -u+x 2>/dev/null | sort); do
    run_one "$(basename "$t")" "$t"
  done
}

run_compat() {
  local smoke=${1:-0}
  for t in $(ls compat-tests/test_*.sh compat-tests/test_*.py 2>/dev/null | sort); do
    if [ "$smoke" = 1 ] && ! grep -q 'STRATA_SMOKE' "$t"; then continue; fi
    case "$t" in
      *.py) run_one "$(basename "$t")" env STRATA_BIN="$build/strata" STRATA_SMOKE="$smoke" python3 "$t" ;;
      *.sh) run_one "$(basename "$t")" env STRATA_BIN="$build/strata" STRATA_SMOKE="$smoke" bash "$t" ;;
    esac
  done
}

run_fuzz_replay() {
  for t in $(find "$build/fuzz" -maxdepth 1 -type f -name 'replay_*' -perm -u+x 2>/dev/null | sort); do
    local target=${t##*/replay_}
    run_one "fuzz-replay-$target" "$t" "fuzz/corpus/$target"
  done
}

# The concurrency test again, under ThreadSanitizer, when that build exists.
run_tsan() {
  if [ -x build-tsan/engine/tests/test_concurrency ]; then
    run_one "test_concurrency(tsan)" env TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
      build-tsan/engine/tests/test_concurrency
  fi
}

case "$mode" in
  unit) run_unit ;;
  compat) run_compat 0 ;;
  all) run_unit; run_tsan; run_compat 0 ;;
  asan) run_unit; run_fuzz_replay; run_compat 1 ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac

if [ ${#failed_names[@]} -gt 0 ]; then
  echo "failing: ${failed_names[*]}"
fi
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_names[@]} -eq 0 ]
