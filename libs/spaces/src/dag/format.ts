import { UserError } from '@dcl-enas/common';
import { DAG_INPUT, DAG_OUTPUT, type DagArch } from './cell';
import { checkCell, type DagRules } from './validate';
import { checkArchTextSize, quoteInput } from '../space';

/** Compact JSON: `{"matrix":[[0,1,...],...],"ops":["input",...,"output"]}` (NB101's form). */
export function formatCell(arch: DagArch): string {
  return JSON.stringify({ matrix: arch.matrix, ops: arch.ops });
}

/** A valid cell of the space in text form, for messages (NB101's example where the limits allow it). */
export function exampleCell(rules: DagRules): string {
  if (rules.maxEdges < 2) return formatCell({ matrix: [[0, 1], [0, 0]], ops: [DAG_INPUT, DAG_OUTPUT] });
  const skip = rules.maxEdges >= 3 ? 1 : 0;
  const matrix = [
    [0, 1, skip],
    [0, 0, 1],
    [0, 0, 0],
  ];
  return formatCell({ matrix, ops: [DAG_INPUT, rules.ops[0], DAG_OUTPUT] });
}

/** Inverse of `formatCell`; a malformed or invalid cell is a UserError naming the problem. */
export function parseCell(text: string, rules: DagRules, example = exampleCell(rules)): DagArch {
  const { label } = rules;
  checkArchTextSize(text, label);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's message quotes the input raw (newlines included): name the problem without it.
    throw new UserError(`malformed ${label} cell ${quoteInput(text)}: not JSON; expected e.g. ${example}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`malformed ${label} cell ${quoteInput(text)}: expected an object with "matrix" and "ops", e.g. ${example}`);
  }
  const { matrix, ops } = value as Record<string, unknown>;
  const arch = { matrix, ops } as DagArch;
  const check = checkCell(arch, rules);
  if (check.reason !== null) throw new UserError(`invalid ${label} cell ${quoteInput(text)}: ${check.reason}`);
  return { matrix: arch.matrix.map((row) => row.slice()), ops: arch.ops.slice() };
}
