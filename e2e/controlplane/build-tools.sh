#!/usr/bin/env bash
# Builds the control-plane binaries the e2e suites run (etcd, kube-apiserver, kube-controller-manager,
# kubectl, helm) and the node's (kubelet, kube-scheduler, kube-proxy, CoreDNS: the one-node cluster of
# e2e/cluster) from the Go module proxy, pinned, into a cache outside the repo keyed by version.
# A binary already in the cache is not rebuilt, so only the first run pays (tens of minutes on 2 cores).
# CALLCENTER_TOOLS (names separated by spaces) builds only those, e.g. the demo's "etcd kube-apiserver kubectl".
# Prints the bin directory on its last line.
set -euo pipefail

KUBERNETES_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
HELM_VERSION=v3.22.0
COREDNS_VERSION=v1.15.0

cache_root="${CALLCENTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/callcenter-operator}"
bin_dir="$cache_root/bin"
build_root="$cache_root/build"
mkdir -p "$bin_dir" "$build_root"
export GOFLAGS="${GOFLAGS:-} -p=2 -trimpath"
export GOTOOLCHAIN=local
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

log() { echo "build-tools: $*" >&2; }

wanted=" ${CALLCENTER_TOOLS:-etcd kube-apiserver kube-controller-manager kubectl helm kube-scheduler kube-proxy kubelet coredns} "
wants() { [[ "$wanted" == *" $1 "* ]]; }

# Atomic install: build to a temp name, then rename, so an interrupted build never leaves a broken binary.
install_binary() { mv -f "$1" "$2"; chmod 0755 "$2"; }

build_kubernetes() {
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local staging_version="v0.${KUBERNETES_VERSION#v1.}"
  local want=(kube-apiserver kube-controller-manager kubectl kube-scheduler kube-proxy kubelet)
  local missing=()
  for tool in "${want[@]}"; do
    wants "$tool" || continue
    [ -x "$bin_dir/$tool-$KUBERNETES_VERSION" ] || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local dir="$build_root/kubernetes-$KUBERNETES_VERSION"
  mkdir -p "$dir"
  local upstream_mod
  upstream_mod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
  # k8s.io/kubernetes points every staging module at ./staging/... with version v0.0.0; the wrapper
  # replaces each with its published v0.<minor>.<patch>, derived from the tag's own go.mod.
  {
    echo "module callcenter.dev/tools/kubernetes"
    echo
    echo "go $(sed -n 's/^go //p' "$upstream_mod")"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[^ ]*\) => ./staging/src/.*#\t\1 => \1 '"$staging_version"'#p' "$upstream_mod"
    echo ")"
  } > "$dir/go.mod"
  local version_pkg=k8s.io/component-base/version client_version_pkg=k8s.io/client-go/pkg/version
  local ldflags="-s -w"
  for pkg in $version_pkg $client_version_pkg; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  # One go build for every missing binary: the packages they share (most of them) are loaded and compiled
  # once, and one binary links while the next one's packages compile.
  local pkgs=("${missing[@]/#/k8s.io/kubernetes/cmd/}") out="$build_root/kubernetes-$KUBERNETES_VERSION-out"
  log "building ${missing[*]} $KUBERNETES_VERSION"
  rm -rf "$out" && mkdir -p "$out"
  (cd "$dir" && go get "${pkgs[@]/%/@$KUBERNETES_VERSION}" >&2 && go build -ldflags "$ldflags" -o "$out/" "${pkgs[@]}")
  for tool in "${missing[@]}"; do
    install_binary "$out/$tool" "$bin_dir/$tool-$KUBERNETES_VERSION"
  done
  rm -rf "$out"
}

build_etcd() {
  wants etcd || return 0
  [ -x "$bin_dir/etcd-$ETCD_VERSION" ] && return 0
  local dir="$build_root/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  # etcd's server module has replace directives too; a wrapper whose main calls etcdmain builds it.
  cat > "$dir/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  cat > "$dir/go.mod" <<GOMOD
module callcenter.dev/tools/etcd

go 1.24

require (
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
	go.etcd.io/etcd/api/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/pkg/v3 $ETCD_VERSION
	go.etcd.io/etcd/client/v3 $ETCD_VERSION
	go.etcd.io/etcd/pkg/v3 $ETCD_VERSION
)
GOMOD
  log "building etcd $ETCD_VERSION"
  (cd "$dir" && go mod tidy >&2 && go build -ldflags "-s -w" -o "$bin_dir/.etcd.tmp" .)
  install_binary "$bin_dir/.etcd.tmp" "$bin_dir/etcd-$ETCD_VERSION"
}

build_helm() {
  wants helm || return 0
  [ -x "$bin_dir/helm-$HELM_VERSION" ] && return 0
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local dir="$build_root/helm-$HELM_VERSION"
  mkdir -p "$dir"
  log "building helm $HELM_VERSION"
  # Without the k8sVersion flags `helm template` assumes Kubernetes 1.20.
  GOBIN="$dir" go install -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  install_binary "$dir/helm" "$bin_dir/helm-$HELM_VERSION"
}

# CoreDNS for the one-node cluster's DNS, with only the plugins it uses: a wrapper whose main sets the
# directive list (in CoreDNS's own order) and imports just those plugins, instead of the 60 of a full build.
build_coredns() {
  wants coredns || return 0
  [ -x "$bin_dir/coredns-$COREDNS_VERSION" ] && return 0
  local dir="$build_root/coredns-$COREDNS_VERSION"
  mkdir -p "$dir"
  cat > "$dir/main.go" <<'GO'
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "cache", "kubernetes", "forward"}
}

func main() { coremain.Run() }
GO
  cat > "$dir/go.mod" <<GOMOD
module callcenter.dev/tools/coredns

go 1.26

require github.com/coredns/coredns $COREDNS_VERSION
GOMOD
  log "building coredns $COREDNS_VERSION"
  (cd "$dir" && go mod tidy >&2 && go build -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION" \
    -o "$bin_dir/.coredns.tmp" .)
  install_binary "$bin_dir/.coredns.tmp" "$bin_dir/coredns-$COREDNS_VERSION"
}

build_etcd
build_helm
build_kubernetes
build_coredns

# Stable names for scripts and tests, pointing at the pinned versions.
for link in etcd:$ETCD_VERSION helm:$HELM_VERSION kube-apiserver:$KUBERNETES_VERSION \
            kube-controller-manager:$KUBERNETES_VERSION kubectl:$KUBERNETES_VERSION \
            kube-scheduler:$KUBERNETES_VERSION kube-proxy:$KUBERNETES_VERSION kubelet:$KUBERNETES_VERSION \
            coredns:$COREDNS_VERSION; do
  [ -x "$bin_dir/${link%%:*}-${link#*:}" ] || continue
  ln -sfn "${link%%:*}-${link#*:}" "$bin_dir/${link%%:*}"
done
echo "$bin_dir"
