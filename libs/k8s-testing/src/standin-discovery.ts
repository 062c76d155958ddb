import type { CoreV1Event, V1Job, V1Pod } from './k8s-client';

/**
 * What a real client needs from the stand-in beyond the resources themselves: the legacy
 * discovery documents (`/version`, `/api`, `/apis`, the resource lists; kubectl falls back to
 * them when aggregated discovery is not served) and server-side printing (a `meta.k8s.io/v1`
 * Table when the client asks for one, as `kubectl get` does), with the columns kube-apiserver
 * prints for Jobs, Pods and Events.
 */
type Resource = 'jobs' | 'pods' | 'events';

const RESOURCES: Record<'' | 'batch', object[]> = {
  '': [
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['get', 'list', 'watch'], shortNames: ['ev'] },
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get'], shortNames: ['ns'] },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'], categories: ['all'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  ],
  batch: [{ name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'], categories: ['all'] }],
};

/** The discovery document at `path`, or undefined when `path` is not a discovery path. */
export function discoveryDocument(path: string, serverAddress: string): object | undefined {
  // Every namespace exists (kubectl reads the namespace after a 404 to word its error).
  const namespace = /^\/api\/v1\/namespaces\/([a-z0-9-]+)$/.exec(path)?.[1];
  if (namespace) return { kind: 'Namespace', apiVersion: 'v1', metadata: { name: namespace }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  switch (path) {
    case '/version':
      return { major: '1', minor: '32', gitVersion: 'v1.32.0-standin', gitCommit: '', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' };
    case '/api':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
    case '/apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [{ name: 'batch', versions: [{ groupVersion: 'batch/v1', version: 'v1' }], preferredVersion: { groupVersion: 'batch/v1', version: 'v1' } }],
      };
    case '/api/v1':
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: RESOURCES[''] };
    case '/apis/batch':
      return { kind: 'APIGroup', apiVersion: 'v1', name: 'batch', versions: [{ groupVersion: 'batch/v1', version: 'v1' }], preferredVersion: { groupVersion: 'batch/v1', version: 'v1' } };
    case '/apis/batch/v1':
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'batch/v1', resources: RESOURCES.batch };
    default:
      return undefined;
  }
}

const GROUP_VERSIONS = { 'api/v1': { group: '', version: 'v1', prefix: '/api/v1' }, 'apis/batch/v1': { group: 'batch', version: 'v1', prefix: '/apis/batch/v1' } } as const;
const KINDS: Record<keyof typeof GROUP_VERSIONS, { kind: string; plural: string; verbs: Record<string, boolean> }[]> = {
  'api/v1': [
    { kind: 'Pod', plural: 'pods', verbs: {} },
    { kind: 'Event', plural: 'events', verbs: {} },
  ],
  'apis/batch/v1': [{ kind: 'Job', plural: 'jobs', verbs: { post: true, delete: true } }],
};

/**
 * The OpenAPI v3 index and per-group-version documents, reduced to what kubectl reads: the
 * operations with their group-version-kind and query parameters, `fieldValidation` among them
 * (so kubectl leaves field validation to the server, `--validate=strict`), no schemas.
 */
export function openApiV3Document(path: string): object | undefined {
  if (path === '/openapi/v3') {
    return { paths: Object.fromEntries(Object.keys(GROUP_VERSIONS).map((gv) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=standin` }])) };
  }
  const gv = path.replace(/^\/openapi\/v3\//, '') as keyof typeof GROUP_VERSIONS;
  const target = GROUP_VERSIONS[gv];
  if (!path.startsWith('/openapi/v3/') || !target) return undefined;
  const paths: Record<string, object> = {};
  const parameter = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  for (const { kind, plural, verbs } of KINDS[gv]) {
    const gvk = { group: target.group, version: target.version, kind };
    const operation = (action: string) => ({ 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, parameters: [parameter('dryRun'), parameter('fieldManager'), parameter('fieldValidation')], responses: { '200': { description: 'OK' } } });
    paths[`${target.prefix}/namespaces/{namespace}/${plural}`] = { get: operation('list'), ...(verbs['post'] ? { post: operation('post') } : {}), ...(verbs['delete'] ? { delete: operation('deletecollection') } : {}) };
    paths[`${target.prefix}/namespaces/{namespace}/${plural}/{name}`] = { get: operation('get'), patch: operation('patch'), put: operation('put'), ...(verbs['delete'] ? { delete: operation('delete') } : {}) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (stand-in)', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

/** Whether the Accept header asks for a Table (kubectl get: `application/json;as=Table;v=v1;g=meta.k8s.io,...`). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((type) => /as=Table/.test(type) && /g=meta\.k8s\.io/.test(type) && /v=v1(;|$)/.test(type));
}

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell: (object: never, now: number) => string | number;
}

function age(timestamp: string | Date | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - new Date(timestamp).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 600) return `${Math.floor(seconds / 60)}m${seconds % 60 > 0 ? `${seconds % 60}s` : ''}`;
  if (seconds < 3 * 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function jobStatus(job: V1Job): string {
  const conditions = job.status?.conditions ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.spec?.suspend) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o: { metadata?: { name?: string } }) => o.metadata?.name ?? '' };
const AGE: Column = { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (o: { metadata?: { creationTimestamp?: Date } }, now) => age(o.metadata?.creationTimestamp, now) };

const COLUMNS: Record<Resource, Column[]> = {
  jobs: [
    NAME,
    { name: 'Status', type: 'string', format: '', description: 'Status of the job.', priority: 0, cell: (j: V1Job) => jobStatus(j) },
    { name: 'Completions', type: 'string', format: '', description: 'The desired number of successfully finished pods the job should be run with.', priority: 0, cell: (j: V1Job) => `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}` },
    {
      name: 'Duration',
      type: 'string',
      format: '',
      description: 'Time required to complete the job.',
      priority: 0,
      cell: (j: V1Job, now) => (j.status?.startTime ? age(j.status.startTime, j.status.completionTime ? new Date(j.status.completionTime).getTime() : now) : ''),
    },
    AGE,
  ],
  pods: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      format: '',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      priority: 0,
      cell: (p: V1Pod) => `${(p.status?.containerStatuses ?? []).filter((c) => c.ready).length}/${p.spec?.containers.length ?? 0}`,
    },
    {
      name: 'Status',
      type: 'string',
      format: '',
      description: 'The aggregate status of the containers in this pod.',
      priority: 0,
      cell: (p: V1Pod) => {
        const state = p.status?.containerStatuses?.[0]?.state;
        return state?.waiting?.reason ?? (state?.terminated ? (state.terminated.reason ?? 'Completed') : (p.status?.phase ?? 'Pending'));
      },
    },
    { name: 'Restarts', type: 'string', format: '', description: 'The number of times the containers in this pod have been restarted.', priority: 0, cell: (p: V1Pod) => String((p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0)) },
    AGE,
  ],
  events: [
    { name: 'Last Seen', type: 'string', format: '', description: 'Time when this Event was last observed.', priority: 0, cell: (e: CoreV1Event, now) => age(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp, now) },
    { name: 'Type', type: 'string', format: '', description: 'Type of this event.', priority: 0, cell: (e: CoreV1Event) => e.type ?? '' },
    { name: 'Reason', type: 'string', format: '', description: 'Short, machine understandable string.', priority: 0, cell: (e: CoreV1Event) => e.reason ?? '' },
    { name: 'Object', type: 'string', format: '', description: 'The object that this event is about.', priority: 0, cell: (e: CoreV1Event) => `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}` },
    { name: 'Message', type: 'string', format: '', description: 'A human-readable description of the status of this operation.', priority: 0, cell: (e: CoreV1Event) => e.message ?? '' },
  ],
};

/**
 * `objects` as a meta.k8s.io/v1 Table. `includeObject` as the client asked: `Object` (the whole
 * object in each row), `Metadata` (the default: a PartialObjectMetadata) or `None`.
 */
export function asTable(resource: Resource, objects: readonly object[], listMeta: object, includeObject: string | null, now = Date.now()): object {
  const columns = COLUMNS[resource];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map(({ cell: _cell, ...definition }) => definition),
    rows: objects.map((object) => ({
      cells: columns.map((column) => column.cell(object as never, now)),
      object: rowObject(object as { apiVersion?: string; kind?: string; metadata?: object }, includeObject ?? 'Metadata'),
    })),
  };
}

function rowObject(object: { apiVersion?: string; kind?: string; metadata?: object }, include: string): object | null {
  if (include === 'None') return null;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}
