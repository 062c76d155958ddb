import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSystemHandler, initTf, tf } from './index';

describe('tfjs backend selection', () => {
  it('falls through the native backends that are not installed and activates the one it reports', async () => {
    const lines: string[] = [];
    const choice = await initTf({ log: (l) => lines.push(l) });
    expect(tf.getBackend()).toBe(choice.name === 'tensorflow-gpu' ? 'tensorflow' : choice.name);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`tfjs backend: ${choice.name}`);
    // a second call reuses the first choice and logs nothing
    expect(await initTf({ log: (l) => lines.push(l) })).toBe(choice);
    expect(lines).toHaveLength(1);
  });

  it('computes gradients (registered by the tfjs bundle)', async () => {
    await initTf();
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(v)))(x);
    expect(Array.from(await g.data())).toEqual([2, 4, 6]);
  });
});

describe('fileSystemHandler', () => {
  it('round-trips weights and metadata through model.json + weights.bin', async () => {
    await initTf();
    const dir = mkdtempSync(join(tmpdir(), 'tfio-'));
    try {
      const w = tf.tensor2d([[1.5, -2], [3, 4.25]]);
      const b = tf.tensor1d([7, 8, 9]);
      const { data, specs } = await tf.io.encodeWeights({ w, b });
      await fileSystemHandler(dir).save({ modelTopology: { kind: 'test' }, weightSpecs: specs, weightData: data, userDefinedMetadata: { space: 'x' } });
      const loaded = await fileSystemHandler(dir).load();
      expect(loaded.modelTopology).toEqual({ kind: 'test' });
      expect(loaded.userDefinedMetadata).toEqual({ space: 'x' });
      const back = tf.io.decodeWeights(loaded.weightData as ArrayBuffer, loaded.weightSpecs ?? []);
      expect(back['w'].arraySync()).toEqual([[1.5, -2], [3, 4.25]]);
      expect(back['b'].arraySync()).toEqual([7, 8, 9]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects a model.json and weights.bin from different saves, and a torn model.json', async () => {
    await initTf();
    const dir = mkdtempSync(join(tmpdir(), 'tfio-'));
    try {
      const save = async (v: number) => {
        const { data, specs } = await tf.io.encodeWeights({ w: tf.tensor1d([v, v]) });
        await fileSystemHandler(dir).save({ modelTopology: { v }, weightSpecs: specs, weightData: data });
      };
      await save(1);
      const firstJson = readFileSync(join(dir, 'model.json'));
      await save(2);
      expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']); // no temporary files left
      writeFileSync(join(dir, 'model.json'), firstJson); // as if the crash came between the two files
      await expect(fileSystemHandler(dir).load()).rejects.toThrow(/damaged model at .*weights\.bin does not match model\.json/);
      writeFileSync(join(dir, 'model.json'), firstJson.subarray(0, 20));
      await expect(fileSystemHandler(dir).load()).rejects.toThrow(/damaged model at .*model\.json is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says where it looked when nothing was saved there', async () => {
    await expect(fileSystemHandler('/nonexistent/model').load()).rejects.toThrow(/no saved model at \/nonexistent\/model/);
  });
});
