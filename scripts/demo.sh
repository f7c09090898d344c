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
# their arguments.
DEMOS=(
  "sleep"
)

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
  "${argv[@]}"
done
echo
echo "demo.sh: ran ${#DEMOS[@]} example(s): ${DEMOS[*]}"
