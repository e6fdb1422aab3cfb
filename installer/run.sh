#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds CertDeck, and starts the console on the
# embedded SQLite store in the user's data folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash installer/deps.sh
echo "run: configuring and building (build/release)" >&2
cmake --preset release -DCERTDECK_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release

ctl="$root/build/release/app/certdeckctl"
gui="$root/build/release/app/certdeck"
echo "run: inventory store (CERTDECK_DB overrides it):" >&2
"$ctl" store info >&2

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the console cannot open." >&2
  echo "run: start it from a desktop session with: $gui" >&2
  echo "run: the command-line tool works here:" >&2
  echo >&2
  "$ctl" --help
  exit 0
fi
echo "run: starting the console" >&2
exec "$gui" "$@"
