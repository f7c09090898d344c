#!/usr/bin/env bash
# Builds libasync with profile-guided optimisation (GCC), in three steps
# in one build directory (default build/pgo):
#   1. the library with counters (LIBASYNC_PGO=generate), and asyncbench;
#   2. a workload: asyncbench against a private nginx (bench/nginx.sh),
#      HTTP and HTTPS, small and large bodies, 1, 64 and 512 connections;
#   3. everything again, the library from what the counters saw
#      (LIBASYNC_PGO=use): the hot paths laid out together, the cold ones
#      moved away.
#
#   scripts/pgo-build.sh [BUILD_DIR]
#
# The result is a release build like build/release (tests, bench, tools),
# the library in BUILD_DIR/libasync.so. bench/RESULTS.md says what it
# changes ("One connection: what code layout costs"). Needs the packages
# scripts/test.sh installs.
set -Eeuo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LIBASYNC_ROOT"

dir=${1:-build/pgo}
profile="$LIBASYNC_ROOT/$dir/pgo-profile"

# A profile from other sources would not match them: start afresh.
rm -rf "$profile"
libasync_configure "$dir" "${LIBASYNC_RELEASE_ARGS[@]}" \
  -DLIBASYNC_PGO=generate -DLIBASYNC_PGO_DIR="$profile"
libasync_build "$dir" async asyncbench

# shellcheck source=bench/nginx.sh
. bench/nginx.sh
work=$(mktemp -d)
trap 'bench_nginx_stop; rm -rf "$work"' EXIT
bench_nginx_start "$work" 1024

asyncbench="$dir/bench/asyncbench/asyncbench"
http="http://127.0.0.1:$BENCH_HTTP_PORT"
https="https://127.0.0.1:$BENCH_HTTPS_PORT"

# train ARGS...: one asyncbench run, which must end without errors.
train() {
  local out
  libasync_log "train asyncbench $*"
  out=$("$asyncbench" "$@") || libasync_die "asyncbench $* failed"
  grep -q ' errors=0 ' <<<"$out" || libasync_die "asyncbench $*: $out"
}

for connections in 1 64; do
  train -c "$connections" -n 20000 "$http/1k.bin"
  train -c "$connections" -n 5000 "$http/64k.bin"
  train -c "$connections" -n 10000 --cacert "$BENCH_CA" "$https/1k.bin"
done
train -c 512 -n 20000 "$http/1k.bin"
bench_nginx_stop

libasync_configure "$dir" "${LIBASYNC_RELEASE_ARGS[@]}" \
  -DLIBASYNC_PGO=use -DLIBASYNC_PGO_DIR="$profile"
libasync_build "$dir"
libasync_log "profile-guided build in $dir"
