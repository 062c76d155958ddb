import { UserError } from '@dcl-enas/common';
import type { PredictorEngine } from './engine';
import { ridgeEngine } from './ridge-engine';

const engines = new Map<string, PredictorEngine>([[ridgeEngine.name, ridgeEngine]]);

/** Lets the GNN predictor library add its engine without a dependency cycle. */
export function registerEngine(engine: PredictorEngine): void {
  engines.set(engine.name, engine);
}

export function engineNames(): string[] {
  return [...engines.keys()];
}

export function engineByName(name: string): PredictorEngine {
  const engine = engines.get(name);
  if (!engine) throw new UserError(`unknown predictor engine "${name}": use one of ${engineNames().join(', ')}`);
  return engine;
}
