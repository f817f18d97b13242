#!/usr/bin/env bash
# The pod sandbox image, tagged as the sandbox_image the cluster's containerd is configured with
# (registry.k8s.io/pause:3.10.1: the name kubelet 1.35 expects, so nothing is ever pulled for it).
# Keyed by the source, the Containerfile and the Go version.
#   images/pause/build.sh      prints "REF ALIAS TARBALL"
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

SANDBOX_IMAGE=registry.k8s.io/pause:3.10.1

dir="$images_dir/pause"
key=$({ (cd "$dir" && files_material Containerfile pause.go); go version; } | short_hash)
context="$cache_root/build/pause-$key"
if [ ! -f "$(tarball_of pause "$key")" ] && [ ! -x "$context/pause" ]; then
  mkdir -p "$context"
  (cd "$dir" && CGO_ENABLED=0 GOTOOLCHAIN=local go build -trimpath -ldflags "-s -w" -o "$context/pause.tmp" pause.go)
  mv "$context/pause.tmp" "$context/pause"
fi
build_image pause "$SANDBOX_IMAGE" "$key" "$dir/Containerfile" "$context"
