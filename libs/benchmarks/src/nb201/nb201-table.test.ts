import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { nb201Space } from '@dcl-enas/spaces';
import { loadNb201, NB201_FILE, parseNb201Csv } from './nb201-table';
import { Nb201Evaluator } from './nb201-evaluator';

const dataDir = resolveDataDir();
const evaluator = new Nb201Evaluator(loadNb201(dataDir));

describe('NB201 table', () => {
  it('answers a query with the row of that cell', () => {
    // row 1 of the shipped CSV, read independently of the loader
    const lines = gunzipSync(readFileSync(join(dataDir, NB201_FILE))).toString('utf8').split('\n');
    const header = lines[0].split(',');
    const row = lines[2].split(',');
    const field = (name: string) => Number(row[header.indexOf(name)]);
    const arch = nb201Space.parse(row[header.indexOf('arch')]);
    expect(evaluator.query(arch, 'cifar10')).toEqual({
      valAcc: field('hp12_c10v_val'),
      testAcc: field('c10_test'),
      trainSeconds: field('hp12_c10v_train_time_s'),
    });
    expect(evaluator.query(arch, 'cifar100').valAcc).toBe(field('hp12_c100_val'));
    expect(evaluator.query(arch, 'imagenet16-120').testAcc).toBe(field('in16_test'));
  });

  it('has every cell and reproduces the protocol ceilings of the data README', () => {
    expect(evaluator.ceiling('cifar10').testAccAtBestVal).toBeCloseTo(94.37, 2);
    expect(evaluator.ceiling('cifar100').testAccAtBestVal).toBeCloseTo(72.28, 2);
    expect(evaluator.ceiling('imagenet16-120').testAccAtBestVal).toBeCloseTo(46.48, 2);
    let best = 0;
    for (const arch of nb201Space.enumerate!()) best = Math.max(best, evaluator.query(arch, 'cifar10').testAcc!);
    expect(best).toBeCloseTo(94.37, 2);
  });

  it('refuses unknown datasets and broken tables with one clear line', () => {
    expect(() => evaluator.query([0, 0, 0, 0, 0, 0], 'mnist')).toThrow(/unknown NAS-Bench-201 dataset "mnist"/);
    expect(() => evaluator.query([9, 0, 0, 0, 0, 0], 'cifar10')).toThrow(UserError);
    expect(() => parseNb201Csv('idx,arch\n0,x\n', 'bad.csv')).toThrow(/column "hp12_c10v_train_time_s" is missing/);
    expect(() => loadNb201('/nonexistent')).toThrow(/ENAS_DATA_DIR/);
  });
});
