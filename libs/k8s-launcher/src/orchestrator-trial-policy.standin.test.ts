import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NatsServerProcess, freePort } from '@dcl-enas/cluster';
import { OrchestratorProcess, KubeApiStandin } from '@dcl-enas/k8s-testing';

/**
 * The operator's trial policy (the `policy` section of ENAS_TRIAL_TEMPLATE_FILE) through the real
 * orchestrator process: what a spec may not change is refused at submission, HTTP 400 with one
 * line naming the field, and a bad policy stops the orchestrator at start-up (exit 2, one line).
 */

let nats: NatsServerProcess;
const dir = mkdtempSync(join(tmpdir(), 'enas-trial-policy-'));
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  nats = await NatsServerProcess.start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await nats?.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function templateFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function start(file: string): Promise<OrchestratorProcess> {
  const standin = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'external' }) });
  cleanups.push(() => standin.close());
  const orchestrator = await OrchestratorProcess.start({ standin, natsUrl: nats.url, port: await freePort(), dir, env: { ENAS_TRIAL_TEMPLATE_FILE: file } });
  cleanups.push(() => orchestrator.kill());
  return orchestrator;
}

const experiment = { space: 'nb201', dataset: 'cifar10', strategy: 'random', queries: 2 };

describe("the operator's trial policy (real orchestrator, stand-in API server, real nats-server)", () => {
  it('refuses at submission what the policy does not allow, HTTP 400 with one line naming the field; accepts what it allows', async () => {
    const file = templateFile('template.yaml', ['image: registry.example/dcl-enas/trainer-gpu:0.1.0', 'gpus: 1', 'policy:', '  allowedImagePrefixes: [registry.example/team/]', ''].join('\n'));
    const orchestrator = await start(file);
    const refused = async (spec: Record<string, unknown>): Promise<string> => {
      const res = await orchestrator.post({ ...experiment, ...spec });
      const body = (await res.json()) as { error: string };
      expect({ status: res.status, lines: body.error.split('\n').length }).toEqual({ status: 400, lines: 1 });
      return body.error;
    };
    expect(await refused({ trialTemplate: { envFrom: [{ secretRef: { name: 'dcl-enas-api' } }] } })).toMatch(/^trialTemplate\.envFrom: an experiment may not set envFrom on this orchestrator/);
    expect(await refused({ trialTemplate: { serviceAccountName: 'default' } })).toMatch(/^trialTemplate\.serviceAccountName: /);
    expect(await refused({ trialTemplate: { image: 'registry.example/team/trainer:2' } })).toMatch(/^trialTemplate\.image: an experiment may not set image/);
    expect(await refused({ trial: { command: ['python', 'train.py'], image: 'docker.io/evil/train:1' }, objective: { metric: 'score', goal: 'maximize' } })).toMatch(/^trial\.image: docker\.io\/evil\/train:1 does not start with an allowed prefix \(policy\.allowedImagePrefixes of the default trial template: registry\.example\/team\/\)/);
    expect(await orchestrator.submit({ ...experiment, trialTemplate: { gpus: 2, gpuResource: 'nvidia.com/mig-1g.10gb', maxConcurrentTrials: 1 } })).toEqual(expect.any(String));
    expect(await orchestrator.submit({ ...experiment, trial: { command: ['python', 'train.py'], image: 'registry.example/team/train:1' }, objective: { metric: 'score', goal: 'maximize' } })).toEqual(expect.any(String));
  }, 120_000);

  it('a bad policy in the default template file stops the orchestrator at start-up: exit 2, one line naming the file and the field', async () => {
    const file = templateFile('bad-policy.yaml', 'image: trainer:1\npolicy:\n  overridableFields: [gpus, serviceaccount]\n');
    const failure = await start(file).then(
      () => 'started',
      (error: Error) => error.message,
    );
    const [first, ...output] = failure.split('\n');
    expect(first).toBe('orchestrator exited with 2:');
    const lines = output.filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/bad-policy\.yaml\.policy\.overridableFields\.1: Invalid option: .*; fix that field of the trial policy \(see docs\/security\.md, "Trial templates"\)$/);
  }, 120_000);
});
