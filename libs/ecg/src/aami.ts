/** AAMI EC57 heartbeat classes, in label order: label 0 is N, 1 is S, 2 is V, 3 is F, 4 is Q. */
export const AAMI_CLASSES = ['N', 'S', 'V', 'F', 'Q'] as const;
export type AamiClass = (typeof AAMI_CLASSES)[number];
export const AAMI_CLASS_COUNT: number = AAMI_CLASSES.length;

/** MIT-BIH beat symbols grouped into AAMI classes (the mapping given in the mitdb data README). */
const SYMBOL_TO_CLASS: Readonly<Record<string, AamiClass>> = {
  N: 'N', L: 'N', R: 'N', e: 'N', j: 'N',
  A: 'S', a: 'S', J: 'S', S: 'S',
  V: 'V', E: 'V',
  F: 'F',
  '/': 'Q', f: 'Q', Q: 'Q',
};

/** AAMI class of a beat symbol, or null for symbols that are not beats (rhythm changes, noise, ...). */
export function aamiClassOf(symbol: string): AamiClass | null {
  return SYMBOL_TO_CLASS[symbol] ?? null;
}

/** Label index (0..4) of a beat symbol, or -1 for non-beat symbols. */
export function aamiLabelOf(symbol: string): number {
  const cls = SYMBOL_TO_CLASS[symbol];
  return cls === undefined ? -1 : AAMI_CLASSES.indexOf(cls);
}
