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
{{- end }}
