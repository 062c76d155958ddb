import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UserError } from '@dcl-enas/common';
import { format212Bytes, signalChecksum } from './format212';
import { readRecordSync } from './read-record';
import { WfdbFormatError } from './errors';

/**
 * Fuzz tests of the WFDB reader (issue 9) on small records written to disk: truncated, corrupt
 * and wrong-format files give a one-line error naming the file (and the byte, where it can be
 * located), never a crash. docs/results/reliability.md reports these counts.
 */
export const RUNS = { roundTrip: 100, truncated: 300, corruptSignal: 300, corruptAnnotations: 300, wrongFormat: 200, garbageHeader: 300 } as const;

const dir = mkdtempSync(join(tmpdir(), 'enas-wfdb-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Files {
  hea: Buffer;
  dat: Buffer;
  atr: Buffer;
}

interface Record {
  readonly nSig: number;
  /** samples[s][t] */
  readonly samples: number[][];
  /** (sample, code) pairs, samples increasing */
  readonly beats: readonly (readonly [number, number])[];
}

const record: fc.Arbitrary<Record> = fc
  .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 120 }))
  .chain(([nSig, nSamp]) =>
    fc.record({
      nSig: fc.constant(nSig),
      samples: fc.array(fc.array(fc.integer({ min: -2048, max: 2047 }), { minLength: nSamp, maxLength: nSamp }), { minLength: nSig, maxLength: nSig }),
      beats: fc.uniqueArray(fc.integer({ min: 0, max: nSamp - 1 }), { minLength: 1, maxLength: 10 }).chain((times) =>
        fc.tuple(...times.sort((a, b) => a - b).map((t) => fc.tuple(fc.constant(t), fc.integer({ min: 1, max: 37 })))),
      ),
    }),
  );

/** The three files of a record named "r": header, format-212 signal file, MIT annotation file. */
function write(r: Record): Files {
  const nSamp = r.samples[0].length;
  const lines = [`r ${r.nSig} 360 ${nSamp}`];
  r.samples.forEach((s, i) => lines.push(`r.dat 212 200 11 1024 ${s[0]} ${signalChecksum(Int16Array.from(s))} 0 lead ${i}`));
  const values = Array.from({ length: nSamp * r.nSig }, (_, k) => r.samples[k % r.nSig][Math.floor(k / r.nSig)]);
  const dat = Buffer.alloc(format212Bytes(r.nSig, nSamp));
  for (let k = 0, pos = 0; k < values.length; k += 2, pos += 3) {
    const a = values[k] & 0xfff;
    dat[pos] = a & 0xff;
    dat[pos + 1] = a >> 8;
    if (k + 1 < values.length) {
      const b = values[k + 1] & 0xfff;
      dat[pos + 1] |= (b >> 8) << 4;
      dat[pos + 2] = b & 0xff;
    }
  }
  const words: number[] = [];
  let previous = 0;
  for (const [t, code] of r.beats) {
    words.push((code << 10) | (t - previous));
    previous = t;
  }
  words.push(0);
  const atr = Buffer.alloc(words.length * 2);
  words.forEach((w, i) => atr.writeUInt16LE(w, i * 2));
  return { hea: Buffer.from(lines.join('\n') + '\n', 'latin1'), dat, atr };
}

let counter = 0;
const paths = (sub: string) => ({ hea: join(dir, sub, 'r.hea'), dat: join(dir, sub, 'r.dat'), atr: join(dir, sub, 'r.atr') });

/** Writes the files into a fresh folder and reads the record; returns it, or the error after checking it is a one-line UserError. */
function read(files: Files): { ok: ReturnType<typeof readRecordSync>; sub: string } | { error: UserError; sub: string } {
  const sub = `case-${counter++}`;
  const p = paths(sub);
  rmSync(join(dir, sub), { recursive: true, force: true });
  mkdirSync(join(dir, sub));
  writeFileSync(p.hea, files.hea);
  writeFileSync(p.dat, files.dat);
  writeFileSync(p.atr, files.atr);
  try {
    return { ok: readRecordSync(join(dir, sub), 'r'), sub };
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`the reader crashed with ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(e.message).not.toMatch(/[\r\n]/);
    return { error: e, sub };
  } finally {
    rmSync(join(dir, sub), { recursive: true, force: true });
  }
}

function expectFormatError(result: ReturnType<typeof read>, file: 'hea' | 'dat' | 'atr'): WfdbFormatError {
  expect('error' in result && result.error).toBeInstanceOf(WfdbFormatError);
  const error = (result as { error: UserError }).error as WfdbFormatError;
  expect(error.file).toBe(paths(result.sub)[file]);
  expect(error.message.startsWith(`${paths(result.sub)[file]}: `)).toBe(true);
  return error;
}

describe('WFDB reader (fuzzed)', () => {
  it(`reads back what was written: samples and annotations (${RUNS.roundTrip} cases)`, () => {
    fc.assert(
      fc.property(record, (r) => {
        const result = read(write(r));
        if (!('ok' in result)) throw result.error;
        expect(result.ok.signals.map((s) => Array.from(s))).toEqual(r.samples);
        expect(result.ok.annotations!.map((a) => [a.sample, a.code])).toEqual(r.beats);
      }),
      { numRuns: RUNS.roundTrip },
    );
  });

  it(`a truncated signal, annotation or header file is an error naming that file and the byte (${RUNS.truncated} cases)`, () => {
    fc.assert(
      fc.property(record, fc.constantFrom('hea', 'dat', 'atr'), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (r, which, at) => {
        const files = write(r);
        const cut = Math.floor(at * files[which].length);
        const result = read({ ...files, [which]: files[which].subarray(0, cut) });
        if (which === 'dat') expect(expectFormatError(result, 'dat').offset).toBe(cut);
        else if (which === 'atr') expect(expectFormatError(result, 'atr').offset).toBeLessThanOrEqual(cut);
        else if ('error' in result) {
          // a header cut short is refused (the header itself, or the files it now names or sizes wrongly)
          const p = paths(result.sub);
          expect([p.hea, p.dat, p.atr, join(dir, result.sub, 'r.d'), join(dir, result.sub, 'r.')].some((f) => result.error.message.includes(f))).toBe(true);
        } else {
          // only a cut inside the last line's description can leave a readable header
          expect(files.hea.subarray(cut).toString('latin1')).toMatch(/^[^\n]*\n?$/);
        }
      }),
      { numRuns: RUNS.truncated },
    );
  });

  it(`a corrupted byte of the signal file is caught by the first value or the checksum, naming the file (${RUNS.corruptSignal} cases)`, () => {
    let caught = 0;
    fc.assert(
      fc.property(record, fc.nat(), fc.integer({ min: 1, max: 255 }), (r, position, xor) => {
        const files = write(r);
        const dat = Buffer.from(files.dat);
        const i = position % dat.length;
        dat[i] ^= xor;
        const result = read({ ...files, dat });
        if ('error' in result) {
          const error = expectFormatError(result, 'dat');
          expect(error.message).toMatch(/checksum|starts with|unused half/);
          caught++;
        } else {
          // Undetected only when one byte holds two values of the same signal whose changes cancel in the checksum.
          expect(r.nSig).toBe(1);
          expect(result.ok.signals[0].length).toBeGreaterThan(1);
          expect(signalChecksum(result.ok.signals[0])).toBe(signalChecksum(Int16Array.from(r.samples[0])));
        }
      }),
      { numRuns: RUNS.corruptSignal },
    );
    expect(caught).toBeGreaterThan(RUNS.corruptSignal * 0.9);
  });

  it(`corrupted annotation bytes decode or give an error naming the annotation file (${RUNS.corruptAnnotations} cases)`, () => {
    fc.assert(
      fc.property(record, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (r, edits) => {
        const files = write(r);
        const atr = Buffer.from(files.atr);
        for (const [position, value] of edits) atr[position % atr.length] = value;
        const result = read({ ...files, atr });
        if ('error' in result) expectFormatError(result, 'atr');
        else for (const a of result.ok.annotations!) expect(a.sample).toBeLessThan(r.samples[0].length);
      }),
      { numRuns: RUNS.corruptAnnotations },
    );
  });

  it(`a wrong format code is refused naming the header file and the byte of its line (${RUNS.wrongFormat} cases)`, () => {
    const format = fc.oneof(
      fc.integer({ min: 0, max: 999 }).filter((f) => f !== 212).map(String),
      fc.constantFrom('212x2', '212:1', '16', '212+7x', '21 2', 'abc', '-212'),
      fc.stringMatching(/^[^\s]{1,6}$/).filter((f) => f !== '212' && !/^212\+\d+$/.test(f)),
    );
    fc.assert(
      fc.property(record, format, (r, code) => {
        const files = write(r);
        const text = files.hea.toString('latin1');
        const line = text.indexOf('\nr.dat ') + 1;
        const hea = Buffer.from(text.slice(0, line) + text.slice(line).replace(' 212 ', ` ${code} `), 'latin1');
        const result = read({ ...files, hea });
        const error = expectFormatError(result, 'hea');
        expect(error.offset).not.toBeNull();
        expect(error.offset!).toBeGreaterThanOrEqual(line);
        expect(error.message).toMatch(/ at byte \d+; /);
      }),
      { numRuns: RUNS.wrongFormat },
    );
  });

  it(`random bytes as a header give an error naming a file, never a crash (${RUNS.garbageHeader} cases)`, () => {
    fc.assert(
      fc.property(record, fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s) => new TextEncoder().encode(s))), (r, bytes) => {
        const result = read({ ...write(r), hea: Buffer.from(bytes) });
        if ('error' in result) expect(result.error.message).toContain(join(dir, result.sub));
      }),
      { numRuns: RUNS.garbageHeader },
    );
  });
});
