#!/usr/bin/env bash
# Renders the deployment artefacts with the real tools where they are installed and validates
# the output (tools/k8s-validate.ts): `kubectl kustomize` for k8s/ overlays, `helm lint` and
# `helm template` for helm/dcl-enas with its default values and every example values file.
# A missing tool is reported, not faked; the unit tests (deploy-checks/) check the same
# artefacts without either tool.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0

if command -v kubectl >/dev/null 2>&1; then
  for dir in k8s/base k8s/overlays/dev k8s/overlays/gpu; do
    name="${dir//\//-}"
    kubectl kustomize "$dir" > "$out/$name.yaml"
    npm run -s tool -- tools/k8s-validate.ts "$out/$name.yaml" || status=1
  done
else
  echo "kubectl is not installed: k8s/ was not rendered by kustomize here (the unit tests resolve it themselves)."
fi
# The optional extras (data loader; ServiceMonitor and metrics Services) are plain manifests.
npm run -s tool -- tools/k8s-validate.ts k8s/extras/*.yaml || status=1

if command -v helm >/dev/null 2>&1; then
  # The chart refuses a ReadWriteMany data claim without a storage class (docs/deploy.md,
  # "Storage class"): the checks name one (--set overrides an example's own; only rendering is checked).
  class=(--set data.storageClass=rwx-check)
  helm lint helm/dcl-enas "${class[@]}" || status=1
  for values in "" helm/dcl-enas/examples/*.yaml; do
    args=(template enas helm/dcl-enas --namespace dcl-enas "${class[@]}")
    label=defaults
    if [ -n "$values" ]; then args+=(-f "$values"); label="$(basename "$values" .yaml)"; fi
    helm lint helm/dcl-enas "${class[@]}" ${values:+-f "$values"} >/dev/null || status=1
    # KEDA's ScaledObject is validated too (its schema ships in @kubernetes-models/keda).
    helm "${args[@]}" > "$out/helm-$label.yaml"
    npm run -s tool -- tools/k8s-validate.ts "$out/helm-$label.yaml" || status=1
  done
else
  echo "helm is not installed: helm lint and helm template did NOT run here. Only the chart's"
  echo "static checks ran (values against values.schema.json, .Values paths, template blocks:"
  echo "npx nx run deploy-checks:test). Install helm 3 and run this script again to render it."
fi
exit $status
