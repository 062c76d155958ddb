import { afterEach, describe, expect, it } from 'vitest';
import type { CoreV1Event, V1Job } from './k8s-client';
import { KubeClusterApi, connectToServer } from './kube-api';
import { buildTrialJob } from './job-builder';
import { parseTrialTemplate, type TrialTemplateInput } from './trial-template';
import { KubeApiStandin, type StandinOptions, TEST_NAMESPACE } from '@dcl-enas/k8s-testing';
import { PATIENT_MS, testTemplate, waitFor } from '../test-support/harness';

/**
 * The stand-in's pod admission, as kube-apiserver and the Job controller do it: a pod the Job
 * controller creates passes the ServiceAccount and Priority admission plugins, then ResourceQuota;
 * a refused pod is no pod and a Warning FailedCreate event on the Job, and the controller tries
 * again with its back-off.
 */

const open: KubeApiStandin[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function standin(options: StandinOptions = {}): Promise<KubeApiStandin> {
  const server = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'external' }), podCreateBackoffMs: { initial: 10, max: 40 }, ...options });
  open.push(server);
  return server;
}

function createTrialJob(server: KubeApiStandin, trialId: string, overrides: Partial<TrialTemplateInput> = {}): Promise<V1Job> {
  const { kubeConfig } = connectToServer(server.url, TEST_NAMESPACE);
  const job = buildTrialJob(parseTrialTemplate(testTemplate(overrides)), { experimentId: 'exp-adm', trialId, attempt: 1, namespace: TEST_NAMESPACE });
  return new KubeClusterApi(kubeConfig, TEST_NAMESPACE).createJob(job);
}

const podsOf = (server: KubeApiStandin, job: V1Job) =>
  server.pods(TEST_NAMESPACE).filter((pod) => pod.metadata?.ownerReferences?.some((owner) => owner.uid === job.metadata!.uid));
const running = (server: KubeApiStandin, job: V1Job) => podsOf(server, job).filter((pod) => pod.status?.phase === 'Running');
const failedCreates = (server: KubeApiStandin, job: V1Job): CoreV1Event[] =>
  server
    .events(TEST_NAMESPACE)
    .filter((event) => event.involvedObject.uid === job.metadata!.uid && event.reason === 'FailedCreate')
    .sort((a, b) => new Date(a.lastTimestamp!).getTime() - new Date(b.lastTimestamp!).getTime());
const newestRefusal = (server: KubeApiStandin, job: V1Job) => failedCreates(server, job).at(-1)?.message ?? '';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const jobNamed = (server: KubeApiStandin, job: V1Job) => server.jobs(TEST_NAMESPACE).find((j) => j.metadata!.uid === job.metadata!.uid)!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pod admission on the stand-in API server', () => {
  it('a GPU quota refuses the pod beyond it (FailedCreate, no pod); the controller retries, and a pod that finishes frees its quota', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'gpu-quota', hard: { 'requests.nvidia.com/gpu': '2' } }] });
    const first = await createTrialJob(server, 'a');
    const second = await createTrialJob(server, 'b');
    await waitFor('2 running pods', () => running(server, first).length === 1 && running(server, second).length === 1, PATIENT_MS);
    const third = await createTrialJob(server, 'c');
    await waitFor('a refusal', () => failedCreates(server, third).length > 0, PATIENT_MS);
    const event = failedCreates(server, third).at(-1)!;
    expect(event).toMatchObject({ type: 'Warning', reason: 'FailedCreate', source: { component: 'job-controller' }, involvedObject: { kind: 'Job', name: third.metadata!.name } });
    expect(event.message).toMatch(
      new RegExp(
        `^Error creating: pods "${escape(third.metadata!.name!)}-[a-z0-9]{5}" is forbidden: exceeded quota: gpu-quota, requested: requests\\.nvidia\\.com/gpu=1, used: requests\\.nvidia\\.com/gpu=2, limited: requests\\.nvidia\\.com/gpu=2$`,
      ),
    );
    // Retried with back-off, and still no pod.
    const refusals = server.stats.podCreateRefusals;
    await waitFor('retries', () => server.stats.podCreateRefusals >= refusals + 2, PATIENT_MS);
    expect(podsOf(server, third)).toHaveLength(0);
    // The Job has started (its activeDeadlineSeconds runs) though it has no pod.
    expect(jobNamed(server, third).status).toMatchObject({ active: 0 });
    expect(jobNamed(server, third).status?.startTime).toBeDefined();

    // A pod that has finished holds no quota: the next try creates the third pod.
    expect(server.endPod(TEST_NAMESPACE, running(server, first)[0]!.metadata!.name!, 0)).toBe(true);
    await waitFor('the third pod', () => running(server, third).length === 1, PATIENT_MS);
    expect(server.stats.maxActivePods).toBe(2);
    expect(server.events(TEST_NAMESPACE).some((e) => e.involvedObject.uid === third.metadata!.uid && e.reason === 'SuccessfulCreate')).toBe(true);
  });

  it('a pods quota counts the namespace\'s pods that have not finished', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'pod-count', hard: { pods: 1 } }] });
    const first = await createTrialJob(server, 'a');
    await waitFor('the first pod', () => running(server, first).length === 1, PATIENT_MS);
    const second = await createTrialJob(server, 'b');
    await waitFor('a refusal', () => failedCreates(server, second).length > 0, PATIENT_MS);
    expect(newestRefusal(server, second)).toMatch(/ is forbidden: exceeded quota: pod-count, requested: pods=1, used: pods=1, limited: pods=1$/);
    server.endPod(TEST_NAMESPACE, running(server, first)[0]!.metadata!.name!, 1, 'failed'); // a Failed pod is terminal too
    await waitFor('the second pod', () => running(server, second).length === 1 || running(server, first).length === 1, PATIENT_MS);
    // The first Job retries its failed pod (backoffLimit 1) and the second one creates its pod: one of them at a time.
    expect(server.stats.maxActivePods).toBe(1);
  });

  it('cpu and memory quotas count requests and limits as quota admission does, and print the quantities canonically', async () => {
    // The test template asks for requests cpu 1, memory 2Gi and limits memory 4Gi.
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'compute', hard: { 'requests.cpu': '1500m', 'requests.memory': '8Gi', 'limits.memory': '6144Mi' } }] });
    const first = await createTrialJob(server, 'a');
    await waitFor('the first pod', () => running(server, first).length === 1, PATIENT_MS);
    const second = await createTrialJob(server, 'b');
    await waitFor('a refusal', () => failedCreates(server, second).length > 0, PATIENT_MS);
    expect(newestRefusal(server, second)).toMatch(
      / is forbidden: exceeded quota: compute, requested: limits\.memory=4Gi,requests\.cpu=1, used: limits\.memory=4Gi,requests\.cpu=1, limited: limits\.memory=6Gi,requests\.cpu=1500m$/,
    );
    expect(server.quotaUsed(TEST_NAMESPACE, 'compute')).toEqual({ 'requests.cpu': '1', 'requests.memory': '2Gi', 'limits.memory': '4Gi' });
  });

  it('a cpu or memory quota refuses a pod that does not set that request or limit ("must specify")', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'compute', hard: { 'limits.cpu': '8', 'requests.nvidia.com/gpu': 4 } }] });
    const job = await createTrialJob(server, 'a'); // no cpu limit
    await waitFor('a refusal', () => failedCreates(server, job).length > 0, PATIENT_MS);
    expect(newestRefusal(server, job)).toMatch(new RegExp(`^Error creating: pods "${escape(job.metadata!.name!)}-[a-z0-9]{5}" is forbidden: failed quota: compute: must specify limits\\.cpu$`));
    await sleep(100);
    expect(podsOf(server, job)).toHaveLength(0);
  });

  it('a pod naming a ServiceAccount that does not exist is refused (before any quota); once it is created, the retry succeeds', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'gpu-quota', hard: { 'requests.nvidia.com/gpu': 0 } }] });
    const job = await createTrialJob(server, 'a', { serviceAccountName: 'trial-runner' });
    await waitFor('a refusal', () => failedCreates(server, job).length > 0, PATIENT_MS);
    // Mutating admission runs before the name is generated: the message names the generateName.
    expect(newestRefusal(server, job)).toBe(
      `Error creating: pods "${job.metadata!.name}-" is forbidden: error looking up service account ${TEST_NAMESPACE}/trial-runner: serviceaccount "trial-runner" not found`,
    );
    server.createServiceAccount(TEST_NAMESPACE, 'trial-runner');
    await waitFor('the quota refusal', () => / exceeded quota: gpu-quota, /.test(newestRefusal(server, job)), PATIENT_MS);
    server.setResourceQuota(TEST_NAMESPACE, 'gpu-quota', undefined);
    await waitFor('the pod', () => running(server, job).length === 1, PATIENT_MS);
  });

  it('a pod naming a PriorityClass that does not exist is refused; once it is created, the retry succeeds', async () => {
    const server = await standin();
    const job = await createTrialJob(server, 'a', { priorityClassName: 'dcl-enas-trials' });
    await waitFor('a refusal', () => failedCreates(server, job).length > 0, PATIENT_MS);
    expect(newestRefusal(server, job)).toBe(`Error creating: pods "${job.metadata!.name}-" is forbidden: no PriorityClass with name dcl-enas-trials was found`);
    server.createPriorityClass('dcl-enas-trials');
    await waitFor('the pod', () => running(server, job).length === 1, PATIENT_MS);
    // The built-in classes exist from the start.
    const critical = await createTrialJob(server, 'b', { priorityClassName: 'system-cluster-critical' });
    await waitFor('its pod', () => running(server, critical).length === 1, PATIENT_MS);
    expect(failedCreates(server, critical)).toHaveLength(0);
  });

  it('the retries back off exponentially up to the configured maximum', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'none', hard: { pods: 0 } }], podCreateBackoffMs: { initial: 100, max: 200 } });
    await createTrialJob(server, 'a');
    await sleep(1_000);
    // Tries at 0, 100, 300, 500, 700, 900 ms at most (timers only ever fire late).
    expect(server.stats.podCreateRefusals).toBeGreaterThanOrEqual(2);
    expect(server.stats.podCreateRefusals).toBeLessThanOrEqual(6);
  });

  it('refusals are recorded as the event recorder does: one event per message, then "(combined from similar events)" after 10 different ones', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'none', hard: { pods: '0' } }], podCreateBackoffMs: { initial: 1, max: 2 } });
    const job = await createTrialJob(server, 'a');
    await waitFor('14 refusals', () => server.stats.podCreateRefusals >= 14, PATIENT_MS);
    const events = failedCreates(server, job);
    expect(events).toHaveLength(10);
    expect(events.slice(0, 9).every((e) => e.count === 1 && e.message!.startsWith('Error creating: pods "'))).toBe(true);
    expect(new Set(events.map((e) => e.message)).size).toBe(10);
    const combined = events.at(-1)!;
    expect(combined.message).toMatch(/^\(combined from similar events\): Error creating: pods ".+" is forbidden: exceeded quota: none, requested: pods=1, used: pods=0, limited: pods=0$/);
    expect(combined.count).toBeGreaterThanOrEqual(5);
  });

  it('a Job\'s activeDeadlineSeconds runs from its start, so a Job that never gets a pod past its quota fails DeadlineExceeded', async () => {
    const server = await standin({ resourceQuotas: [{ namespace: TEST_NAMESPACE, name: 'gpu-quota', hard: { 'requests.nvidia.com/gpu': 0 } }] });
    const job = await createTrialJob(server, 'a', { activeDeadlineSeconds: 1 });
    await waitFor('the Job to fail', () => jobNamed(server, job)?.status?.conditions?.some((c) => c.type === 'Failed') ?? false, PATIENT_MS);
    expect(jobNamed(server, job).status!.conditions!.find((c) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(server.stats.podsCreated).toBe(0);
  });
});
