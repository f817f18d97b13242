#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh machine of our kind (Debian, Go, npm):
# Debian packages, Node 24 in .tools/ (never over the system Node), npm packages, the control-plane
# binaries built from Go modules, and FreeSWITCH built from its pinned sources (both cached outside the
# repo, so the second run takes seconds).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

NODE_VERSION=24.21.0
DEBIAN_PACKAGES=(openssl redis-server kamailio sip-tester sox)

source scripts/lib/debian-packages.sh
install_debian_packages setup "${DEBIAN_PACKAGES[@]}"

node_bin=".tools/node_modules/node/bin/node"
if [ "$("$node_bin" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "setup: installing Node $NODE_VERSION into .tools/ from the npm registry's node package"
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error "node@$NODE_VERSION"
  "$node_bin" --version
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  bash scripts/with-node24.sh npm ci --no-audit --no-fund --loglevel=error
fi

bash e2e/controlplane/build-tools.sh >/dev/null
bash scripts/build-freeswitch.sh >/dev/null
# The one-node cluster's Debian packages and the project's images, unless the caller asked for a few tools
# only (the demo: no cluster, so no images).
if [[ " ${CALLCENTER_TOOLS:-kubelet} " == *" kubelet "* ]]; then
  bash e2e/cluster/setup.sh >/dev/null
fi
