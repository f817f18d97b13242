#!/usr/bin/env bash
# The base of every image the project builds from Debian: a minimal Debian 12 (bookworm) made with
# debootstrap --variant=minbase and imported into podman, since no registry is reached here. Security
# updates are applied once, when the base is made. Cached by this script's content: it is made again only
# when this file changes (or the cached tarball is removed).
# Prints "REF - TARBALL" on its last line (the base has no alias).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

SUITE=bookworm
MIRROR=http://deb.debian.org/debian
SECURITY_MIRROR=http://deb.debian.org/debian-security

key=$(short_hash < "$0")
ref="$IMAGE_PREFIX/debian:$SUITE-$key"
tarball=$(tarball_of debian "$SUITE-$key")
if [ -f "$tarball" ]; then
  echo "$ref - $tarball"
  exit 0
fi

for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { log "$tool is missing: run scripts/images.sh, which installs it"; exit 1; }
done

rootfs=$(mktemp -d "$cache_root/build/debian-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
log "debootstrap --variant=minbase $SUITE (about 2-3 minutes)"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >&2
cat > "$rootfs/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SOURCES
# Security updates, then no package lists or downloaded packages left in the image.
chroot "$rootfs" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq' >&2
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log
# Images built FROM this base install packages with apt-get and then drop the lists again.
log "importing $ref"
tar --numeric-owner -C "$rootfs" -c . | podman import -q --change 'CMD ["/bin/bash"]' - "$ref" >/dev/null
save_image "$tarball" "$ref"
echo "$ref - $tarball"
