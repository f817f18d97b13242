#!/usr/bin/env bash
# Builds FreeSWITCH 1.10.12 and the libraries it needs (sofia-sip, spandsp) from pinned sources into the
# tools cache outside the repo, keyed by the sources' checksums and the module list, so that a second run
# costs seconds. Prints the install prefix on its last line.
#
# Sources, in this order:
#   1. CALLCENTER_FREESWITCH_SOURCES, a directory of tarballs with a SHA256SUMS file;
#   2. ../shared/vendor/freeswitch beside the repo, when it exists (the same layout);
#   3. the upstream repositories, cloned and checked out at the pinned commits (git verifies the content
#      by the commit hash), then archived to the same tarball names.
# libks is not built: only mod_verto and mod_signalwire need it, and neither is loaded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

FREESWITCH_VERSION=1.10.12
# name  repository  commit: the refs ../shared/vendor/freeswitch/README.md names.
SOURCES=(
  "freeswitch-1.10.12 https://github.com/signalwire/freeswitch.git a88d069d6ffb74df797bcaf001f7e63181c07a09"
  "sofia-sip-1.13.17 https://github.com/freeswitch/sofia-sip.git 6198851a610b7889c17e2d98fb84617bc1dd7aec"
  "spandsp-0c7bceb https://github.com/freeswitch/spandsp.git 0c7bcebef4f057b99832a338aafab7e379ef1395"
)
# What the rendered config loads (operator/render/freeswitch/core.ts), queue music and recording, and
# mod_callcenter for the side-by-side comparison with our ACD.
MODULES=(
  loggers/mod_console loggers/mod_logfile
  endpoints/mod_sofia endpoints/mod_loopback
  event_handlers/mod_event_socket xml_int/mod_xml_curl
  applications/mod_commands applications/mod_dptools applications/mod_hash applications/mod_db
  applications/mod_expr applications/mod_callcenter
  dialplans/mod_dialplan_xml
  formats/mod_sndfile formats/mod_native_file formats/mod_tone_stream formats/mod_local_stream
  say/mod_say_en
)
DEBIAN_BUILD_PACKAGES=(build-essential autoconf automake libtool libtool-bin pkg-config git ca-certificates
  libssl-dev libcurl4-openssl-dev libpcre3-dev libspeexdsp-dev libspeex-dev libsqlite3-dev libedit-dev
  uuid-dev libtiff-dev libjpeg-dev libsndfile1-dev yasm zlib1g-dev libldns-dev libncurses-dev)

cache_root="${CALLCENTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/callcenter-operator}"
log() { echo "build-freeswitch: $*" >&2; }

source_dir="${CALLCENTER_FREESWITCH_SOURCES:-}"
if [ -z "$source_dir" ] && [ -f "$root/../shared/vendor/freeswitch/SHA256SUMS" ]; then
  source_dir="$root/../shared/vendor/freeswitch"
fi

# The cache key: the pinned commits (or the local tarballs' checksums), the modules and this script's
# build steps, so that changing any of them builds anew.
key_material() {
  if [ -n "$source_dir" ]; then grep -v libks "$source_dir/SHA256SUMS"; else printf '%s\n' "${SOURCES[@]}"; fi
  printf '%s\n' "${MODULES[@]}"
  sed -n '/^build_all()/,$p' "$0"
}
key=$(key_material | sha256sum | cut -c1-16)
prefix="$cache_root/freeswitch/$FREESWITCH_VERSION-$key"
if [ -f "$prefix/.complete" ]; then
  echo "$prefix"
  exit 0
fi

# One build at a time: a second run (another checkout, a parallel test lane) waits for the first and
# then finds its result, instead of removing the tree the first is building in.
mkdir -p "$cache_root/freeswitch"
exec {lock}>"$cache_root/freeswitch/.build-$key.lock"
flock "$lock"
if [ -f "$prefix/.complete" ]; then
  echo "$prefix"
  exit 0
fi

source "$root/scripts/lib/debian-packages.sh"
install_debian_packages build-freeswitch "${DEBIAN_BUILD_PACKAGES[@]}"

work="$cache_root/build/freeswitch-$key"
rm -rf "$work"
mkdir -p "$work/src"

fetch_sources() {
  if [ -n "$source_dir" ]; then
    log "sources from $source_dir"
    (cd "$source_dir" && grep -v libks SHA256SUMS | sha256sum -c --quiet -) || { log "checksum mismatch in $source_dir"; exit 1; }
    for entry in "${SOURCES[@]}"; do
      read -r name _ _ <<<"$entry"
      tar -C "$work/src" -xzf "$source_dir/$name.tar.gz"
    done
    return
  fi
  for entry in "${SOURCES[@]}"; do
    read -r name url commit <<<"$entry"
    log "sources of $name from $url at $commit"
    git init -q "$work/git-$name"
    git -C "$work/git-$name" fetch -q --depth 1 "$url" "$commit"
    [ "$(git -C "$work/git-$name" rev-parse FETCH_HEAD)" = "$commit" ] || { log "$url did not give $commit"; exit 1; }
    git -C "$work/git-$name" archive --prefix="$name/" FETCH_HEAD | tar -C "$work/src" -x
  done
}

build_all() {
  local jobs=2 deps="$prefix"
  export PKG_CONFIG_PATH="$deps/lib/pkgconfig"
  # The libraries live in the prefix, not in the system's library path: the binaries carry an rpath to it.
  export LDFLAGS="-Wl,-rpath,$deps/lib -L$deps/lib"
  export CPPFLAGS="-I$deps/include"
  for lib in sofia-sip-1.13.17 spandsp-0c7bceb; do
    log "building $lib"
    (cd "$work/src/$lib" && ./bootstrap.sh >&2 && ./configure -q --prefix="$deps" --with-pic >&2 && make -s -j"$jobs" >&2 && make -s install >&2)
  done
  # make builds FreeSWITCH's own unit tests (tests/unit) too; they are not installed.
  log "building FreeSWITCH $FREESWITCH_VERSION"
  cd "$work/src/freeswitch-$FREESWITCH_VERSION"
  printf '%s\n' "${MODULES[@]}" > modules.conf
  ./bootstrap.sh -j >&2
  ./configure -q --prefix="$prefix" --disable-libvpx --disable-libyuv --without-png --without-freetype \
    --disable-debug >&2
  make -s -j"$jobs" >&2
  make -s install >&2
}

started=$(date +%s)
fetch_sources
# libtool bakes the prefix into the binaries, so the build installs in place; a marker written last tells
# a finished install from an interrupted one.
rm -rf "$prefix"
build_all
touch "$prefix/.complete"
rm -rf "$work"
log "built in $(($(date +%s) - started)) s: $prefix"
echo "$prefix"
