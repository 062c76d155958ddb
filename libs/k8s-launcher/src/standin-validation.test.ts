import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrialJob } from './job-builder';
import type { V1Job } from './k8s-client';
import { KubeClusterApi, connectToServer } from './kube-api';
import { TEST_NAMESPACE, KubeApiStandin } from '@dcl-enas/k8s-testing';
import { testTemplate } from '../test-support/harness';
import { parseTrialTemplate } from './trial-template';

/**
 * The stand-in API server refuses the Jobs kube-apiserver refuses (422 Invalid, with the API
 * server's field paths and texts in the Status), through the real client over HTTP; the Jobs the
 * launcher builds are accepted. Each case is a request a real API server refuses.
 */
let standin: KubeApiStandin;
let api: KubeClusterApi;

beforeAll(async () => {
  standin = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'run-until-deleted' }) });
  const { kubeConfig, namespace } = connectToServer(standin.url, TEST_NAMESPACE);
  api = new KubeClusterApi(kubeConfig, namespace);
});
afterAll(() => standin?.close());

let counter = 0;
function validJob(): V1Job {
  return buildTrialJob(parseTrialTemplate(testTemplate()), { experimentId: 'valid', trialId: String(++counter), attempt: 1, namespace: TEST_NAMESPACE });
}

interface KubeStatus {
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field: string; reason: string; message: string }[] };
}

async function refusal(job: V1Job): Promise<KubeStatus> {
  try {
    await api.createJob(job);
  } catch (error) {
    const e = error as { code?: number; body?: string };
    return { ...(JSON.parse(e.body ?? '{}') as KubeStatus), code: e.code ?? 0 };
  }
  throw new Error(`the stand-in accepted ${job.metadata?.name}`);
}

const container = (job: V1Job) => job.spec!.template.spec!.containers[0]!;

describe('the stand-in validates Jobs as kube-apiserver does', () => {
  it("accepts the launcher's Jobs", async () => {
    const created = await api.createJob(validJob());
    expect(created.metadata?.uid).toBeTruthy();
  });

  it('refuses a request above its limit', async () => {
    const job = validJob();
    container(job).resources = { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
    const status = await refusal(job);
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.message).toBe(`Job.batch "${job.metadata!.name}" is invalid: spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1`);
    expect(status.details?.causes).toEqual([{ field: 'spec.template.spec.containers[0].resources.requests[cpu]', reason: 'FieldValueInvalid', message: 'Invalid value: "2": must be less than or equal to cpu limit of 1' }]);
  });

  it('refuses a GPU request without the same limit', async () => {
    const job = validJob();
    container(job).resources = { requests: { 'nvidia.com/gpu': '1' } };
    expect((await refusal(job)).message).toMatch(/containers\[0\]\.resources\.limits: Required value: Limit must be set for non overcommitable resources$/);
    container(job).resources = { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '2' } };
    expect((await refusal(job)).message).toMatch(/resources\.requests\[nvidia\.com\/gpu\]: Invalid value: "1": must be equal to nvidia\.com\/gpu limit of 2$/);
  });

  it('refuses two volumes on one mountPath and a mount of no volume', async () => {
    const job = validJob();
    const mounts = container(job).volumeMounts!;
    mounts.push({ name: mounts[0]!.name, mountPath: mounts[0]!.mountPath }, { name: 'nowhere', mountPath: '/nowhere' });
    const status = await refusal(job);
    const n = mounts.length;
    expect(status.message).toBe(
      `Job.batch "${job.metadata!.name}" is invalid: [spec.template.spec.containers[0].volumeMounts[${n - 2}].mountPath: Invalid value: "${mounts[0]!.mountPath}": must be unique, spec.template.spec.containers[0].volumeMounts[${n - 1}].name: Not found: "nowhere"]`,
    );
  });

  it('refuses a 72-character name and a name with "_"', async () => {
    const long = validJob();
    long.metadata!.name = 'a'.repeat(72);
    expect((await refusal(long)).message).toBe(`Job.batch "${'a'.repeat(72)}" is invalid: metadata.name: Invalid value: "${'a'.repeat(72)}": must be no more than 63 characters`);
    const underscore = validJob();
    underscore.metadata!.name = 'trial_1';
    expect((await refusal(underscore)).message).toMatch(/^Job\.batch "trial_1" is invalid: metadata\.name: Invalid value: "trial_1": a lowercase RFC 1123 subdomain must consist of/);
  });

  it('refuses restartPolicy OnFailure with a podFailurePolicy, and Always', async () => {
    const job = validJob();
    job.spec!.template.spec!.restartPolicy = 'OnFailure';
    expect((await refusal(job)).message).toMatch(/spec\.template\.spec\.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified$/);
    job.spec!.template.spec!.restartPolicy = 'Always';
    expect((await refusal(job)).message).toMatch(/spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
  });

  it('refuses a FailJob rule naming a container that does not exist', async () => {
    const job = validJob();
    job.spec!.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'no-such-container', operator: 'In', values: [2] } }] };
    expect((await refusal(job)).message).toMatch(/spec\.podFailurePolicy\.rules\[0\]\.onExitCodes\.containerName: Invalid value: "no-such-container": must be one of the container or initContainer names in the pod template$/);
  });

  it('answers a quota refusal before a name conflict, as admission runs before storage', async () => {
    const job = validJob();
    await api.createJob(job);
    standin.setJobQuota(0);
    try {
      expect((await refusal(job)).code).toBe(403);
    } finally {
      standin.setJobQuota(undefined);
    }
    expect((await refusal(job)).code).toBe(409);
  });
});
