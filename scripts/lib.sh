# Shared by scripts/demo.sh and scripts/test.sh; source it, don't run it.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source it

# Debian packages that building and testing libasync needs: one list for
# every script. Add a package here and both scripts install it.
LIBASYNC_DEBIAN_PACKAGES=(
  # toolchain
  gcc
  g++
  make
  cmake
  pkg-config
  binutils
  # libraries
  libev-dev
  libc-ares-dev
  libssl-dev
  zlib1g-dev
  node-llhttp
  # tests
  libcriterion-dev
  openssl
  python3
  python3-pytest
  # servers for the network tests (tests/support/with-servers.sh); the
  # dnsmasq binary alone, not the dnsmasq package and its system service;
  # httpbin as a Python module (Flask, werkzeug), served by
  # tests/support/httpbin_server.py
  nginx-light
  dnsmasq-base
  python3-httpbin
)

# The repository's root, whatever the caller's working directory.
LIBASYNC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Builds use both cores unless told otherwise.
LIBASYNC_JOBS=${LIBASYNC_JOBS:-2}

libasync_log() {
  printf '==> %s\n' "$*"
}

libasync_die() {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit 1
}

# Installs whatever is missing from LIBASYNC_DEBIAN_PACKAGES. Does nothing
# (and never calls apt-get) when all are installed; as root, installs the
# missing ones; otherwise prints the command to run and fails.
libasync_ensure_packages() {
  local pkg missing=()

  if ! command -v dpkg-query >/dev/null 2>&1; then
    libasync_log "not a Debian system: assuming these are installed:" \
      "${LIBASYNC_DEBIAN_PACKAGES[*]}"
    return 0
  fi
  for pkg in "${LIBASYNC_DEBIAN_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != \
      "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    {
      echo "$(basename "$0"): missing Debian packages; install them with:"
      echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
    } >&2
    exit 1
  fi
  libasync_log "installing Debian packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" </dev/null
}

# Our builds treat warnings as errors (a plain cmake build does not).
LIBASYNC_COMMON_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIBASYNC_WERROR=ON)

# The release build that both scripts share (so neither undoes the other's
# configuration): build/release, everything on, no sanitizer.
LIBASYNC_RELEASE_DIR=build/release
LIBASYNC_RELEASE_ARGS=("${LIBASYNC_COMMON_ARGS[@]}" -DLIBASYNC_SANITIZE=)

# libasync_configure DIR [CMAKE_ARGS...]: configures the build tree DIR
# (relative to the repository's root).
libasync_configure() {
  local dir=$1
  shift
  libasync_log "configure $dir $*"
  cmake -S "$LIBASYNC_ROOT" -B "$LIBASYNC_ROOT/$dir" "$@"
}

# libasync_build DIR [TARGETS...]: builds DIR, all of it or the targets.
libasync_build() {
  local dir=$1
  shift
  local targets=()
  if (($# > 0)); then
    targets=(--target "$@")
  fi
  libasync_log "build $dir $*"
  cmake --build "$LIBASYNC_ROOT/$dir" -j"$LIBASYNC_JOBS" "${targets[@]}"
}
