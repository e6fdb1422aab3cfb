#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench_fleet (import N endpoints with certificates, open the Fleet page
# on them, type into its filter) offscreen and prints the machine it ran on.
# No peer tool: the figures are compared with the aims of the issue.
# Usage: tests/bench/bench_fleet.sh [BUILD_DIR] [COUNT]
set -euo pipefail
build=${1:-build}
count=${2:-10000}
bin="$build/tests/bench/bench_fleet"
if [[ ! -x $bin ]]; then
    echo "build it first: ninja -C $build bench_fleet" >&2
    exit 3
fi
echo "$(nproc) CPUs; $(uname -srm); $(openssl version)"
QT_QPA_PLATFORM=offscreen "$bin" --count "$count"
