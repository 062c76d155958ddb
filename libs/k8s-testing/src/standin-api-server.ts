import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CoreV1Event, V1Job, V1JobCondition, V1Pod } from './k8s-client';
import { k8sObjectProblems } from './validate-object';
import { invalidMessage, jobValidationErrors } from './job-validation';
import { asTable, discoveryDocument, openApiV3Document, wantsTable } from './standin-discovery';
import { allows, forbiddenMessage, requestVerb, type RequestAttributes, type RoleBindingSubject } from './standin-rbac';
import { DEFAULT_UNSCHEDULABLE, type PodBehaviour, type PodScript } from './pod-scripts';
import { parseSelector, selectableFields } from './selectors';

/**
 * A stand-in Kubernetes API server for tests and benchmarks: real HTTP, the API's paths, status
 * codes and Status bodies, resourceVersions and watch streams (replay from a resourceVersion,
 * 410 Expired after compaction), label and field selectors, garbage collection of owned
 * objects, and a Job controller whose pods follow scripts (there are no nodes or kubelet).
 * It serves batch/v1 Jobs and core/v1 Pods and Events in any namespace, nothing else.
 */

type Resource = 'jobs' | 'pods' | 'events';
type AnyObject = V1Job | V1Pod | CoreV1Event;
type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEntry {
  rv: number;
  type: WatchType;
  resource: Resource;
  namespace: string;
  line: string;
  labels: Record<string, string>;
  fields: Record<string, string>;
}

interface Watcher {
  resource: Resource;
  namespace: string;
  labels: ReturnType<typeof parseSelector>;
  fields: ReturnType<typeof parseSelector>;
  res: ServerResponse;
  /** Rewrites each event line for this watcher (a Table per object for kubectl get -w). */
  format?: (line: string) => string;
}

interface JobRuntime {
  podIndex: number;
  failed: number;
  activePods: Set<string>;
  finished: boolean;
  timers: Set<NodeJS.Timeout>;
  /** Pod creations refused in a row (the controller's per-Job back-off; reset by a created pod). */
  createFailures?: number;
}

/** A ResourceQuota: its `spec.hard`, e.g. { 'requests.nvidia.com/gpu': 2, pods: 10, 'limits.memory': '64Gi' }. */
export interface StandinResourceQuota {
  namespace: string;
  name: string;
  hard: Record<string, string | number>;
}

export interface StandinOptions {
  /** What each pod does; by default it runs 20 ms and succeeds. */
  podBehaviour?: PodBehaviour;
  /** Watch events kept for replay; a watch from an older resourceVersion gets 410 Expired. */
  historyLimit?: number;
  /** Reject Jobs that fail the Kubernetes schema (422 Invalid), as the API server does. */
  validate?: boolean;
  /**
   * The Job controller's back-off before it replaces a failed pod: this, doubled for each failure
   * so far, at most podRetryMaxDelayMs. The real controller's: 10 s doubling to 6 min (the
   * defaults here); tests that fail pods on purpose set a few milliseconds.
   */
  podRetryDelayMs?: number;
  podRetryMaxDelayMs?: number;
  /**
   * A pod with a running container is deleted gracefully: it gets a deletionTimestamp, its
   * container is stopped, and it is removed this long after (its terminationGracePeriodSeconds,
   * 30 s by default in Kubernetes; here 50 ms by default). 0: removed at once.
   */
  podGracePeriodMs?: number;
  /** How long a watch without timeoutSeconds lasts: uniform in [min, max] (kube-apiserver: 1800 s to 3600 s, the default). */
  watchTimeoutMs?: { min: number; max: number };
  /** ResourceQuotas the pods the Job controller creates are admitted against (none by default). */
  resourceQuotas?: readonly StandinResourceQuota[];
  /**
   * ServiceAccounts that exist in every namespace; a pod naming another one is refused. By default
   * `default` and `dcl-enas-trainer` (the one the chart creates for trials).
   */
  serviceAccounts?: readonly string[];
  /** PriorityClasses that exist; by default the built-in system-cluster-critical and system-node-critical. */
  priorityClasses?: readonly string[];
  /**
   * Back-off of the Job controller after a refused pod creation: initial * 2^n, at most max. The
   * real controller's is 1 s doubling to 60 s (DefaultJobApiBackOff, MaxJobApiBackOff); by default
   * here 5 ms doubling to 100 ms.
   */
  podCreateBackoffMs?: { initial: number; max: number };
  /**
   * RBAC: every resource request is authorized against this Role's rules, as the requester
   * `user` (a verb the Role lacks gets 403 Forbidden, as from kube-apiserver). Default: no RBAC.
   */
  authorization?: RoleBindingSubject;
}

export interface StandinStats {
  creates: number;
  alreadyExists: number;
  quotaRefusals: number;
  invalid: number;
  lists: Record<Resource, number>;
  /** Every watch request: which resource, and the resourceVersion it asked to resume from. */
  watches: { resource: Resource; resourceVersion: string | null }[];
  /** Most Jobs that existed at once (suspended experiment anchors not counted). */
  maxTrialJobs: number;
  /** Most Jobs that existed unfinished at once (anchors not counted). */
  maxLiveTrialJobs: number;
  /** The same, per value of the Jobs' experiment label. */
  maxLiveTrialJobsByExperiment: Record<string, number>;
  /** Watches answered 410 Expired (their resourceVersion was compacted away). */
  expiredWatches: number;
  /** Watch events written to open watch streams (replays included). */
  watchEventsSent: number;
  /** When each Job got its Complete or Failed condition (ms since the epoch), by name. */
  jobFinishedAt: Record<string, number>;
  podsCreated: number;
  /** Reads of a pod's log (pods/log). */
  logReads: number;
  /** Requests refused by RBAC (option authorization). */
  forbidden: number;
  /** Pod creations of the Job controller refused by admission (each a FailedCreate event on the Job). */
  podCreateRefusals: number;
  /** Most pods not yet Succeeded or Failed at once (what a `pods` or compute quota counts). */
  maxActivePods: number;
}

const FIELD_PATHS: Record<Resource, readonly string[]> = {
  jobs: ['metadata.name', 'metadata.namespace'],
  pods: ['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName'],
  events: ['metadata.name', 'metadata.namespace', 'involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type'],
};

const KIND: Record<Resource, { apiVersion: string; kind: string; group: string }> = {
  jobs: { apiVersion: 'batch/v1', kind: 'Job', group: 'batch' },
  pods: { apiVersion: 'v1', kind: 'Pod', group: '' },
  events: { apiVersion: 'v1', kind: 'Event', group: '' },
};

const clone = <T>(value: T): T => structuredClone(value);
const objectKey = (object: AnyObject): string => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/** The kubelet's limits on a termination message, and on the log lines FallbackToLogsOnError takes. */
const MESSAGE_MAX_BYTES = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;

/**
 * The termination message the kubelet records: the file's content cut to 4096 bytes; with
 * FallbackToLogsOnError, a failed container that wrote none gets the end of its log (80 lines,
 * 2048 bytes at most).
 */
function kubeletTerminationMessage(file: string, log: string, exitCode: number, policy: string | undefined): string {
  if (file !== '') return Buffer.from(file).subarray(0, MESSAGE_MAX_BYTES).toString('utf8');
  if (exitCode === 0 || policy !== 'FallbackToLogsOnError') return '';
  const tail = log.split('\n').slice(-FALLBACK_LOG_LINES - 1).join('\n');
  const bytes = Buffer.from(tail);
  return bytes.subarray(Math.max(0, bytes.length - FALLBACK_LOG_BYTES)).toString('utf8');
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: object,
  ) {
    super(message);
  }
}

export class KubeApiStandin {
  readonly stats: StandinStats = {
    creates: 0,
    alreadyExists: 0,
    quotaRefusals: 0,
    invalid: 0,
    lists: { jobs: 0, pods: 0, events: 0 },
    watches: [],
    maxTrialJobs: 0,
    maxLiveTrialJobs: 0,
    maxLiveTrialJobsByExperiment: {},
    expiredWatches: 0,
    watchEventsSent: 0,
    jobFinishedAt: {},
    podsCreated: 0,
    logReads: 0,
    forbidden: 0,
    podCreateRefusals: 0,
    maxActivePods: 0,
  };
  private readonly podLogs = new Map<string, string>();

  private readonly store: Record<Resource, Map<string, AnyObject>> = { jobs: new Map(), pods: new Map(), events: new Map() };
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly runtimes = new Map<string, JobRuntime>();
  private readonly podTimers = new Map<string, Set<NodeJS.Timeout>>();
  private readonly ttlTimers = new Set<NodeJS.Timeout>();
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  /** Each object's labels and fields as last written: what watches matched it on. */
  private readonly seen = new Map<string, { labels: Record<string, string>; fields: Record<string, string> }>();
  private readonly eventIndex = new Map<string, CoreV1Event>();
  private readonly options: Required<Omit<StandinOptions, 'authorization'>>;
  private readonly authorization: RoleBindingSubject | undefined;
  private revision = 1;
  private compactedBefore = 0;
  private podCounter = 0;
  private eventCounter = 0;
  private jobQuota: number | undefined;
  /** Pod admission: ResourceQuotas by namespace/name, ServiceAccounts (name, or namespace/name), PriorityClasses. */
  private readonly resourceQuotas = new Map<string, StandinResourceQuota>();
  private readonly serviceAccounts = new Set<string>();
  private readonly priorityClasses = new Set<string>();
  /** Pods (namespace/name) not yet Succeeded or Failed. */
  private readonly activePodIds = new Set<string>();
  /** The event recorder's aggregation: the different messages seen per Job and reason. */
  private readonly similarEvents = new Map<string, Set<string>>();
  private pendingFailures: number[] = [];
  private closed = false;

  private constructor(
    private readonly server: Server,
    options: StandinOptions,
  ) {
    this.authorization = options.authorization;
    this.options = {
      podBehaviour: options.podBehaviour ?? (() => ({ kind: 'succeed', runMs: 20 })),
      historyLimit: options.historyLimit ?? 100_000,
      validate: options.validate ?? true,
      podRetryDelayMs: options.podRetryDelayMs ?? 10_000,
      podRetryMaxDelayMs: options.podRetryMaxDelayMs ?? 360_000,
      podGracePeriodMs: options.podGracePeriodMs ?? 50,
      watchTimeoutMs: options.watchTimeoutMs ?? { min: 1_800_000, max: 3_600_000 },
      resourceQuotas: options.resourceQuotas ?? [],
      serviceAccounts: options.serviceAccounts ?? DEFAULT_SERVICE_ACCOUNTS,
      priorityClasses: options.priorityClasses ?? BUILT_IN_PRIORITY_CLASSES,
      podCreateBackoffMs: options.podCreateBackoffMs ?? { initial: 5, max: 100 },
    };
    for (const quota of this.options.resourceQuotas) this.setResourceQuota(quota.namespace, quota.name, quota.hard);
    this.options.serviceAccounts.forEach((name) => this.serviceAccounts.add(name));
    this.options.priorityClasses.forEach((name) => this.priorityClasses.add(name));
  }

  static async start(options: StandinOptions = {}): Promise<KubeApiStandin> {
    const server = createServer();
    const standin = new KubeApiStandin(server, options);
    server.on('request', (req, res) => standin.handle(req, res));
    server.on('connection', (socket) => {
      standin.sockets.add(socket);
      socket.on('close', () => standin.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const runtime of this.runtimes.values()) runtime.timers.forEach(clearTimeout);
    for (const timers of this.podTimers.values()) timers.forEach(clearTimeout);
    this.ttlTimers.forEach(clearTimeout);
    this.graceTimers.forEach(clearTimeout);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- controls for tests -------------------------------------------------------------------

  /** Cuts every open watch connection mid-stream (a network drop). */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.res.socket?.destroy();
    this.watchers.clear();
  }

  /** Ends every watch cleanly, as the API server does when a watch's timeout runs out. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.res.end();
    this.watchers.clear();
  }

  /** Forgets the watch history, so a watch resuming from any older resourceVersion gets 410 Expired. */
  compact(): void {
    this.history.length = 0;
    this.compactedBefore = this.revision + 1;
  }

  /** A ResourceQuota on count/jobs.batch: creating a Job beyond it is refused with 403. */
  setJobQuota(maxJobs: number | undefined): void {
    this.jobQuota = maxJobs;
  }

  /**
   * Creates, replaces or (hard undefined) deletes a ResourceQuota; the pods the Job controller
   * creates from then on are admitted against it (pods that exist stay, as in Kubernetes).
   */
  setResourceQuota(namespace: string, name: string, hard: Record<string, string | number> | undefined): void {
    if (hard === undefined) this.resourceQuotas.delete(`${namespace}/${name}`);
    else this.resourceQuotas.set(`${namespace}/${name}`, { namespace, name, hard: { ...hard } });
  }

  /** A ResourceQuota's `status.used` for its hard resources, as `kubectl describe quota` shows it. */
  quotaUsed(namespace: string, name: string): Record<string, string> {
    const quota = this.resourceQuotas.get(`${namespace}/${name}`);
    if (!quota) throw new Error(`no ResourceQuota ${namespace}/${name}`);
    const used = this.namespaceQuotaUsage(namespace);
    return Object.fromEntries(Object.keys(quota.hard).map((resource) => [resource, formatQuantity(used[resource] ?? ZERO)]));
  }

  /** Creates a ServiceAccount in one namespace. */
  createServiceAccount(namespace: string, name: string): void {
    this.serviceAccounts.add(`${namespace}/${name}`);
  }

  /** Creates a PriorityClass (cluster-wide). */
  createPriorityClass(name: string): void {
    this.priorityClasses.add(name);
  }

  /** The next Job creations fail with these HTTP codes (e.g. 500, 503), one each. */
  failNextCreates(...codes: number[]): void {
    this.pendingFailures.push(...codes);
  }

  jobs(namespace?: string): V1Job[] {
    return this.list('jobs', namespace) as V1Job[];
  }

  pods(namespace?: string): V1Pod[] {
    return this.list('pods', namespace) as V1Pod[];
  }

  events(namespace?: string): CoreV1Event[] {
    return this.list('events', namespace) as CoreV1Event[];
  }

  /**
   * Ends a running pod of script `external`: its container exits with `exitCode` (having written
   * `message` to its termination log, `log` on its output), and the Job controller reacts as for
   * any pod. `reason` is the kubelet's (`OOMKilled` for a container the OOM killer ended).
   */
  endPod(namespace: string, podName: string, exitCode: number, message?: string, log = '', reason = exitCode === 0 ? 'Completed' : 'Error'): boolean {
    const pod = this.store.pods.get(`${namespace}/${podName}`) as V1Pod | undefined;
    if (pod?.metadata?.deletionTimestamp) {
      // Stopped within its grace period: the deletion completes now.
      this.podLogs.set(`${namespace}/${podName}`, log);
      this.podTerminated(pod, exitCode);
      return true;
    }
    const jobName = pod?.metadata?.ownerReferences?.find((owner) => owner.kind === 'Job')?.name;
    const job = jobName === undefined ? undefined : (this.store.jobs.get(`${namespace}/${jobName}`) as V1Job | undefined);
    if (!pod || !job || pod.status?.phase !== 'Running') return false;
    this.stopPodTimers(podName);
    this.podLogs.set(`${namespace}/${podName}`, log);
    const status = pod.status;
    status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
    const container = status.containerStatuses![0]!;
    const spec = pod.spec!.containers[0]!;
    const terminationMessage = kubeletTerminationMessage(message ?? '', log, exitCode, spec.terminationMessagePolicy);
    const startedAt = container.state?.running?.startedAt ?? new Date();
    container.ready = false;
    container.state = {
      terminated: { exitCode, reason, ...(terminationMessage ? { message: terminationMessage } : {}), startedAt, finishedAt: new Date() },
    };
    this.write('pods', pod, 'MODIFIED');
    this.podEnded(job, podName, exitCode);
    return true;
  }

  /**
   * Evicts a running pod as the Eviction API (or a node drain, or preemption) does: the pod gets
   * the DisruptionTarget condition and is deleted gracefully; a Job whose podFailurePolicy ignores
   * DisruptionTarget replaces it without counting a failure.
   */
  evictPod(namespace: string, podName: string): boolean {
    const pod = this.store.pods.get(`${namespace}/${podName}`) as V1Pod | undefined;
    if (!pod || pod.status?.phase !== 'Running') return false;
    const at = new Date();
    pod.status.conditions = [...(pod.status.conditions ?? []), { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: at }];
    this.write('pods', pod, 'MODIFIED');
    this.deleteObject('pods', pod, 'Background');
    return true;
  }

  /** Deletes a Job as `kubectl delete job` would (background propagation). */
  deleteJob(namespace: string, name: string): void {
    const job = this.store.jobs.get(`${namespace}/${name}`);
    if (job) this.deleteObject('jobs', job, 'Background');
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        this.route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        const failure = error instanceof HttpError ? error : new HttpError(500, 'InternalError', String(error));
        this.sendStatus(res, failure);
      }
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://standin');
    const document = req.method === 'GET' ? (discoveryDocument(url.pathname, req.headers.host ?? '127.0.0.1') ?? openApiV3Document(url.pathname)) : undefined;
    if (document) return this.send(res, 200, document);
    const table = wantsTable(req.headers.accept) ? (url.searchParams.get('includeObject') ?? 'Metadata') : null;
    const jobs = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/.exec(url.pathname);
    const core = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|events)(?:\/([^/]+))?$/.exec(url.pathname);
    const method = req.method ?? 'GET';
    const podLog = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (podLog && method === 'GET') {
      this.authorize({ verb: 'get', apiGroup: '', resource: 'pods', subresource: 'log', namespace: podLog[1]!, name: podLog[2]! });
      return this.sendPodLog(res, podLog[1]!, podLog[2]!, url.searchParams);
    }
    let resource: Resource;
    let namespace: string;
    let name: string | undefined;
    if (jobs) [resource, namespace, name] = ['jobs', jobs[1]!, jobs[2]];
    else if (core) [resource, namespace, name] = [core[2] as Resource, core[1]!, core[3]];
    else throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${method} ${url.pathname})`);

    const query = url.searchParams;
    this.authorize({ verb: requestVerb(method, name !== undefined, query.get('watch') === 'true'), apiGroup: KIND[resource].group, resource, namespace, ...(name ? { name } : {}) });
    if (method === 'GET' && !name && query.get('watch') === 'true') return this.watch(res, resource, namespace, query, table);
    if (method === 'GET' && !name) return this.sendList(res, resource, namespace, query, table);
    if (method === 'GET' && name) {
      const object = this.get(resource, namespace, name);
      return this.send(res, 200, table === null ? object : asTable(resource, [object], { resourceVersion: object.metadata?.resourceVersion }, table));
    }
    if (method === 'POST' && !name && resource === 'jobs') return this.send(res, 201, this.createJob(namespace, body));
    if (method === 'DELETE' && resource === 'jobs') {
      const propagation = query.get('propagationPolicy') ?? (body ? (JSON.parse(body) as { propagationPolicy?: string }).propagationPolicy : undefined);
      if (name) return this.send(res, 200, this.deleteNamed(namespace, name, propagation));
      return this.send(res, 200, this.deleteCollection(namespace, query, propagation));
    }
    throw new HttpError(405, 'MethodNotAllowed', `the stand-in server does not serve ${method} on ${resource}`);
  }

  /** 403 Forbidden, as kube-apiserver's RBAC authorizer answers, unless the Role grants the request. */
  private authorize(request: RequestAttributes): void {
    if (!this.authorization || allows(this.authorization.rules, request)) return;
    this.stats.forbidden++;
    const { resource, apiGroup, name } = request;
    throw new HttpError(403, 'Forbidden', forbiddenMessage(this.authorization.user, request), { ...(name ? { name } : {}), group: apiGroup, kind: resource });
  }

  /** GET .../pods/NAME/log as the kubelet serves it through the API server: text, `tailLines` and `container` honoured. */
  private sendPodLog(res: ServerResponse, namespace: string, name: string, query: URLSearchParams): void {
    const pod = this.get('pods', namespace, name) as V1Pod;
    const container = query.get('container');
    const names = pod.spec?.containers.map((c) => c.name) ?? [];
    if (container !== null && !names.includes(container)) throw new HttpError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    if (container === null && names.length > 1) throw new HttpError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    if (!pod.status?.containerStatuses?.[0]?.state?.terminated && pod.status?.phase !== 'Running') {
      throw new HttpError(400, 'BadRequest', `container "${names[0]}" in pod "${name}" is waiting to start: ContainerCreating`);
    }
    let text = this.podLogs.get(`${namespace}/${name}`) ?? '';
    const tail = query.get('tailLines');
    if (tail !== null) {
      const lines = text.split(/(?<=\n)/);
      text = lines.slice(Math.max(0, lines.length - Number(tail))).join('');
    }
    this.stats.logReads++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(text);
  }

  private send(res: ServerResponse, code: number, object: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(object));
  }

  private sendStatus(res: ServerResponse, error: HttpError): void {
    this.send(res, error.code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: error.message,
      reason: error.reason,
      ...(error.details ? { details: error.details } : {}),
      code: error.code,
    });
  }

  private list(resource: Resource, namespace?: string, query?: URLSearchParams): AnyObject[] {
    const labels = parseSelector(query?.get('labelSelector'));
    const fields = parseSelector(query?.get('fieldSelector'));
    return [...this.store[resource].values()].filter(
      (object) =>
        (namespace === undefined || object.metadata?.namespace === namespace) &&
        labels(object.metadata?.labels ?? {}) &&
        fields(selectableFields(object as unknown as Record<string, unknown>, FIELD_PATHS[resource])),
    );
  }

  private sendList(res: ServerResponse, resource: Resource, namespace: string, query: URLSearchParams, table: string | null = null): void {
    this.stats.lists[resource]++;
    const { apiVersion, kind } = KIND[resource];
    const { items, metadata } = this.page(this.list(resource, namespace, query), query);
    this.send(res, 200, table === null ? { apiVersion, kind: `${kind}List`, metadata, items } : asTable(resource, items, metadata, table));
  }

  /**
   * `limit` and `continue` as the API server pages a list: items in key order, a continue token
   * naming where the next page starts (and the list's resourceVersion), remainingItemCount.
   */
  private page(all: AnyObject[], query: URLSearchParams): { items: AnyObject[]; metadata: Record<string, unknown> } {
    const sorted = [...all].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    let start = 0;
    let revision = String(this.revision);
    const token = query.get('continue');
    if (token) {
      let parsed: { rv?: string; start?: string };
      try {
        parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: string; start?: string };
      } catch {
        throw new HttpError(400, 'BadRequest', 'continue key is not valid: illegal base64 data');
      }
      revision = parsed.rv ?? revision;
      start = sorted.findIndex((o) => objectKey(o) > (parsed.start ?? ''));
      if (start < 0) start = sorted.length;
    }
    const limit = Number(query.get('limit') ?? '0');
    if (!(limit > 0) || start + limit >= sorted.length) return { items: sorted.slice(start), metadata: { resourceVersion: revision } };
    const items = sorted.slice(start, start + limit);
    const next = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: objectKey(items.at(-1)!) })).toString('base64url');
    return { items, metadata: { resourceVersion: revision, continue: next, remainingItemCount: sorted.length - start - limit } };
  }

  private get(resource: Resource, namespace: string, name: string): AnyObject {
    const object = this.store[resource].get(`${namespace}/${name}`);
    if (!object) throw this.notFound(resource, name);
    return object;
  }

  private notFound(resource: Resource, name: string): HttpError {
    const { group } = KIND[resource];
    return new HttpError(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, { name, group, kind: resource });
  }

  private watch(res: ServerResponse, resource: Resource, namespace: string, query: URLSearchParams, table: string | null = null): void {
    const resourceVersion = query.get('resourceVersion');
    this.stats.watches.push({ resource, resourceVersion });
    const watcher: Watcher = {
      resource,
      namespace,
      labels: parseSelector(query.get('labelSelector')),
      fields: parseSelector(query.get('fieldSelector')),
      res,
      ...(table === null
        ? {}
        : {
            format: (line: string) => {
              const event = JSON.parse(line) as { type: string; object: AnyObject };
              if (event.type === 'ERROR') return line;
              return `${JSON.stringify({ type: event.type, object: asTable(resource, [event.object], { resourceVersion: event.object.metadata?.resourceVersion }, table) })}\n`;
            },
          }),
    };
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = resourceVersion ? Number(resourceVersion) : 0;
    if (from > 0 && from < this.compactedBefore - 1) {
      this.stats.expiredWatches++;
      const message = `too old resource version: ${from} (${this.compactedBefore - 1})`;
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } })}\n`);
      return;
    }
    if (from > 0) {
      for (const entry of this.history) {
        if (entry.rv > from && this.matches(watcher, entry.resource, entry.namespace, entry.labels, entry.fields)) {
          res.write(watcher.format ? watcher.format(entry.line) : entry.line);
          this.stats.watchEventsSent++;
        }
      }
    } else {
      for (const object of this.list(resource, namespace, query)) {
        const line = `${JSON.stringify({ type: 'ADDED', object })}\n`;
        res.write(watcher.format ? watcher.format(line) : line);
        this.stats.watchEventsSent++;
      }
    }
    // The API server ends every watch: after the client's timeoutSeconds, else after a random
    // time between its --min-request-timeout (1800 s) and twice that.
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    const { min, max } = this.options.watchTimeoutMs;
    const timeoutMs = timeoutSeconds > 0 ? timeoutSeconds * 1000 : min + Math.random() * (max - min);
    const timer = setTimeout(() => {
      this.watchers.delete(watcher);
      res.end();
    }, timeoutMs);
    timer.unref();
    res.on('close', () => clearTimeout(timer));
    res.on('close', () => this.watchers.delete(watcher));
    this.watchers.add(watcher);
  }

  private matches(watcher: Watcher, resource: Resource, namespace: string, labels: Record<string, string>, fields: Record<string, string>): boolean {
    return watcher.resource === resource && watcher.namespace === namespace && watcher.labels(labels) && watcher.fields(fields);
  }

  // ---- storage -------------------------------------------------------------------------------

  private write(resource: Resource, object: AnyObject, type: WatchType): void {
    const metadata = object.metadata!;
    const id = `${metadata.namespace}/${metadata.name}`;
    this.revision++;
    metadata.resourceVersion = String(this.revision);
    if (type === 'DELETED') this.store[resource].delete(id);
    else this.store[resource].set(id, object);
    const entry: HistoryEntry = {
      rv: this.revision,
      type,
      resource,
      namespace: metadata.namespace ?? '',
      line: `${JSON.stringify({ type, object })}\n`,
      labels: { ...(metadata.labels ?? {}) },
      fields: selectableFields(object as unknown as Record<string, unknown>, FIELD_PATHS[resource]),
    };
    this.history.push(entry);
    if (this.history.length > this.options.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.options.historyLimit);
      this.compactedBefore = dropped.at(-1)!.rv + 1;
    }
    const before = this.seen.get(`${resource}/${id}`);
    if (type === 'DELETED') this.seen.delete(`${resource}/${id}`);
    else this.seen.set(`${resource}/${id}`, { labels: entry.labels, fields: entry.fields });
    for (const watcher of this.watchers) {
      const now = type !== 'DELETED' && this.matches(watcher, resource, entry.namespace, entry.labels, entry.fields);
      const was = before !== undefined && this.matches(watcher, resource, entry.namespace, before.labels, before.fields);
      // As the API server's watch cache: an object that leaves a watch's selector is DELETED for
      // that watch, one that enters it is ADDED.
      let line: string | undefined;
      if (type === 'DELETED') line = was || this.matches(watcher, resource, entry.namespace, entry.labels, entry.fields) ? entry.line : undefined;
      else if (now && !was && type === 'MODIFIED') line = `${JSON.stringify({ type: 'ADDED', object })}\n`;
      else if (!now && was) line = `${JSON.stringify({ type: 'DELETED', object })}\n`;
      else if (now) line = entry.line;
      if (line === undefined) continue;
      watcher.res.write(watcher.format ? watcher.format(line) : line);
      this.stats.watchEventsSent++;
    }
    if (resource === 'jobs') this.countJobs();
    if (resource === 'pods') this.countActivePods(id, object as V1Pod, type);
  }

  private countJobs(): void {
    let existing = 0;
    let live = 0;
    const liveByExperiment: Record<string, number> = {};
    for (const job of this.store.jobs.values() as IterableIterator<V1Job>) {
      if (job.spec?.suspend) continue;
      existing++;
      if (this.runtimes.get(job.metadata!.uid!)?.finished) continue;
      live++;
      const experiment = job.metadata?.labels?.['dcl-enas.io/experiment'] ?? '';
      liveByExperiment[experiment] = (liveByExperiment[experiment] ?? 0) + 1;
    }
    this.stats.maxTrialJobs = Math.max(this.stats.maxTrialJobs, existing);
    this.stats.maxLiveTrialJobs = Math.max(this.stats.maxLiveTrialJobs, live);
    const byExperiment = this.stats.maxLiveTrialJobsByExperiment;
    for (const [experiment, count] of Object.entries(liveByExperiment)) byExperiment[experiment] = Math.max(byExperiment[experiment] ?? 0, count);
  }

  private createJob(namespace: string, body: string): V1Job {
    const failure = this.pendingFailures.shift();
    if (failure !== undefined) throw new HttpError(failure, failure === 503 ? 'ServiceUnavailable' : 'InternalError', 'the stand-in server was told to fail this request');
    const job = JSON.parse(body) as V1Job;
    const name = job.metadata?.name ?? '';
    if (this.options.validate) {
      // Decoding first (types, unknown fields), then the API server's own validation.
      // A body that does not decode into a Job is 400 BadRequest, unknown fields as with fieldValidation=Strict.
      const problems = k8sObjectProblems(job);
      if (problems.length > 0) {
        this.stats.invalid++;
        const unknown = problems.flatMap((p) => /^Job\.(.+): unknown field$/.exec(p.problem)?.[1] ?? []);
        const other = problems.filter((p) => !/: unknown field$/.test(p.problem)).map((p) => p.problem);
        const detail = [...(unknown.length > 0 ? [`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`] : []), ...other].join('; ');
        throw new HttpError(400, 'BadRequest', `Job in version "v1" cannot be handled as a Job: ${detail}`);
      }
      const errors = jobValidationErrors(job);
      if (errors.length > 0) {
        this.stats.invalid++;
        throw new HttpError(422, 'Invalid', invalidMessage('Job.batch', name, errors), {
          name,
          group: 'batch',
          kind: 'Job',
          causes: errors.map((e) => ({ reason: e.reason, message: e.message.slice(e.field.length + 2), field: e.field })),
        });
      }
    }
    // Admission (quota) runs before storage: over quota is 403 even for a name that exists.
    const used = this.list('jobs', namespace).length;
    if (this.jobQuota !== undefined && used >= this.jobQuota) {
      this.stats.quotaRefusals++;
      throw new HttpError(
        403,
        'Forbidden',
        `jobs.batch "${name}" is forbidden: exceeded quota: standin-quota, requested: count/jobs.batch=1, used: count/jobs.batch=${used}, limited: count/jobs.batch=${this.jobQuota}`,
        { name, group: 'batch', kind: 'jobs' },
      );
    }
    if (this.store.jobs.has(`${namespace}/${name}`)) {
      this.stats.alreadyExists++;
      throw new HttpError(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, { name, group: 'batch', kind: 'jobs' });
    }
    this.stats.creates++;
    const uid = randomUUID();
    job.metadata = { ...job.metadata, namespace, uid, creationTimestamp: new Date(), generation: 1 };
    const selectorLabels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
    job.spec!.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    job.spec!.template.metadata = { ...job.spec!.template.metadata, labels: { ...job.spec!.template.metadata?.labels, ...selectorLabels } };
    job.status = {};
    const runtime: JobRuntime = { podIndex: 0, failed: 0, activePods: new Set(), finished: false, timers: new Set() };
    this.runtimes.set(uid, runtime);
    this.write('jobs', job, 'ADDED');
    if (!job.spec?.suspend) this.later(runtime, 1, () => this.startPod(job));
    return clone(job);
  }

  private deleteNamed(namespace: string, name: string, propagation: string | undefined): object {
    const job = this.get('jobs', namespace, name);
    this.deleteObject('jobs', job, propagation);
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: 'batch', kind: 'jobs', uid: job.metadata?.uid } };
  }

  private deleteCollection(namespace: string, query: URLSearchParams, propagation: string | undefined): object {
    const doomed = this.list('jobs', namespace, query);
    for (const job of doomed) this.deleteObject('jobs', job, propagation);
    return { apiVersion: 'batch/v1', kind: 'JobList', metadata: { resourceVersion: String(this.revision) }, items: doomed };
  }

  /** Deletes an object; its dependents (ownerReferences) are deleted or orphaned as the policy says. */
  private deleteObject(resource: Resource, object: AnyObject, propagation: string | undefined): void {
    const uid = object.metadata?.uid;
    // As in the API server, deleting a batch/v1 Job without a policy orphans its pods.
    const policy = propagation ?? (resource === 'jobs' ? 'Orphan' : 'Background');
    if (resource === 'jobs' && uid) {
      const runtime = this.runtimes.get(uid);
      runtime?.timers.forEach(clearTimeout);
      this.runtimes.delete(uid);
    }
    if (resource === 'pods') {
      this.stopPodTimers(object.metadata!.name!);
      if (this.deletePodGracefully(object as V1Pod)) return;
    }
    const dependents = (['jobs', 'pods'] as const).flatMap((kind) =>
      [...this.store[kind].values()]
        .filter((other) => other.metadata?.ownerReferences?.some((owner) => owner.uid === uid))
        .map((other) => ({ kind, other })),
    );
    if (policy === 'Foreground') dependents.forEach(({ kind, other }) => this.deleteObject(kind, other, 'Background'));
    this.write(resource, object, 'DELETED');
    if (policy === 'Orphan') {
      for (const { kind, other } of dependents) {
        other.metadata!.ownerReferences = other.metadata!.ownerReferences!.filter((owner) => owner.uid !== uid);
        this.write(kind, other, 'MODIFIED');
      }
    } else if (policy === 'Background') {
      setImmediate(() => {
        for (const { kind, other } of dependents) {
          const id = `${other.metadata!.namespace}/${other.metadata!.name}`;
          if (this.store[kind].get(id)?.metadata?.uid === other.metadata?.uid) this.deleteObject(kind, other, 'Background');
        }
      });
    }
  }

  // ---- the Job controller and the pods' scripts -----------------------------------------------

  private later(runtime: JobRuntime | Set<NodeJS.Timeout>, ms: number, run: () => void): void {
    const timers = runtime instanceof Set ? runtime : runtime.timers;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!this.closed) run();
    }, ms);
    timers.add(timer);
  }

  private stopPodTimers(podName: string): void {
    this.podTimers.get(podName)?.forEach(clearTimeout);
    this.podTimers.delete(podName);
  }

  private currentJob(job: V1Job): V1Job | undefined {
    const stored = this.store.jobs.get(`${job.metadata!.namespace}/${job.metadata!.name}`) as V1Job | undefined;
    return stored?.metadata?.uid === job.metadata?.uid ? stored : undefined;
  }

  private startPod(job: V1Job): void {
    const current = this.currentJob(job);
    const runtime = current && this.runtimes.get(current.metadata!.uid!);
    if (!current || !runtime || runtime.finished) return;
    // The Job's first sync starts it, pod or no pod: activeDeadlineSeconds runs from here.
    const started = this.startJobClock(current, runtime);
    const namespace = current.metadata!.namespace!;
    const generateName = `${current.metadata!.name}-`;
    const name = `${generateName}${(this.podCounter++).toString(36).padStart(5, '0')}`;
    const template = current.spec!.template;
    const pod: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        uid: randomUUID(),
        creationTimestamp: new Date(),
        labels: { ...template.metadata?.labels },
        annotations: { ...template.metadata?.annotations },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: current.metadata!.name!, uid: current.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: clone(template.spec!),
      status: { phase: 'Pending', conditions: [], qosClass: 'Burstable' },
    };
    const refusal = this.admitPod(namespace, pod, generateName);
    if (refusal !== undefined) {
      if (started) this.updateJobStatus(current);
      this.podCreateRefused(current, runtime, refusal);
      return;
    }
    runtime.createFailures = 0;
    const script = this.options.podBehaviour(current, runtime.podIndex++);
    this.stats.podsCreated++;
    runtime.activePods.add(name);
    this.write('pods', pod, 'ADDED');
    this.recordEvent(current, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, 'job-controller');
    this.updateJobStatus(current);
    this.runScript(current, pod, script);
  }

  /** Sets the Job's startTime at its first sync (and arms activeDeadlineSeconds); true the first time. */
  private startJobClock(job: V1Job, runtime: JobRuntime): boolean {
    if (job.status!.startTime) return false;
    job.status!.startTime = new Date();
    const deadline = job.spec?.activeDeadlineSeconds;
    if (deadline) this.later(runtime, deadline * 1000, () => this.finishJob(job, false, 'DeadlineExceeded', 'Job was active longer than specified deadline'));
    return true;
  }

  /**
   * Starts the graceful deletion of a pod whose container may still run (see podGracePeriodMs):
   * true when the pod is now terminating (or was already), false when it can go at once.
   */
  private deletePodGracefully(pod: V1Pod): boolean {
    const phase = pod.status?.phase;
    if (this.options.podGracePeriodMs === 0 || (phase !== 'Running' && phase !== 'Pending')) return false;
    if (pod.metadata!.deletionTimestamp) return true;
    pod.metadata!.deletionTimestamp = new Date();
    pod.metadata!.deletionGracePeriodSeconds = Math.max(1, Math.ceil(this.options.podGracePeriodMs / 1000));
    this.write('pods', pod, 'MODIFIED');
    this.later(this.graceTimers, this.options.podGracePeriodMs, () => this.podTerminated(pod, 137));
    return true;
  }

  /**
   * A terminating pod's container has stopped: the pod ends Failed and is removed; a Job still
   * running replaces it, counting a failure unless its podFailurePolicy ignores the pod's
   * DisruptionTarget condition.
   */
  private podTerminated(pod: V1Pod, exitCode: number): void {
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const stored = this.store.pods.get(`${namespace}/${name}`) as V1Pod | undefined;
    if (!stored || stored.metadata?.uid !== pod.metadata?.uid) return;
    const container = stored.status?.containerStatuses?.[0];
    if (container) {
      const startedAt = container.state?.running?.startedAt ?? new Date();
      container.ready = false;
      container.state = { terminated: { exitCode, reason: 'Error', startedAt, finishedAt: new Date() } };
    }
    stored.status!.phase = 'Failed';
    this.write('pods', stored, 'MODIFIED');
    this.write('pods', stored, 'DELETED');
    const owner = stored.metadata?.ownerReferences?.find((ref) => ref.kind === 'Job');
    const job = owner ? (this.store.jobs.get(`${namespace}/${owner.name}`) as V1Job | undefined) : undefined;
    const runtime = job && this.runtimes.get(job.metadata!.uid!);
    if (!job || !runtime || runtime.finished || !runtime.activePods.has(name)) return;
    const disrupted = stored.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
    const ignored = disrupted && job.spec?.podFailurePolicy?.rules.some((rule) => rule.action === 'Ignore' && rule.onPodConditions?.some((c) => c.type === 'DisruptionTarget'));
    if (!ignored) {
      this.podEnded(job, name, exitCode);
      return;
    }
    runtime.activePods.delete(name);
    this.updateJobStatus(job);
    this.later(runtime, 0, () => this.startPod(job));
  }

  private podTimerSet(podName: string): Set<NodeJS.Timeout> {
    let timers = this.podTimers.get(podName);
    if (!timers) this.podTimers.set(podName, (timers = new Set()));
    return timers;
  }

  private runScript(job: V1Job, pod: V1Pod, script: PodScript): void {
    const timers = this.podTimerSet(pod.metadata!.name!);
    const container = pod.spec!.containers[0]!;
    const image = container.image ?? '';
    const update = (change: (status: NonNullable<V1Pod['status']>) => void): boolean => {
      const stored = this.store.pods.get(`${pod.metadata!.namespace}/${pod.metadata!.name}`) as V1Pod | undefined;
      if (!stored) return false;
      change(stored.status!);
      this.write('pods', stored, 'MODIFIED');
      return true;
    };
    const schedule = (status: NonNullable<V1Pod['status']>): void => {
      pod.spec!.nodeName = 'standin-node-1';
      status.conditions = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date() }];
      status.containerStatuses = [
        { name: container.name, image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      ];
    };
    const startMs = 'startMs' in script ? (script.startMs ?? 5) : 5;
    switch (script.kind) {
      case 'unschedulable': {
        const message = script.message ?? DEFAULT_UNSCHEDULABLE;
        this.later(timers, startMs, () => {
          update((status) => {
            status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: new Date() }];
          });
          this.recordEvent(pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
        });
        return;
      }
      case 'image-pull-error': {
        this.later(timers, startMs, () => {
          update((status) => {
            schedule(status);
            status.containerStatuses![0]!.state = {
              waiting: { reason: 'ErrImagePull', message: `failed to pull and unpack image "${image}": not found` },
            };
          });
          this.recordEvent(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet');
          this.recordEvent(pod, 'Warning', 'Failed', `Failed to pull image "${image}": not found`, 'kubelet');
          this.later(timers, script.backOffAfterMs ?? 20, () => {
            update((status) => {
              status.containerStatuses![0]!.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
            });
            this.recordEvent(pod, 'Warning', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet');
          });
        });
        return;
      }
      default: {
        this.later(timers, startMs, () => {
          const started = update((status) => {
            schedule(status);
            status.phase = 'Running';
            status.startTime = new Date();
            status.containerStatuses![0]!.ready = true;
            status.containerStatuses![0]!.state = { running: { startedAt: new Date() } };
          });
          if (!started) return;
          this.updateJobStatus(job);
          if (script.kind === 'run-until-deleted' || script.kind === 'external') return;
          const exitCode = script.kind === 'fail' ? script.exitCode : 0;
          this.later(timers, script.runMs ?? 20, () => {
            const ended = update((status) => {
              status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
              status.containerStatuses![0]!.ready = false;
              status.containerStatuses![0]!.state = {
                terminated: {
                  exitCode,
                  reason: script.kind === 'fail' && script.reason ? script.reason : exitCode === 0 ? 'Completed' : 'Error',
                  ...(script.kind === 'fail' ? { message: script.message } : {}),
                  startedAt: new Date(),
                  finishedAt: new Date(),
                },
              };
            });
            if (ended) this.podEnded(job, pod.metadata!.name!, exitCode);
          });
        });
      }
    }
  }

  private podEnded(job: V1Job, podName: string, exitCode: number): void {
    const current = this.currentJob(job);
    const runtime = current && this.runtimes.get(current.metadata!.uid!);
    if (!current || !runtime || runtime.finished) return;
    runtime.activePods.delete(podName);
    if (exitCode === 0) {
      current.status!.succeeded = 1;
      this.finishJob(current, true);
      return;
    }
    runtime.failed++;
    current.status!.failed = runtime.failed;
    const failJob = current.spec?.podFailurePolicy?.rules.findIndex(
      (rule) => rule.action === 'FailJob' && rule.onExitCodes?.operator === 'In' && rule.onExitCodes.values.includes(exitCode),
    );
    if (failJob !== undefined && failJob >= 0) {
      const container = current.spec!.template.spec!.containers[0]!.name;
      this.finishJob(current, false, 'PodFailurePolicy', `Container ${container} for pod ${current.metadata!.namespace}/${podName} failed with exit code ${exitCode} matching FailJob rule at index ${failJob}`);
    } else if (runtime.failed > (current.spec?.backoffLimit ?? 6)) {
      this.finishJob(current, false, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    } else {
      this.updateJobStatus(current);
      const delay = Math.min(this.options.podRetryMaxDelayMs, this.options.podRetryDelayMs * 2 ** (runtime.failed - 1));
      this.later(runtime, delay, () => this.startPod(current));
    }
  }

  private finishJob(job: V1Job, succeeded: boolean, reason?: string, message?: string): void {
    const current = this.currentJob(job);
    const runtime = current && this.runtimes.get(current.metadata!.uid!);
    if (!current || !runtime || runtime.finished) return;
    runtime.finished = true;
    this.stats.jobFinishedAt[current.metadata!.name!] = Date.now();
    runtime.timers.forEach(clearTimeout);
    runtime.timers.clear();
    // Since Kubernetes 1.31 the controller first marks the outcome (SuccessCriteriaMet or
    // FailureTarget), stops the pods still running, and adds Complete or Failed once they are gone.
    let terminating = 0;
    for (const podName of runtime.activePods) {
      const pod = this.store.pods.get(`${current.metadata!.namespace}/${podName}`);
      if (pod) {
        terminating++;
        this.deleteObject('pods', pod, 'Background');
      }
    }
    runtime.activePods.clear();
    const at = new Date();
    const target: V1JobCondition = succeeded
      ? { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', lastProbeTime: at, lastTransitionTime: at }
      : { type: 'FailureTarget', status: 'True', reason, message, lastProbeTime: at, lastTransitionTime: at };
    const final = (when: Date): V1JobCondition =>
      succeeded
        ? { type: 'Complete', status: 'True', reason: 'CompletionsReached', lastProbeTime: when, lastTransitionTime: when }
        : { type: 'Failed', status: 'True', reason, message, lastProbeTime: when, lastTransitionTime: when };
    const conclude = (when: Date) => {
      if (!this.currentJob(current)) return;
      current.status = { ...current.status, active: 0, ready: 0, terminating: 0, conditions: [target, final(when)], ...(succeeded ? { completionTime: when } : {}) };
      this.write('jobs', current, 'MODIFIED');
    };
    if (terminating === 0 || this.options.podGracePeriodMs === 0) {
      conclude(at);
    } else {
      current.status = { ...current.status, active: 0, ready: 0, terminating, conditions: [target] };
      this.write('jobs', current, 'MODIFIED');
      this.later(this.ttlTimers, this.options.podGracePeriodMs + 1, () => conclude(new Date()));
    }
    this.recordEvent(current, succeeded ? 'Normal' : 'Warning', succeeded ? 'Completed' : (reason ?? 'Failed'), succeeded ? 'Job completed' : (message ?? ''), 'job-controller');
    const ttl = current.spec?.ttlSecondsAfterFinished;
    if (ttl !== undefined) {
      this.later(this.ttlTimers, ttl * 1000, () => {
        if (this.currentJob(current)) this.deleteObject('jobs', current, 'Background');
      });
    }
  }

  private updateJobStatus(job: V1Job): void {
    const current = this.currentJob(job);
    const runtime = current && this.runtimes.get(current.metadata!.uid!);
    if (!current || !runtime) return;
    const namespace = current.metadata!.namespace!;
    const ready = [...runtime.activePods].filter((name) => (this.store.pods.get(`${namespace}/${name}`) as V1Pod | undefined)?.status?.phase === 'Running').length;
    current.status = { ...current.status, active: runtime.activePods.size, ready };
    this.write('jobs', current, 'MODIFIED');
  }

  /** Records an event; one with the key of an earlier one counts up that one (key: the object and reason, unless given). */
  private recordEvent(about: V1Job | V1Pod, type: 'Normal' | 'Warning', reason: string, message: string, component: string, key?: string): void {
    const kind = 'spec' in about && about.spec && 'template' in about.spec ? 'Job' : 'Pod';
    const namespace = about.metadata!.namespace!;
    const eventKey = key ?? `${about.metadata!.uid}/${reason}`;
    const existing = this.eventIndex.get(eventKey);
    if (existing && this.store.events.has(`${namespace}/${existing.metadata.name}`)) {
      existing.count = (existing.count ?? 1) + 1;
      existing.lastTimestamp = new Date();
      existing.message = message;
      this.write('events', existing, 'MODIFIED');
      return;
    }
    const event: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${about.metadata!.name}.${(this.eventCounter++).toString(16).padStart(12, '0')}`, namespace, creationTimestamp: new Date(), uid: randomUUID() },
      involvedObject: { apiVersion: kind === 'Job' ? 'batch/v1' : 'v1', kind, name: about.metadata!.name!, namespace, uid: about.metadata!.uid! },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: new Date(),
      lastTimestamp: new Date(),
      source: { component },
      reportingComponent: component,
    };
    this.eventIndex.set(eventKey, event);
    this.write('events', event, 'ADDED');
  }

  // ---- pod admission and FailedCreate (helpers below the class) --------------------------------

  /**
   * kube-apiserver's admission of a pod the Job controller creates, its plugins in their order:
   * ServiceAccount and Priority (mutating, before the name is generated, so their errors name the
   * generateName), then ResourceQuota (validating, after). The Status message of the 403 that
   * refuses the pod, or undefined when the pod is admitted.
   */
  private admitPod(namespace: string, pod: V1Pod, generateName: string): string | undefined {
    const spec = pod.spec!;
    const account = spec.serviceAccountName || 'default';
    spec.serviceAccountName = account;
    if (!this.serviceAccounts.has(account) && !this.serviceAccounts.has(`${namespace}/${account}`)) {
      return `pods "${generateName}" is forbidden: error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`;
    }
    if (spec.priorityClassName && !this.priorityClasses.has(spec.priorityClassName)) {
      return `pods "${generateName}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`;
    }
    const refusal = this.checkPodQuotas(namespace, pod);
    return refusal === undefined ? undefined : `pods "${pod.metadata!.name}" is forbidden: ${refusal}`;
  }

  /**
   * The ResourceQuota plugin for a new pod: first every matching quota's constraints (a quota on
   * cpu or memory needs that request or limit on every container), then the usage of each: the
   * namespace's pods that have not finished plus this one, for the resources the pod asks for.
   */
  private checkPodQuotas(namespace: string, pod: V1Pod): string | undefined {
    const quotas = [...this.resourceQuotas.values()]
      .filter((quota) => quota.namespace === namespace)
      .map((quota) => ({ name: quota.name, hard: quantities(quota.hard) }))
      .filter((quota) => Object.keys(quota.hard).some(isPodQuotaResource))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (quotas.length === 0) return undefined;
    for (const quota of quotas) {
      const required = Object.keys(quota.hard).filter((resource) => QUOTA_VALIDATION_SET.has(resource));
      const missing = new Set<string>();
      for (const container of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        const { requests, limits } = containerResources(container);
        const has = computeUsage(requests, limits);
        for (const resource of required) if (!has[resource]) missing.add(resource);
      }
      if (missing.size > 0) return `failed quota: ${quota.name}: must specify ${[...missing].sort().join(',')}`;
    }
    const delta = podQuotaUsage(pod);
    const used = this.namespaceQuotaUsage(namespace);
    for (const quota of quotas) {
      const requested = maskResources(delta, Object.keys(quota.hard));
      const exceeded = Object.keys(requested).filter((resource) => (used[resource]?.nanos ?? 0n) + requested[resource]!.nanos > quota.hard[resource]!.nanos);
      if (exceeded.length === 0) continue;
      const usedNow = Object.fromEntries(exceeded.map((resource) => [resource, used[resource] ?? ZERO]));
      return `exceeded quota: ${quota.name}, requested: ${prettyPrint(maskResources(requested, exceeded))}, used: ${prettyPrint(usedNow)}, limited: ${prettyPrint(maskResources(quota.hard, exceeded))}`;
    }
    return undefined;
  }

  /** What the namespace's pods use (ResourceQuota status.used, with replenishment at once). */
  private namespaceQuotaUsage(namespace: string): ResourceList {
    let used: ResourceList = {};
    for (const pod of this.store.pods.values() as IterableIterator<V1Pod>) {
      if (pod.metadata?.namespace === namespace) used = addResources(used, podQuotaUsage(pod));
    }
    return used;
  }

  /**
   * A refused pod creation, as the Job controller handles it: a Warning FailedCreate event on the
   * Job ("Error creating: " and the API server's message), no pod, and the Job tried again after
   * its back-off (initial * 2^n up to max; reset once a pod is created).
   */
  private podCreateRefused(job: V1Job, runtime: JobRuntime, refusal: string): void {
    this.stats.podCreateRefusals++;
    this.recordSimilarEvent(job, 'Warning', 'FailedCreate', `Error creating: ${refusal}`, 'job-controller');
    const { initial, max } = this.options.podCreateBackoffMs;
    const failures = runtime.createFailures ?? 0;
    runtime.createFailures = failures + 1;
    this.later(runtime, Math.min(max, initial * 2 ** failures), () => this.startPod(job));
  }

  /**
   * An event through client-go's event correlator: the same message again counts up its event;
   * once an object has had SIMILAR_EVENTS_MAX different messages of one reason, they go into one
   * event whose message starts "(combined from similar events): ".
   */
  private recordSimilarEvent(about: V1Job, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const aggregate = `${about.metadata!.uid}/${reason}`;
    let messages = this.similarEvents.get(aggregate);
    if (!messages) this.similarEvents.set(aggregate, (messages = new Set()));
    if (messages.size < SIMILAR_EVENTS_MAX) messages.add(message);
    if (messages.size < SIMILAR_EVENTS_MAX) this.recordEvent(about, type, reason, message, component, `${aggregate}/${message}`);
    else this.recordEvent(about, type, reason, `(combined from similar events): ${message}`, component, `${aggregate}/combined`);
  }

  /** Keeps stats.maxActivePods: pods written that have not finished. */
  private countActivePods(id: string, pod: V1Pod, type: WatchType): void {
    const phase = pod.status?.phase;
    if (type === 'DELETED' || phase === 'Succeeded' || phase === 'Failed') this.activePodIds.delete(id);
    else this.activePodIds.add(id);
    this.stats.maxActivePods = Math.max(this.stats.maxActivePods, this.activePodIds.size);
  }
}

// ---- pod admission (kube-apiserver's ServiceAccount, Priority and ResourceQuota plugins) -------
//
// Kept apart from the Job controller above: KubeApiStandin.admitPod runs the plugins in
// kube-apiserver's order for each pod the Job controller creates; podCreateRefused records the
// refusal as the controller does and retries with its back-off. Not modelled: quota scopes and
// scopeSelector, LimitRanges, PodSecurity, webhooks, the event recorder's spam filter, and the
// quota controller's replenishment delay (usage is read from the stored pods, so a pod that
// finishes frees its quota at once).

const DEFAULT_SERVICE_ACCOUNTS = ['default', 'dcl-enas-trainer'];
const BUILT_IN_PRIORITY_CLASSES = ['system-cluster-critical', 'system-node-critical'];
/** The event recorder combines a Job's events of one reason once this many different messages were seen. */
const SIMILAR_EVENTS_MAX = 10;

/** Resources the pod quota evaluator tracks (besides requests.<extended resource> and hugepages). */
const POD_QUOTA_RESOURCES = new Set([
  'pods',
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);
/** A quota on these makes every container set the request or limit ("must specify"). */
const QUOTA_VALIDATION_SET = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

const isPodQuotaResource = (resource: string): boolean =>
  POD_QUOTA_RESOURCES.has(resource) || resource.startsWith('hugepages-') || (resource.startsWith('requests.') && (resource.includes('/') || resource.startsWith('requests.hugepages-')));

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';
/** A resource.Quantity: an exact value in units of 10^-9, and the format its canonical text uses. */
interface Quantity {
  nanos: bigint;
  format: QuantityFormat;
}
type ResourceList = Record<string, Quantity>;

const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };
const ONE: Quantity = { nanos: 1_000_000_000n, format: 'DecimalSI' };
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Parses a Kubernetes quantity ("1", "500m", "4Gi", "1e3"), rounding up to 10^-9 as the API server does. */
function parseQuantity(input: string | number): Quantity {
  const text = String(input).trim();
  const match = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/.exec(text);
  if (!match) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${text}`);
  const [, sign, number, suffix] = match as unknown as [string, string, string, string];
  const [whole, fraction = ''] = number.split('.');
  let value = BigInt(`${whole || '0'}${fraction}`);
  let power = -fraction.length + 9;
  let format: QuantityFormat = 'DecimalSI';
  const binary = BINARY_SUFFIX.indexOf(suffix);
  if (suffix !== '' && binary > 0) {
    value *= 1024n ** BigInt(binary);
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SUFFIX) {
    power += DECIMAL_SUFFIX[suffix]!;
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    power += Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    throw new Error(`unable to parse quantity's suffix: ${text}`);
  }
  if (power >= 0) value *= 10n ** BigInt(power);
  else {
    const divisor = 10n ** BigInt(-power);
    value = (value + divisor - 1n) / divisor;
  }
  return { nanos: sign === '-' ? -value : value, format };
}

/** A quantity's canonical text, as resource.Quantity.String() writes it: "1500m", "2", "4Gi", "1k". */
function formatQuantity(quantity: Quantity): string {
  const { nanos } = quantity;
  if (nanos === 0n) return '0';
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  let text: string | undefined;
  if (quantity.format === 'BinarySI' && abs >= 1024n * 1_000_000_000n && abs % 1_000_000_000n === 0n) {
    let units = abs / 1_000_000_000n;
    let step = 0;
    while (step < BINARY_SUFFIX.length - 1 && units % 1024n === 0n) {
      units /= 1024n;
      step++;
    }
    text = `${units}${BINARY_SUFFIX[step]}`;
  } else {
    let mantissa = abs;
    let exponent = -9;
    while (exponent < 18 && mantissa % 1000n === 0n) {
      mantissa /= 1000n;
      exponent += 3;
    }
    if (quantity.format === 'DecimalExponent') text = exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    else text = `${mantissa}${Object.keys(DECIMAL_SUFFIX).find((suffix) => DECIMAL_SUFFIX[suffix] === exponent)}`;
  }
  return negative ? `-${text}` : text;
}

/** quota.Add: a value missing on one side counts as zero; a zero takes the other's format. */
function addResources(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [resource, value] of Object.entries(b)) {
    const mine = out[resource];
    out[resource] = mine ? { nanos: mine.nanos + value.nanos, format: mine.nanos === 0n ? value.format : mine.format } : value;
  }
  return out;
}

function maxResources(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [resource, value] of Object.entries(b)) if (!out[resource] || value.nanos > out[resource].nanos) out[resource] = value;
  return out;
}

function maskResources(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const name of names) if (list[name]) out[name] = list[name];
  return out;
}

/** As the quota admission's errors print a resource list: sorted, `name=quantity`, comma-separated. */
function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((name) => `${name}=${formatQuantity(list[name]!)}`)
    .join(',');
}

type Container = NonNullable<V1Pod['spec']>['containers'][number];

function quantities(list: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [name, value] of Object.entries(list ?? {})) if (value !== undefined) out[name] = parseQuantity(value as string | number);
  return out;
}

/** A container's requests and limits after the API server's defaulting (a limit without a request sets the request). */
function containerResources(container: Container): { requests: ResourceList; limits: ResourceList } {
  const limits = quantities(container.resources?.limits as Record<string, unknown> | undefined);
  const requests = { ...limits, ...quantities(container.resources?.requests as Record<string, unknown> | undefined) };
  return { requests, limits };
}

/** podComputeUsageHelper: what one pod (or one container) counts against quota. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const usage: ResourceList = { pods: ONE };
  for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[resource]) usage[resource] = usage[`requests.${resource}`] = requests[resource];
    if (limits[resource]) usage[`limits.${resource}`] = limits[resource];
  }
  for (const [resource, request] of Object.entries(requests)) {
    if (resource.startsWith('hugepages-')) usage[resource] = usage[`requests.${resource}`] = request;
    else if (resource.includes('/') && !resource.startsWith('kubernetes.io/')) usage[`requests.${resource}`] = request;
  }
  return usage;
}

/** The pod evaluator's usage: count/pods for every pod; the rest only while the pod has not finished. */
function podQuotaUsage(pod: V1Pod): ResourceList {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { 'count/pods': ONE };
  let requests: ResourceList = {};
  let limits: ResourceList = {};
  for (const container of pod.spec?.containers ?? []) {
    const own = containerResources(container);
    requests = addResources(requests, own.requests);
    limits = addResources(limits, own.limits);
  }
  for (const container of pod.spec?.initContainers ?? []) {
    const own = containerResources(container);
    requests = maxResources(requests, own.requests);
    limits = maxResources(limits, own.limits);
  }
  return { ...computeUsage(requests, limits), 'count/pods': ONE };
}
