#!/usr/bin/env bash
# `npm run images`: builds every image the project runs, with podman and no registry, and saves each as a
# docker-archive tarball in ${CALLCENTER_TOOLS_CACHE:-~/.cache/callcenter-operator}/images/, named by a key
# of its content. An image whose key is already cached is not built again (a warm run takes seconds).
#
#   base        Debian 12 from debootstrap (the root of every other image)
#   node        Node 24 from the npm registry's node package, on the base
#   operator    the operator                            FROM node
#   workloads   login, ACD, CTI bridge, edge agent      FROM node
#   redis       Debian's redis-server                   FROM base
#   kamailio    Debian's kamailio                       FROM base
#   freeswitch  scripts/build-freeswitch.sh's build     FROM base
#   pause       the pod sandbox image (a static Go binary)
#
# Prints one line per image on stdout: NAME REF ALIAS TARBALL. Logs go to stderr.
# CALLCENTER_IMAGES="operator workloads" builds only those (and what they are built FROM).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/images/lib.sh"

DEBIAN_PACKAGES=(podman runc debootstrap)
missing_packages=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing_packages+=("$pkg")
done
if [ ${#missing_packages[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing_packages[*]}"
  [ "$(id -u)" -eq 0 ] || { log "need root to apt-get install ${missing_packages[*]}"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >&2
fi

wanted=" ${CALLCENTER_IMAGES:-operator workloads redis kamailio freeswitch pause} "
wants() { [[ "$wanted" == *" $1 "* ]]; }

started=$SECONDS
results=()
# Each build script prints "REF ALIAS TARBALL" on its last line.
record() { results+=("$1 $2"); }

base=$(bash "$images_dir/base/build.sh" | tail -1)
base_ref=${base%% *}
if wants operator || wants workloads; then
  node=$(bash "$images_dir/node/build.sh" "$base_ref" | tail -1)
  node_ref=${node%% *}
  for name in operator workloads; do
    wants $name && record $name "$(bash "$images_dir/repo-image.sh" $name "$node_ref" | tail -1)"
  done
fi
wants redis && record redis "$(bash "$images_dir/debian-image.sh" redis 7.0-bookworm "$base_ref" | tail -1)"
wants kamailio && record kamailio "$(bash "$images_dir/debian-image.sh" kamailio 5.6-bookworm "$base_ref" | tail -1)"
wants freeswitch && record freeswitch "$(bash "$images_dir/freeswitch/build.sh" "$base_ref" | tail -1)"
wants pause && record pause "$(bash "$images_dir/pause/build.sh" | tail -1)"

log "done in $((SECONDS - started)) s"
printf '%s\n' "${results[@]}"
