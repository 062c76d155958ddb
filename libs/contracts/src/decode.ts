import type { z } from 'zod';

/** A message or document that does not match its contract; `message` is one line naming the field and the problem. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
  }
}

/** Validates `value` against `schema`; on failure one ContractError naming the first bad field. */
export function decode<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = specific(parsed.error.issues[0]);
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem${parsed.error.issues.length > 2 ? 's' : ''})` : '';
  throw new ContractError(`${what}: ${oneLine(path)}: ${oneLine(issue.message)}${more}`);
}

/**
 * For a value that matches no branch of a union (a spec's space: a name or a declared space),
 * the issue of the one branch that got furthest into it (the longest path), so that the message
 * names the field that is wrong rather than "invalid input". Where branches tie, the union's
 * own issue stays: it names the field that holds the value.
 */
function specific(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !('errors' in issue)) return issue;
  const firsts = issue.errors.map((issues) => issues[0]).filter((i): i is z.core.$ZodIssue => i !== undefined);
  const longest = Math.max(0, ...firsts.map((i) => i.path.length));
  const deepest = firsts.filter((i) => i.path.length === longest);
  if (longest === 0 || deepest.length !== 1) return issue;
  return specific({ ...deepest[0], path: [...issue.path, ...deepest[0].path] } as z.core.$ZodIssue);
}

/** Field names and messages come from the input: control characters escaped, at most 300 characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 300 ? `${escaped.slice(0, 297)}...` : escaped;
}
