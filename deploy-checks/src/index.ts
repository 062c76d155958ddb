// Offline checks of the deployment artefacts (k8s/ and helm/): a kustomize resolver, a
// `helm template` stand-in for the chart's template features, the chart's values checks and the
// trial template schema it embeds. Used by their tests here and by tools/ (k8s-validate.ts,
// helm/sync-trial-template-schema.ts); never by code that ships.
export * from './kustomize';
export * from './json-patch';
export * from './helm-chart';
export * from './chart-render';
export * from './chart-trial-schema';
