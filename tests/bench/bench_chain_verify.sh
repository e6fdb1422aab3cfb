#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench_chain_verify (ChainVerifier beside `openssl verify` on the same
# 10,000 files, in the same run) and prints the machine it ran on.
# Usage: tests/bench/bench_chain_verify.sh [BUILD_DIR] [COUNT]
set -euo pipefail
. "$(dirname "$0")/bench_lib.sh"
build=${1:-build}
count=${2:-10000}
bin=$(bench_binary "$build" bench_chain_verify)
echo "$(openssl version); $(nproc) CPUs; $(uname -srm)"
"$bin" --count "$count"
