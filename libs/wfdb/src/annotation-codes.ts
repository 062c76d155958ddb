/**
 * Mnemonics of the WFDB annotation codes 0..49 (the standard table of ecgcodes.h). Codes
 * without a standard mnemonic print as "[code]".
 */
const MNEMONICS: Readonly<Record<number, string>> = {
  0: ' ', 1: 'N', 2: 'L', 3: 'R', 4: 'a', 5: 'V', 6: 'F', 7: 'J', 8: 'A', 9: 'S', 10: 'E',
  11: 'j', 12: '/', 13: 'Q', 14: '~', 16: '|', 18: 's', 19: 'T', 20: '*', 21: 'D', 22: '"',
  23: '=', 24: 'p', 25: 'B', 26: '^', 27: 't', 28: '+', 29: 'u', 30: '?', 31: '!', 32: '[',
  33: ']', 34: 'e', 35: 'n', 36: '@', 37: 'x', 38: 'f', 39: '(', 40: ')', 41: 'r',
};

/** Highest code an annotation word may carry; 50..58 are undefined, 59..63 are pseudo-codes. */
export const MAX_ANNOTATION_CODE = 49;

export const ANNOTATION_SYMBOLS: readonly string[] = Array.from({ length: MAX_ANNOTATION_CODE + 1 }, (_, code) => MNEMONICS[code] ?? `[${code}]`);

export function annotationSymbol(code: number): string {
  return ANNOTATION_SYMBOLS[code] ?? `[${code}]`;
}
