import { afterAll, beforeAll } from 'vitest';
import type { SpecSpace } from '@dcl-enas/contracts';
import { CONFORMANCE_SPACE_DEFINITIONS, registerTrialConformance } from '@dcl-enas/trials/testing';
import type { TrialLauncher } from './launcher';
import { TEST_NAMESPACE, REPO_ROOT, baseEnv, ProcessKubelet, KubeApiStandin } from '@dcl-enas/k8s-testing';
import { launcherFor } from '../test-support/harness';
import { jobTrialRunner } from '../test-support/job-trial-runner';
import type { TrialRunner } from '@dcl-enas/trials';

/**
 * The trial protocol's conformance suite on the Kubernetes Job runner: the dispatcher and the
 * launcher against the stand-in API server, each pod's command run by the ProcessKubelet, the
 * result read back from the pod (termination message, pod log) as in a cluster.
 */
let standin: KubeApiStandin;
let kubelet: ProcessKubelet;
let launcher: TrialLauncher;
let runner: TrialRunner;

beforeAll(async () => {
  standin = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'external' }) });
  kubelet = new ProcessKubelet(standin, TEST_NAMESPACE, { cwd: REPO_ROOT, baseEnv: baseEnv() });
  launcher = launcherFor(standin);
  await launcher.start();
  const spaces = Object.fromEntries(Object.values(CONFORMANCE_SPACE_DEFINITIONS).map((definition) => [definition.name, structuredClone(definition) as unknown as SpecSpace]));
  runner = jobTrialRunner(launcher, kubelet, spaces);
});
afterAll(async () => {
  await launcher?.stop();
  kubelet?.stop();
  await standin?.close();
});

registerTrialConformance((input, options) => runner(input, options), { name: 'Kubernetes Jobs of the user image (stand-in API server): trial protocol v1 conformance', kind: 'job' });
