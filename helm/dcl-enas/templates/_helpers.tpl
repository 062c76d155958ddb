{{/* Names and labels shared by every template. */}}
{{- define "dcl-enas.fullname" -}}
{{- printf "%s" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "dcl-enas.labels" -}}
app.kubernetes.io/part-of: dcl-enas
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "dcl-enas.image" -}}
{{- $root := index . 0 -}}{{- $repository := index . 1 -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $repository $root.Values.image.tag -}}
{{- end -}}

{{- define "dcl-enas.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" (include "dcl-enas.fullname" .) -}}
{{- else -}}
{{- required "nats.externalUrl is required when nats.enabled is false" .Values.nats.externalUrl -}}
{{- end -}}
{{- end -}}

{{- define "dcl-enas.dataClaim" -}}
{{- default (printf "%s-data" (include "dcl-enas.fullname" .)) .Values.data.existingClaim -}}
{{- end -}}

{{- define "dcl-enas.cacheClaim" -}}
{{- default (printf "%s-cache" (include "dcl-enas.fullname" .)) .Values.cache.persistentVolumeClaim.existingClaim -}}
{{- end -}}

{{- define "dcl-enas.podSecurity" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "dcl-enas.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/*
One service Deployment. Arguments (a dict): root (the chart's top scope), name, component,
port, replicas (left out: no replicas field, for an autoscaler to own), resources, extraEnv
(list), gpu (bool), serviceAccountToken (bool).
*/}}
{{- define "dcl-enas.deployment" -}}
{{- $root := .root -}}
{{- $fullname := include "dcl-enas.fullname" $root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}-{{ .name }}
  labels:
    {{- include "dcl-enas.labels" $root | nindent 4 }}
    app.kubernetes.io/name: {{ .name }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if hasKey . "replicas" }}
  replicas: {{ .replicas }}
  {{- end }}
  {{- if eq .name "orchestrator" }}
  strategy:
    type: Recreate
  {{- end }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ $root.Release.Name }}
      app.kubernetes.io/name: {{ .name }}
  template:
    metadata:
      labels:
        {{- include "dcl-enas.labels" $root | nindent 8 }}
        app.kubernetes.io/name: {{ .name }}
        app.kubernetes.io/component: {{ .component }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmaps.yaml") $root | sha256sum }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
    spec:
      serviceAccountName: {{ $fullname }}-{{ .name }}
      automountServiceAccountToken: {{ .serviceAccountToken }}
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      securityContext:
        {{- include "dcl-enas.podSecurity" $root | nindent 8 }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      {{- if .gpu }}
      {{- with $root.Values.gpu.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.gpu.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.gpu.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.gpu.runtimeClassName }}
      runtimeClassName: {{ . }}
      {{- end }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "dcl-enas.image" (list $root (ternary $root.Values.image.trainerGpu $root.Values.image.services .gpu)) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: ["serve", {{ .serve | quote }}]
          envFrom:
            - configMapRef:
                name: {{ $fullname }}-config
          env:
            - name: NATS_USER
              value: {{ .serve | quote }}
            - name: NATS_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ $root.Values.nats.authSecret }}
                  key: {{ printf "%s-password" .serve }}
            - name: ENAS_HTTP_PORT
              value: {{ .port | quote }}
            {{- if $root.Values.nats.tls.secretName }}
            - name: NATS_TLS_CA_FILE
              value: /var/run/secrets/dcl-enas/nats-tls/ca.crt
            {{- end }}
            {{- with .extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: http
              containerPort: {{ .port }}
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
            failureThreshold: 60
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 20
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
          resources:
            {{- toYaml .resources | nindent 12 }}
          securityContext:
            {{- include "dcl-enas.containerSecurity" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: data
              mountPath: /data
              readOnly: true
            {{- if eq .name "orchestrator" }}
            - name: trial-template
              mountPath: /etc/dcl-enas
              readOnly: true
            {{- end }}
            {{- if eq .name "trainer" }}
            - name: cache
              mountPath: {{ $root.Values.cache.mountPath }}
            {{- end }}
            {{- if $root.Values.nats.tls.secretName }}
            - name: nats-tls
              mountPath: /var/run/secrets/dcl-enas/nats-tls
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 1Gi
        - name: data
          persistentVolumeClaim:
            claimName: {{ include "dcl-enas.dataClaim" $root }}
            readOnly: true
        {{- if eq .name "orchestrator" }}
        - name: trial-template
          configMap:
            name: {{ $fullname }}-trial-template
        {{- end }}
        {{- if eq .name "trainer" }}
        # ENAS_CACHE_DIR (the ECG beat set): the root filesystem is read-only
        - name: cache
          {{- if $root.Values.cache.persistentVolumeClaim.enabled }}
          persistentVolumeClaim:
            claimName: {{ include "dcl-enas.cacheClaim" $root }}
          {{- else }}
          emptyDir:
            sizeLimit: {{ $root.Values.cache.sizeLimit }}
          {{- end }}
        {{- end }}
        {{- if $root.Values.nats.tls.secretName }}
        - name: nats-tls
          secret:
            secretName: {{ $root.Values.nats.tls.secretName }}
            items:
              - { key: ca.crt, path: ca.crt }
        {{- end }}
{{- end -}}
