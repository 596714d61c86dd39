#!/usr/bin/env bash
# Usage: scripts/image-tree.sh <dir>
# Lays out <dir> as the Dockerfile's runtime stage lays out /app, since these machines cannot
# build images (no Docker engine): dist/ and ui/dist (run `npm run build` first), bin/, package.json, and
# node_modules with the production dependencies only, installed from the lock file by the npm and
# Node.js on PATH. `npm run smoke:dist -- --image <dir>` then runs the server and CLIs from it.
# Keep the copied files in step with the Dockerfile's COPY lines.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:?usage: $0 <dir>}
for built in dist/src/main.js ui/dist/index.html; do
  if [ ! -f "$built" ]; then
    echo "image-tree: $built is missing: run npm run build first" >&2
    exit 1
  fi
done
rm -rf "$dir"
mkdir -p "$dir/ui"
cp -R dist bin package.json package-lock.json "$dir"/
cp -R ui/dist "$dir/ui/dist"
cd "$dir"
# As in the Dockerfile (and .ci/run): npm install when npm ci refuses the lock file for lacking
# other platforms' optional binaries (its long refusal is left out of the log). onnxruntime-node's
# CUDA download is skipped by package.json's allowScripts, or by the variable where npm predates it.
export ONNXRUNTIME_NODE_INSTALL=skip
if ! npm ci --omit=dev --no-audit --no-fund 2>/dev/null; then
  echo "== image-tree: npm ci refused the lock file; npm install --omit=dev instead"
  npm install --omit=dev --no-audit --no-fund
fi
rm package-lock.json
