import { WfdbFormatError } from './errors';
import { annotationSymbol, MAX_ANNOTATION_CODE } from './annotation-codes';

/** One annotation of an MIT-format annotation file. */
export interface Annotation {
  /** Sample index (time) the annotation refers to. */
  readonly sample: number;
  /** Annotation code 0..49 (1 = N, 5 = V, 28 = rhythm change, ...). */
  readonly code: number;
  readonly symbol: string;
  /** The `subtyp` field, a signed 10-bit value (-512..511; e.g. 1023 on disk reads as -1). */
  readonly subtype: number;
  /** The `chan` field (0..1023). */
  readonly chan: number;
  /** The `num` field, a signed 10-bit value (-512..511). */
  readonly num: number;
  /** Auxiliary text (e.g. rhythm label "(AFIB"), trailing NULs removed; null when absent. */
  readonly aux: string | null;
  /** Byte offset of the annotation's own word in the file. */
  readonly offset: number;
}

const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Decodes an MIT-format annotation file: little-endian 16-bit words, code in the top 6 bits and
 * a time increment or field value in the low 10. SKIP precedes the annotation it delays; SUB,
 * CHN, NUM and AUX follow the annotation they belong to (CHN and NUM also carry over to later
 * annotations). The file must end with the 0x0000 end marker and nothing after it.
 */
export function decodeAnnotations(data: Uint8Array, file: string): Annotation[] {
  const out: Annotation[] = [];
  let pos = 0;
  let time = 0;
  let chan = 0;
  let num = 0;
  let current: Mutable<Annotation> | null = null;
  const needCurrent = (what: string): Mutable<Annotation> => {
    if (!current) throw new WfdbFormatError(file, pos, `${what} word before the first annotation`);
    return current;
  };

  for (;;) {
    if (pos + 2 > data.length) {
      if (pos === data.length) throw new WfdbFormatError(file, pos, 'file ends without the end-of-file marker (truncated)');
      throw new WfdbFormatError(file, pos, 'file ends in the middle of a 16-bit word (truncated)');
    }
    const word = data[pos] | (data[pos + 1] << 8);
    const code = word >> 10;
    const field = word & 0x3ff;
    if (word === 0) {
      pos += 2;
      if (pos !== data.length) throw new WfdbFormatError(file, pos, `${data.length - pos} byte(s) after the end-of-file marker`);
      return out;
    }
    switch (code) {
      case SKIP: {
        if (pos + 6 > data.length) throw new WfdbFormatError(file, pos, 'SKIP word without its 4-byte interval (truncated)');
        const high = data[pos + 2] | (data[pos + 3] << 8);
        const low = data[pos + 4] | (data[pos + 5] << 8);
        time += ((high << 16) | low) | 0;
        pos += 6;
        continue;
      }
      case NUM:
        num = signed10(field);
        if (current) current.num = num;
        break;
      case SUB:
        needCurrent('SUB').subtype = signed10(field);
        break;
      case CHN:
        chan = field;
        if (current) current.chan = field;
        break;
      case AUX: {
        const target = needCurrent('AUX');
        const end = pos + 2 + field;
        if (end + (field & 1) > data.length) throw new WfdbFormatError(file, pos, `AUX word announces ${field} byte(s) of text but the file ends first (truncated)`);
        target.aux = Buffer.from(data.buffer, data.byteOffset + pos + 2, field).toString('latin1').replace(/\0+$/, '');
        pos = end + (field & 1);
        continue;
      }
      default: {
        if (code > MAX_ANNOTATION_CODE) throw new WfdbFormatError(file, pos, `undefined annotation code ${code} (word 0x${word.toString(16).padStart(4, '0')})`);
        time += field;
        if (time < 0) throw new WfdbFormatError(file, pos, `annotation time ${time} is negative`);
        current = { sample: time, code, symbol: annotationSymbol(code), subtype: 0, chan, num, aux: null, offset: pos };
        out.push(current);
      }
    }
    pos += 2;
  }
}

function signed10(field: number): number {
  return (field << 22) >> 22;
}
