#!/usr/bin/env bash
# Sets up everything Peregrine needs on a Debian 12 machine with Node.js 20: the Debian packages
# (driver toolchain, sysdig for capture round-trip tests), the npm dependencies, the TypeScript
# build and the eBPF driver. Safe to run again. Root is needed for the apt step (skipped when
# everything is already installed).
set -euo pipefail
cd "$(dirname "$0")/.."

# One list of the Debian packages Peregrine's build and tests use.
DEBIAN_PACKAGES=(
  make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev   # eBPF driver and loader
  util-linux                                                      # setpriv, mount: the driver tests
  sysdig                                                          # reference reader for .scap round trips
  netbase                                                         # /etc/services: port names in conditions (fd.port = ssh)
  g++ python3                                                     # node-gyp builds the unix-dgram addon (syslog output)
  rsyslog openssl                                                 # real receivers in the outputs tests (syslog, TLS certificates)
  ncat strace                                                      # real actions of the live detection tests (netcat -e, ptrace)
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run this script as root (or install them) first" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build
if [ -f driver/Makefile ]; then
  npm run build:driver
fi
