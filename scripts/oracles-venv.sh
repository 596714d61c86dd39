#!/usr/bin/env bash
# Creates .venv-oracles (gitignored), the Python virtual environment of the project's test oracles
# and tools (schemathesis for `npm run fuzz`), and installs scripts/oracles-requirements.txt into it:
# exact versions, every file checked against its recorded hash (pip --require-hashes). pip keeps
# its download cache in ~/.cache/pip. Does nothing when the environment already holds that file's
# packages for this Python. Prints the environment's path on stdout.
#
# `scripts/oracles-venv.sh newest` does the same for .venv-oracles-newest and
# scripts/oracles-newest-requirements.txt: VAST's SDK at its newest release, beside the pinned one.
# `scripts/oracles-venv.sh examples` makes .venv-tams-examples from
# scripts/tams-examples-requirements.txt: what BBC's example clients need (test/bbc-examples/).
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  "")
    VENV="${TAMS_ORACLES_VENV:-$PWD/.venv-oracles}"
    REQUIREMENTS=scripts/oracles-requirements.txt
    ;;
  newest)
    VENV="${TAMS_ORACLES_NEWEST_VENV:-$PWD/.venv-oracles-newest}"
    REQUIREMENTS=scripts/oracles-newest-requirements.txt
    ;;
  examples)
    VENV="${TAMS_EXAMPLES_VENV:-$PWD/.venv-tams-examples}"
    REQUIREMENTS=scripts/tams-examples-requirements.txt
    ;;
  *)
    echo "usage: scripts/oracles-venv.sh [newest|examples]" >&2
    exit 2
    ;;
esac
PYTHON="${PYTHON:-python3}"

want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
stamp="$VENV/.requirements-installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
  echo "$VENV"
  exit 0
fi

echo "== oracles: installing $REQUIREMENTS into $VENV" >&2
if ! "$PYTHON" -m venv --clear "$VENV" >&2; then
  # Debian's own Python ships venv (ensurepip) as a separate package.
  echo "== oracles: python3 -m venv failed; installing Debian's python3-venv" >&2
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends python3-venv >&2
  "$PYTHON" -m venv --clear "$VENV" >&2
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
  -r "$REQUIREMENTS" >&2
echo "$want" >"$stamp"
echo "$VENV"
