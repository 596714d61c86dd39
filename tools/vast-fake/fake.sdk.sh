#!/usr/bin/env bash
# `npm run vast:sdk:fake`: starts the fake VAST server (fake.main.ts) and drives it with VAST's
# official Python SDK (test/vast/sdk/sdk_against.py), the pinned release from .venv-oracles, or with
# `newest` (`npm run vast:sdk:fake:newest`) the newest release from .venv-oracles-newest
# (scripts/oracles-venv.sh). Exit status: the SDK run's.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="$(bash scripts/oracles-venv.sh ${1:+"$1"})/bin/python"
out="$(mktemp)"
node_modules/.bin/tsx tools/vast-fake/fake.main.ts --fail-queries-on-table fail_me >"$out" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
until grep -q '^ready$' "$out"; do
  kill -0 "$pid" 2>/dev/null || { echo "fake VAST server did not start" >&2; cat "$out" >&2; exit 1; }
  sleep 0.2
done
val() { sed -n "s/^$1=//p" "$out"; }
"$PY" test/vast/sdk/sdk_against.py "$(val url)" "$(val access)" "$(val secret)" "$(val bucket)" \
  --fail-table fail_me
