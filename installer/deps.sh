#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The one list of Debian packages CertDeck needs: build, runtime and the real
# peers the tests talk to. Installs only what is missing; safe to run twice.
set -euo pipefail

BUILD=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev-tools libqt6sql6-sqlite libqt6sql6-psql
  qt6-svg-dev qt6-httpserver-dev qt6-charts-dev qtkeychain-qt6-dev
  libssl-dev libssh-dev libexpected-dev libldns-dev
  clang-14 libclang-rt-14-dev clang-format
)
RUNTIME=(
  qt6-qpa-plugins libqt6svg6 fonts-dejavu-core openssl ca-certificates
  libsecret-1-0
)
PEERS=(
  nginx haproxy apache2 pebble bind9 bind9-dnsutils openssh-server openssh-client
  postgresql postgresql-client sslscan nmap xvfb xauth procps iproute2
  dbus-daemon dbus-bin gnome-keyring libsecret-tools
  nghttp2-client wrk curl
)

missing=()
for p in "${BUILD[@]}" "${RUNTIME[@]}" "${PEERS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all packages present" >&2
  exit 0
fi

echo "deps: installing ${#missing[@]} missing packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Packaged services must not start on install (tests start their own copies
# on free loopback ports); policy-rc.d is respected by invoke-rc.d.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
