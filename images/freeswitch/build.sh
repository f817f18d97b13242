#!/usr/bin/env bash
# The FreeSWITCH image: the install prefix of scripts/build-freeswitch.sh (cached outside the repo; the
# first build takes a long while, later calls return the cached prefix at once) copied to /opt/freeswitch
# on the project's base, with the Debian libraries it links. Keyed by the Containerfile, the prefix (whose
# name carries the build's own key) and the base.
#   images/freeswitch/build.sh BASE_REF     prints "REF ALIAS TARBALL"
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
base_ref=$1

FREESWITCH_VERSION=1.10.12

dir="$images_dir/freeswitch"
# CALLCENTER_FREESWITCH_PREFIX packages an install prefix built elsewhere instead.
prefix=${CALLCENTER_FREESWITCH_PREFIX:-$(bash "$repo_root/scripts/build-freeswitch.sh" | tail -1)}
key=$({ (cd "$dir" && files_material Containerfile runtime-packages.sh); basename "$prefix"; echo "$base_ref"; } | short_hash)
args=()
if [ ! -f "$(tarball_of freeswitch "$key")" ]; then
  ensure_loaded "$base_ref" "$(tarball_of debian "${base_ref##*:}")"
  packages=$(bash "$dir/runtime-packages.sh" "$prefix")
  log "FreeSWITCH links libraries of: $packages"
  args=(--build-arg "RUNTIME_PACKAGES=$packages")
fi
build_image freeswitch "$IMAGE_PREFIX/freeswitch:$FREESWITCH_VERSION" "$key" "$dir/Containerfile" "$prefix" \
  --build-arg "BASE_IMAGE=$base_ref" "${args[@]}"
