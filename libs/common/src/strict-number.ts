/** What a number read from a data file must be: finite, within [min, max], an integer if so marked. */
export interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

export const PERCENT: NumberRule = { min: 0, max: 100 };
export const FRACTION: NumberRule = { min: 0, max: 1 };
export const NON_NEGATIVE: NumberRule = { min: 0, max: Number.MAX_VALUE };
export const NON_NEGATIVE_INTEGER: NumberRule = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true };

/** True when `value` satisfies `rule` (finite, in range, integral where required). */
export function meetsRule(value: number, rule: NumberRule): boolean {
  return Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.integer || Number.isSafeInteger(value));
}

// A plain decimal: no '' (Number('') is 0), no blanks, no hex, no 'Infinity' or 'NaN'.
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The number a field spells, or NaN unless it is a plain decimal meeting `rule` ('1e400' overflows, so it fails). */
export function parseStrictNumber(text: string, rule: NumberRule): number {
  if (!DECIMAL.test(text)) return Number.NaN;
  const value = Number(text);
  return meetsRule(value, rule) ? value : Number.NaN;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * parseStrictNumber of text.slice(start, end), without making the substring in the common case:
 * an optional '-', at most 15 digits and a point. Then m / 10^k is exactly what Number() gives,
 * since both m (< 2^53) and 10^k (k <= 22) are exact doubles and the division rounds correctly.
 * Anything else (exponent, '+', more digits, bad characters) takes the slow path.
 */
export function decimalAt(text: string, start: number, end: number, rule: NumberRule): number {
  let p = text.charCodeAt(start) === 45 /* - */ ? start + 1 : start;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 /* . */ && decimals < 0) decimals = 0;
    else break;
  }
  if (p < end || digits === 0 || digits > 15) return parseStrictNumber(text.slice(start, end), rule);
  const magnitude = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
  const value = text.charCodeAt(start) === 45 ? -magnitude : magnitude;
  return meetsRule(value, rule) ? value : Number.NaN;
}

/** "a number in [0, 100]", "a number >= 0", "an integer in [0, 15624]". */
export function describeRule(rule: NumberRule): string {
  const what = rule.integer ? 'an integer' : 'a number';
  const unbounded = rule.max >= (rule.integer ? Number.MAX_SAFE_INTEGER : Number.MAX_VALUE);
  if (unbounded) return rule.min <= -Number.MAX_VALUE ? what : `${what} >= ${rule.min}`;
  return `${what} in [${rule.min}, ${rule.max}]`;
}

/** A field's text for a one-line message: quoted, control characters escaped, long values cut. */
export function quoteField(raw: string): string {
  if (raw === '') return 'empty';
  const cut = raw.length > 40 ? `${raw.slice(0, 40)}...` : raw;
  return JSON.stringify(cut);
}

/** `<where>: <field> is "<raw>", not a number in [0, 100]`, e.g. field `column hp12_c10v_val`. */
export function badFieldMessage(where: string, field: string, raw: string, rule: NumberRule): string {
  return `${where}: ${field} is ${quoteField(raw)}, not ${describeRule(rule)}`;
}
