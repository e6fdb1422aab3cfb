#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench_fleet_probe: a fleet of COUNT nginx endpoints (500 ports on
# 127.0.0.1, and 500 loopback addresses on one port) probed by FleetScanner
# (concurrency 64, per-host 4) beside `sslscan --targets`, on loopback and
# through a relay delaying 20 ms each way. sslscan through the relay is
# measured on the first RELAY_SUBSET endpoints and extrapolated (it is
# sequential; all 500 would take the best part of an hour). Ratios within
# one run are the figure to read, not absolutes.
# Usage: tests/bench/bench_fleet_probe.sh [BUILD_DIR] [COUNT] [RELAY_SUBSET]
set -euo pipefail
here=$(dirname "$0")
. "$here/bench_lib.sh"
build=${1:-build}
count=${2:-500}
subset=${3:-25}
bin=$(bench_binary "$build" bench_fleet_probe)
need_tool sslscan sslscan
need_tool nginx nginx
"$bin" --count "$count" --relay-subset "$subset"
