import type { V1Container, V1Job } from './k8s-client';

/**
 * The part of kube-apiserver's Job validation (pkg/apis/batch/validation, pkg/apis/core/validation)
 * that covers what the launcher and the chart send, with the API server's field paths and texts,
 * so that the stand-in refuses what a real server refuses. Types and unknown fields are checked
 * separately (validate-object.ts).
 */
export interface FieldError {
  /** The field path, e.g. spec.template.spec.containers[0].resources.requests. */
  readonly field: string;
  /** FieldValueInvalid, FieldValueDuplicate, FieldValueNotFound, FieldValueRequired, FieldValueNotSupported. */
  readonly reason: string;
  /** As the API server prints it: `<field>: Invalid value: "<value>": <detail>`. */
  readonly message: string;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SUBDOMAIN_TEXT =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_TEXT =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_TEXT =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
/** Resources that cannot be overcommitted: requests must equal limits (core validation). */
const STANDARD = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);

function invalid(field: string, value: unknown, detail: string): FieldError {
  return { field, reason: 'FieldValueInvalid', message: `${field}: Invalid value: ${JSON.stringify(value)}: ${detail}` };
}

/** A Kubernetes quantity as a number (enough for comparing requests with limits). */
export function quantityValue(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(quantity);
  if (!match) return NaN;
  const suffixes: Record<string, number> = { '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const suffix = match[2]!;
  const scale = suffixes[suffix] ?? (/^[eE][-+]?\d+$/.test(suffix) ? 10 ** Number(suffix.slice(1)) : NaN);
  return Number(match[1]) * scale;
}

function containerErrors(container: V1Container, path: string, volumeNames: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  if (!DNS1123_LABEL.test(container.name) || container.name.length > 63) errors.push(invalid(`${path}.name`, container.name, LABEL_TEXT));
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    const field = `${path}.resources.requests[${name}]`;
    if (!STANDARD.has(name) && !name.startsWith('hugepages-')) {
      // Extended resources (nvidia.com/gpu, MIG profiles...) cannot be overcommitted.
      if (limit === undefined) errors.push({ field: `${path}.resources.limits`, reason: 'FieldValueRequired', message: `${path}.resources.limits: Required value: Limit must be set for non overcommitable resources` });
      else if (quantityValue(request) !== quantityValue(limit)) errors.push(invalid(field, String(request), `must be equal to ${name} limit of ${String(limit)}`));
      continue;
    }
    if (limit !== undefined && quantityValue(request) > quantityValue(limit)) errors.push(invalid(field, String(request), `must be less than or equal to ${name} limit of ${String(limit)}`));
  }
  const paths = new Set<string>();
  (container.volumeMounts ?? []).forEach((mount, i) => {
    const field = `${path}.volumeMounts[${i}]`;
    if (!volumeNames.has(mount.name)) errors.push({ field: `${field}.name`, reason: 'FieldValueNotFound', message: `${field}.name: Not found: ${JSON.stringify(mount.name)}` });
    if (paths.has(mount.mountPath)) errors.push(invalid(`${field}.mountPath`, mount.mountPath, 'must be unique'));
    paths.add(mount.mountPath);
  });
  return errors;
}

/** What kube-apiserver refuses in a Job (422 Invalid), as field errors; empty when it would accept it. */
export function jobValidationErrors(job: V1Job): FieldError[] {
  const errors: FieldError[] = [];
  const name = job.metadata?.name ?? '';
  if (name === '') errors.push({ field: 'metadata.name', reason: 'FieldValueRequired', message: 'metadata.name: Required value: name or generateName is required' });
  else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) errors.push(invalid('metadata.name', name, SUBDOMAIN_TEXT));
  // The Job controller labels its pods batch.kubernetes.io/job-name=<name>: a label value.
  else if (name.length > 63) errors.push(invalid('metadata.name', name, 'must be no more than 63 characters'));
  for (const [where, labels] of [
    ['metadata.labels', job.metadata?.labels],
    ['spec.template.metadata.labels', job.spec?.template?.metadata?.labels],
  ] as const) {
    for (const value of Object.values(labels ?? {})) {
      if (value.length > 63) errors.push(invalid(where, value, 'must be no more than 63 characters'));
      else if (!LABEL_VALUE.test(value)) errors.push(invalid(where, value, LABEL_VALUE_TEXT));
    }
  }
  const spec = job.spec;
  const pod = spec?.template?.spec;
  if (!spec || !pod) return [...errors, { field: 'spec.template.spec', reason: 'FieldValueRequired', message: 'spec.template.spec.containers: Required value' }];
  const restart = pod.restartPolicy;
  if (restart !== 'Never' && restart !== 'OnFailure') {
    errors.push({ field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported', message: `spec.template.spec.restartPolicy: Unsupported value: ${JSON.stringify(restart ?? 'Always')}: supported values: "OnFailure", "Never"` });
  }
  if (spec.podFailurePolicy && restart !== 'Never') {
    errors.push(invalid('spec.template.spec.restartPolicy', restart, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  const containerNames = new Set<string>();
  const volumeNames = new Set<string>();
  (pod.volumes ?? []).forEach((volume, i) => {
    if (volumeNames.has(volume.name)) errors.push({ field: `spec.template.spec.volumes[${i}].name`, reason: 'FieldValueDuplicate', message: `spec.template.spec.volumes[${i}].name: Duplicate value: ${JSON.stringify(volume.name)}` });
    volumeNames.add(volume.name);
  });
  (pod.containers ?? []).forEach((container, i) => {
    const path = `spec.template.spec.containers[${i}]`;
    if (containerNames.has(container.name)) errors.push({ field: `${path}.name`, reason: 'FieldValueDuplicate', message: `${path}.name: Duplicate value: ${JSON.stringify(container.name)}` });
    containerNames.add(container.name);
    errors.push(...containerErrors(container, path, volumeNames));
  });
  if ((pod.containers ?? []).length === 0) errors.push({ field: 'spec.template.spec.containers', reason: 'FieldValueRequired', message: 'spec.template.spec.containers: Required value' });
  (spec.podFailurePolicy?.rules ?? []).forEach((rule, i) => {
    const containerName = rule.onExitCodes?.containerName;
    if (containerName !== undefined && !containerNames.has(containerName)) {
      errors.push(invalid(`spec.podFailurePolicy.rules[${i}].onExitCodes.containerName`, containerName, 'must be one of the container or initContainer names in the pod template'));
    }
  });
  if (spec.backoffLimit !== undefined && spec.backoffLimit < 0) errors.push(invalid('spec.backoffLimit', spec.backoffLimit, 'must be greater than or equal to 0'));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds <= 0) errors.push(invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be greater than 0'));
  return errors;
}

/** The message of a 422 for `errors`, as kube-apiserver writes it (one error bare, several in brackets). */
export function invalidMessage(kind: string, name: string, errors: readonly FieldError[]): string {
  const list = errors.map((e) => e.message);
  return `${kind} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
}
