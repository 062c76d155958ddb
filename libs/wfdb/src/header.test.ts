import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '@dcl-enas/common';
import { parseHeader } from './header';
import { WfdbFormatError } from './errors';

const mitdb = join(resolveDataDir(), 'mitdb');

function errorOf(fn: () => unknown): WfdbFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WfdbFormatError) return err;
    throw err;
  }
  throw new Error('expected a WfdbFormatError');
}

describe('parseHeader', () => {
  it('reads the CRLF header of record 114 (MLII is its second signal)', () => {
    const bytes = readFileSync(join(mitdb, '114.hea'));
    const h = parseHeader(bytes, '114.hea');
    expect(h.lineEnding).toBe('CRLF');
    expect(h.record).toBe('114');
    expect(h.samplingFrequency).toBe(360);
    expect(h.nSamples).toBe(650000);
    expect(h.signals.map((s) => s.description)).toEqual(['V5', 'MLII']);
    expect(h.signals[1]).toMatchObject({
      fileName: '114.dat', format: 212, gain: 200, baseline: 1024, adcResolution: 11, adcZero: 1024,
      firstValue: 1027, checksum: -13230, blockSize: 0, units: 'mV',
    });
    expect(h.comments[0]).toBe('72 F 750 1629 x1');
    expect(h.comments).toContain('Digoxin');
  });

  it('gives the same header for LF and CRLF line endings', () => {
    const crlf = readFileSync(join(mitdb, '100.hea'), 'latin1');
    const lf = crlf.replace(/\r\n/g, '\n');
    expect(lf).not.toBe(crlf);
    const a = parseHeader(crlf, 'x.hea');
    const b = parseHeader(lf, 'x.hea');
    expect(a.lineEnding).toBe('CRLF');
    expect(b.lineEnding).toBe('LF');
    const strip = (h: typeof a) => ({ ...h, lineEnding: null, signals: h.signals.map((s) => ({ ...s, lineOffset: 0 })) });
    expect(strip(b)).toEqual(strip(a));
  });

  it('reads optional fields, defaults, comments between lines and descriptions with spaces', () => {
    const text = [
      '# leading comment',
      'rec 3 250/1000(5) 1000 12:00:00 01/02/2003',
      'rec.dat 212x1:0+512 100(-5)/uV 12 0 -3 77 0 chest lead A',
      '  # indented comment',
      '',
      'rec.dat 212 0',
      'other.dat 212',
    ].join('\n');
    const h = parseHeader(text, 'rec.hea');
    expect(h).toMatchObject({ record: 'rec', samplingFrequency: 250, nSamples: 1000, baseTime: '12:00:00', baseDate: '01/02/2003', lineEnding: 'LF' });
    expect(h.comments).toEqual(['leading comment', 'indented comment']);
    expect(h.signals[0]).toMatchObject({ byteOffset: 512, gain: 100, baseline: -5, units: 'uV', firstValue: -3, checksum: 77, description: 'chest lead A' });
    // Gain 0 means the WFDB default of 200; missing fields take their defaults.
    expect(h.signals[1]).toMatchObject({ gain: 200, baseline: 0, adcResolution: 12, firstValue: null, checksum: null, description: 'record rec, signal 1' });
    expect(h.signals[2].fileName).toBe('other.dat');
  });

  it('names the byte of a malformed field', () => {
    const text = readFileSync(join(mitdb, '100.hea'), 'latin1');
    const at = text.indexOf('-22131');
    const e = errorOf(() => parseHeader(text.replace('-22131', '-22x31'), '100.hea'));
    expect(e.offset).toBe(at);
    expect(e.message).toMatch(/^100\.hea: checksum "-22x31" is not an integer at byte \d+; /);

    const fmtAt = text.indexOf('212');
    expect(errorOf(() => parseHeader(text.replace('212', '2y2'), '100.hea')).offset).toBe(fmtAt);
  });

  it('reports a header cut short at its end', () => {
    const bytes = readFileSync(join(mitdb, '100.hea'));
    const cut = bytes.subarray(0, bytes.indexOf('\n') + 1 + 10);
    const e = errorOf(() => parseHeader(cut, '100.hea'));
    expect(e.offset).toBe(cut.length);
    expect(e.message).toContain('announces 2 signals');
    expect(errorOf(() => parseHeader('# only a comment\r\n', 'c.hea')).message).toContain('no record line');
  });

  it('refuses multi-segment records and stray lines', () => {
    expect(errorOf(() => parseHeader('rec/2 1 360\n', 'm.hea')).message).toContain('multi-segment');
    const stray = 'r 1\nr.dat 212\nnot a comment\n';
    expect(errorOf(() => parseHeader(stray, 's.hea')).offset).toBe(stray.indexOf('not'));
  });
});
