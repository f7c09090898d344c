#!/bin/sh
# Installs libasync from a build tree into a temporary prefix and builds a
# program against the installed files, twice: with pkg-config and with
# CMake's find_package(libasync). Both programs must run.
#
#   install-consumer.sh BUILD_DIR CONSUMER_DIR [CMAKE [CC]]
#
# CONSUMER_DIR holds consumer.c and its CMakeLists.txt. Also checks that
# the installed library has no RPATH or RUNPATH. The prefix is removed on
# exit.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR CONSUMER_DIR [CMAKE [CC]]" >&2
  exit 2
fi
build=$1
consumer=$2
cmake=${3:-cmake}
cc=${4:-cc}

prefix=$(mktemp -d "${TMPDIR:-/tmp}/libasync-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT INT TERM

step() {
  echo "--- $*"
}

step "install into a temporary prefix"
"$cmake" --install "$build" --prefix "$prefix/usr" >"$prefix/install.log" || {
  cat "$prefix/install.log"
  exit 1
}

# The library directory depends on how the build was configured
# (lib, lib64 or lib/<multiarch>): find it from the installed .pc file.
pc=$(find "$prefix/usr" -name libasync.pc -path '*/pkgconfig/*' | head -n 1)
if [ -z "$pc" ]; then
  echo "FAIL: libasync.pc was not installed"
  exit 1
fi
libdir=$(dirname "$(dirname "$pc")")
for f in "$prefix/usr/include/libasync.h" \
  "$prefix/usr/include/libasync/version.h" \
  "$libdir/cmake/libasync/libasyncConfig.cmake" \
  "$libdir/cmake/libasync/libasyncConfigVersion.cmake" \
  "$libdir/libasync.so"; do
  if [ ! -e "$f" ]; then
    echo "FAIL: not installed: ${f#"$prefix"/}"
    exit 1
  fi
done
if [ -e "$prefix/usr/include/libasync/version.h.in" ]; then
  echo "FAIL: version.h.in was installed"
  exit 1
fi

step "no RPATH or RUNPATH in the installed library"
lib=$(readlink -f "$libdir/libasync.so")
if readelf -d "$lib" | grep -E '\((RPATH|RUNPATH)\)'; then
  echo "FAIL: the installed library has an RPATH or RUNPATH"
  exit 1
fi

LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH

step "pkg-config: $(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --modversion libasync)"
flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs libasync)
echo "$cc consumer.c $flags"
# shellcheck disable=SC2086
"$cc" -Wall -Wextra -Werror -o "$prefix/consumer-pc" "$consumer/consumer.c" \
  $flags
"$prefix/consumer-pc"

step "CMake: find_package(libasync)"
"$cmake" -S "$consumer" -B "$prefix/consumer-build" \
  -DCMAKE_PREFIX_PATH="$prefix/usr" -DCMAKE_C_COMPILER="$cc" \
  >"$prefix/configure.log" 2>&1 || {
  cat "$prefix/configure.log"
  exit 1
}
grep 'found libasync' "$prefix/configure.log" || true
"$cmake" --build "$prefix/consumer-build" >"$prefix/build.log" 2>&1 || {
  cat "$prefix/build.log"
  exit 1
}
"$prefix/consumer-build/consumer"

echo "ok: installed package works with pkg-config and with CMake"
