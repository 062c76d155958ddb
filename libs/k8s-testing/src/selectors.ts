/**
 * Label and field selectors as the Kubernetes API server reads them (for the stand-in server):
 * `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, joined by commas.
 */
type Requirement = (values: Record<string, string>) => boolean;

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += char;
  }
  terms.push(current);
  return terms.map((term) => term.trim()).filter((term) => term.length > 0);
}

function requirement(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const [, field, op, list] = set;
    const values = new Set(list!.split(',').map((value) => value.trim()));
    return op === 'in'
      ? (labels) => labels[field!] !== undefined && values.has(labels[field!]!)
      : (labels) => labels[field!] === undefined || !values.has(labels[field!]!);
  }
  const notEqual = /^([^!=]+)!=(.*)$/.exec(term);
  if (notEqual) return (labels) => labels[notEqual[1]!.trim()] !== notEqual[2]!.trim();
  const equal = /^([^!=]+)==?(.*)$/.exec(term);
  if (equal) return (labels) => labels[equal[1]!.trim()] === equal[2]!.trim();
  if (term.startsWith('!')) return (labels) => labels[term.slice(1)] === undefined;
  return (labels) => labels[term] !== undefined;
}

export function parseSelector(selector: string | null | undefined): Requirement {
  if (!selector) return () => true;
  const requirements = splitTerms(selector).map(requirement);
  return (values) => requirements.every((matches) => matches(values));
}

/** The fields a field selector can name, flattened ("involvedObject.name" -> value). */
export function selectableFields(object: Record<string, unknown>, paths: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of paths) {
    let value: unknown = object;
    for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
    if (typeof value === 'string') out[path] = value;
  }
  return out;
}
