#!/usr/bin/env bash
# Builds an image of Debian packages FROM the project's base (images/NAME/Containerfile, with that folder
# as its context): Redis and Kamailio. Keyed by the Containerfile and the base; Debian's point releases
# reach the image when the base is made again (images/base/build.sh).
#   images/debian-image.sh NAME ALIAS_TAG BASE_REF     prints "REF ALIAS TARBALL"
set -euo pipefail
source "$(dirname "$0")/lib.sh"
name=$1 alias_tag=$2 base_ref=$3

dir="$images_dir/$name"
key=$({ (cd "$dir" && files_material Containerfile); echo "$base_ref"; } | short_hash)
if [ ! -f "$(tarball_of "$name" "$key")" ]; then
  ensure_loaded "$base_ref" "$(tarball_of debian "${base_ref##*:}")"
fi
build_image "$name" "$IMAGE_PREFIX/$name:$alias_tag" "$key" "$dir/Containerfile" "$dir" --build-arg "BASE_IMAGE=$base_ref"
