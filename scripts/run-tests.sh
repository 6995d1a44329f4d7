#!/usr/bin/env bash
# The test job (also what CI runs): install what is missing, then
#   1. Release build in build-release/ (default options: dense, LDL, CHOLMOD, METIS) and the
#      full CTest suite;
#   2. ASan + UBSan build in build-sanitize/ (optimized, line-table debug info only to keep CI
#      short, with assertions, so Eigen's bounds checks and the allocation guard of the tests
#      are live), with CHOLMOD's Modify module on so the row-update path is tested too, and
#      the suite again (the Maros-Meszaros runs are skipped there, see tests/CMakeLists.txt);
#   3. a build with no sparse package (dense backend only) in build-dense-only/: the library,
#      the CLI and the unit suites, which must pass without SuiteSparse or METIS.
# Prints the duration of every step; exits nonzero if any build or test failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${QPLAYER_JOBS:-$(nproc)}
logs=$(mktemp -d "${TMPDIR:-/tmp}/qplayer-tests.XXXXXX")
trap 'rm -rf "$logs"' EXIT

declare -a summary=()
failed_steps=0
broken_builds=0
tests_passed=0
tests_failed=0

# step NAME COMMAND...: runs COMMAND, records its duration and outcome; never aborts.
step() {
  local name=$1 start=$SECONDS rc=0
  shift
  echo
  echo "=== ${name}: $*"
  "$@" || rc=$?
  local seconds=$((SECONDS - start))
  summary+=("$(printf '%-28s %5d s  %s' "$name" "$seconds" "$([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)")")")
  if ((rc != 0)); then failed_steps=$((failed_steps + 1)); fi
  return "$rc"
}

# run_ctest DIR: the full suite of a build directory; adds its counts to the totals.
run_ctest() {
  local dir=$1 log="$logs/$(basename "$1").ctest.log" rc=0
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 900 2>&1 | tee "$log" || rc=$?
  local line total failed
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ -n $line ]]; then
    failed=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    tests_passed=$((tests_passed + total - failed))
    tests_failed=$((tests_failed + failed))
  elif ((rc == 0)); then
    echo "run-tests: ctest in $dir ran no test" >&2
    rc=1
  fi
  return "$rc"
}

# build_and_test NAME DIR CMAKE_ARGS...: configure, build and test one configuration.
build_and_test() {
  local name=$1 dir=$2
  shift 2
  if ! { step "${name}: configure" cmake -S . -B "$dir" "$@" &&
         step "${name}: build" cmake --build "$dir" -j"$jobs"; }; then
    broken_builds=$((broken_builds + 1))
    return 1
  fi
  step "${name}: ctest" run_ctest "$dir"
}

total_start=$SECONDS
step "setup" bash scripts/setup.sh || true

build_and_test release build-release -DCMAKE_BUILD_TYPE=Release -DQPLAYER_BUILD_TESTS=ON || true

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
build_and_test sanitize build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DQPLAYER_SANITIZE=ON -DQPLAYER_BUILD_TESTS=ON \
  -DQPLAYER_WITH_CHOLMOD_MODIFY=ON || true

build_and_test dense-only build-dense-only -DCMAKE_BUILD_TYPE=Release -DQPLAYER_BUILD_TESTS=ON \
  -DQPLAYER_WITH_LDL=OFF -DQPLAYER_WITH_CHOLMOD=OFF -DQPLAYER_WITH_METIS=OFF -DQPLAYER_WITH_SUPERNODAL=OFF \
  -DQPLAYER_MAROS_MESZAROS_TESTS=OFF || true

echo
echo "=== durations"
printf '%s\n' "${summary[@]}"
printf '%-28s %5d s\n' "total" "$((SECONDS - total_start))"
if ((failed_steps > 0)); then
  echo "run-tests: ${failed_steps} step(s) failed"
fi
# A configuration that did not build ran none of its tests: one failure in the count.
tests_failed=$((tests_failed + broken_builds))
echo "ctest: ${tests_passed} passed, ${tests_failed} failed"
((failed_steps == 0 && tests_failed == 0))
