import { readFileSync } from 'node:fs';
import { k8s, type CoreV1Event, type Informer, type KubeConfig, type ObjectCache, type V1Job, type V1Pod } from './k8s-client';
import { classifyKubeError } from './kube-errors';

export type WatchedCache<T extends { metadata?: object }> = Informer<T & { metadata?: object }> & ObjectCache<T>;

/** The Kubernetes calls the launcher makes, all in one namespace (what its Role allows). */
export class KubeClusterApi {
  private readonly batch: InstanceType<typeof k8s.BatchV1Api>;
  private readonly core: InstanceType<typeof k8s.CoreV1Api>;

  constructor(
    private readonly kubeConfig: KubeConfig,
    readonly namespace: string,
  ) {
    this.batch = kubeConfig.makeApiClient(k8s.BatchV1Api);
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  }

  createJob(job: V1Job): Promise<V1Job> {
    return this.batch.createNamespacedJob({ namespace: this.namespace, body: job });
  }

  async readJob(name: string): Promise<V1Job | undefined> {
    try {
      return await this.batch.readNamespacedJob({ name, namespace: this.namespace });
    } catch (error) {
      if (classifyKubeError(error).kind === 'not-found') return undefined;
      throw error;
    }
  }

  /**
   * Deletes a Job and, in the background, its pods (the API's default for Jobs orphans them).
   * `Orphan`: only the Job; what it owns stays, its owner reference removed.
   */
  async deleteJob(name: string, propagationPolicy: 'Background' | 'Orphan' = 'Background'): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy });
    } catch (error) {
      if (classifyKubeError(error).kind !== 'not-found') throw error;
    }
  }

  async deleteJobs(labelSelector: string): Promise<void> {
    await this.batch.deleteCollectionNamespacedJob({ namespace: this.namespace, labelSelector, propagationPolicy: 'Background' });
  }

  async listJobs(labelSelector: string): Promise<V1Job[]> {
    return (await this.batch.listNamespacedJob({ namespace: this.namespace, labelSelector })).items;
  }

  async readPod(name: string): Promise<V1Pod | undefined> {
    try {
      return await this.core.readNamespacedPod({ name, namespace: this.namespace });
    } catch (error) {
      if (classifyKubeError(error).kind === 'not-found') return undefined;
      throw error;
    }
  }

  /** The last `tailLines` lines of a container's log (pods/log). */
  readPodLog(name: string, container: string, tailLines: number): Promise<string> {
    return this.core.readNamespacedPodLog({ name, namespace: this.namespace, container, tailLines });
  }

  /** Events about one object (a pod, or a Job that cannot create its pod), oldest first. */
  async eventsFor(kind: 'Pod' | 'Job', name: string): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({
      namespace: this.namespace,
      fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
    });
    const time = (event: CoreV1Event): number =>
      new Date(event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? 0).getTime();
    return [...list.items].sort((a, b) => time(a) - time(b));
  }

  jobInformer(labelSelector: string): WatchedCache<V1Job> {
    const path = `/apis/batch/v1/namespaces/${this.namespace}/jobs`;
    return k8s.makeInformer(this.kubeConfig, path, () => this.batch.listNamespacedJob({ namespace: this.namespace, labelSelector }), labelSelector);
  }

  podInformer(labelSelector: string): WatchedCache<V1Pod> {
    const path = `/api/v1/namespaces/${this.namespace}/pods`;
    return k8s.makeInformer(this.kubeConfig, path, () => this.core.listNamespacedPod({ namespace: this.namespace, labelSelector }), labelSelector);
  }
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface ClusterConnection {
  kubeConfig: KubeConfig;
  namespace: string;
}

/**
 * In a pod: the in-cluster service account and its namespace. Elsewhere: the kubeconfig
 * (KUBECONFIG or ~/.kube/config) and its current context's namespace. `namespace` overrides both.
 */
export function connectToCluster(options: { namespace?: string } = {}): ClusterConnection {
  const kubeConfig = new k8s.KubeConfig();
  const inCluster = Boolean(process.env['KUBERNETES_SERVICE_HOST']);
  if (inCluster) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  let namespace = options.namespace;
  if (!namespace && inCluster) namespace = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
  if (!namespace) namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return { kubeConfig, namespace: namespace ?? 'default' };
}

/** A connection to an API server at a URL with no credentials (the stand-in server in tests). */
export function connectToServer(server: string, namespace: string): ClusterConnection {
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'target', server, skipTLSVerify: true }],
    users: [{ name: 'anonymous' }],
    contexts: [{ name: 'target', cluster: 'target', user: 'anonymous', namespace }],
    currentContext: 'target',
  });
  return { kubeConfig, namespace };
}
