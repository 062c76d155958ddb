import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_NAMESPACE } from './test-namespace';
import { KubeApiStandin } from './standin-api-server';

/**
 * The real kubectl (1.32 on this machine and on CI's) against the stand-in API server: discovery,
 * OpenAPI v3 (server-side field validation), server-side printing, paging, watch, delete, and a
 * refused Job's error as kubectl prints it. Without kubectl the suite says so and does not run.
 */
const kubectlVersion = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = kubectlVersion.status === 0;
if (!hasKubectl) console.warn('standin-kubectl.test.ts: kubectl not found on PATH; the kubectl tests do not run');

let standin: KubeApiStandin;
beforeAll(async () => {
  standin = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'run-until-deleted' }) });
});
afterAll(() => standin?.close());

function jobYaml(name: string, extra = ''): string {
  return [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  backoffLimit: 0',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    extra,
    '      containers:',
    '        - name: c',
    '          image: busybox',
    '          command: ["true"]',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** `kubectl ARGS` against the stand-in: exit code, stdout, stderr. */
function kubectl(args: string[], input?: string, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['--server', standin.url, '-n', TEST_NAMESPACE, ...args], { env: { ...process.env, KUBECONFIG: '/dev/null' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

describe.skipIf(!hasKubectl)('kubectl against the stand-in API server', () => {
  it('create -f, get jobs,pods,events with the server-side columns, get -o jsonpath', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) {
      const created = await kubectl(['create', '-f', '-'], jobYaml(name));
      expect(created).toMatchObject({ code: 0, stdout: `job.batch/${name} created\n` });
    }
    await expect.poll(() => standin.pods(TEST_NAMESPACE).filter((p) => p.status?.phase === 'Running').length).toBe(3);
    const jobs = await kubectl(['get', 'jobs']);
    expect(jobs.code).toBe(0);
    expect(jobs.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    expect(jobs.stdout).toMatch(/^alpha\s+Running\s+0\/1\s+\S+\s+\S+$/m);
    const pods = await kubectl(['get', 'pods']);
    expect(pods.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(pods.stdout).toMatch(/^alpha-\S+\s+1\/1\s+Running\s+0\s+\S+$/m);
    const events = await kubectl(['get', 'events']);
    expect(events.stdout.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(events.stdout).toMatch(/Normal\s+SuccessfulCreate\s+job\/beta\s+Created pod: beta-/);
    const uid = await kubectl(['get', 'job', 'gamma', '-o', 'jsonpath={.metadata.uid}']);
    expect(uid.stdout).toBe(standin.jobs(TEST_NAMESPACE).find((j) => j.metadata?.name === 'gamma')!.metadata!.uid);
  });

  it('lists in pages with --chunk-size, as the API server pages them (limit and continue)', async () => {
    const paged = await kubectl(['get', 'jobs', '--chunk-size=2', '-o', 'name', '-v=6']);
    expect(paged.code).toBe(0);
    expect(paged.stdout.trim().split('\n')).toEqual(['job.batch/alpha', 'job.batch/beta', 'job.batch/gamma']);
    const requests = paged.stderr.split('\n').filter((l) => /GET .*\/jobs\?/.test(l));
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatch(/limit=2/);
    expect(requests[1]).toMatch(/continue=\S+&limit=2|limit=2&continue=/);
  });

  it('get -w shows a Job created while it watches; delete job removes it', async () => {
    const watching = kubectl(['get', 'jobs', '-w'], undefined, 4_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await kubectl(['create', '-f', '-'], jobYaml('delta'))).code).toBe(0);
    const watched = await watching;
    expect(watched.stdout).toMatch(/^delta\s+Running\s+0\/1/m);
    const deleted = await kubectl(['delete', 'job', 'delta']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'job.batch "delta" deleted\n' });
    expect((await kubectl(['get', 'job', 'delta'])).stderr).toBe('Error from server (NotFound): jobs.batch "delta" not found\n');
  });

  it('prints a refused Job as against a real server: invalid fields, unknown fields', async () => {
    const invalid = await kubectl(['create', '-f', '-'], jobYaml('bad_name'));
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^The Job "bad_name" is invalid: metadata\.name: Invalid value: "bad_name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/);
    const unknown = await kubectl(['create', '-f', '-'], jobYaml('unknown-field', '      foo: bar'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('Error from server (BadRequest): error when creating "STDIN": Job in version "v1" cannot be handled as a Job: strict decoding error: unknown field "spec.template.spec.foo"\n');
  });
});
