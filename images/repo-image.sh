#!/usr/bin/env bash
# Builds an image whose context is the repository root: the operator or the workloads image
# (images/NAME/Containerfile), FROM the project's Node 24 image. Keyed by the Containerfile, the Node
# image and the files the build context sends (.dockerignore's allow-list, tests and fixtures left out),
# so a change to a test rebuilds nothing.
#   images/repo-image.sh NAME NODE_REF     prints "REF ALIAS TARBALL"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
name=$1 node_ref=$2

version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo_root/package.json")
containerfile="$images_dir/$name/Containerfile"

# The files .dockerignore lets into the context (keep the two in step).
context_files() {
  cd "$repo_root"
  find package.json package-lock.json crds operator workloads -type f \
    ! -path '*/node_modules/*' ! -name '*.test.ts' ! -path '*/testdata/*' ! -path '*/testing/*' \
    ! -path '*/golden/*' ! -path '*/__snapshots__/*' ! -path 'workloads/edge/sipp/*' | LC_ALL=C sort
}
mapfile -t files < <(context_files)
# Paths relative to the repository, so that a clone elsewhere computes the same key.
key=$({ cd "$repo_root" && files_material "images/$name/Containerfile" .dockerignore "${files[@]}"; echo "$node_ref"; } | short_hash)

if [ ! -f "$(tarball_of "$name" "$key")" ]; then
  ensure_loaded "$node_ref" "$(tarball_of node "${node_ref##*:}")"
fi
# npm ci reaches the registry through this machine's TLS-intercepting proxy: the CA bundle is mounted for
# that one step as a build secret and never lands in a layer.
ca_bundle=${CALLCENTER_BUILD_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
secret=()
[ -f "$ca_bundle" ] && secret=(--secret "id=npm-ca,src=$ca_bundle")
build_image "$name" "$IMAGE_PREFIX/$name:$version" "$key" "$containerfile" "$repo_root" \
  --build-arg "NODE_IMAGE=$node_ref" "${secret[@]}"
