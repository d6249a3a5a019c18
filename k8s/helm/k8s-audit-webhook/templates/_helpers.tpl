{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "k8s-audit-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: the release name, plus the chart name unless it already holds it. */}}
{{- define "k8s-audit-webhook.fullname" -}}
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

{{- define "k8s-audit-webhook.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "k8s-audit-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector of the receiver pods. */}}
{{- define "k8s-audit-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "k8s-audit-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: receiver
{{- end }}

{{/* Selector of the evaluation MariaDB pod. */}}
{{- define "k8s-audit-webhook.mariadbSelectorLabels" -}}
app.kubernetes.io/name: {{ include "k8s-audit-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: mariadb
{{- end }}

{{- define "k8s-audit-webhook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "k8s-audit-webhook.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret whose keys become the receiver's environment. */}}
{{- define "k8s-audit-webhook.secretName" -}}
{{- default (include "k8s-audit-webhook.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* "sqlite" or "mysql", from what is configured. */}}
{{- define "k8s-audit-webhook.storage" -}}
{{- if or .Values.database.external.host .Values.mariadb.enabled }}mysql{{ else }}sqlite{{ end }}
{{- end }}

{{- define "k8s-audit-webhook.mariadbHost" -}}
{{- printf "%s-mariadb" (include "k8s-audit-webhook.fullname" .) }}
{{- end }}

{{/* Secret mounted at /etc/audit-webhook/tls. */}}
{{- define "k8s-audit-webhook.tlsSecretName" -}}
{{- if .Values.tls.certManager.enabled }}
{{- printf "%s-tls" (include "k8s-audit-webhook.fullname" .) }}
{{- else }}
{{- .Values.tls.existingSecret }}
{{- end }}
{{- end }}

{{/* Where the rules ConfigMap is mounted; RULES_FILES names files in it. */}}
{{- define "k8s-audit-webhook.rulesDir" -}}
/etc/audit-webhook/rules
{{- end }}

{{/* The ConfigMap of users' rules files mounted in the pod, or "" when there is none. */}}
{{- define "k8s-audit-webhook.rulesConfigMapName" -}}
{{- if .Values.detection.enabled }}
{{- if .Values.detection.existingRulesConfigMap }}
{{- .Values.detection.existingRulesConfigMap }}
{{- else if .Values.detection.customRules }}
{{- printf "%s-rules" (include "k8s-audit-webhook.fullname" .) }}
{{- end }}
{{- end }}
{{- end }}

{{/* RULES_FILES: the mounted rules files, in load order (customRules: by file name). */}}
{{- define "k8s-audit-webhook.rulesFiles" -}}
{{- $dir := include "k8s-audit-webhook.rulesDir" . }}
{{- $files := list }}
{{- if .Values.detection.existingRulesConfigMap }}
{{- range .Values.detection.existingRulesFiles }}
{{- $files = append $files (printf "%s/%s" $dir .) }}
{{- end }}
{{- else }}
{{- range $name, $_ := .Values.detection.customRules }}
{{- $files = append $files (printf "%s/%s" $dir $name) }}
{{- end }}
{{- end }}
{{- join "," $files }}
{{- end }}

{{/* The TCP port of detection.falcosidekickUrl: explicit, or the scheme's default. */}}
{{- define "k8s-audit-webhook.falcosidekickPort" -}}
{{- $url := urlParse .Values.detection.falcosidekickUrl }}
{{- $port := regexFind ":[0-9]+$" $url.host | trimPrefix ":" }}
{{- default (ternary "443" "80" (eq $url.scheme "https")) $port }}
{{- end }}

{{/* Where the sources ConfigMap is mounted; SOURCES_FILE names a file in it. */}}
{{- define "k8s-audit-webhook.sourcesDir" -}}
/etc/audit-webhook/sources
{{- end }}

{{/* The ConfigMap holding the sources file, or "" when no managed-cluster source is configured. */}}
{{- define "k8s-audit-webhook.sourcesConfigMapName" -}}
{{- if .Values.sources.existingConfigMap }}
{{- .Values.sources.existingConfigMap }}
{{- else if .Values.sources.list }}
{{- printf "%s-sources" (include "k8s-audit-webhook.fullname" .) }}
{{- end }}
{{- end }}

{{/* SOURCES_FILE: the mounted sources file (sources.list: sources.yaml; or the existing key). */}}
{{- define "k8s-audit-webhook.sourcesFile" -}}
{{- $key := ternary .Values.sources.existingConfigMapKey "sources.yaml" (not (empty .Values.sources.existingConfigMap)) }}
{{- printf "%s/%s" (include "k8s-audit-webhook.sourcesDir" .) $key }}
{{- end }}

{{- define "k8s-audit-webhook.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Settings that cannot work together stop the install with a message instead of a broken pod. */}}
{{- define "k8s-audit-webhook.validate" -}}
{{- $sqlite := eq (include "k8s-audit-webhook.storage" .) "sqlite" }}
{{- if and $sqlite (gt (int .Values.replicaCount) 1) }}
{{- fail "SQLite is a single file on one volume: replicaCount must be 1. Set database.external.host (or mariadb.enabled) to run more replicas." }}
{{- end }}
{{- if and $sqlite .Values.autoscaling.enabled }}
{{- fail "autoscaling.enabled needs a MySQL/MariaDB database: SQLite allows exactly one replica." }}
{{- end }}
{{- if and .Values.mariadb.enabled .Values.database.external.host }}
{{- fail "Set either mariadb.enabled or database.external.host, not both." }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.certManager.enabled) (not .Values.tls.existingSecret) }}
{{- fail "tls.enabled needs tls.certManager.enabled or tls.existingSecret." }}
{{- end }}
{{- if and .Values.tls.certManager.enabled (not .Values.tls.certManager.issuerRef.name) }}
{{- fail "tls.certManager.enabled needs tls.certManager.issuerRef.name." }}
{{- end }}
{{- if and .Values.tls.clientCa.enabled (not .Values.tls.enabled) }}
{{- fail "tls.clientCa.enabled (mutual TLS) needs tls.enabled." }}
{{- end }}
{{- $auth := or .Values.webhook.token .Values.webhook.tokens .Values.existingSecret .Values.tls.clientCa.enabled .Values.webhook.allowUnauthenticated }}
{{- if and (eq .Values.environment "production") (not $auth) }}
{{- fail "Production needs webhook authentication: set webhook.tokens (or webhook.token, existingSecret, tls.clientCa.enabled)." }}
{{- end }}
{{- $login := or .Values.auth.consoleUsers .Values.auth.apiTokens .Values.auth.oidc.issuerUrl .Values.existingSecret (eq .Values.auth.consoleAuth "none") }}
{{- if and (eq .Values.environment "production") (not $login) }}
{{- fail "Production needs a login for the console and /api: set auth.oidc.issuerUrl (with clientId and redirectUrl), auth.consoleUsers (hashes from npm run hash-password) or auth.apiTokens (or put them in existingSecret); or auth.consoleAuth=none when a proxy in front authenticates every request." }}
{{- end }}
{{- $sessions := or .Values.auth.consoleUsers .Values.auth.oidc.issuerUrl }}
{{- if and (eq .Values.environment "production") $sessions (not .Values.auth.sessionSecret) (not .Values.existingSecret) }}
{{- fail "auth.sessionSecret is required with auth.consoleUsers or OIDC: every replica signs session cookies with it (openssl rand -hex 32)." }}
{{- end }}
{{- if and .Values.auth.oidc.issuerUrl (not (and .Values.auth.oidc.clientId .Values.auth.oidc.redirectUrl)) }}
{{- fail "auth.oidc.issuerUrl needs auth.oidc.clientId and auth.oidc.redirectUrl (https://<host>/auth/callback)." }}
{{- end }}
{{- $detection := .Values.detection }}
{{- if $detection.enabled }}
{{- if and $detection.customRules $detection.existingRulesConfigMap }}
{{- fail "Set either detection.customRules or detection.existingRulesConfigMap, not both: one ConfigMap is mounted at /etc/audit-webhook/rules." }}
{{- end }}
{{- if and $detection.existingRulesConfigMap (not $detection.existingRulesFiles) }}
{{- fail "detection.existingRulesConfigMap needs detection.existingRulesFiles: the keys of the ConfigMap to load, in order (RULES_FILES)." }}
{{- end }}
{{- if and $detection.existingRulesFiles (not $detection.existingRulesConfigMap) }}
{{- fail "detection.existingRulesFiles names keys of detection.existingRulesConfigMap, which is not set (use detection.customRules for rules kept in the values)." }}
{{- end }}
{{- range $name, $_ := $detection.customRules }}
{{- if not (regexMatch "^[-._a-zA-Z0-9]+$" $name) }}
{{- fail (printf "detection.customRules: %q is not a file name a ConfigMap accepts (letters, digits, '-', '_', '.'; no commas or slashes)." $name) }}
{{- end }}
{{- end }}
{{- range $detection.existingRulesFiles }}
{{- if not (regexMatch "^[-._a-zA-Z0-9]+$" .) }}
{{- fail (printf "detection.existingRulesFiles: %q is not a ConfigMap key (letters, digits, '-', '_', '.'; no commas or slashes)." .) }}
{{- end }}
{{- end }}
{{- if and (not $detection.defaultRules) (not $detection.customRules) (not $detection.existingRulesConfigMap) }}
{{- fail "detection.defaultRules=false leaves no rules to run: add detection.customRules or detection.existingRulesConfigMap, or set detection.enabled=false to turn detections off." }}
{{- end }}
{{- if and $detection.falcosidekickUrl (not (regexMatch "^https?://[^/:]+(:[0-9]+)?(/.*)?$" $detection.falcosidekickUrl)) }}
{{- fail "detection.falcosidekickUrl must be an http(s) URL of Falcosidekick, e.g. http://falcosidekick.falco:2801/." }}
{{- end }}
{{- end }}
{{- $sources := .Values.sources }}
{{- if and $sources.list $sources.existingConfigMap }}
{{- fail "Set either sources.list or sources.existingConfigMap, not both: one sources file is mounted at /etc/audit-webhook/sources." }}
{{- end }}
{{- if and $sources.existingConfigMap (not (regexMatch "^[-._a-zA-Z0-9]+$" $sources.existingConfigMapKey)) }}
{{- fail "sources.existingConfigMapKey must be a ConfigMap key (letters, digits, '-', '_', '.')." }}
{{- end }}
{{- if and $sources.envFromSecret (not (or $sources.list $sources.existingConfigMap)) }}
{{- fail "sources.envFromSecret is set but no source is: add sources.list (or sources.existingConfigMap)." }}
{{- end }}
{{- $names := "," }}
{{- range $i, $entry := $sources.list }}
{{- if not (kindIs "map" $entry) }}
{{- fail (printf "sources.list[%d] must be a mapping with name and kind (docs/managed-clusters.md)." $i) }}
{{- end }}
{{- $name := printf "%v" (default "" $entry.name) }}
{{- if not (and (regexMatch "^[a-z0-9][a-z0-9-]*$" $name) (eq (trunc 63 $name) $name)) }}
{{- fail (printf "sources.list[%d]: name must be 1-63 characters of a-z, 0-9 and - (it names the source's lease, checkpoint and metrics)." $i) }}
{{- end }}
{{- if contains (printf ",%s," $entry.name) $names }}
{{- fail (printf "sources.list[%d]: the name %q is used by another source." $i $entry.name) }}
{{- end }}
{{- $names = printf "%s%s," $names $entry.name }}
{{- if not (regexMatch "^(gke-pubsub|aks-blob|eks-cloudwatch)$" (printf "%v" (default "" $entry.kind))) }}
{{- fail (printf "sources.list[%d] (%s): kind must be one of gke-pubsub, aks-blob, eks-cloudwatch." $i $entry.name) }}
{{- end }}
{{- range $field, $value := $entry }}
{{- /* The file names the variables holding secrets; a secret itself must never land in the ConfigMap. */}}
{{- if and (regexMatch "Env$" $field) (not (regexMatch "^[A-Za-z_][A-Za-z0-9_]*$" (printf "%v" $value))) }}
{{- fail (printf "sources.list[%d] (%s): %s must be the NAME of an environment variable (e.g. AKS_PROD_STORAGE, a key of sources.envFromSecret), not its value: secrets never go in the sources ConfigMap." $i $entry.name $field) }}
{{- end }}
{{- if regexMatch "([Ss]ecret|[Pp]assword|[Tt]oken|[Kk]ey|[Cc]onnectionString|[Cc]redentials)$" $field }}
{{- fail (printf "sources.list[%d] (%s): %s looks like a secret; the sources file only names environment variables holding secrets (connectionStringEnv, sasTokenEnv, credentialsFileEnv), set from sources.envFromSecret." $i $entry.name $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
