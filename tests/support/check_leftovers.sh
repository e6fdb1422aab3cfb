#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when a process started by a fixture is still running: every fixture
# runs its peer with a path under $TMPDIR/certdeck-fixture-* on its command line.
set -u
left=0
for d in /proc/[0-9]*; do
  pid=${d#/proc/}
  [ "$pid" = "$$" ] && continue
  cmd=$( { tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null ) || continue
  [ -n "$cmd" ] || continue
  case "$cmd" in
    *certdeck-fixture-*)
      case "$cmd" in *check_leftovers*) continue ;; esac
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
