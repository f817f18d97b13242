#!/usr/bin/env bash
# npm run demo: installs what the demo needs and is missing (Debian packages, Node 24 in .tools/, the npm
# packages and, of the control-plane tools, only etcd, kube-apiserver and kubectl; with KUBECONFIG set
# only kubectl), then runs demo/main.ts with the flags given (npm run demo -- --help).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -n "${KUBECONFIG:-}" ]; then tools="kubectl"; else tools="etcd kube-apiserver kubectl"; fi
CALLCENTER_TOOLS="$tools" bash scripts/setup.sh
exec bash scripts/node24.sh demo/main.ts "$@"
