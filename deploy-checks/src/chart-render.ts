import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { valuesProblems, type Chart } from './helm-chart';
import type { K8sObject } from '@dcl-enas/k8s-testing';

/**
 * Renders helm/dcl-enas the way `helm template` does, for the template language the chart uses,
 * so tests can assert on the objects a values file gives without a helm binary (tools/k8s-check.sh
 * runs the real one where it is installed). Go text/template: text and actions with `{{-`/`-}}`
 * trimming, comments, pipelines, parenthesised commands, variables (`:=`, `=`, `$`), if / else if /
 * else, with, range (lists and maps, sorted keys), define, template; Helm: include, required, fail,
 * .Files.Get, .Template, .Release, .Chart, and the values schema checked first; the Sprig functions
 * listed in FUNCTIONS. An unknown function or keyword is an error, not ignored.
 * Known differences: numbers are JavaScript numbers (Helm's values are float64, so `printf "%d"` or
 * `eq` of a value with an integer literal fails there: convert with `int`, as the chart does), and
 * toYaml/toJson format like sigs.k8s.io/yaml and encoding/json except for HTML escaping.
 */

type Value = unknown;
type Dict = Record<string, unknown>;

interface Token {
  kind: 'str' | 'num' | 'bool' | 'nil' | 'field' | 'var' | 'ident' | 'op';
  value: unknown;
  path?: string[];
  /** A field chained onto the preceding `)` (no space between them). */
  chained?: boolean;
}

type Arg =
  | { kind: 'field'; path: string[] }
  | { kind: 'var'; name: string; path: string[] }
  | { kind: 'lit'; value: unknown }
  | { kind: 'ident'; name: string }
  | { kind: 'pipe'; pipe: Pipe; path: string[] };

interface Pipe {
  decl?: string[];
  assign?: boolean;
  cmds: Arg[][];
}

type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'with' | 'range'; pipe: Pipe; list: TemplateNode[]; elseList?: TemplateNode[] }
  | { kind: 'template'; name: string; pipe?: Pipe };

interface Item {
  kind: 'text' | 'action';
  text: string;
  line: number;
}

export class TemplateError extends Error {}

/** Splits a template into text and actions, applying the trim markers. */
function lex(source: string, name: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let trimNext = false;
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    let text = source.slice(pos, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) items.push({ kind: 'text', text, line: lineAt(pos) });
      break;
    }
    let start = open + 2;
    const trimLeft = /^-[ \t\r\n]/.test(source.slice(start, start + 2));
    if (trimLeft) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 2;
    }
    if (text) items.push({ kind: 'text', text, line: lineAt(pos) });
    // the end of the action: the first `}}` outside a string literal
    let end = start;
    let quote: string | null = null;
    for (; end < source.length; end++) {
      const c = source[end]!;
      if (quote) {
        if (c === '\\' && quote !== '`') end++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === '`') quote = c;
      else if (c === '/' && source[end + 1] === '*') {
        const close = source.indexOf('*/', end + 2);
        if (close < 0) throw new TemplateError(`${name}:${lineAt(open)}: unclosed comment`);
        end = close + 1;
      } else if (c === '}' && source[end + 1] === '}') break;
    }
    if (end >= source.length) throw new TemplateError(`${name}:${lineAt(open)}: unclosed action`);
    let body = source.slice(start, end);
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    body = body.trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) items.push({ kind: 'action', text: body, line: lineAt(open) });
    pos = end + 2;
  }
  return items;
}

const KEYWORDS = new Set(['true', 'false', 'nil']);

function tokenize(body: string, where: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  const path = (): string[] => {
    const parts: string[] = [];
    while (body[i] === '.') {
      ident.lastIndex = i + 1;
      const match = ident.exec(body);
      if (!match) break;
      parts.push(match[0]);
      i = ident.lastIndex;
    }
    return parts;
  };
  while (i < body.length) {
    const c = body[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      tokens.push({ kind: 'str', value: JSON.parse(body.slice(i, j + 1).replace(/\\'/g, "'")) });
      i = j + 1;
    } else if (c === '`') {
      const j = body.indexOf('`', i + 1);
      tokens.push({ kind: 'str', value: body.slice(i + 1, j) });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(body[i + 1] ?? ''))) {
      const match = /-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/y;
      match.lastIndex = i;
      const m = match.exec(body)!;
      tokens.push({ kind: 'num', value: Number(m[0]) });
      i = match.lastIndex;
    } else if (c === ':' && body[i + 1] === '=') {
      tokens.push({ kind: 'op', value: ':=' });
      i += 2;
    } else if ('|(),='.includes(c)) {
      tokens.push({ kind: 'op', value: c });
      i++;
    } else if (c === '.') {
      const chained = tokens.length > 0 && tokens[tokens.length - 1]!.value === ')' && body[i - 1] === ')';
      const start = i;
      const parts = path();
      if (i === start) i++;
      tokens.push({ kind: 'field', value: null, path: parts, chained });
    } else if (c === '$') {
      ident.lastIndex = i + 1;
      const match = ident.exec(body);
      const name = match ? `$${match[0]}` : '$';
      i = match ? ident.lastIndex : i + 1;
      tokens.push({ kind: 'var', value: name, path: path() });
    } else {
      ident.lastIndex = i;
      const match = ident.exec(body);
      if (!match) throw new TemplateError(`${where}: unexpected "${c}" in {{ ${body} }}`);
      i = ident.lastIndex;
      const word = match[0];
      if (word === 'true' || word === 'false') tokens.push({ kind: 'bool', value: word === 'true' });
      else if (KEYWORDS.has(word)) tokens.push({ kind: 'nil', value: null });
      else tokens.push({ kind: 'ident', value: word });
    }
  }
  return tokens;
}

function parsePipe(tokens: Token[], where: string): Pipe {
  let rest = tokens;
  const pipe: Pipe = { cmds: [] };
  // declarations: $x := ..., $x = ..., $i, $v := ...
  const declEnd = rest.findIndex((t) => t.kind === 'op' && (t.value === ':=' || t.value === '='));
  if (declEnd > 0 && rest.slice(0, declEnd).every((t) => (t.kind === 'var' && t.path!.length === 0) || (t.kind === 'op' && t.value === ','))) {
    pipe.decl = rest.slice(0, declEnd).filter((t) => t.kind === 'var').map((t) => t.value as string);
    pipe.assign = rest[declEnd]!.value === '=';
    rest = rest.slice(declEnd + 1);
  }
  let index = 0;
  const parseArgs = (closing: string | null): Arg[][] => {
    const cmds: Arg[][] = [[]];
    while (index < rest.length) {
      const token = rest[index++]!;
      const cmd = cmds[cmds.length - 1]!;
      if (token.kind === 'op' && token.value === closing) return cmds;
      if (token.kind === 'op' && token.value === '|') {
        cmds.push([]);
      } else if (token.kind === 'op' && token.value === '(') {
        const inner = parseArgs(')');
        cmd.push({ kind: 'pipe', pipe: { cmds: inner }, path: [] });
      } else if (token.kind === 'field' && token.chained) {
        const previous = cmd[cmd.length - 1];
        if (previous?.kind !== 'pipe') throw new TemplateError(`${where}: a field after ")" with nothing before it`);
        previous.path.push(...token.path!);
      } else if (token.kind === 'field') cmd.push({ kind: 'field', path: token.path! });
      else if (token.kind === 'var') cmd.push({ kind: 'var', name: token.value as string, path: token.path! });
      else if (token.kind === 'ident') cmd.push({ kind: 'ident', name: token.value as string });
      else if (token.kind === 'op') throw new TemplateError(`${where}: unexpected "${String(token.value)}"`);
      else cmd.push({ kind: 'lit', value: token.value });
    }
    if (closing) throw new TemplateError(`${where}: unclosed "("`);
    return cmds;
  };
  pipe.cmds = parseArgs(null);
  if (pipe.cmds.some((cmd) => cmd.length === 0)) throw new TemplateError(`${where}: empty command in pipeline`);
  return pipe;
}

interface Parsed {
  nodes: TemplateNode[];
  defines: Map<string, TemplateNode[]>;
}

function parseTemplate(source: string, name: string): Parsed {
  const items = lex(source, name);
  const defines = new Map<string, TemplateNode[]>();
  let index = 0;
  const keyword = (item: Item) => /^(\w+)/.exec(item.text)?.[1];
  /** Nodes up to an `end` or `else` at this level; returns the item that stopped it. */
  const parseList = (): { nodes: TemplateNode[]; stop?: Item } => {
    const nodes: TemplateNode[] = [];
    while (index < items.length) {
      const item = items[index++]!;
      if (item.kind === 'text') {
        nodes.push({ kind: 'text', text: item.text });
        continue;
      }
      const where = `${name}:${item.line}`;
      const word = keyword(item);
      if (word === 'end' || word === 'else') return { nodes, stop: item };
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(parseBlock(word, item.text.slice(word.length), where));
      else if (word === 'define') {
        const match = /^define\s+"([^"]+)"$/.exec(item.text);
        if (!match) throw new TemplateError(`${where}: bad define`);
        const body = parseList();
        if (!body.stop || keyword(body.stop) !== 'end') throw new TemplateError(`${where}: define "${match[1]}" without end`);
        defines.set(match[1]!, body.nodes);
      } else if (word === 'template') {
        const match = /^template\s+"([^"]+)"\s*(.*)$/s.exec(item.text);
        if (!match) throw new TemplateError(`${where}: bad template action`);
        nodes.push({ kind: 'template', name: match[1]!, ...(match[2] ? { pipe: parsePipe(tokenize(match[2], where), where) } : {}) });
      } else if (word === 'block' || word === 'break' || word === 'continue') throw new TemplateError(`${where}: "${word}" is not supported by this renderer`);
      else nodes.push({ kind: 'action', pipe: parsePipe(tokenize(item.text, where), where) });
    }
    return { nodes };
  };
  const parseBlock = (kind: 'if' | 'with' | 'range', rest: string, where: string): TemplateNode => {
    const pipe = parsePipe(tokenize(rest, where), where);
    const body = parseList();
    if (!body.stop) throw new TemplateError(`${where}: ${kind} without end`);
    const node: TemplateNode = { kind, pipe, list: body.nodes };
    if (keyword(body.stop) === 'else') {
      const elseRest = body.stop.text.slice(4).trim();
      const chained = /^(if|with)\b/.exec(elseRest)?.[1] as 'if' | 'with' | undefined;
      if (chained) {
        // {{ else if x }} ... {{ end }}: an if inside the else, sharing the end
        node.elseList = [parseBlock(chained, elseRest.slice(chained.length), where)];
      } else {
        const elseBody = parseList();
        if (!elseBody.stop || keyword(elseBody.stop) !== 'end') throw new TemplateError(`${where}: else without end`);
        node.elseList = elseBody.nodes;
      }
    }
    return node;
  };
  const top = parseList();
  if (top.stop) throw new TemplateError(`${name}:${top.stop.line}: unexpected {{ ${top.stop.text} }}`);
  return { nodes: top.nodes, defines };
}

// ---------------------------------------------------------------------------------------------
// Values and functions

const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);

function truthy(value: Value): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isDict(value)) return Object.keys(value).length > 0;
  return true;
}

/** Go's %v (fmt.Sprint) of a value. */
function goString(value: Value): string {
  if (value === null || value === undefined) return '<no value>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (isDict(value)) return `map[${Object.keys(value).sort().map((key) => `${key}:${goString(value[key])}`).join(' ')}]`;
  return String(value);
}

/** sigs.k8s.io/yaml-like output: sorted keys, block style, Helm's trailing newline trimmed. */
function toYaml(value: Value): string {
  return stringify(value ?? null, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false }).replace(/\n$/, '');
}

/** encoding/json: sorted map keys, no spaces. */
function toJson(value: Value): string {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : isDict(v) ? Object.fromEntries(Object.keys(v).sort().map((key) => [key, sorted(v[key])])) : v ?? null);
  return JSON.stringify(sorted(value));
}

function toInt(value: Value): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : 0;
  return 0;
}

function printf(format: string, ...args: Value[]): string {
  let next = 0;
  return format.replace(/%([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])/g, (_all, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[next++];
    if (verb === 's' || verb === 'v') return goString(arg);
    if (verb === 'q') return JSON.stringify(goString(arg));
    if (verb === 'd') {
      if (typeof arg !== 'number' || !Number.isInteger(arg)) return `%!d(${typeof arg}=${goString(arg)})`;
      return String(arg);
    }
    throw new TemplateError(`printf: verb %${verb} is not supported by this renderer`);
  });
}

function deepMerge(dst: Dict, src: Dict, override: boolean): Dict {
  for (const [key, value] of Object.entries(src)) {
    if (isDict(dst[key]) && isDict(value)) deepMerge(dst[key] as Dict, value, override);
    else if (override ? truthy(value) : !truthy(dst[key])) dst[key] = structuredClone(value);
  }
  return dst;
}

function fail(message: string): never {
  throw new TemplateError(message);
}

/** Sprig and Helm functions the chart may use (argument order as in Sprig: the piped value is last). */
const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
  required: (message, value) => (value === null || value === undefined || value === '' ? fail(String(message)) : value),
  fail: (message) => fail(String(message)),
  default: (fallback, ...given) => (given.length === 0 || !truthy(given[0]) ? fallback : given[0]),
  empty: (value) => !truthy(value),
  coalesce: (...values) => values.find(truthy) ?? null,
  ternary: (yes, no, condition) => (truthy(condition) ? yes : no),
  not: (value) => !truthy(value),
  eq: (a, ...others) => others.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  dict: (...pairs) => {
    const out: Dict = {};
    for (let i = 0; i < pairs.length; i += 2) out[goString(pairs[i])] = pairs[i + 1] ?? null;
    return out;
  },
  list: (...items) => items,
  set: (dict, key, value) => ((dict as Dict)[String(key)] = value, dict),
  unset: (dict, key) => (delete (dict as Dict)[String(key)], dict),
  hasKey: (dict, key) => isDict(dict) && String(key) in dict,
  keys: (...dicts) => dicts.flatMap((d) => Object.keys(d as Dict)).sort(),
  merge: (dst, ...srcs) => srcs.reduce<Dict>((acc, src) => deepMerge(acc, src as Dict, false), dst as Dict),
  mergeOverwrite: (dst, ...srcs) => srcs.reduce<Dict>((acc, src) => deepMerge(acc, src as Dict, true), dst as Dict),
  deepCopy: (value) => structuredClone(value),
  has: (needle, list) => Array.isArray(list) && list.includes(needle),
  index: (value, ...keys) => keys.reduce((v, key) => (Array.isArray(v) ? v[toInt(key)] : isDict(v) ? v[String(key)] ?? null : fail(`index of ${goString(v)}`)), value),
  len: (value) => (typeof value === 'string' || Array.isArray(value) ? value.length : isDict(value) ? Object.keys(value).length : 0),
  until: (n) => Array.from({ length: toInt(n) }, (_v, i) => i),
  toYaml,
  toJson,
  toString: (value: Value) => (value === null || value === undefined ? '<nil>' : goString(value)),
  quote: (...values) => values.filter((v) => v !== null && v !== undefined).map((v) => JSON.stringify(goString(v))).join(' '),
  squote: (...values) => values.filter((v) => v !== null && v !== undefined).map((v) => `'${goString(v)}'`).join(' '),
  printf: (format, ...args) => printf(String(format), ...args),
  print: (...args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + goString(a)).join(''),
  indent: (n, text) => String(text).replace(/^/gm, ' '.repeat(toInt(n))),
  nindent: (n, text) => `\n${String(text).replace(/^/gm, ' '.repeat(toInt(n)))}`,
  trunc: (n, text) => (toInt(n) >= 0 ? String(text).slice(0, toInt(n)) : String(text).slice(toInt(n))),
  trim: (text) => String(text).trim(),
  trimSuffix: (suffix, text) => (String(text).endsWith(String(suffix)) ? String(text).slice(0, String(text).length - String(suffix).length) : String(text)),
  trimPrefix: (prefix, text) => (String(text).startsWith(String(prefix)) ? String(text).slice(String(prefix).length) : String(text)),
  hasSuffix: (suffix, text) => String(text).endsWith(String(suffix)),
  hasPrefix: (prefix, text) => String(text).startsWith(String(prefix)),
  contains: (part, text) => String(text).includes(String(part)),
  replace: (old, replacement, text) => String(text).split(String(old)).join(String(replacement)),
  upper: (text) => String(text).toUpperCase(),
  lower: (text) => String(text).toLowerCase(),
  join: (separator, list) => (list as Value[]).map(goString).join(String(separator)),
  regexMatch: (pattern, text) => new RegExp(String(pattern)).test(String(text)),
  sha256sum: (text) => createHash('sha256').update(String(text)).digest('hex'),
  b64enc: (text) => Buffer.from(String(text)).toString('base64'),
  int: toInt,
  int64: toInt,
  add: (...values) => values.reduce<number>((sum, v) => sum + toInt(v), 0),
  add1: (value) => toInt(value) + 1,
  sub: (a, b) => toInt(a) - toInt(b),
  mul: (...values) => values.reduce<number>((product, v) => product * toInt(v), 1),
  div: (a, b) => Math.trunc(toInt(a) / toInt(b)),
  mod: (a, b) => toInt(a) % toInt(b),
  max: (...values) => Math.max(...values.map(toInt)),
  min: (...values) => Math.min(...values.map(toInt)),
  kindIs: (kind, value) => {
    const actual = value === null || value === undefined ? 'invalid' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float64') : Array.isArray(value) ? 'slice' : 'map';
    return actual === kind;
  },
  lookup: () => ({}),
};

// ---------------------------------------------------------------------------------------------
// Execution

class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(private readonly parent?: Scope) {}
  declare(name: string, value: Value): void {
    this.vars.set(name, value);
  }
  /** `$x = value`: the nearest enclosing declaration of $x. */
  assign(name: string, value: Value): void {
    this.owner(name).vars.set(name, value);
  }
  get(name: string): Value {
    return this.owner(name).vars.get(name);
  }
  private owner(name: string): Scope {
    if (this.vars.has(name)) return this;
    if (!this.parent) throw new TemplateError(`undefined variable: ${name}`);
    return this.parent.owner(name);
  }
}

class Renderer {
  readonly templates = new Map<string, TemplateNode[]>();
  private depth = 0;

  add(name: string, source: string): void {
    const parsed = parseTemplate(source, name);
    this.templates.set(name, parsed.nodes);
    for (const [define, nodes] of parsed.defines) this.templates.set(define, nodes);
  }

  run(name: string, dot: Value): string {
    const nodes = this.templates.get(name);
    if (!nodes) throw new TemplateError(`template "${name}" is not defined`);
    if (++this.depth > 100) throw new TemplateError(`template "${name}": include nested too deep`);
    try {
      const scope = new Scope();
      scope.declare('$', dot);
      return this.exec(nodes, dot, scope);
    } finally {
      this.depth--;
    }
  }

  private exec(nodes: TemplateNode[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'action') {
        const value = this.pipe(node.pipe, dot, scope);
        if (!node.pipe.decl) out += goString(value);
      } else if (node.kind === 'template') {
        out += this.run(node.name, node.pipe ? this.pipe(node.pipe, dot, scope) : null);
      } else if (node.kind === 'if' || node.kind === 'with') {
        const inner = new Scope(scope);
        const value = this.pipe(node.pipe, dot, inner);
        if (truthy(value)) out += this.exec(node.list, node.kind === 'with' ? value : dot, inner);
        else if (node.elseList) out += this.exec(node.elseList, dot, new Scope(scope));
      } else {
        const inner = new Scope(scope);
        const value = this.pipe({ cmds: node.pipe.cmds }, dot, inner);
        const entries: [Value, Value][] = Array.isArray(value)
          ? value.map((item, index) => [index, item])
          : isDict(value)
            ? Object.keys(value).sort().map((key) => [key, value[key]])
            : value === null || value === undefined
              ? []
              : fail(`range can't iterate over ${goString(value)}`);
        if (entries.length === 0 && node.elseList) out += this.exec(node.elseList, dot, new Scope(scope));
        for (const [key, item] of entries) {
          const iteration = new Scope(scope);
          const decl = node.pipe.decl ?? [];
          if (decl.length === 1) iteration.declare(decl[0]!, item);
          if (decl.length === 2) {
            iteration.declare(decl[0]!, key);
            iteration.declare(decl[1]!, item);
          }
          out += this.exec(node.list, item, iteration);
        }
      }
    }
    return out;
  }

  private pipe(pipe: Pipe, dot: Value, scope: Scope): Value {
    let value: Value = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, scope, first ? undefined : { value });
      first = false;
    }
    if (pipe.decl) {
      if (pipe.decl.length !== 1) throw new TemplateError('only range declares two variables');
      if (pipe.assign) scope.assign(pipe.decl[0]!, value);
      else scope.declare(pipe.decl[0]!, value);
    }
    return value;
  }

  private field(value: Value, path: string[], args: Value[]): Value {
    let current = value;
    path.forEach((name, i) => {
      if (current === null || current === undefined) throw new TemplateError(`nil pointer evaluating interface {}.${name}`);
      if (!isDict(current)) throw new TemplateError(`can't evaluate field ${name} in type ${typeof current}`);
      const next = current[name];
      current = typeof next === 'function' ? (i === path.length - 1 ? (next as (...a: Value[]) => Value)(...args) : (next as () => Value)()) : next === undefined ? null : next;
    });
    return current;
  }

  private arg(arg: Arg, dot: Value, scope: Scope, args: Value[] = []): Value {
    if (arg.kind === 'lit') return arg.value;
    if (arg.kind === 'field') return this.field(dot, arg.path, args);
    if (arg.kind === 'var') return this.field(scope.get(arg.name), arg.path, args);
    if (arg.kind === 'pipe') return this.field(this.pipe(arg.pipe, dot, scope), arg.path, args);
    return this.call(arg.name, [], dot, scope);
  }

  private command(cmd: Arg[], dot: Value, scope: Scope, piped?: { value: Value }): Value {
    const [head, ...rest] = cmd;
    if (head!.kind === 'ident') {
      const name = head!.name;
      if (name === 'and' || name === 'or') {
        // evaluated left to right, stopping at the first false (and) or true (or) argument
        const thunks = [...rest.map((a) => () => this.arg(a, dot, scope)), ...(piped ? [() => piped.value] : [])];
        let result: Value = null;
        for (const thunk of thunks) {
          result = thunk();
          if (truthy(result) === (name === 'or')) return result;
        }
        return result;
      }
      const args = rest.map((a) => this.arg(a, dot, scope));
      if (piped) args.push(piped.value);
      return this.call(name, args, dot, scope);
    }
    const args = rest.map((a) => this.arg(a, dot, scope));
    if (piped) args.push(piped.value);
    if (args.length > 0 && head!.kind !== 'field' && head!.kind !== 'var') throw new TemplateError(`can't give arguments to a non-function`);
    return this.arg(head!, dot, scope, args);
  }

  private call(name: string, args: Value[], _dot: Value, _scope: Scope): Value {
    if (name === 'include') return this.run(String(args[0]), args[1] ?? null);
    if (name === 'tpl') {
      const key = `tpl-${this.templates.size}`;
      this.add(key, String(args[0]));
      return this.run(key, args[1] ?? null);
    }
    const fn = FUNCTIONS[name];
    if (!fn) throw new TemplateError(`function "${name}" not defined (in this renderer)`);
    return fn(...args);
  }
}

// ---------------------------------------------------------------------------------------------
// The chart

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
}

export interface Rendered {
  /** The rendered text of each template file (partials and NOTES.txt aside). */
  files: Map<string, string>;
  /** Every object of every file, in file order. */
  objects: K8sObject[];
  notes: string;
}

/** `helm template RELEASE CHART -n NAMESPACE` with these (already merged) values; throws what helm would print. */
export function renderChart(chart: Chart, values: Record<string, unknown>, options: RenderOptions = {}): Rendered {
  const problems = valuesProblems(chart, values);
  if (problems.length > 0) throw new TemplateError(`values don't meet the specifications of the schema(s):\n${problems.join('\n')}`);
  const meta = parse(readFileSync(join(chart.dir, 'Chart.yaml'), 'utf8')) as Dict;
  const chartName = String(meta['name']);
  const basePath = `${chartName}/templates`;
  const renderer = new Renderer();
  for (const [file, text] of chart.templates) renderer.add(`${basePath}/${file}`, text);
  const top = (file: string): Dict => ({
    Values: structuredClone(values),
    Release: { Name: options.releaseName ?? 'dcl-enas', Namespace: options.namespace ?? 'dcl-enas', Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { Name: chartName, Version: meta['version'], AppVersion: meta['appVersion'], Description: meta['description'] },
    Template: { Name: `${basePath}/${file}`, BasePath: basePath },
    Files: { Get: (path: Value) => (existsSync(join(chart.dir, String(path))) ? readFileSync(join(chart.dir, String(path)), 'utf8') : '') },
    Capabilities: { KubeVersion: { Version: 'v1.30.0', Major: '1', Minor: '30' }, APIVersions: { Has: () => false } },
  });
  const files = new Map<string, string>();
  const objects: K8sObject[] = [];
  let notes = '';
  for (const file of [...chart.templates.keys()].sort()) {
    if (file.startsWith('_')) continue;
    let text: string;
    try {
      text = renderer.run(`${basePath}/${file}`, top(file)).replaceAll('<no value>', '');
    } catch (error) {
      throw new TemplateError(`execution error at (${basePath}/${file}): ${(error as Error).message}`);
    }
    if (file === 'NOTES.txt') {
      notes = text;
      continue;
    }
    files.set(file, text);
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new TemplateError(`${basePath}/${file}: YAML parse error: ${document.errors[0]!.message}\n${text}`);
      const object = document.toJS() as K8sObject | null;
      if (object !== null) objects.push(object);
    }
  }
  return { files, objects, notes };
}

/** Renders one template source (with its own defines) against a dot value: for testing the renderer itself. */
export function renderTemplate(source: string, dot: Value, extraTemplates: Record<string, string> = {}): string {
  const renderer = new Renderer();
  for (const [name, text] of Object.entries(extraTemplates)) renderer.add(name, text);
  renderer.add('main', source);
  return renderer.run('main', dot).replaceAll('<no value>', '');
}
