#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs bench_acme: one certificate with HTTP-01 from one Pebble, certdeckctl
# beside certbot (installed here from Debian when missing), RUNS rounds with
# the tools alternating; prints medians and the certbot/certdeck ratio.
# Usage: tests/bench/bench_acme.sh [BUILD_DIR] [RUNS]
set -euo pipefail
here=$(dirname "$0")
. "$here/bench_lib.sh"
build=${1:-build}
runs=${2:-5}
bin=$(bench_binary "$build" bench_acme)
ctl="$build/app/certdeckctl"
[[ -x $ctl ]] || { echo "build it first: cmake --build $build --target certdeckctl" >&2; exit 3; }
need_tool certbot certbot
need_tool pebble pebble
need_tool pebble-challtestsrv pebble
"$bin" --runs "$runs" --certdeckctl "$ctl"
