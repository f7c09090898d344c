#!/usr/bin/env bash
# Builds libasync and runs every test:
#   1. build/release  the whole CTest suite (Criterion tests, examples,
#                     ABI checks, the installed package)
#   2. build/asan     the same suite under AddressSanitizer and UBSan
#                     (all but the install test, whose consumer is not
#                     instrumented)
#   3. build/tsan     the threading tests (label "thread") under TSan
#   4. build/pgo      the profile-guided build (scripts/pgo-build.sh: the
#                     library trained on asyncbench against nginx, then
#                     rebuilt), and the whole suite again on it
#   5. build/debug    an unoptimised (-O0) build and its unit tests: what
#                     only optimisation hides (a libm call inlined away)
#
#   scripts/test.sh
#
# Installs missing Debian packages first (as root; otherwise it prints the
# apt-get command to run). Stops at the first stage that fails. The last
# line sums up: "test.sh: N passed, M failed".
set -Eeuo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LIBASYNC_ROOT"

passed=0
failed=0
stage="setup"

summary() {
  echo "test.sh: $passed passed, $failed failed"
}

# Whatever fails outside a test run (packages, configure, build) fails the
# script with a line that names the stage.
on_error() {
  local rc=$?
  trap - ERR
  echo
  echo "test.sh: FAILED during $stage (exit status $rc)"
  failed=$((failed + 1))
  summary
  exit "$rc"
}
trap on_error ERR

# run_ctest DIR [CTEST_ARGS...]: runs the tests of DIR, adds its counts to
# the totals, and stops the script if any failed.
run_ctest() {
  local dir=$1
  shift
  local log="$dir/ctest.log" rc=0 line total nfailed
  libasync_log "ctest $dir $*"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error \
    -j"$LIBASYNC_JOBS" "$@" 2>&1 | tee "$log" || rc=$?
  # "100% tests passed, 0 tests failed out of 12"
  line=$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ -n "$line" ]]; then
    total=${line##* out of }
    nfailed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
    passed=$((passed + total - nfailed))
    failed=$((failed + nfailed))
  elif ((rc != 0)); then
    failed=$((failed + 1))
  fi
  if ((rc != 0)); then
    trap - ERR
    echo
    echo "test.sh: FAILED: tests in $dir (see $log)"
    summary
    exit 1
  fi
}

stage="package installation"
libasync_ensure_packages

stage="the release build"
libasync_configure "$LIBASYNC_RELEASE_DIR" "${LIBASYNC_RELEASE_ARGS[@]}"
libasync_build "$LIBASYNC_RELEASE_DIR"
run_ctest "$LIBASYNC_RELEASE_DIR"

stage="the ASan+UBSan build"
libasync_configure build/asan "${LIBASYNC_COMMON_ARGS[@]}" \
  -DLIBASYNC_SANITIZE=address,undefined -DLIBASYNC_BUILD_BENCH=OFF
libasync_build build/asan
run_ctest build/asan

stage="the TSan build"
libasync_configure build/tsan "${LIBASYNC_COMMON_ARGS[@]}" \
  -DLIBASYNC_SANITIZE=thread -DLIBASYNC_BUILD_BENCH=OFF
libasync_build build/tsan
run_ctest build/tsan -L thread

stage="the profile-guided build"
scripts/pgo-build.sh build/pgo
run_ctest build/pgo

stage="the Debug build"
libasync_configure build/debug -DCMAKE_BUILD_TYPE=Debug -DLIBASYNC_WERROR=ON \
  -DLIBASYNC_SANITIZE= -DLIBASYNC_BUILD_BENCH=OFF
libasync_build build/debug
run_ctest build/debug -L unit

trap - ERR
echo
echo "test.sh: all stages passed (release, ASan+UBSan, TSan, profile-guided, Debug)"
summary
