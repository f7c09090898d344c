#!/bin/sh
# Checks that libasync exports exactly its public API.
#
#   check-symbols.sh [--soname NAME] LIB MAP HEADERDIR...
#
# Three sets of names must be identical:
#   - the symbols LIB defines in its dynamic symbol table
#     (nm -D --defined-only, without the version node itself),
#   - the names in the global: section of the version script MAP,
#   - the functions declared with ASYNC_EXTERN in the headers (*.h) under
#     the HEADERDIRs (give the build tree's include/ too, for the generated
#     version.h).
# Also checks that every exported symbol carries MAP's version node and that
# the SONAME is NAME (default libasync.so.1). Prints each difference and
# exits 1 on any.
set -eu

soname=libasync.so.1
if [ "${1:-}" = "--soname" ]; then
  soname=$2
  shift 2
fi
if [ $# -lt 3 ]; then
  echo "usage: $0 [--soname NAME] LIB MAP HEADERDIR..." >&2
  exit 2
fi
lib=$1
map=$2
shift 2

for f in "$lib" "$map"; do
  if [ ! -f "$f" ]; then
    echo "check-symbols: no such file: $f" >&2
    exit 2
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-symbols.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

fail() {
  echo "FAIL: $*"
  status=1
}

# The version node: the name before the first "{" in the map.
node=$(sed -e 's/#.*//' "$map" | tr '\n' ' ' |
  sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_.]*\)[[:space:]]*{.*/\1/p')
if [ -z "$node" ]; then
  echo "check-symbols: no version node found in $map" >&2
  exit 2
fi

# --- the library ---------------------------------------------------------

# binutils >= 2.35 prints versions for dynamic symbols by default; older
# ones need --with-symbol-versions.
nm_flags="-D --defined-only"
if nm --help 2>&1 | grep -q -- --with-symbol-versions; then
  nm_flags="$nm_flags --with-symbol-versions"
fi
# shellcheck disable=SC2086
nm $nm_flags "$lib" >"$tmp/nm.out"
# Lines are "ADDRESS TYPE NAME" (or "TYPE NAME" without an address). Type
# A with the node's own name is the version definition, not a symbol.
awk -v node="$node" '
  { name = $NF; type = $(NF - 1) }
  type == "A" && (name == node || name == node "@@" node) { next }
  { print name }
' "$tmp/nm.out" | sort -u >"$tmp/lib.versioned"

sed -e 's/@.*//' "$tmp/lib.versioned" | sort -u >"$tmp/lib"
grep -v "@@$node\$" "$tmp/lib.versioned" >"$tmp/lib.unversioned" || true
if [ -s "$tmp/lib.unversioned" ]; then
  fail "exported symbols without version $node:"
  sed 's/^/  /' "$tmp/lib.unversioned"
fi

# --- the version script ------------------------------------------------------

# Everything between "global:" and "local:", comments removed, split at ";".
sed -e 's/#.*//' "$map" | tr '\n' ' ' |
  sed -n 's/.*global:\(.*\)local:.*/\1/p' | tr ';' '\n' |
  sed -e 's/[[:space:]]//g' -e '/^$/d' | sort -u >"$tmp/map"
if [ ! -s "$tmp/map" ]; then
  fail "no global: names found in $map"
fi
if grep -q '[*?]' "$tmp/map"; then
  fail "wildcards in the global: section of $map:"
  grep '[*?]' "$tmp/map" | sed 's/^/  /'
fi

# --- the headers --------------------------------------------------------------

headers=$(for dir in "$@"; do
  [ -d "$dir" ] && find "$dir" -name '*.h' -type f
done | sort)
if [ -z "$headers" ]; then
  fail "no headers found under: $*"
fi
# Comments and preprocessor directives (with their continuation lines) go;
# what is left is joined and split into declarations at ";" and "}". A
# declaration that contains ASYNC_EXTERN names its function just before the
# first "(" that follows the macro (attribute macros removed first).
# shellcheck disable=SC2086,SC2020
awk '
  BEGIN { incomment = 0; indirective = 0 }
  {
    line = $0
    out = ""
    while (length(line) > 0) {
      if (incomment) {
        i = index(line, "*/")
        if (i == 0) { line = ""; break }
        line = substr(line, i + 2)
        incomment = 0
      } else {
        i = index(line, "/*")
        j = index(line, "//")
        if (j > 0 && (i == 0 || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
        if (i == 0) { out = out line; line = ""; break }
        out = out substr(line, 1, i - 1) " "
        line = substr(line, i + 2)
        incomment = 1
      }
    }
    if (indirective) {
      indirective = ($0 ~ /\\$/)
      next
    }
    if (out ~ /^[[:space:]]*#/) {
      indirective = ($0 ~ /\\$/)
      next
    }
    printf "%s ", out
  }
' $headers | tr ';}' '\n\n' | awk '
  /ASYNC_EXTERN/ {
    s = $0
    sub(/.*ASYNC_EXTERN/, "", s)
    gsub(/ASYNC_DEPRECATED_FOR[[:space:]]*\([^)]*\)/, "", s)
    gsub(/__attribute__[[:space:]]*\(\([^)]*\)\)/, "", s)
    i = index(s, "(")
    if (i == 0) next
    s = substr(s, 1, i - 1)
    if (match(s, /[A-Za-z_][A-Za-z0-9_]*[[:space:]]*$/)) {
      name = substr(s, RSTART, RLENGTH)
      sub(/[[:space:]]+$/, "", name)
      print name
    }
  }
' | sort -u >"$tmp/headers"
if [ ! -s "$tmp/headers" ]; then
  fail "no ASYNC_EXTERN declarations found in the headers"
fi

# --- compare ----------------------------------------------------------------------

compare() {
  # compare A_FILE A_NAME B_FILE B_NAME
  only_a=$(comm -23 "$1" "$3")
  only_b=$(comm -13 "$1" "$3")
  if [ -n "$only_a" ]; then
    fail "in $2 but not in $4:"
    echo "$only_a" | sed 's/^/  /'
  fi
  if [ -n "$only_b" ]; then
    fail "in $4 but not in $2:"
    echo "$only_b" | sed 's/^/  /'
  fi
}
compare "$tmp/lib" "the library ($lib)" "$tmp/map" "the version script ($map)"
compare "$tmp/map" "the version script ($map)" "$tmp/headers" \
  "the headers (ASYNC_EXTERN)"

# --- SONAME -------------------------------------------------------------------------

actual_soname=$(readelf -d "$lib" |
  sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$actual_soname" != "$soname" ]; then
  fail "SONAME is '${actual_soname}', expected '$soname'"
fi

if [ "$status" -eq 0 ]; then
  echo "ok: $(wc -l <"$tmp/lib" | tr -d ' ') symbols, all in $node, the" \
    "version script and the headers; SONAME $soname"
fi
exit "$status"
