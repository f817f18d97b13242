#!/usr/bin/env bash
# What the one-node cluster needs beside the Go-built binaries (e2e/controlplane/build-tools.sh):
# containerd, runc, the CNI plugins and iptables from Debian, and the project's images (scripts/images.sh,
# cached: seconds when nothing changed). scripts/setup.sh runs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

DEBIAN_PACKAGES=(containerd runc containernetworking-plugins iptables)
missing_packages=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing_packages+=("$pkg")
done
if [ ${#missing_packages[@]} -gt 0 ]; then
  echo "cluster setup: installing Debian packages: ${missing_packages[*]}" >&2
  [ "$(id -u)" -eq 0 ] || { echo "cluster setup: need root to apt-get install ${missing_packages[*]}" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >&2
fi
bash "$root/scripts/images.sh"
