{{/* The chart's name, or nameOverride. */}}
{{- define "llm-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: fullnameOverride, else <release>-<chart> (once when they overlap). */}}
{{- define "llm-gateway.fullname" -}}
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

{{- define "llm-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "llm-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "llm-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "llm-gateway.labels" -}}
helm.sh/chart: {{ include "llm-gateway.chart" . }}
{{ include "llm-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "llm-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "llm-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The gateway's variable for each entry of .Values.secrets. */}}
{{- define "llm-gateway.secretVariables" -}}
adminToken: GATEWAY_ADMIN_TOKEN
auditHmacSecret: GATEWAY_AUDIT_HMAC_SECRET
auditSigningKey: GATEWAY_AUDIT_SIGNING_KEY
encryptionKey: GATEWAY_ENCRYPTION_KEY
databaseUrl: GATEWAY_DATABASE_URL
redisUrl: GATEWAY_REDIS_URL
metricsToken: GATEWAY_METRICS_TOKEN
{{- end }}

{{/* Where the ConfigMap is mounted, and the layers GATEWAY_CONFIG_ADDITIONAL_LOCATION lists. */}}
{{- define "llm-gateway.configMountPath" -}}/etc/llm-gateway/config{{- end }}

{{- define "llm-gateway.configLayers" -}}
{{- $dir := include "llm-gateway.configMountPath" . }}
{{- $files := list (printf "%s/application.yml" $dir) }}
{{- if .Values.policies }}{{ $files = append $files (printf "%s/policies.yml" $dir) }}{{ end }}
{{- if .Values.pricing }}{{ $files = append $files (printf "%s/pricing.yml" $dir) }}{{ end }}
{{- join "," $files }}
{{- end }}

{{/* SQLite in the pod: no database URL. */}}
{{- define "llm-gateway.sqlite" -}}
{{- if not .Values.secrets.databaseUrl.existingSecret }}true{{ end }}
{{- end }}

{{/* Refusals the schema cannot express. */}}
{{- define "llm-gateway.validate" -}}
{{- if and (include "llm-gateway.sqlite" .) (or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled) }}
{{- fail "several replicas need a shared database: set secrets.databaseUrl (PostgreSQL), or keep replicaCount 1 and autoscaling off for SQLite" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas" }}
{{- end }}
{{- if and .Values.sqlite.existingClaim .Values.secrets.databaseUrl.existingSecret }}
{{- fail "sqlite.existingClaim is for SQLite: drop it when secrets.databaseUrl is set" }}
{{- end }}
{{- $tgps := .Values.terminationGracePeriodSeconds }}
{{- if and (not (kindIs "invalid" $tgps)) (le (int $tgps) (int (add .Values.preStopSleepSeconds .Values.shutdownGraceSeconds))) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + shutdownGraceSeconds (%d), or the gateway is killed before its queues are flushed" (int $tgps) (int (add .Values.preStopSleepSeconds .Values.shutdownGraceSeconds))) }}
{{- end }}
{{- end }}

{{- define "llm-gateway.terminationGracePeriodSeconds" -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add .Values.preStopSleepSeconds .Values.shutdownGraceSeconds 15 }}
{{- else }}
{{- int .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}
