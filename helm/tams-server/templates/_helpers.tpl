{{/* Chart name, trimmed to Kubernetes' 63-character limit. */}}
{{- define "tams-server.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name of every object. */}}
{{- define "tams-server.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tams-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tams-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tams-server.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "tams-server.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The Secret the pod takes environment variables from, if any. */}}
{{- define "tams-server.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else if .Values.secrets.values }}
{{- include "tams-server.fullname" . }}
{{- end }}
{{- end }}

{{/* Settings the chart owns: given in `config` they would silently lose to the chart's. */}}
{{- define "tams-server.reservedSettings" -}}
TAMS_HOST TAMS_PORT TAMS_DATA_DIR TAMS_SHUTDOWN_TIMEOUT_SECONDS TAMS_STORAGE_BACKENDS TAMS_STORAGE_BACKENDS_FILE TAMS_DB TAMS_VAST_ENDPOINTS TAMS_VAST_BUCKET TAMS_VAST_SCHEMA TAMS_VAST_REGION TAMS_VAST_ACCESS_KEY TAMS_VAST_SECRET_KEY TAMS_POSTGRES_URL TAMS_POSTGRES_SCHEMA TAMS_POSTGRES_POOL TAMS_POSTGRES_TLS TAMS_POSTGRES_CA_FILE
{{- end }}

{{/* "true" for an engine many pods may share (VAST DataBase, PostgreSQL), not the embedded file. */}}
{{- define "tams-server.sharedEngine" -}}
{{- if has .Values.store.engine (list "vast" "postgres") }}true{{ end }}
{{- end }}

{{/*
"true" when a shared database has several pods at once: replicaCount above 1, or an autoscaler.
Such pods share nothing but the database and S3, so what they keep under /data is pod-local.
*/}}
{{- define "tams-server.scaled" -}}
{{- if and (include "tams-server.sharedEngine" .) (or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1)) }}true{{ end }}
{{- end }}

{{/* Where the PostgreSQL CA file is mounted (store.postgres.ca), and the file TAMS_POSTGRES_CA_FILE names. */}}
{{- define "tams-server.postgresCaDir" -}}/etc/tams-postgres{{- end }}
{{- define "tams-server.postgresCaFile" -}}{{ include "tams-server.postgresCaDir" . }}/ca.crt{{- end }}

{{/* "true" when the pod mounts a CA for PostgreSQL's certificate. */}}
{{- define "tams-server.postgresCa" -}}
{{- if and (eq .Values.store.engine "postgres") (or .Values.store.postgres.ca.secret .Values.store.postgres.ca.configMap) }}true{{ end }}
{{- end }}

{{/* "true" when media may land in the fs store under /data: no backend list, or an fs entry in it. */}}
{{- define "tams-server.fsMedia" -}}
{{- if not .Values.storageBackends }}true
{{- else }}
{{- range .Values.storageBackends }}{{ if eq (toString .kind) "fs" }}true{{ end }}{{ end }}
{{- end }}
{{- end }}

{{/*
"true" when the first admin credentials are given, so that no pod generates a token into its own
/data: the bootstrap token from a Secret (auth.bootstrapAdminToken, or secrets.values when the
chart renders the Secret), a bootstrap user (the server refuses to start without its password),
JWTs, or no authentication at all.
*/}}
{{- define "tams-server.firstCredentials" -}}
{{- $config := .Values.config }}
{{- $rendered := dict }}
{{- if not .Values.secrets.existingSecret }}{{ $rendered = .Values.secrets.values | default dict }}{{ end }}
{{- if or .Values.auth.bootstrapAdminToken.existingSecret (get $rendered "TAMS_BOOTSTRAP_ADMIN_TOKEN") (get $rendered "TAMS_JWT_KEY") }}true
{{- else if or $config.TAMS_JWT_JWKS_URL $config.TAMS_JWT_KEY $config.TAMS_BOOTSTRAP_ADMIN_USER }}true
{{- else if eq (toString $config.TAMS_AUTH) "none" }}true
{{- end }}
{{- end }}

{{/*
"true" when the pod mounts the PersistentVolumeClaim at /data: the embedded engine's DuckDB file
lives there; on a shared database only a single pod uses it, and only for what must outlive the pod (fs media,
or the admin token generated at first start). A claim (ReadWriteOnce) is one pod's: a pod with it
is replaced with Recreate, a pod without it with a rolling update.
*/}}
{{- define "tams-server.claim" -}}
{{- if .Values.persistence.enabled }}
{{- if eq .Values.store.engine "embedded" }}true
{{- else if and (not (include "tams-server.scaled" .)) (or (include "tams-server.fsMedia" .) (not (include "tams-server.firstCredentials" .))) }}true
{{- end }}
{{- end }}
{{- end }}

{{/* Refuses values that cannot work, with the reason. */}}
{{- define "tams-server.validate" -}}
{{- if not (has .Values.store.engine (list "embedded" "vast" "postgres")) }}
{{- fail (printf "store.engine: %q is not an engine of this version (\"embedded\", \"vast\" or \"postgres\")" .Values.store.engine) }}
{{- end }}
{{- if eq .Values.store.engine "embedded" }}
{{- if ne (int .Values.replicaCount) 1 }}
{{- fail (printf "replicaCount: the embedded engine keeps its DuckDB file on one volume, which one process may open: replicaCount must be 1 (got %v). Several replicas share a VAST or PostgreSQL database instead (store.engine=vast or postgres, docs/replicas.md)" .Values.replicaCount) }}
{{- end }}
{{- if .Values.autoscaling.enabled }}
{{- fail "autoscaling.enabled: the embedded engine runs exactly one pod (its DuckDB file admits one process), so there is nothing to autoscale: autoscaling needs a shared database (store.engine=vast or postgres)" }}
{{- end }}
{{- end }}
{{- if eq .Values.store.engine "vast" }}
{{- $vast := .Values.store.vast }}
{{- range $key := list "endpoints" "bucket" "schema" "credentialsSecret" "accessKeyKey" "secretKeyKey" }}
{{- if not (index $vast $key) }}
{{- fail (printf "store.vast.%s: required with store.engine=vast" $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq .Values.store.engine "postgres" }}
{{- $pg := .Values.store.postgres }}
{{- range $key := list "existingSecret" "urlKey" "schema" }}
{{- if not (index $pg $key) }}
{{- fail (printf "store.postgres.%s: required with store.engine=postgres (the connection URL comes from a Secret, never from the values)" $key) }}
{{- end }}
{{- end }}
{{- if not (regexMatch "^[a-z_][a-z0-9_]{0,62}$" (toString $pg.schema)) }}
{{- fail (printf "store.postgres.schema: %q is not a schema name the server takes (lower-case letters, digits and _, 63 at most, not starting with a digit)" $pg.schema) }}
{{- end }}
{{- if lt (int $pg.pool) 1 }}
{{- fail (printf "store.postgres.pool: at least 1 connection (got %v)" $pg.pool) }}
{{- end }}
{{- if not (has (toString $pg.tls) (list "url" "off" "verify" "insecure")) }}
{{- fail (printf "store.postgres.tls: %q is not one of url, off, verify, insecure" $pg.tls) }}
{{- end }}
{{- if and $pg.ca.secret $pg.ca.configMap }}
{{- fail "store.postgres.ca: a Secret or a ConfigMap, not both" }}
{{- end }}
{{- if and (or $pg.ca.secret $pg.ca.configMap) (ne (toString $pg.tls) "verify") }}
{{- fail (printf "store.postgres.ca: a CA is used only with store.postgres.tls=verify (got %q)" $pg.tls) }}
{{- end }}
{{- if and (or $pg.ca.secret $pg.ca.configMap) (not $pg.ca.key) }}
{{- fail "store.postgres.ca.key: the key of the CA certificate in its Secret or ConfigMap is required" }}
{{- end }}
{{- end }}
{{- if include "tams-server.sharedEngine" . }}
{{- if lt (int .Values.replicaCount) 1 }}
{{- fail (printf "replicaCount: at least 1 (got %v); scale to 0 with kubectl, not with the chart" .Values.replicaCount) }}
{{- end }}
{{- end }}
{{- if .Values.auth.bootstrapAdminToken.existingSecret }}
{{- if not .Values.auth.bootstrapAdminToken.key }}
{{- fail "auth.bootstrapAdminToken.key: the key of the token in auth.bootstrapAdminToken.existingSecret is required" }}
{{- end }}
{{- end }}
{{- if include "tams-server.scaled" . }}
{{- $pods := printf "replicaCount %v" .Values.replicaCount }}
{{- if .Values.autoscaling.enabled }}{{ $pods = "an autoscaler" }}{{ end }}
{{- if include "tams-server.fsMedia" . }}
{{- fail (printf "storageBackends: several pods on a shared database (%s) need their media on S3: the fs media store lives under each pod's own /data, which the other pods cannot read. List S3 backends only (docs/storage.md)" $pods) }}
{{- end }}
{{- if not (include "tams-server.firstCredentials" .) }}
{{- fail (printf "auth.bootstrapAdminToken.existingSecret: several pods on a shared database (%s) need the first admin credentials given: the token a server generates on an empty store is kept only in the /data of the pod that made it (an emptyDir, gone with the pod) and is never generated again. Name a Secret holding TAMS_BOOTSTRAP_ADMIN_TOKEN (16+ characters), or configure JWTs (config.TAMS_JWT_JWKS_URL or TAMS_JWT_KEY)" $pods) }}
{{- end }}
{{- end }}
{{- if .Values.autoscaling.enabled }}
{{- $hpa := .Values.autoscaling }}
{{- if or (lt (int $hpa.minReplicas) 1) (lt (int $hpa.maxReplicas) (int $hpa.minReplicas)) }}
{{- fail (printf "autoscaling: 1 <= minReplicas <= maxReplicas (got %v and %v)" $hpa.minReplicas $hpa.maxReplicas) }}
{{- end }}
{{- if not (dig "requests" "cpu" "" (.Values.resources | default dict)) }}
{{- fail "autoscaling: resources.requests.cpu is required: the autoscaler's CPU target is a share of it" }}
{{- end }}
{{- end }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and (include "tams-server.scaled" .) $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "string" $pdb.minAvailable)) }}
{{- $fewest := .Values.replicaCount }}
{{- if .Values.autoscaling.enabled }}{{ $fewest = .Values.autoscaling.minReplicas }}{{ end }}
{{- if ge (int $pdb.minAvailable) (int $fewest) }}
{{- fail (printf "podDisruptionBudget.minAvailable: %v of at least %v pods leaves no pod to evict, so node drains would wait forever: lower it or use maxUnavailable" $pdb.minAvailable $fewest) }}
{{- end }}
{{- end }}
{{- range $key, $_ := .Values.config }}
{{- if not (hasPrefix "TAMS_" $key) }}
{{- fail (printf "config.%s: only TAMS_* settings belong in config (secrets go in secrets.values)" $key) }}
{{- end }}
{{- if has $key (splitList " " (include "tams-server.reservedSettings" $)) }}
{{- fail (printf "config.%s: set by the chart (see values.yaml: store, persistence, shutdown, storageBackends)" $key) }}
{{- end }}
{{- end }}
{{- $shutdown := .Values.shutdown }}
{{- if le (int $shutdown.terminationGracePeriodSeconds) (add (int $shutdown.preStopSleepSeconds) (int $shutdown.timeoutSeconds)) }}
{{- fail "shutdown.terminationGracePeriodSeconds must exceed preStopSleepSeconds + timeoutSeconds (Kubernetes kills the pod at the grace period)" }}
{{- end }}
{{- end }}
