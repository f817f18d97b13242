#!/usr/bin/env bash
# Runs a command with the project-local Node 24 and the project's npm binaries first on PATH.
# The system Node (20) is left alone; scripts/setup.sh installs Node 24 into .tools/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node_bin="$root/.tools/node_modules/node/bin"
if [ ! -x "$node_bin/node" ]; then
  echo "Node 24 is not installed in $root/.tools: run 'npm run setup' (or 'npm test', which runs it)." >&2
  exit 1
fi
export PATH="$node_bin:$root/node_modules/.bin:$PATH"
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=ExperimentalWarning"
exec "$@"
