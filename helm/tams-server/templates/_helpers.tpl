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
TAMS_HOST TAMS_PORT TAMS_DATA_DIR TAMS_SHUTDOWN_TIMEOUT_SECONDS TAMS_STORAGE_BACKENDS TAMS_STORAGE_BACKENDS_FILE TAMS_DB TAMS_VAST_ENDPOINTS TAMS_VAST_BUCKET TAMS_VAST_SCHEMA TAMS_VAST_REGION TAMS_VAST_ACCESS_KEY TAMS_VAST_SECRET_KEY
{{- end }}

{{/* Refuses values that cannot work, with the reason. */}}
{{- define "tams-server.validate" -}}
{{- if not (has .Values.store.engine (list "embedded" "vast")) }}
{{- fail (printf "store.engine: %q is not an engine of this version (\"embedded\" or \"vast\")" .Values.store.engine) }}
{{- end }}
{{- if ne (int .Values.replicaCount) 1 }}
{{- if eq .Values.store.engine "vast" }}
{{- fail (printf "replicaCount: this version runs one replica on VAST DataBase too (several replicas sharing a database come with a later version): replicaCount must be 1 (got %v)" .Values.replicaCount) }}
{{- else }}
{{- fail (printf "replicaCount: the embedded engine keeps its DuckDB file on one volume, which one process may open: replicaCount must be 1 (got %v)" .Values.replicaCount) }}
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
