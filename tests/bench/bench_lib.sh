# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the bench_*.sh scripts (sourced, not run).

# bench_binary BUILD_DIR NAME: prints the path of a built bench binary, or
# says how to build it and exits 3.
bench_binary() {
    local bin="$1/tests/bench/$2"
    if [[ ! -x $bin ]]; then
        echo "build it first: cmake --build $1 --target $2" >&2
        exit 3
    fi
    echo "$bin"
}

# need_tool COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is
# missing (benchmarks bring their own peers; CI's dependency list stays lean).
need_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "$1 is missing: apt-get install $2 (as root)" >&2
        exit 3
    fi
    echo "installing $2 for $1" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
    command -v "$1" >/dev/null 2>&1 || { echo "could not install $2" >&2; exit 3; }
}
