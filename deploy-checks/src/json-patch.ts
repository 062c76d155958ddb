/** RFC 6902 JSON Patch (add, remove, replace, test) with RFC 6901 pointers, as kustomize applies it. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(document: unknown, path: string): { parent: Container; key: string } {
  const parts = tokens(path);
  if (parts.length === 0) throw new Error('patching the whole document is not supported');
  let node: unknown = document;
  for (const part of parts.slice(0, -1)) {
    const next: unknown = Array.isArray(node) ? node[Number(part)] : (node as Record<string, unknown> | undefined)?.[part];
    if (typeof next !== 'object' || next === null) throw new Error(`path ${path}: "${part}" does not exist`);
    node = next;
  }
  return { parent: node as Container, key: parts.at(-1)! };
}

function index(array: unknown[], key: string, forAdd: boolean, path: string): number {
  if (forAdd && key === '-') return array.length;
  const at = Number(key);
  const limit = forAdd ? array.length : array.length - 1;
  if (!/^\d+$/.test(key) || at > limit) throw new Error(`path ${path}: index ${key} is out of range`);
  return at;
}

export function applyJsonPatch<T>(document: T, operations: readonly PatchOperation[]): T {
  const result = structuredClone(document);
  for (const operation of operations) {
    const { parent, key } = parentOf(result, operation.path);
    switch (operation.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(index(parent, key, true, operation.path), 0, structuredClone(operation.value));
        else parent[key] = structuredClone(operation.value);
        break;
      case 'replace':
        if (Array.isArray(parent)) parent[index(parent, key, false, operation.path)] = structuredClone(operation.value);
        else if (key in parent) parent[key] = structuredClone(operation.value);
        else throw new Error(`replace ${operation.path}: nothing there to replace`);
        break;
      case 'remove':
        if (Array.isArray(parent)) parent.splice(index(parent, key, false, operation.path), 1);
        else if (key in parent) delete parent[key];
        else throw new Error(`remove ${operation.path}: nothing there to remove`);
        break;
      case 'test': {
        const actual = Array.isArray(parent) ? parent[Number(key)] : parent[key];
        if (JSON.stringify(actual) !== JSON.stringify(operation.value)) throw new Error(`test ${operation.path} failed`);
        break;
      }
      default:
        throw new Error(`JSON patch operation "${(operation as { op: string }).op}" is not supported (add, remove, replace, test)`);
    }
  }
  return result;
}
