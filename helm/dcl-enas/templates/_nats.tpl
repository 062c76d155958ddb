{{/* The bundled NATS: store limits from the volume size, and the stream replicas that follow the servers. */}}

{{/* JetStream's max_file_store: 75% of nats.storage.size (a whole number of Mi, Gi or Ti), in nats-server's MB (MiB). */}}
{{- define "dcl-enas.natsMaxFileStore" -}}
{{- $size := toString .Values.nats.storage.size -}}
{{- $mebibytes := 0 -}}
{{- range $unit, $factor := dict "Mi" 1 "Gi" 1024 "Ti" 1048576 -}}
{{- if hasSuffix $unit $size -}}
{{- $mebibytes = mul (int (trimSuffix $unit $size)) $factor -}}
{{- end -}}
{{- end -}}
{{- if not $mebibytes -}}
{{- fail (printf "nats.storage.size %s: use a whole number of Mi, Gi or Ti such as 10Gi (JetStream's max_file_store is 75%% of it)" $size) -}}
{{- end -}}
{{- printf "%dMB" (div (mul $mebibytes 3) 4) -}}
{{- end -}}

{{/*
ENAS_JS_REPLICAS: with the bundled NATS, its number of servers (a stream cannot have more
replicas than there are servers, and fewer would lose data with a node); with an external NATS,
config.jsReplicas.
*/}}
{{- define "dcl-enas.jsReplicas" -}}
{{- if .Values.nats.enabled -}}
{{- if gt (int .Values.config.jsReplicas) (int .Values.nats.replicas) -}}
{{- fail (printf "config.jsReplicas (%d) is more than the bundled NATS servers, nats.replicas (%d): set nats.replicas: 3 for a three-server JetStream cluster (the streams then have 3 replicas), or use an external NATS (nats.enabled: false)" (int .Values.config.jsReplicas) (int .Values.nats.replicas)) -}}
{{- end -}}
{{- int .Values.nats.replicas -}}
{{- else -}}
{{- int .Values.config.jsReplicas -}}
{{- end -}}
{{- end -}}
