import { afterEach, describe, expect, it } from 'vitest';
import { buildTrialJob } from './job-builder';
import type { V1Job } from './k8s-client';
import { KubeClusterApi, connectToServer } from './kube-api';
import { TEST_NAMESPACE, behaviourByTrial, KubeApiStandin, type StandinOptions } from '@dcl-enas/k8s-testing';
import { launcherFor, testTemplate, waitFor } from '../test-support/harness';
import { parseTrialTemplate } from './trial-template';

/**
 * The stand-in's Job controller and pod deletion, timed as Kubernetes 1.31+ does it: failed pods
 * replaced with a doubling back-off, pods deleted gracefully, FailureTarget before Failed (Failed
 * only once the pods are gone), and an evicted pod (DisruptionTarget) replaced without counting a
 * failure when the podFailurePolicy ignores it.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function standin(options: StandinOptions): Promise<{ server: KubeApiStandin; api: KubeClusterApi }> {
  const server = await KubeApiStandin.start(options);
  cleanups.push(() => server.close());
  const { kubeConfig, namespace } = connectToServer(server.url, TEST_NAMESPACE);
  return { server, api: new KubeClusterApi(kubeConfig, namespace) };
}

let n = 0;
const job = (overrides: Parameters<typeof testTemplate>[0] = {}): V1Job =>
  buildTrialJob(parseTrialTemplate(testTemplate(overrides)), { experimentId: 'ctl', trialId: String(++n), attempt: 1, namespace: TEST_NAMESPACE });
const podsOf = (server: KubeApiStandin, name: string) => server.pods(TEST_NAMESPACE).filter((p) => p.metadata?.ownerReferences?.some((o) => o.name === name));
const conditions = (server: KubeApiStandin, name: string) => (server.jobs(TEST_NAMESPACE).find((j) => j.metadata?.name === name)?.status?.conditions ?? []).map((c) => c.type);

describe("the stand-in's Job controller, timed as Kubernetes 1.31+", () => {
  it('replaces failed pods after a back-off that doubles (10 s, 20 s... by default; scaled down here)', async () => {
    const { server, api } = await standin({ podBehaviour: () => ({ kind: 'fail', exitCode: 1, message: 'no', runMs: 1 }), podRetryDelayMs: 100 });
    const created = await api.createJob(job({ backoffLimit: 3 }));
    const name = created.metadata!.name!;
    const starts: number[] = [];
    const seen = new Set<string>();
    await waitFor('the Job to fail', () => {
      for (const pod of podsOf(server, name)) {
        if (seen.has(pod.metadata!.name!)) continue;
        seen.add(pod.metadata!.name!);
        starts.push(Date.now());
      }
      return conditions(server, name).includes('Failed');
    }, 10_000);
    expect(starts).toHaveLength(4);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
  });

  it('a Job past its deadline: FailureTarget at once, its pod terminating, Failed only when the pod is gone', async () => {
    const { server, api } = await standin({ podBehaviour: () => ({ kind: 'run-until-deleted' }), podGracePeriodMs: 400 });
    const created = await api.createJob(job({ activeDeadlineSeconds: 1 }));
    const name = created.metadata!.name!;
    await waitFor('FailureTarget', () => conditions(server, name).includes('FailureTarget'), 5_000);
    expect(conditions(server, name)).toEqual(['FailureTarget']);
    const [pod] = podsOf(server, name);
    expect(pod?.metadata?.deletionTimestamp).toBeTruthy();
    await waitFor('Failed', () => conditions(server, name).includes('Failed'), 5_000);
    expect(conditions(server, name)).toEqual(['FailureTarget', 'Failed']);
    expect(podsOf(server, name)).toEqual([]);
  });

  it('an evicted pod (DisruptionTarget) is replaced without counting against backoffLimit; the launcher sees the trial succeed', async () => {
    let evicted = false;
    const { server } = await standin({
      podBehaviour: behaviourByTrial({}, { kind: 'succeed', runMs: 600 }),
      podRetryDelayMs: 10,
    });
    const launcher = launcherFor(server);
    cleanups.push(() => launcher.stop());
    await launcher.start();
    await launcher.registerExperiment('evict', testTemplate({ backoffLimit: 0 }));
    launcher.submit({ experimentId: 'evict', trialId: '1' });
    await waitFor('the pod to run, then its eviction', () => {
      const running = server.pods(TEST_NAMESPACE).find((p) => p.status?.phase === 'Running');
      if (running && !evicted) evicted = server.evictPod(TEST_NAMESPACE, running.metadata!.name!);
      return evicted;
    }, 5_000);
    await waitFor('the trial to succeed', () => launcher.trialStatus('evict', '1')?.phase === 'Succeeded', 10_000, () => launcher.status());
    expect(server.stats.podsCreated).toBe(2);
    expect(server.jobs(TEST_NAMESPACE).find((j) => j.metadata?.labels?.['dcl-enas.io/role'] === 'trial')?.status?.failed ?? 0).toBe(0);
  });
});

describe('watches on the stand-in, as the API server serves them', () => {
  /** The event types a raw watch receives until it ends or `untilMs` passes. */
  async function watchTypes(url: string, untilMs: number): Promise<{ types: string[]; ended: boolean }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), untilMs);
    const types: string[] = [];
    let ended = false;
    try {
      const res = await fetch(url, { signal: controller.signal });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) if (line) types.push((JSON.parse(line) as { type: string }).type);
      }
      ended = true;
    } catch {
      // aborted: the watch was still open
    } finally {
      clearTimeout(timer);
    }
    return { types, ended };
  }

  it('an object that leaves the selector is DELETED for that watch (a pod that stops Running, watched with status.phase=Running)', async () => {
    const { server, api } = await standin({ podBehaviour: () => ({ kind: 'succeed', startMs: 150, runMs: 150 }) });
    const watching = watchTypes(`${server.url}/api/v1/namespaces/${TEST_NAMESPACE}/pods?watch=true&fieldSelector=status.phase%3DRunning`, 1_500);
    await new Promise((r) => setTimeout(r, 50));
    await api.createJob(job());
    const { types } = await watching;
    expect(types).toEqual(['ADDED', 'DELETED']);
  });

  it('a watch without timeoutSeconds is ended by the server after its request timeout', async () => {
    const { server } = await standin({ watchTimeoutMs: { min: 200, max: 300 } });
    const started = Date.now();
    const { ended } = await watchTypes(`${server.url}/apis/batch/v1/namespaces/${TEST_NAMESPACE}/jobs?watch=true`, 3_000);
    expect(ended).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
