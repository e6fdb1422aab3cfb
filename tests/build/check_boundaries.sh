#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# core/ never includes QtWidgets/QtGui or anything from ui/; app/ holds main()
# only; ui/, cli/ and app/ include no core-private header (*/internal/*).
set -uo pipefail
src="$1"
fail=0
if grep -rnE '#include\s*[<"](QtWidgets|QtGui|QWidget|QDialog|QMainWindow|QApplication|QPixmap|QIcon|QColor|QBrush)' "$src/core"; then
  echo "FAIL: core/ includes GUI headers"; fail=1
fi
if grep -rnE '#include\s*"(MainWindow|.*Page|.*Dialog)\.h"' "$src/core"; then
  echo "FAIL: core/ includes ui/ headers"; fail=1
fi
if grep -rnE '#include\s*"[^"]*internal/' "$src/ui" "$src/cli" "$src/app"; then
  echo "FAIL: a core-private header is used outside core/"; fail=1
fi
# Status colours live in ui/common/StatusColours.cpp only (one place that
# reads well in a dark palette); syntax highlighting themes are not statuses.
if grep -rnE 'QColor\(0x|QColor\(Qt::(red|green|darkGreen|darkRed|yellow)|"#[0-9a-fA-F]{6}|color: *#' "$src/ui" |
  grep -v 'ui/common/StatusColours.cpp' | grep -v 'ui/common/highlight/'; then
  echo "FAIL: a status colour outside ui/common/StatusColours.cpp"; fail=1
fi
for f in $(find "$src/app" -name '*.cpp'); do
  n=$(grep -cE '^[A-Za-z].*\)\s*$|^[A-Za-z][^;]*\)\s*\{' "$f")
  if ! grep -q 'int main(' "$f" || [ "$n" -gt 1 ]; then
    echo "FAIL: $f should hold main() and nothing else"; fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "OK: module boundaries hold"
exit $fail
