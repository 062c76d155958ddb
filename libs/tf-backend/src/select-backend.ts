import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's node build registers no gradients; the union package's bundle does (it also loads the cpu backend)
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { dirname } from 'node:path';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Preference order (SPEC 4): native GPU, native CPU, wasm, pure-JS CPU. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendChoice {
  readonly name: BackendName;
  /** Why the better backends were passed over, for the log line. */
  readonly skipped: readonly string[];
}

let chosen: Promise<BackendChoice> | undefined;

/**
 * Picks and initialises the fastest available backend once per process; later calls return the
 * same choice. `only` restricts the candidates (benchmarks and tests use it to pin a backend).
 */
export function initTf(options: { only?: BackendName; log?: (line: string) => void } = {}): Promise<BackendChoice> {
  if (options.only) return selectBackend([options.only], options.log);
  chosen ??= selectBackend(BACKEND_ORDER, options.log);
  return chosen;
}

async function selectBackend(order: readonly BackendName[], log = defaultLog): Promise<BackendChoice> {
  const skipped: string[] = [];
  for (const name of order) {
    const problem = await tryBackend(name);
    if (problem === null) {
      const choice = { name, skipped };
      log(`tfjs backend: ${name}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}`);
      return choice;
    }
    skipped.push(`${name}: ${problem}`);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

/** Null when `name` is now the active backend, else a short reason. */
async function tryBackend(name: BackendName): Promise<string | null> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    try {
      // Optional native packages: absent wherever libtensorflow could not be downloaded.
      require(pkg);
    } catch {
      return `${pkg} not installed`;
    }
    // tfjs-node-gpu registers its backend under the name 'tensorflow' as well.
    return (await setBackendSafely('tensorflow')) ? null : `${pkg} failed to initialise`;
  }
  if (name === 'wasm') {
    setWasmPaths(wasmDir() + '/');
    return (await setBackendSafely('wasm')) ? null : 'wasm module failed to initialise';
  }
  return (await setBackendSafely('cpu')) ? null : 'cpu backend failed to initialise';
}

async function setBackendSafely(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** The folder holding the tfjs-backend-wasm .wasm binaries. */
export function wasmDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

function defaultLog(line: string): void {
  // stderr, so `--json` output on stdout stays one clean object
  process.stderr.write(line + '\n');
}

export { tf };
