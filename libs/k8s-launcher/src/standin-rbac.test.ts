import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { TEST_NAMESPACE, KubeApiStandin, type PolicyRule } from '@dcl-enas/k8s-testing';
import { launcherFor, testTemplate, waitFor } from '../test-support/harness';
import type { TrialLauncher } from './launcher';

/**
 * The launcher under the Role the deployment ships (k8s/base/rbac.yaml; the chart's is checked
 * equal to it in deploy-checks/src/launcher-rbac.test.ts), on a stand-in that authorizes every
 * request as kube-apiserver's RBAC authorizer does: the whole lifecycle needs nothing more, and a
 * Role without a verb the launcher uses gets 403 with the API server's message.
 */
const repoRoot = resolve(__dirname, '../../..');
const USER = `system:serviceaccount:${TEST_NAMESPACE}:orchestrator`;
const shippedRules = (parseAllDocuments(readFileSync(join(repoRoot, 'k8s/base/rbac.yaml'), 'utf8')).map((d) => d.toJS()).find((o) => o?.kind === 'Role') as { rules: PolicyRule[] }).rules;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(rules: readonly PolicyRule[]): Promise<{ standin: KubeApiStandin; launcher: TrialLauncher }> {
  const standin = await KubeApiStandin.start({ authorization: { user: USER, rules }, podBehaviour: () => ({ kind: 'succeed', runMs: 20 }) });
  cleanups.push(() => standin.close());
  const launcher = launcherFor(standin);
  cleanups.push(() => launcher.stop());
  return { standin, launcher };
}

describe('RBAC on the stand-in API server (the shipped Role)', () => {
  it("the launcher's whole lifecycle runs under the shipped Role with no request refused", async () => {
    const { standin, launcher } = await setUp(shippedRules);
    await launcher.start();
    await launcher.registerExperiment('rbac', testTemplate());
    for (const trialId of ['1', '2']) launcher.submit({ experimentId: 'rbac', trialId });
    await waitFor('both trials to succeed', () => launcher.status('rbac').every((s) => s.phase === 'Succeeded') && launcher.status('rbac').length === 2);
    // What the dispatcher reads for a user trial: the pod, then its log.
    expect(await launcher.finishedPod('rbac', '1')).toMatchObject({ exitCode: 0, log: '' });
    await launcher.finishExperiment('rbac');
    await launcher.registerExperiment('rbac-stopped', testTemplate());
    launcher.submit({ experimentId: 'rbac-stopped', trialId: '1' });
    await launcher.stopExperiment('rbac-stopped');
    expect(standin.stats.forbidden).toBe(0);
  });

  it('a Role without deletecollection on jobs: stopping an experiment gets 403 with the API server\'s message', async () => {
    const rules = shippedRules.map((rule) => (rule.resources?.includes('jobs') ? { ...rule, verbs: rule.verbs!.filter((v) => v !== 'deletecollection') } : rule));
    const { launcher } = await setUp(rules);
    await launcher.start();
    await launcher.registerExperiment('rbac', testTemplate());
    await expect(launcher.stopExperiment('rbac')).rejects.toMatchObject({
      code: 403,
      body: expect.stringContaining(`jobs.batch is forbidden: User \\"${USER}\\" cannot deletecollection resource \\"jobs\\" in API group \\"batch\\" in the namespace \\"${TEST_NAMESPACE}\\"`),
    });
  });

  it('a Role without pods/log: reading a finished pod\'s log gets 403', async () => {
    const { launcher } = await setUp(shippedRules.filter((rule) => !rule.resources?.includes('pods/log')));
    await launcher.start();
    await launcher.registerExperiment('rbac', testTemplate());
    launcher.submit({ experimentId: 'rbac', trialId: '1' });
    await waitFor('the trial to succeed', () => launcher.trialStatus('rbac', '1')?.phase === 'Succeeded');
    await expect(launcher.finishedPod('rbac', '1')).rejects.toMatchObject({ code: 403, body: expect.stringMatching(/pods \\"[^"\\]+\\" is forbidden: User .* cannot get resource \\"pods\/log\\" in API group \\"\\"/) });
  });

  it('a Role without watch on pods: the launcher cannot start its informers', async () => {
    const rules = shippedRules.map((rule) => (rule.resources?.includes('pods') ? { ...rule, verbs: rule.verbs!.filter((v) => v !== 'watch') } : rule));
    const { standin, launcher } = await setUp(rules);
    await launcher.start().catch(() => undefined);
    await waitFor('a refused watch', () => standin.stats.forbidden > 0);
  });
});
