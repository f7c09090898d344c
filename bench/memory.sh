#!/usr/bin/env bash
# What an idle keep-alive connection costs libasync in memory, plain and
# TLS, measured by bench/idle_connections against a private nginx, and
# written into bench/RESULTS.md.
#
#   bench/memory.sh
#
# Environment:
#   BUILD_DIR     where scripts/test.sh built (default build/release); the
#                 script runs BUILD_DIR/bench/idle_connections and builds
#                 nothing
#   COUNT         connections (default 10000)
#   RESULTS_FILE  the Markdown file whose section "Idle connections"
#                 is replaced (default bench/RESULTS.md; empty: print only)
#
# nginx (one worker, 127.0.0.1, ephemeral ports, worker_connections sized
# for COUNT with a fifth to spare) serves 1k.bin over HTTP and HTTPS. For
# each, idle_connections opens COUNT connections at once (one GET each on
# a session whose limit is COUNT), checks that none failed and that all
# stay open, and reports the RSS they add divided by their number, as it
# is and after malloc_trim(0). Targets: <= 8 KiB per idle plain
# connection, <= 48 KiB per idle TLS connection (judged on the figure as
# it is, without trimming).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/nginx.sh
. "$here/nginx.sh"
cd "$BENCH_ROOT"

BUILD_DIR=${BUILD_DIR:-build/release}
COUNT=${COUNT:-10000}
RESULTS_FILE=${RESULTS_FILE-bench/RESULTS.md}
SECTION="Idle connections (bench/memory.sh)"
idle=$BUILD_DIR/bench/idle_connections

if ! [[ "$COUNT" =~ ^[1-9][0-9]*$ ]] || ((COUNT < 2)); then
  bench_die "COUNT must be a whole number >= 2"
fi
[[ -x "$idle" ]] || bench_die "$idle not found: build first (scripts/test.sh)"

dir=$(mktemp -d)
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  bench_nginx_stop
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The revision measured: the tree's when the runs start, and whether the
# build is older than its sources (this script builds nothing).
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD -- libasync include 2>/dev/null; then
  revision="$revision with uncommitted library changes"
fi
library=$(readlink -f "$BUILD_DIR/libasync.so" 2>/dev/null || true)
if [[ -n "$library" && -n "$(find libasync include -newer "$library" -print -quit)" ]]; then
  echo "memory.sh: $library is older than the sources: rebuild first" \
    "(scripts/test.sh) or the figures belong to an older revision" >&2
  revision="$revision, but built from older sources"
fi

bench_nginx_start "$dir" $((COUNT + COUNT / 5))

# measure KIND TARGET_KIB URL [ARGS...]: one run; appends a table row.
failed=0
measure() {
  local kind=$1 target=$2 rc=0 line
  shift 2
  echo "memory.sh: $kind: idle_connections -n $COUNT $*"
  "$idle" -n "$COUNT" "$@" >"$dir/out" 2>&1 || rc=$?
  cat "$dir/out"
  line=$(grep '^RESULT ' "$dir/out" || true)
  if ((rc != 0)) || [[ -z "$line" ]]; then
    failed=1
    printf '| %s | FAIL (see the output of idle_connections) | | | | | |\n' \
      "$kind" >>"$dir/rows.md"
    return 0
  fi
  awk -v kind="$kind" -v target="$target" '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      per = v["bytes_per_conn"] / 1024
      printf "| %s | %d | %d | %s KiB | %s KiB | **%.2f KiB** | %.2f KiB | <= %d KiB: %s |\n",
        kind, v["connections"], v["errors"],
        v["base_kb"], v["idle_kb"], per,
        v["bytes_per_conn_trimmed"] / 1024, target,
        per <= target ? "met" : "**not met**"
    }' <<<"$line" >>"$dir/rows.md"
}

: >"$dir/rows.md"
measure plain 8 "http://127.0.0.1:$BENCH_HTTP_PORT/1k.bin"
measure TLS 48 --cacert "$BENCH_CA" "https://127.0.0.1:$BENCH_HTTPS_PORT/1k.bin"

{
  echo "| connection | open and idle | errors | RSS, 1 idle | RSS, all idle" \
    "| per connection | after malloc_trim | target |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  cat "$dir/rows.md"
} >"$dir/table.md"
echo
cat "$dir/table.md"

if [[ -n "$RESULTS_FILE" ]]; then
  {
    cat <<EOF
    COUNT=$COUNT bench/memory.sh

which runs, at revision $revision, against nginx on 127.0.0.1 (one
worker):

    idle_connections -n $COUNT http://127.0.0.1:PORT/1k.bin
    idle_connections -n $COUNT --cacert ca.pem https://127.0.0.1:PORT/1k.bin

Each opens $COUNT keep-alive connections at once (one GET each, session
limit $COUNT) and lets them go idle. Per connection is the RSS with all
idle, less the RSS with one idle, divided by the connections less one;
the baseline comes after one request, so the TLS context and the CA
store are not counted. "After malloc_trim" is the same after
malloc_trim(0) returned free heap to the kernel: what the idle
connections themselves hold, without the heap the requests used and
freed. Kernel socket buffers are not in RSS.

EOF
    cat "$dir/table.md"
  } >"$dir/section.md"
  bench_section_replace "$RESULTS_FILE" "$SECTION" "$dir/section.md"
  echo "memory.sh: wrote the section \"$SECTION\" of $RESULTS_FILE"
fi
exit "$failed"
