#!/usr/bin/env bash
# Builds libasync and runs the seed's examples, one after another.
#
#   scripts/demo.sh
#
# Installs missing Debian packages first (as root; otherwise it prints the
# apt-get command to run). The build goes to build/release.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$LIBASYNC_ROOT"

# The examples to run, in order: programs in build/release/examples/ with
# their arguments. An argument "{www}" stands for the address of a local
# nginx (http://127.0.0.1:PORT/): such an example runs with that nginx
# started for it, on a free port, by the test fixtures
# (tests/support/with-servers.sh), and stopped after (see run_demo).
DEMOS=(
  "sleep"
  "fetch_many {www}"
)

# run_demo PROGRAM [ARGS...]: runs one example. With a "{www}" argument it
# runs under a local nginx whose document root also holds the files that
# fetch_many asks for: base URL + "0" .. "4" (the seed's url.format(i)),
# "page 0" .. "page 4".
run_demo() {
  if [[ "$*" != *"{www}"* ]]; then
    "$@"
    return
  fi
  # shellcheck disable=SC2016 # expanded by the inner shell
  tests/support/with-servers.sh --only nginx -- bash -c '
    set -euo pipefail
    for i in 0 1 2 3 4; do
      printf "page %s\n" "$i" >"$ASYNC_TEST_WWW/$i"
    done
    www="http://127.0.0.1:$ASYNC_TEST_HTTP_PORT/"
    exec "${@//\{www\}/$www}"' run_demo "$@"
}

libasync_ensure_packages
libasync_configure "$LIBASYNC_RELEASE_DIR" "${LIBASYNC_RELEASE_ARGS[@]}"
targets=()
for demo in "${DEMOS[@]}"; do
  read -r -a argv <<<"$demo"
  targets+=("examples_${argv[0]}")
done
libasync_build "$LIBASYNC_RELEASE_DIR" "${targets[@]}"

for demo in "${DEMOS[@]}"; do
  read -r -a argv <<<"$demo"
  program=$LIBASYNC_RELEASE_DIR/examples/${argv[0]}
  [[ -x "$program" ]] || libasync_die "example not built: $program"
  argv[0]=$program
  echo
  libasync_log "${argv[*]}"
  run_demo "${argv[@]}"
done

# The seed's aiohttp programs on the Python binding (bindings/python/
# examples/), all three under one local nginx that serves what they ask
# for: the base URL + "{}" (the first does not fill it in) and + "0" .. "4".
libasync_build "$LIBASYNC_RELEASE_DIR" async
echo
libasync_log "python3 bindings/python/examples/{fetch_one,fetch_wait,fetch_gather}.py"
# shellcheck disable=SC2016 # expanded by the inner shell
LIBASYNC_LIBRARY="$PWD/$LIBASYNC_RELEASE_DIR/libasync.so.1" \
  PYTHONPATH="$PWD/bindings/python" \
  tests/support/with-servers.sh --only nginx -- bash -c '
    set -euo pipefail
    for page in "{}" 0 1 2 3 4; do
      printf "page %s\n" "$page" >"$ASYNC_TEST_WWW/$page"
    done
    for example in fetch_one fetch_wait fetch_gather; do
      echo "--- $example.py"
      python3 "bindings/python/examples/$example.py" \
        "http://127.0.0.1:$ASYNC_TEST_HTTP_PORT/"
    done'

echo
echo "demo.sh: ran ${#DEMOS[@]} example(s): ${DEMOS[*]}"
