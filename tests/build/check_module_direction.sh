#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The build-time module direction check (core/CheckModuleIncludes.cmake)
# really refuses a wrong-way include and another module's internal/ header,
# and passes the real tree (every module with its declared dependencies).
set -uo pipefail
src="$1"
check="$src/core/CheckModuleIncludes.cmake"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
run() { cmake -DMODULE="$1" -DALLOWED="$2" -DDIR="$3" -DSTAMP="$tmp/stamp" -P "$check" >"$tmp/out" 2>&1; }

mkdir -p "$tmp/probe"
printf '#include "inventory/Store.h"\n' >"$tmp/probe/Bad.cpp"
if run probe "common;crypto" "$tmp/probe" || ! grep -q 'inventory/Store.h' "$tmp/out"; then
  echo "FAIL: probe including inventory was not refused"; cat "$tmp/out"; fail=1
fi
printf '#include "crypto/internal/PemBlocks.h"\n' >"$tmp/probe/Bad.cpp"
if run probe "common;crypto" "$tmp/probe" || ! grep -q 'private to core/crypto' "$tmp/out"; then
  echo "FAIL: probe including crypto's internal header was not refused"; cat "$tmp/out"; fail=1
fi
printf '#include "crypto/Certificate.h"\n#include "probe/internal/Log.h"\n' >"$tmp/probe/Bad.cpp"
if ! run probe "common;crypto" "$tmp/probe"; then
  echo "FAIL: allowed includes were refused"; cat "$tmp/out"; fail=1
fi
# The declared graph, as core/CMakeLists.txt declares it, holds for the tree.
while read -r module deps; do
  if ! run "$module" "$deps" "$src/core/$module"; then
    echo "FAIL: core/$module"; cat "$tmp/out"; fail=1
  fi
done < <(sed -nE 's/^certdeck_core_module\(([a-z]+)( DEPENDS ([a-z ]+))?.*/\1 \3/p' "$src/core/CMakeLists.txt" |
  sed -E 's/ (LIBS|PRIVATE_LIBS).*//; s/  */;/g; s/^([a-z]+);/\1 /')
[ "$fail" -eq 0 ] && echo "OK: the module direction check refuses wrong-way includes"
exit $fail
