#!/usr/bin/env bash
# k8s-binaries.sh OUTDIR: build the Kubernetes test binaries from source
# fetched through the Go module proxy (no GCS or GitHub release downloads):
#
#   kube-apiserver, etcd                      envtest (KUBEBUILDER_ASSETS=OUTDIR)
#   kube-controller-manager, kube-scheduler   the simulated cluster (test/cluster)
#   kwok                                      fake nodes and pod lifecycles
#   kubectl                                   for people looking at a demo cluster
#
# `make k8s-binaries` runs it with OUTDIR=${XDG_CACHE_HOME:-$HOME/.cache}/syncwave/k8s/v1.37.2.
#
# Idempotent: a binary already in OUTDIR whose --version matches is kept, so a
# warm run takes about a second. Safe to run concurrently: runs take a lock
# (flock on OUTDIR/.lock) and binaries are moved into place atomically.
# A cold run takes ~6-7 min on 2 cores (kube-apiserver dominates), peaks at
# ~2.6 GiB RSS and fills ~1.3 GiB of module cache and ~4.6 GiB of build cache.
# The recipe and its reasons: ../shared/notes/k8s-binaries.md.
#
# Env knobs:
#   K8S_VERSION   (default 1.37.2)  k8s.io/kubernetes version; staging repos use v0.<minor>.<patch>
#   ETCD_VERSION  (default 3.7.3)   go.etcd.io/etcd/server/v3 version (k8s 1.37 pins etcd 3.7)
#   KWOK_VERSION  (default 0.8.0)   sigs.k8s.io/kwok version
#   COMPONENTS    (default "kube-apiserver etcd kube-controller-manager kube-scheduler kubectl kwok")
#   K8SBIN_WORKDIR  where the wrapper modules are generated (default: a temp dir, removed at exit)
# Needs: Go >= 1.26 and a reachable Go module proxy on a cold run. No cgo.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
OUT=$1
K8S_VERSION=${K8S_VERSION:-1.37.2}
ETCD_VERSION=${ETCD_VERSION:-3.7.3}
KWOK_VERSION=${KWOK_VERSION:-0.8.0}
COMPONENTS=${COMPONENTS:-"kube-apiserver etcd kube-controller-manager kube-scheduler kubectl kwok"}
STAGING_VERSION="v0.${K8S_VERSION#*.}" # 1.37.2 -> v0.37.2

log() { printf '[k8s-binaries] %s\n' "$*" >&2; }
die() { printf '[k8s-binaries] error: %s\n' "$*" >&2; exit 1; }
want() { case " $COMPONENTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

command -v go >/dev/null || die "go is not on PATH (Go >= 1.26 is needed)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# have_version NAME prints the version of OUT/NAME ("" if absent or broken).
have_version() {
  local b="$OUT/$1"
  [ -x "$b" ] || { echo ""; return; }
  case "$1" in
    etcd) "$b" --version 2>/dev/null | sed -n 's/^etcd Version: //p' ;;
    kwok) "$b" --version 2>/dev/null | awk '{print $3}' | sed 's/^v//' ;;
    kubectl) "$b" version --client 2>/dev/null | sed -n 's/^Client Version: v//p' ;;
    *) "$b" --version 2>/dev/null | sed -n 's/^Kubernetes v//p' ;;
  esac
}
wanted_version() {
  case "$1" in
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    *) echo "$K8S_VERSION" ;;
  esac
}
# missing prints the wanted components that are absent or at another version.
missing() {
  local c
  for c in $COMPONENTS; do
    [ "$(have_version "$c")" = "$(wanted_version "$c")" ] || echo "$c"
  done
}
report() {
  local c
  for c in $COMPONENTS; do
    printf '%-24s %-10s %s\n' "$c" "$(have_version "$c")" "$(du -h "$OUT/$c" | cut -f1)" >&2
  done
  log "up to date in $OUT"
}

# One run at a time per OUTDIR. The lock is held until the script exits.
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  log "another run is building into $OUT; waiting for its lock ($OUT/.lock)"
  flock 9
fi

TODO=$(missing | tr '\n' ' ')
if [ -z "${TODO// /}" ]; then
  report
  exit 0
fi
log "to build: $TODO"

GOVERSION=$(go env GOVERSION)
case "$GOVERSION" in
  go1.2[6-9]* | go1.[3-9][0-9]* | go[2-9]*) ;;
  *) log "warning: $GOVERSION found; the Kubernetes $K8S_VERSION sources need Go >= 1.26 (GOTOOLCHAIN may download it)" ;;
esac

export CGO_ENABLED=0 # static binaries; no C toolchain needed
export GOWORK=off    # never pick up a caller's go.work
export GOFLAGS="${GOFLAGS:-} -mod=mod" # never -mod=vendor from the caller
GOPROXY_SHOWN=$(go env GOPROXY)

if [ -n "${K8SBIN_WORKDIR:-}" ]; then
  WORK=$K8SBIN_WORKDIR
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"; rm -f "$OUT"/*.tmp' EXIT
fi

# fetch WHAT CMD...: run a command that downloads modules; on failure, say that
# the proxy is the likely cause.
fetch() {
  local what=$1
  shift
  if ! "$@"; then
    die "cannot download $what via GOPROXY=$GOPROXY_SHOWN: check network access to the Go module proxy"
  fi
}
needs() { case " $TODO " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
timed_build() { # NAME CMD...
  local name=$1 s=$SECONDS
  shift
  log "building $name"
  "$@"
  log "$name built in $((SECONDS - s))s ($(du -h "$OUT/$name" | cut -f1))"
}

# ---------------------------------------------------------------- kubernetes
KUBE_BINS=()
for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  if needs "$c"; then KUBE_BINS+=("$c"); fi
done
if [ ${#KUBE_BINS[@]} -gt 0 ]; then
  # k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces every
  # staging repo (k8s.io/api, client-go, ...) with ./staging/src/... pinned at
  # v0.0.0. A wrapper main module re-points each of them at the published tag.
  D="$WORK/kube"
  mkdir -p "$D"
  KJSON=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" 2>&1) || true
  KMOD=$(printf '%s\n' "$KJSON" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  if [ ! -f "$KMOD" ]; then
    printf '%s\n' "$KJSON" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",*$/go: \1/p' >&2
    die "cannot download k8s.io/kubernetes@v$K8S_VERSION via GOPROXY=$GOPROXY_SHOWN: check network access to the Go module proxy"
  fi
  {
    printf 'module k8sbin.local/kube\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$K8S_VERSION"
    # `k8s.io/x => ./staging/src/k8s.io/x` becomes `k8s.io/x => k8s.io/x v0.X.Y`
    # (sample-* modules are not needed and not all published).
    sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*#\1#p' "$KMOD" | grep -v '^k8s.io/sample-' |
      while read -r m; do printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"; done
    printf ')\n'
  } >"$D/go.mod"
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for c in "${KUBE_BINS[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
    printf ')\n'
  } >"$D/tools.go"
  fetch "the modules of k8s.io/kubernetes@v$K8S_VERSION" bash -c "cd '$D' && go mod tidy"
  MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
  BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  # Without these, --version and /version say v0.0.0-master.
  LDF="-s -w"
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    LDF="$LDF -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean -X $p.buildDate=$BUILD_DATE"
  done
  for c in "${KUBE_BINS[@]}"; do
    timed_build "$c" bash -c "cd '$D' && go build -trimpath -ldflags='$LDF' -o '$OUT/$c.tmp' k8s.io/kubernetes/cmd/$c && mv '$OUT/$c.tmp' '$OUT/$c'"
  done
fi

# ---------------------------------------------------------------- etcd
if needs etcd; then
  # go.etcd.io/etcd/server/v3 has replace directives too; as a dependency of a
  # wrapper module its plain requires are used, so no replace is needed.
  D="$WORK/etcd"
  mkdir -p "$D"
  printf 'module k8sbin.local/etcd\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" >"$D/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$D/tools.go"
  fetch "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" bash -c "cd '$D' && go mod tidy"
  timed_build etcd bash -c "cd '$D' && go build -trimpath -ldflags='-s -w' -o '$OUT/etcd.tmp' go.etcd.io/etcd/server/v3 && mv '$OUT/etcd.tmp' '$OUT/etcd'"
fi

# ---------------------------------------------------------------- kwok
if needs kwok; then
  # sigs.k8s.io/kwok has no replace directives: plain `go install` works.
  # Its Stage objects are not needed here: test/cluster embeds its own.
  fetch "sigs.k8s.io/kwok@v$KWOK_VERSION" go mod download "sigs.k8s.io/kwok@v$KWOK_VERSION"
  timed_build kwok bash -c "GOBIN='$WORK/gobin' go install -trimpath -ldflags='-s -w' 'sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION' && mv '$WORK/gobin/kwok' '$OUT/kwok'"
fi

STILL=$(missing | tr '\n' ' ')
[ -z "${STILL// /}" ] || die "built, but still not at the wanted version: $STILL"
report
