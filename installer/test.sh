#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds with warnings as errors, and runs the whole
# CTest suite: unit, offscreen UI and integration tests against real peers.
# Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
start=$(date +%s)

bash installer/deps.sh
echo "test: configuring and building (build/ci, -Werror)" >&2
cmake --preset ci >/dev/null
cmake --build --preset ci

echo "test: running the suite" >&2
set +e
ctest --preset ci "$@"
rc=$?
set -e
echo "test: finished in $(( $(date +%s) - start )) s with exit code $rc" >&2
exit $rc
