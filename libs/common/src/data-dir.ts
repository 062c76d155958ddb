import { existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { UserError } from './errors';

/**
 * Where the benchmark and ECG data live: ENAS_DATA_DIR, else ../shared/data (the development
 * layout, seen from the repository root or the current directory), else an error with the fix.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const fromEnv = env['ENAS_DATA_DIR'];
  if (fromEnv) {
    const dir = resolve(cwd, fromEnv);
    if (!existsSync(dir)) throw new UserError(`ENAS_DATA_DIR=${fromEnv} does not exist; point it at the folder holding nasbench201/, nasbench101/ and mitdb/`);
    return dir;
  }
  for (const candidate of candidateDirs(cwd)) if (existsSync(candidate)) return candidate;
  throw new UserError('no data directory found: set ENAS_DATA_DIR to the folder holding nasbench201/, nasbench101/ and mitdb/ (or place it at ../shared/data)');
}

function candidateDirs(cwd: string): string[] {
  const repoRoot = resolve(__dirname, '..', '..', '..');
  return [...new Set([join(cwd, '..', 'shared', 'data'), join(repoRoot, '..', 'shared', 'data')])];
}
