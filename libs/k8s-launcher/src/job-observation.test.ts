import { describe, expect, it } from 'vitest';
import type { CoreV1Event, V1Job, V1Pod } from './k8s-client';
import { classifyPodCreateRefusal, newestFailedCreate, observeJob } from './job-observation';

const QUOTA =
  'Error creating: pods "enas-t-1-a1-4fs9b" is forbidden: exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=2, limited: requests.nvidia.com/gpu=2';

describe('what a FailedCreate event of a trial Job means', () => {
  it('a quota refusal waits; the event recorder\'s "(combined from similar events)" prefix is read through', () => {
    expect(classifyPodCreateRefusal(QUOTA)).toEqual({
      kind: 'quota',
      message: 'pods "enas-t-1-a1-4fs9b" is forbidden: exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=2, limited: requests.nvidia.com/gpu=2',
      beyondLimit: [],
    });
    expect(classifyPodCreateRefusal(`(combined from similar events): ${QUOTA}`).kind).toBe('quota');
    expect(
      classifyPodCreateRefusal('Error creating: pods "x-1" is forbidden: exceeded quota: compute-resources, requested: limits.cpu=2,limits.memory=1Gi, used: limits.cpu=2,limits.memory=1Gi, limited: limits.cpu=2,limits.memory=1Gi'),
    ).toMatchObject({ kind: 'quota', beyondLimit: [] });
  });

  it('a pod asking for more than a quota allows in all is said so (quantities compared with their units)', () => {
    expect(
      classifyPodCreateRefusal('Error creating: pods "x-1" is forbidden: exceeded quota: q, requested: limits.memory=8Gi,requests.cpu=500m, used: limits.memory=0,requests.cpu=1, limited: limits.memory=6144Mi,requests.cpu=1'),
    ).toMatchObject({ kind: 'quota', beyondLimit: ['limits.memory'] });
    expect(classifyPodCreateRefusal('Error creating: pods "x-1" is forbidden: exceeded quota: q, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=0, limited: requests.nvidia.com/gpu=1').beyondLimit).toEqual([
      'requests.nvidia.com/gpu',
    ]);
  });

  it('a missing ServiceAccount or PriorityClass, or a request a quota needs, is a configuration error', () => {
    expect(classifyPodCreateRefusal('Error creating: pods "j-" is forbidden: error looking up service account ns/sa: serviceaccount "sa" not found')).toMatchObject({
      kind: 'config',
      message: 'pods "j-" is forbidden: error looking up service account ns/sa: serviceaccount "sa" not found',
      hint: expect.stringMatching(/serviceAccountName/),
    });
    expect(classifyPodCreateRefusal('Error creating: pods "j-" is forbidden: no PriorityClass with name high was found')).toMatchObject({ kind: 'config', hint: expect.stringMatching(/priorityClassName/) });
    expect(classifyPodCreateRefusal('Error creating: pods "j-1" is forbidden: failed quota: q: must specify limits.cpu,requests.memory').kind).toBe('config');
    // The form of newer Kubernetes versions, per container.
    expect(classifyPodCreateRefusal('Error creating: pods "j-1" is forbidden: failed quota: q: must specify limits.cpu for: trainer; requests.cpu for: trainer').kind).toBe('config');
  });

  it('anything else (a webhook, a LimitRange) is neither: the pending timeout decides', () => {
    expect(classifyPodCreateRefusal('Error creating: admission webhook "policy.example.com" denied the request: no')).toEqual({
      kind: 'other',
      message: 'admission webhook "policy.example.com" denied the request: no',
    });
    expect(classifyPodCreateRefusal('Error creating: pods "j-1" is forbidden: maximum cpu usage per Container is 2, but limit is 4').kind).toBe('other');
  });
});

const at = (ms: number) => new Date(ms);
const job: V1Job = { metadata: { name: 'j', uid: 'job-uid' }, status: {} };
const pod = (name: string, created: number, phase: string): V1Pod => ({
  metadata: { name, creationTimestamp: at(created), ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'job-uid' }] },
  status: { phase },
});
const event = (reason: string, message: string, last: number, uid = 'job-uid'): CoreV1Event => ({
  metadata: { name: `e${last}` },
  involvedObject: { kind: 'Job', name: 'j', uid },
  reason,
  message,
  lastTimestamp: at(last),
});

describe('a FailedCreate event in the observation of a Job', () => {
  it('the newest FailedCreate of this Job (by uid), whatever other events there are', () => {
    const events = [event('FailedCreate', 'old', 1_000), event('SuccessfulCreate', 'Created pod: j-1', 3_000), event('FailedCreate', 'newer', 2_000), event('FailedCreate', 'other job', 4_000, 'other')];
    expect(newestFailedCreate(events, 'job-uid')).toEqual({ message: 'newer', at: 2_000 });
    expect(newestFailedCreate([event('SuccessfulCreate', 'x', 1)], 'job-uid')).toBeUndefined();
  });

  it('counts while the Job has no active pod and the event is not older than its newest pod', () => {
    const refused = { message: QUOTA, at: 5_000 };
    expect(observeJob(job, [], refused)).toMatchObject({ activePod: false, refusal: { kind: 'quota' } });
    // A pod that failed before the refusal: the Job's replacement pod is what was refused.
    expect(observeJob(job, [pod('j-1', 4_000, 'Failed')], refused).refusal?.kind).toBe('quota');
    // A refusal from before the newest pod is over.
    expect(observeJob(job, [pod('j-1', 6_000, 'Failed')], refused).refusal).toBeUndefined();
    // A pod that exists and has not finished: nothing was refused now.
    expect(observeJob(job, [pod('j-2', 4_000, 'Pending')], refused)).toMatchObject({ activePod: true });
    expect(observeJob(job, [pod('j-2', 4_000, 'Pending')], refused).refusal).toBeUndefined();
    // A finished Job is finished.
    const done: V1Job = { ...job, status: { conditions: [{ type: 'Complete', status: 'True' }] } };
    expect(observeJob(done, [], refused).refusal).toBeUndefined();
  });
});
