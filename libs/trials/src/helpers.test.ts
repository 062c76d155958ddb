import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceSpaces } from './conformance.test-helper';
import { runTrialCommand } from './run-trial';

const HELPERS = resolve(__dirname, '..', 'helpers');
const ARCH = 'op=mbconv5,width=32 | skip || op=conv,expand=6';

let root = '';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'enas-helpers-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (name: string, command: string[]) =>
  runTrialCommand({ trialId: name, experimentId: 'h', arch: ARCH, params: { epochs: 2 } }, { space: conformanceSpaces.layers(), dir: join(root, name), command, objective: { metric: 'accuracy' }, timeoutMs: 10_000, killGraceMs: 300 });

describe('helpers/enas_trial.py', () => {
  const py = (body: string) => ['python3', '-c', `import sys; sys.path.insert(0, ${JSON.stringify(HELPERS)}); import enas_trial as t\n${body}`];

  it('arch(), metric() and report() follow the protocol', async () => {
    const outcome = await run('py-ok', py("a = t.arch()\nt.metric(1, accuracy=0.5, loss=1)\nt.metric(2, accuracy=0.6)\nt.report(accuracy=0.7, layers=len(a['choices']), epochs=a['params']['epochs'])"));
    expect(outcome).toMatchObject({ status: 'succeeded', metrics: { accuracy: 0.7, layers: 3, epochs: 2 } });
    expect(outcome.intermediate).toEqual([
      { step: 1, values: { accuracy: 0.5, loss: 1 } },
      { step: 2, values: { accuracy: 0.6 } },
    ]);
  });

  it('a NaN reaches the runner as NaN; a string is refused in the trial', async () => {
    expect((await run('py-nan', py("t.report(accuracy=float('nan'))"))).reason).toBe('result value "accuracy" in result.json is NaN, not a finite number');
    const bad = await run('py-str', py("t.report(accuracy='high')"));
    expect(bad.reason).toBe("exited with code 1: TypeError: result 'accuracy' must be a number, got str");
  });

  it('without ENAS_TRIAL_DIR report() prints the enas-result line', () => {
    const env = { ...process.env };
    delete env['ENAS_TRIAL_DIR'];
    const out = execFileSync('python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(HELPERS)}); import enas_trial as t; t.report(accuracy=1, loss=0.5)`], { env, encoding: 'utf8' });
    expect(out).toBe('enas-result {"accuracy": 1, "loss": 0.5}\n');
  });
});

describe('helpers/enas-trial.mjs', () => {
  const node = (body: string) => [process.execPath, '--input-type=module', '-e', `import { arch, metric, report } from ${JSON.stringify(join(HELPERS, 'enas-trial.mjs'))};\n${body}`];

  it('arch(), metric() and report() follow the protocol', async () => {
    const outcome = await run('mjs-ok', node('const a = arch(); metric(1, { accuracy: 0.5 }); report({ accuracy: 0.8, layers: a.choices.length, width: a.choices[0].width });'));
    expect(outcome).toMatchObject({ status: 'succeeded', metrics: { accuracy: 0.8, layers: 3, width: 32 } });
    expect(outcome.intermediate).toEqual([{ step: 1, values: { accuracy: 0.5 } }]);
    expect(JSON.parse(readFileSync(join(root, 'mjs-ok', 'arch.json'), 'utf8')).choices[0]).toEqual({ op: 'mbconv5', width: 32 });
  });

  it('a NaN reaches the runner as NaN (not as null)', async () => {
    expect((await run('mjs-nan', node('report({ accuracy: 0 / 0 });'))).reason).toBe('result value "accuracy" in result.json is NaN, not a finite number');
  });
});
