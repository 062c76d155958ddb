import { UserError } from '@dcl-enas/common';
import type { PredictorEngine } from './engine';
import { ridgeEngine } from './ridge-engine';

/** Engines made so far (the lazy ones join on first use). */
const engines = new Map<string, PredictorEngine>([[ridgeEngine.name, ridgeEngine]]);

/** Engines loaded on first use: the GNN brings TensorFlow.js, which the ridge engine does not need. */
const lazyEngines = new Map<string, (options: EngineOptions) => PredictorEngine>([
  ['gnn', (options) => (require('./gnn-engine') as typeof import('./gnn-engine')).gnnEngine({ config: options.config as never })],
]);

export interface EngineOptions {
  /** Configuration patches for the engine (the GNN's ConfigOverrides: small models for tests and drills). */
  readonly config?: Record<string, unknown>;
}

export function engineNames(): string[] {
  return [...new Set([...engines.keys(), ...lazyEngines.keys()])];
}

export function engineByName(name: string, options: EngineOptions = {}): PredictorEngine {
  const load = lazyEngines.get(name);
  if (load && options.config) return load(options);
  let engine = engines.get(name);
  if (!engine && load) {
    engine = load(options);
    engines.set(name, engine);
  }
  if (!engine) throw new UserError(`unknown predictor engine "${name}": use one of ${engineNames().join(', ')}`);
  return engine;
}
