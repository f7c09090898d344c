#!/bin/sh
# Compiles the public headers alone, as their users will: <libasync.h> as
# C89, C99 and C11, and as C++11 and C++17, then each module header alone
# as C89 and C++11, all with -Wall -Wextra -pedantic -Werror.
#
#   headertest.sh CC CXX INCLUDEDIR...
#
# Give the build tree's include/ as well, for the generated version.h.
# Exits 1 if any compile fails (or a compiler is missing).
set -eu

if [ $# -lt 3 ]; then
  echo "usage: $0 CC CXX INCLUDEDIR..." >&2
  exit 2
fi
cc=$1
cxx=$2
shift 2

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/headertest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

incs=""
for dir in "$@"; do
  incs="$incs -I$dir"
done
flags="-Wall -Wextra -pedantic -Werror"
failed=0
passed=0

for compiler in "$cc" "$cxx"; do
  if ! command -v "$compiler" >/dev/null 2>&1; then
    echo "FAIL: compiler not found: $compiler"
    exit 1
  fi
done

# compile LANGUAGE STANDARD SOURCE: one compile, reported either way.
compile() {
  if [ "$1" = c ]; then
    compiler=$cc
  else
    compiler=$cxx
  fi
  # shellcheck disable=SC2086
  if "$compiler" -x "$1" "-std=$2" $flags $incs -c "$3" -o "$tmp/out.o" \
    2>"$tmp/err"; then
    echo "ok:   $1 -std=$2 $(basename "$3")"
    passed=$((passed + 1))
  else
    echo "FAIL: $1 -std=$2 $(basename "$3")"
    sed 's/^/  /' "$tmp/err"
    failed=$((failed + 1))
  fi
}

for std in c89 c99 c11; do
  compile c "$std" "$here/headertest.c"
done
for std in c++11 c++17; do
  compile c++ "$std" "$here/headertest.c"
done

# Each module header must also stand alone (once, wherever it is found).
seen=" "
for dir in "$@"; do
  [ -d "$dir/libasync" ] || continue
  for header in "$dir"/libasync/*.h; do
    [ -f "$header" ] || continue
    name=$(basename "$header")
    case "$seen" in *" $name "*) continue ;; esac
    seen="$seen$name "
    src="$tmp/alone_${name%.h}.c"
    printf '#include <libasync/%s>\nint main(void) { return 0; }\n' \
      "$name" >"$src"
    compile c c89 "$src"
    compile c++ c++11 "$src"
  done
done

echo "headertest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
