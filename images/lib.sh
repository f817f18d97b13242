# Shared by the image scripts (sourced, not run): the cache, podman with the project's settings, content
# keys and the tarball cache. Each image is saved as a docker-archive tarball named by a key computed from
# everything that goes into it, so an image whose inputs did not change is never built again.

images_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$images_dir/.." && pwd)"
cache_root="${CALLCENTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/callcenter-operator}"
image_cache="$cache_root/images"
mkdir -p "$image_cache"

# Every image the project builds is named localhost/callcenter/NAME: "localhost" is what podman calls an
# image built here, and containerd keeps such a name as it is (no docker.io/ prefix).
IMAGE_PREFIX=localhost/callcenter

export CONTAINERS_CONF="$images_dir/containers.conf"

log() { echo "images: $*" >&2; }

# sha256 of what is on stdin, shortened: enough to tell builds apart.
short_hash() { sha256sum | cut -c1-12; }

# The content of files, named and in the order given, as key material (give relative paths: a clone
# elsewhere must compute the same key).
files_material() { sha256sum -- "$@"; }

tarball_of() { echo "$image_cache/$1-$2.tar"; }

# Makes sure the image REF is in podman's storage, loading it from its cached tarball if needed (another
# image is built FROM it).
ensure_loaded() {
  local ref=$1 tarball=$2
  podman image exists "$ref" && return 0
  log "loading $ref from $tarball"
  podman load -q -i "$tarball" >/dev/null
}

# Saves REF (and its alias) into the cache as a docker-archive tarball, atomically.
save_image() {
  local tarball=$1; shift
  podman save -q --format docker-archive -m -o "$tarball.tmp" "$@"
  mv -f "$tarball.tmp" "$tarball"
}

# Builds one image unless its tarball is cached, then prints "REF ALIAS TARBALL" (ALIAS "-" when none).
#   build_image NAME ALIAS KEY CONTAINERFILE CONTEXT [podman build arguments...]
# REF is $IMAGE_PREFIX/NAME:KEY; ALIAS (a full reference, or "") is a stable second name for the same
# image, e.g. the tag the chart defaults to. The tarball holds both names.
build_image() {
  local name=$1 alias=$2 key=$3 containerfile=$4 context=$5; shift 5
  local ref="$IMAGE_PREFIX/$name:$key" tarball
  tarball=$(tarball_of "$name" "$key")
  if [ -f "$tarball" ]; then
    echo "$ref ${alias:--} $tarball"
    return 0
  fi
  local started=$SECONDS names=("$ref")
  [ -n "$alias" ] && names+=("$alias")
  log "building $ref"
  # Host networking: the build reaches Debian's mirror and the npm registry as the host does, and podman
  # adds no bridge or iptables rules of its own to this machine.
  podman build -q --network host --layers -f "$containerfile" "${names[@]/#/--tag=}" "$@" "$context" >/dev/null
  save_image "$tarball" "${names[@]}"
  prune_old_tarballs "$name" "$tarball"
  log "built $ref in $((SECONDS - started)) s"
  echo "$ref ${alias:--} $tarball"
}

# Keeps the newest few tarballs of an image (switching branches back and forth stays cheap) and removes
# older ones, so the cache does not grow with every change.
prune_old_tarballs() {
  local name=$1 keep=$2
  find "$image_cache" -maxdepth 1 -name "$name-*.tar" ! -path "$keep" -printf '%T@ %p\n' |
    sort -rn | tail -n +3 | cut -d' ' -f2- | xargs -r rm -f
}
