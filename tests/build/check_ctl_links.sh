#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# certdeckctl must run on a server without any GUI library: no QtWidgets, no QtGui.
set -euo pipefail
ctl="$1"
libs=$(ldd "$ctl")
echo "$libs"
if echo "$libs" | grep -E 'libQt6(Widgets|Gui)'; then
  echo "FAIL: $ctl links a GUI library"
  exit 1
fi
echo "$libs" | grep -q 'libQt6Core' || { echo "FAIL: ldd output unexpected"; exit 1; }
echo "OK: certdeckctl links no QtWidgets/QtGui"
