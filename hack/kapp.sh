#!/usr/bin/env bash
# kapp.sh TARGET VERSION: build kapp (carvel.dev/kapp) at VERSION into TARGET,
# for the W1 benchmark's comparison only (make bench). `go install` of it
# fails here (the proxy refuses the module's version list, which go install
# reads for deprecations), so the module is downloaded and built in a copy
# with its dependencies from the module proxy.
set -euo pipefail
target=$1 version=$2
dir=$(dirname "$target")
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.kapp.XXXXXX")
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
src=$(GOFLAGS= go mod download -json "carvel.dev/kapp@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -r "$src" "$tmp/src"
chmod -R u+w "$tmp/src"
(cd "$tmp/src" && GOFLAGS= GOWORK=off go build -mod=mod -o "$tmp/kapp" ./cmd/kapp)
mv "$tmp/kapp" "$target"
