#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench_probe (TlsProber beside sslscan on one nginx endpoint: bare
# loopback, a counting relay, a 20 ms-each-way relay) and prints the machine
# it ran on. Ratios within one run are the figure to read, not absolutes.
# Usage: tests/bench/bench_probe.sh [BUILD_DIR] [RUNS]
set -euo pipefail
. "$(dirname "$0")/bench_lib.sh"
build=${1:-build}
runs=${2:-3}
bin=$(bench_binary "$build" bench_probe)
echo "$(nproc) CPUs; $(uname -srm); $(openssl version); $(sslscan --version 2>/dev/null | head -1 | tr -d '\033' | sed 's/\[[0-9;]*m//g')"
"$bin" --runs "$runs"
