#!/usr/bin/env bash
# go-install.sh TARGET PACKAGE VERSION: install a Go tool at one version into
# TARGET (a versioned path in the cache), atomically.
set -euo pipefail
target=$1 pkg=$2 version=$3
dir=$(dirname "$target")
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "installing $pkg@$version" >&2
if ! GOBIN="$tmp" GOFLAGS= GOWORK=off go install "$pkg@$version"; then
  echo "error: could not install $pkg@$version; is the Go module proxy ($(go env GOPROXY)) reachable?" >&2
  exit 1
fi
mv "$tmp/$(basename "$pkg")" "$target"
