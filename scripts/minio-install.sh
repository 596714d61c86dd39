#!/usr/bin/env bash
# Puts a MinIO server binary at .tools/bin/minio (gitignored) for the tests that need a real S3
# server verifying signatures (test/helpers/minio.ts). MinIO is a Go module, built with
# `go install` at a pinned version; the build takes minutes on 2 cores, so the binary is cached
# per version in ~/.cache/tams-server/ and later runs only link it.
set -euo pipefail
cd "$(dirname "$0")/.."

MODULE=github.com/minio/minio
VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
CACHE="${TAMS_MINIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tams-server/minio-$VERSION}"

if [ ! -x "$CACHE/minio" ]; then
  if ! command -v go >/dev/null; then
    echo "minio-install: go is needed to build MinIO ($MODULE@$VERSION)" >&2
    exit 1
  fi
  echo "== building MinIO $VERSION with $(go version | cut -d' ' -f3) (a few minutes)"
  build=$(mktemp -d)
  GOBIN="$build" go install "$MODULE@$VERSION"
  mkdir -p "$CACHE"
  # Moved in whole, so an interrupted build never leaves a half-written binary in the cache.
  mv "$build/minio" "$CACHE/minio.tmp"
  mv "$CACHE/minio.tmp" "$CACHE/minio"
  rm -rf "$build"
fi

mkdir -p .tools/bin
ln -sfn "$CACHE/minio" .tools/bin/minio
echo "== MinIO at .tools/bin/minio ($VERSION)"
