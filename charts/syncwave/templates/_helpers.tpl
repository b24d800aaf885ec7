{{/*
Names and labels shared by every template.
*/}}

{{/* syncwave.name is the chart name, or nameOverride. */}}
{{- define "syncwave.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
syncwave.fullname prefixes every object: the release name, with the chart
name appended unless the release name already contains it.
*/}}
{{- define "syncwave.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* syncwave.selectorLabels select the controller pods; never change them after a release. */}}
{{- define "syncwave.selectorLabels" -}}
app.kubernetes.io/name: {{ include "syncwave.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* syncwave.labels go on every object. */}}
{{- define "syncwave.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "syncwave.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: syncwave
{{- end -}}

{{/* syncwave.serviceAccountName is the controller's ServiceAccount. */}}
{{- define "syncwave.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "syncwave.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* syncwave.image is repository:tag, or repository@digest. */}}
{{- define "syncwave.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* syncwave.leaderElect is "true" when the controller must elect a leader. */}}
{{- define "syncwave.leaderElect" -}}
{{- if and (ne .Values.sharding.mode "dynamic") (or .Values.controller.leaderElect (gt (int .Values.replicaCount) 1)) -}}
true
{{- end -}}
{{- end -}}

{{/* syncwave.subject is the RBAC subject of the controller's ServiceAccount. */}}
{{- define "syncwave.subject" -}}
- kind: ServiceAccount
  name: {{ include "syncwave.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}

{{/*
syncwave.shards is the JSON list of the controller Deployments: one, except
with sharding.mode static (one per key, and one for the operations without
the key label). Each has a name, a label (syncwave.dev/shard) and extra args.
*/}}
{{- define "syncwave.shards" -}}
{{- $name := include "syncwave.fullname" . -}}
{{- $s := .Values.sharding -}}
{{- $out := list -}}
{{- if eq $s.mode "static" -}}
{{- $out = append $out (dict "name" (printf "%s-unsharded" $name) "label" "unsharded" "args" (list "--watch-label-selector=!sharding.syncwave.dev/key")) -}}
{{- range $s.keys -}}
{{- $out = append $out (dict "name" (printf "%s-shard-%s" $name .) "label" . "args" (list (printf "--watch-label-selector=sharding.syncwave.dev/key=%s" .))) -}}
{{- end -}}
{{- else if eq $s.mode "dynamic" -}}
{{- $out = append $out (dict "name" $name "label" "" "args" (list "--sharding=dynamic" (printf "--shard-group=%s" $name) (printf "--shard-lease-duration=%s" $s.leaseDuration) (printf "--shard-renew-deadline=%s" $s.renewDeadline) (printf "--shard-retry-period=%s" $s.retryPeriod))) -}}
{{- else -}}
{{- $out = append $out (dict "name" $name "label" "" "args" (list)) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
