import { UserError } from '@dcl-enas/common';
import type { Nb101Arch } from './cell';
import { checkCell } from './validate';
import { checkArchTextSize, quoteInput } from '../space';

const EXAMPLE = '{"matrix":[[0,1,1],[0,0,1],[0,0,0]],"ops":["input","conv3x3-bn-relu","output"]}';

/** Compact JSON: `{"matrix":[[0,1,...],...],"ops":["input",...,"output"]}`. */
export function formatCell(arch: Nb101Arch): string {
  return JSON.stringify({ matrix: arch.matrix, ops: arch.ops });
}

/** Inverse of `formatCell`; a malformed or invalid cell is a UserError naming the problem. */
export function parseCell(text: string): Nb101Arch {
  checkArchTextSize(text, 'NB101');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's message quotes the input raw (newlines included): name the problem without it.
    throw new UserError(`malformed NB101 cell ${quoteInput(text)}: not JSON; expected e.g. ${EXAMPLE}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`malformed NB101 cell ${quoteInput(text)}: expected an object with "matrix" and "ops", e.g. ${EXAMPLE}`);
  }
  const { matrix, ops } = value as Record<string, unknown>;
  const arch = { matrix, ops } as Nb101Arch;
  const check = checkCell(arch);
  if (check.reason !== null) throw new UserError(`invalid NB101 cell ${quoteInput(text)}: ${check.reason}`);
  return { matrix: arch.matrix.map((row) => row.slice()), ops: arch.ops.slice() };
}
