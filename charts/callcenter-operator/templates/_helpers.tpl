{{/*
The chart name, overridable.
*/}}
{{- define "callcenter-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of every object: the release name, plus the chart name unless the release name has it.
*/}}
{{- define "callcenter-operator.fullname" -}}
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

{{- define "callcenter-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "callcenter-operator.labels" -}}
helm.sh/chart: {{ include "callcenter-operator.chart" . }}
{{ include "callcenter-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: callcenter-operator
{{- end }}

{{/*
Labels that select the operator pods (immutable in a Deployment's selector: never add to these).
*/}}
{{- define "callcenter-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "callcenter-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "callcenter-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "callcenter-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The namespace of the leader-election Lease.
*/}}
{{- define "callcenter-operator.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/*
The operator image reference.
*/}}
{{- define "callcenter-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
A workload image: the per-service override, or the callcenter workloads image. Call with
(list $ "login").
*/}}
{{- define "callcenter-operator.workloadImage" -}}
{{- $root := index . 0 }}
{{- $service := index . 1 }}
{{- $images := $root.Values.workloadImages }}
{{- $override := index $images $service }}
{{- if $override }}
{{- $override }}
{{- else }}
{{- printf "%s:%s" $images.callcenter.repository (default $root.Chart.AppVersion $images.callcenter.tag) }}
{{- end }}
{{- end }}

{{/*
Whether RBAC is namespaced (Roles in watchNamespace) rather than cluster-wide.
*/}}
{{- define "callcenter-operator.namespaced" -}}
{{- if .Values.watchNamespace }}true{{ end }}
{{- end }}
