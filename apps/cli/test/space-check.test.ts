import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'enas-space-check-'));

function enas(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', ...args], { cwd: root }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('enas space check', () => {
  it('prints a declared layers space from a space file: type, size (distinct keys) and samples with their graphs', async () => {
    const path = file('layers.yaml', 'type: layers\nname: tiny-net\nlayers: 3\nchoices:\n  op: [mbconv3, mbconv5, mbconv7]\n  width: [16, 32]\n');
    const run = await enas(['space', 'check', path, '--json', '--samples', '2']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { type: string; size: number; samples: { arch: string; key: string; graph: { ops: string[]; edges: [number, number][] } }[] };
    expect(report.type).toBe('layers');
    expect(report.size).toBe(216);
    expect(report.samples).toHaveLength(2);
    for (const s of report.samples) {
      expect(s.graph.ops[0]).toBe('input');
      expect(s.graph.ops[s.graph.ops.length - 1]).toBe('output');
      expect(s.graph.edges.every(([a, b]) => a < b)).toBe(true);
    }
  });

  it('takes the space of an experiment spec, and a built-in space by name', async () => {
    const spec = file('spec.yaml', 'apiVersion: enas/v1\nkind: Experiment\nspace: {type: cell, name: my-cell, nodes: 3, ops: [none, skip, conv]}\ndataset: mine\nstrategy: rea\nqueries: 10\n');
    const cell = JSON.parse((await enas(['space', 'check', spec, '--json'])).stdout) as { type: string; size: number };
    expect(cell.type).toBe('cell');
    expect(cell.size).toBeGreaterThan(0);
    expect(cell.size).toBeLessThan(27); // 3 edges x 3 ops, fewer functions
    const nb201 = JSON.parse((await enas(['space', 'check', 'nb201', '--json', '--samples', '1'])).stdout) as { type: string; size: number };
    expect(nb201).toMatchObject({ type: 'cell', size: 4930 });
  });

  it('checks every example space in examples/spaces', async () => {
    const examples = join(root, 'examples', 'spaces');
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const run = await enas(['space', 'check', join(examples, f), '--json', '--samples', '1']);
      expect(run.code).toBe(0);
      expect(['cell', 'dag', 'layers']).toContain((JSON.parse(run.stdout) as { type: string }).type);
    }
  });

  it('refuses an invalid space with one line naming the field, exit 2', async () => {
    const cases: [string, RegExp][] = [
      ['type: cell\nname: c\nnodes: 9\nops: [a, b]\n', /nodes: at most 8/],
      ['type: dag\nname: d\nmaxNodes: 5\nmaxEdges: 6\nops: [a, a]\n', /ops\.1: duplicate op "a"/],
      ['type: layers\nname: nb201\nlayers: 2\nchoices: {op: [a, b]}\n', /name: is a built-in space/],
      ['type: blob\nname: d\n', /type: Invalid discriminator value/],
      ['apiVersion: enas/v1\nkind: Experiment\nspace: {type: cell, name: c, nodes: 4, ops: [a, b], extra: 1}\ndataset: x\nstrategy: rea\nqueries: 3\n', /space: .*extra/],
      ['{not yaml', /not valid YAML or JSON/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const run = await enas(['space', 'check', file(`bad${i}.yaml`, text)]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
