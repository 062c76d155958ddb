/** A Kubernetes object as parsed from YAML: what the manifest checks walk. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};

/** A parsed YAML object walked by field name (manifests are checked, not trusted to a type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = Record<string, any>;
