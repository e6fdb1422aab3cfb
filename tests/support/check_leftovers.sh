#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when a process started by a fixture is still running after its test
# ended: every fixture runs its peer with a path under
# $TMPDIR/certdeck-fixture-* on its command line. A process that still
# descends from the ctest that runs this check belongs to a test that is still
# running (ctest runs tests in parallel) and is not a leftover; one that
# outlived its test has been re-parented away from ctest.
set -u

parent_of() { awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

ctest_pid=""
p=$$
while [ -n "$p" ] && [ "$p" -gt 1 ]; do
  if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "ctest" ]; then
    ctest_pid=$p
    break
  fi
  p=$(parent_of "$p")
done

under_ctest() {
  [ -n "$ctest_pid" ] || return 1
  local q=$1
  while [ -n "$q" ] && [ "$q" -gt 1 ]; do
    [ "$q" = "$ctest_pid" ] && return 0
    q=$(parent_of "$q")
  done
  return 1
}

left=0
for d in /proc/[0-9]*; do
  pid=${d#/proc/}
  [ "$pid" = "$$" ] && continue
  cmd=$( { tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null ) || continue
  [ -n "$cmd" ] || continue
  case "$cmd" in
    *certdeck-fixture-*)
      case "$cmd" in *check_leftovers*) continue ;; esac
      if under_ctest "$pid"; then
        continue
      fi
      echo "left running: pid $pid: $cmd"
      left=$((left + 1))
      ;;
  esac
done
if [ "$left" -gt 0 ]; then
  echo "$left fixture process(es) outlived their tests"
  exit 1
fi
echo "no fixture process left running"
