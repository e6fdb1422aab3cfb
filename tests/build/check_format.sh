#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every C++ file follows the repository's .clang-format.
set -uo pipefail
src="$1"
cd "$src" || exit 1
files=$(find app cli core ui tests -name '*.cpp' -o -name '*.h' | sort)
out=$(clang-format --dry-run -Werror $files 2>&1)
if [ -n "$out" ]; then
  echo "$out" | grep -E "^[^ ].*(error|warning)" | cut -d: -f1 | sort -u | sed 's/^/not formatted: /'
  echo "FAIL: run clang-format -i on the files above"
  exit 1
fi
echo "OK: $(echo "$files" | wc -l) files formatted"
