#!/usr/bin/env bash
# Measures libasync's HTTP client (asyncbench) against wrk and against
# libcurl's multi interface (curl_multi), on a private nginx, and writes
# the table into bench/RESULTS.md.
#
#   bench/compare.sh
#
# Environment:
#   BUILD_DIR     where scripts/test.sh built (default build/release): the
#                 script runs BUILD_DIR/bench/asyncbench/asyncbench and
#                 BUILD_DIR/bench/curl_multi, and builds nothing; another
#                 directory (build/pgo) gets a section of its own
#   DURATION      seconds per run (default 3)
#   ROUNDS        rounds (default 5: the medians of three moved by a few
#                 per cent from run to run on two shared cores)
#   RESULTS_FILE  the Markdown file whose section "HTTP client against
#                 wrk and libcurl" is replaced (default bench/RESULTS.md;
#                 empty: print only)
#
# nginx (one worker, 127.0.0.1, ephemeral ports, no access log,
# keepalive_requests 1000000, a 1 KiB and a 64 KiB file, HTTPS with a
# certificate made now by openssl) serves seven scenarios: 1 KiB at 1, 64
# and 512 connections; 64 KiB at 1 and 64; HTTPS 1 KiB at 1 and 64. Each
# round runs every scenario with the three clients in turn (the order
# rotates from round to round), DURATION seconds each:
#
#   asyncbench -c N -d DURATION [--cacert CA] URL
#   wrk -t1 -cN -dDURATIONs URL
#   curl_multi -c N -d DURATION [--cacert CA] URL
#
# All three send the same request, the one wrk sends ("GET path HTTP/1.1"
# and Host), so that the server does the same work for each.
#
# On two or more CPUs nginx's worker is pinned to CPU 1 and the client to
# CPU 0 (taskset), so neither steals the other's core.
#
# How the clients' cost is measured, the same way for all three: each runs
# under bench/rusage.py, which starts it and reads, when it exits, wait4's
# rusage of the child (user + system CPU seconds of all its threads, to
# the microsecond), and samples its VmHWM (peak RSS of its own address
# space) from /proc while it runs. CPU µs per request = (user + system) /
# requests completed. (GNU time's %M, like ru_maxrss, would also count the
# memory of whatever forked the client, and prints CPU time to 10 ms.)
# Requests/s: wrk's own "Requests/sec"; for the others requests / wall_s
# from their RESULT line (first request sent to last completion).
#
# A run with any error, non-2xx/3xx response or non-zero exit status shows
# as FAIL. Bounded: the script refuses settings that would take over 9
# minutes (21 runs per round).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/nginx.sh
. "$here/nginx.sh"
cd "$BENCH_ROOT"

BUILD_DIR=${BUILD_DIR:-build/release}
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-5}
RESULTS_FILE=${RESULTS_FILE-bench/RESULTS.md}
SECTION="HTTP client against wrk and libcurl (bench/compare.sh)"
command="DURATION=$DURATION ROUNDS=$ROUNDS bench/compare.sh"
# Another build (scripts/pgo-build.sh's, say) gets a section of its own.
if [[ "$BUILD_DIR" != build/release ]]; then
  SECTION="HTTP client against wrk and libcurl (bench/compare.sh, $BUILD_DIR)"
  command="BUILD_DIR=$BUILD_DIR $command"
fi
build_kind=RelWithDebInfo
if grep -qs '^LIBASYNC_PGO:STRING=use$' "$BUILD_DIR/CMakeCache.txt"; then
  build_kind="RelWithDebInfo, profile-guided (scripts/pgo-build.sh)"
fi

asyncbench=$BUILD_DIR/bench/asyncbench/asyncbench
curl_multi=$BUILD_DIR/bench/curl_multi

[[ "$DURATION" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9][0-9]*$ ]] ||
  bench_die "DURATION and ROUNDS must be whole numbers >= 1"
# About one second of start-up and parsing per run on top of DURATION.
if ((ROUNDS * 21 * (DURATION + 1) > 540)); then
  bench_die "ROUNDS=$ROUNDS DURATION=$DURATION would take over 9 minutes"
fi
[[ -x "$asyncbench" ]] ||
  bench_die "$asyncbench not found: build first (scripts/test.sh)"
command -v wrk >/dev/null 2>&1 || bench_die "wrk not found: apt-get install wrk"
command -v python3 >/dev/null 2>&1 || bench_die "python3 not found"
clients=(asyncbench wrk)
if [[ -x "$curl_multi" ]]; then
  clients+=(curl_multi)
else
  echo "compare.sh: $curl_multi not built (libcurl missing): skipped" >&2
fi

# The source tree's revision when the runs start (the tree may change while
# they run), and whether the library in BUILD_DIR is older than its
# sources: this script runs what was built, it builds nothing.
revision=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$BENCH_ROOT" diff --quiet HEAD -- libasync include 2>/dev/null; then
  revision="$revision with uncommitted library changes"
fi
library=$(readlink -f "$BUILD_DIR/libasync.so" 2>/dev/null || true)
if [[ -n "$library" && -n "$(find libasync include -newer "$library" -print -quit)" ]]; then
  echo "compare.sh: $library is older than the sources: rebuild first" \
    "(scripts/test.sh) or the figures belong to an older revision" >&2
  revision="$revision, but built from older sources"
fi

dir=$(mktemp -d)
cleanup() {
  bench_nginx_stop
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

bench_nginx_start "$dir" 1024
pin=()
if [[ -n "$BENCH_CLIENT_CPU" ]]; then
  pin=(taskset -c "$BENCH_CLIENT_CPU")
fi

# name|scheme|file|connections
scenarios=(
  "1 KiB, 1 conn|http|1k.bin|1"
  "1 KiB, 64 conns|http|1k.bin|64"
  "1 KiB, 512 conns|http|1k.bin|512"
  "64 KiB, 1 conn|http|64k.bin|1"
  "64 KiB, 64 conns|http|64k.bin|64"
  "HTTPS 1 KiB, 1 conn|https|1k.bin|1"
  "HTTPS 1 KiB, 64 conns|https|1k.bin|64"
)

# client_command CLIENT SCHEME URL CONNECTIONS: sets cmd.
client_command() {
  local client=$1 scheme=$2 url=$3 n=$4 ca=()
  if [[ "$scheme" == https ]]; then
    ca=(--cacert "$BENCH_CA")
  fi
  case $client in
    asyncbench) cmd=("$asyncbench" -c "$n" -d "$DURATION" "${ca[@]}" "$url") ;;
    wrk) cmd=(wrk -t1 "-c$n" "-d${DURATION}s" "$url") ;;
    curl_multi) cmd=("$curl_multi" -c "$n" -d "$DURATION" "${ca[@]}" "$url") ;;
  esac
}

# parse_output CLIENT FILE: prints "requests errors rate", or nothing.
parse_output() {
  if [[ "$1" == wrk ]]; then
    awk '/ requests in / { requests = $1 }
         /^Requests\/sec:/ { rate = $2 }
         /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
         /Non-2xx or 3xx responses:/ { errors += $5 }
         END { if (requests != "" && rate != "")
                 print requests, errors + 0, rate }' "$2"
  else
    awk '/^RESULT / {
           for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           rate = (v["wall_s"] > 0) ? v["requests"] / v["wall_s"] : 0
           print v["requests"], v["errors"] + v["non2xx"], rate }' "$2"
  fi
}

# run ROUND SCENARIO CLIENT: one run, appended to records.tsv.
run() {
  local round=$1 name scheme file n client=$3 url port rc=0 parsed
  local requests=0 errors=0 rate=0 user sys rss status ok=1
  IFS='|' read -r name scheme file n <<<"$2"
  port=$BENCH_HTTP_PORT
  [[ "$scheme" == https ]] && port=$BENCH_HTTPS_PORT
  url="$scheme://127.0.0.1:$port/$file"
  client_command "$client" "$scheme" "$url" "$n"
  python3 "$here/rusage.py" "$dir/rusage" "${pin[@]}" "${cmd[@]}" \
    >"$dir/out" 2>&1 || rc=$?
  parsed=$(parse_output "$client" "$dir/out")
  read -r user sys rss status <"$dir/rusage"
  if [[ -n "$parsed" ]]; then
    read -r requests errors rate <<<"$parsed"
  fi
  if ((rc != 0 || status != 0)) || [[ -z "$parsed" ]] || ((errors > 0)) ||
    ((requests == 0)); then
    ok=0
    echo "compare.sh: round $round, $name, $client FAILED:" >&2
    tail -n 20 "$dir/out" >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$client" \
    "$ok" "$requests" "$errors" "$rate" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.6f", u + s }')" \
    "$rss" >>"$dir/records.tsv"
  printf '  %-22s %-11s %10.0f req/s  %7.2f us/req  %6d KiB%s\n' "$name" \
    "$client" "$rate" \
    "$(awk -v u="$user" -v s="$sys" -v r="$requests" \
      'BEGIN { printf "%.2f", (r > 0) ? (u + s) * 1e6 / r : 0 }')" \
    "$rss" "$( ((ok)) || echo '  FAIL')"
}

: >"$dir/records.tsv"
start=$SECONDS
for ((round = 1; round <= ROUNDS; round++)); do
  echo "compare.sh: round $round of $ROUNDS"
  for scenario in "${scenarios[@]}"; do
    # Rotate the clients' order from one round to the next.
    for ((i = 0; i < ${#clients[@]}; i++)); do
      run "$round" "$scenario" \
        "${clients[(i + round - 1) % ${#clients[@]}]}"
    done
  done
done
elapsed=$((SECONDS - start))

table=$(python3 "$here/compare_table.py" "$dir/records.tsv")
echo
echo "$table"
echo
echo "compare.sh: $((ROUNDS * 7 * ${#clients[@]})) runs in $elapsed s"

if [[ -z "$RESULTS_FILE" ]]; then
  exit 0
fi

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem_gib=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
nginx_version=$(PATH="$PATH:/usr/sbin" nginx -v 2>&1 | sed 's/.*nginx\///')
wrk_version=$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }' || true)
libasync_version=$(sed -n 's/^asyncbench \([^:]*\):.*/\1/p' "$dir/out" |
  head -n 1)
if [[ -z "$libasync_version" ]]; then
  libasync_version=$("$asyncbench" -n 1 http://127.0.0.1:1/ 2>/dev/null |
    sed -n 's/^asyncbench \([^:]*\):.*/\1/p' || true)
fi
curl_version=""
if [[ -x "$curl_multi" ]]; then
  curl_version=$("$curl_multi" -n 1 "http://127.0.0.1:$BENCH_HTTP_PORT/1k.bin" |
    sed -n 's/^curl_multi (libcurl\/\([^ ]*\) .*/\1/p')
fi
pinning="client on CPU 0, nginx's worker on CPU 1"
[[ -n "$BENCH_CLIENT_CPU" ]] || pinning="client and nginx not pinned (one CPU)"

{
  cat <<EOF
    $command

Each round runs every scenario with each client for $DURATION s, in turn:

    asyncbench -c N -d $DURATION [--cacert ca.pem] URL
    wrk -t1 -cN -d${DURATION}s URL
    curl_multi -c N -d $DURATION [--cacert ca.pem] URL

with URL \`http(s)://127.0.0.1:PORT/1k.bin\` or \`/64k.bin\`, served by one
nginx worker (keep-alive, access log off).

* Machine: $(nproc) × $cpu_model, $mem_gib GiB;
  $pinning.
* Versions: libasync $libasync_version (revision $revision,
  $build_kind), nginx $nginx_version, wrk $wrk_version, libcurl
  $curl_version, $(openssl version | awk '{ print $1, $2 }').
* $ROUNDS rounds, $elapsed s in all.

Medians over the rounds; "vs wrk" is the median of the ratios to wrk's
figure in the same round (requests/s above 1 is faster than wrk; CPU and
RSS above 1 cost more). CPU is the client's user + system time (wait4's
rusage of the client process, as bench/rusage.py reads it) divided by the
requests it completed; peak RSS is the client's VmHWM. With one nginx
worker on one core, the server is the limit from 64 connections up, and
other work on the machine moves requests/s from round to round (second
table): CPU per request is the steadier figure.

$table
EOF
} >"$dir/section.md"
bench_section_replace "$RESULTS_FILE" "$SECTION" "$dir/section.md"
echo "compare.sh: wrote the section \"$SECTION\" of $RESULTS_FILE"
