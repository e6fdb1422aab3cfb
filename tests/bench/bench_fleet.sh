#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench_fleet (import N endpoints with certificates, open the Fleet page
# on them, type into its filter) offscreen and prints the machine it ran on.
# No peer tool: the figures are compared with the aims of the issue.
# Usage: tests/bench/bench_fleet.sh [BUILD_DIR] [COUNT]
set -euo pipefail
. "$(dirname "$0")/bench_lib.sh"
build=${1:-build}
count=${2:-10000}
bin=$(bench_binary "$build" bench_fleet)
echo "$(nproc) CPUs; $(uname -srm); $(openssl version)"
QT_QPA_PLATFORM=offscreen "$bin" --count "$count"
