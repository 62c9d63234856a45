{{/*
Names and labels shared by every template. Per-service helpers take a dict:
  (dict "ctx" $ "name" "<service>")
*/}}

{{- define "scp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "scp.fullname" -}}
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

{{- define "scp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of one service's objects (Deployment, Service, HPA, PDB…): <fullname>-<service>. */}}
{{- define "scp.componentName" -}}
{{- printf "%s-%s" (include "scp.fullname" .ctx) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "scp.commonLabels" -}}
helm.sh/chart: {{ include "scp.chart" . }}
app.kubernetes.io/part-of: {{ include "scp.name" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of objects that belong to no single service (ConfigMap, Secret, Ingress…). */}}
{{- define "scp.labels" -}}
{{ include "scp.commonLabels" . }}
app.kubernetes.io/name: {{ include "scp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of one service; immutable once deployed, so keep them minimal. */}}
{{- define "scp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scp.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "scp.componentLabels" -}}
{{ include "scp.commonLabels" .ctx }}
{{ include "scp.selectorLabels" . }}
{{- end }}

{{- define "scp.configMapName" -}}
{{- printf "%s-config" (include "scp.fullname" .) }}
{{- end }}

{{- define "scp.secretName" -}}
{{- if .Values.secret.existingSecret }}
{{- .Values.secret.existingSecret }}
{{- else }}
{{- printf "%s-secrets" (include "scp.fullname" .) }}
{{- end }}
{{- end }}

{{- define "scp.serviceAccountName" -}}
{{- if .ctx.Values.serviceAccount.create }}
{{- include "scp.componentName" . }}
{{- else }}
{{- default "default" .ctx.Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "scp.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The HTTP port a service's probes use: the API port for the gateway, the metrics port otherwise. */}}
{{- define "scp.probePortName" -}}
{{- if .svc.port }}http{{ else }}metrics{{ end }}
{{- end }}
