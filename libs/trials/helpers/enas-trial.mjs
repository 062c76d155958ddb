// Report to DCL-ENAS from a Node trial (trial protocol v1, docs/trials.md).
// One file, no dependency: copy it next to your training code.
//
//   import { arch, metric, report } from './enas-trial.mjs';
//   const a = arch();                         // arch.json: a.arch, a.graph, a.choices, a.params, ...
//   metric(epoch, { accuracy, loss });        // intermediate value
//   report({ accuracy, params });             // the result
//
// The helper is optional: printing the lines yourself is the same protocol.
import { fsyncSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const PROTOCOL = 1;

/** The trial's directory ($ENAS_TRIAL_DIR), or null when not run by DCL-ENAS. */
export function trialDir() {
  return process.env.ENAS_TRIAL_DIR || null;
}

/** The contents of $ENAS_TRIAL_DIR/arch.json. */
export function arch() {
  const dir = trialDir();
  if (dir === null) throw new Error('ENAS_TRIAL_DIR is not set: this program runs as a DCL-ENAS trial (docs/trials.md)');
  const data = JSON.parse(readFileSync(join(dir, 'arch.json'), 'utf8'));
  if (data.protocol !== PROTOCOL) throw new Error(`arch.json has trial protocol ${JSON.stringify(data.protocol)}; this helper speaks protocol ${PROTOCOL}`);
  return data;
}

/** A flat object of numbers as JSON; NaN and Infinity as the bare tokens (JSON.stringify would write null), so that the runner names them. */
function numbers(values, what) {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new TypeError(`${what}s must be an object of numbers`);
  const parts = Object.entries(values).map(([name, value]) => {
    if (typeof value !== 'number') throw new TypeError(`${what} ${JSON.stringify(name)} must be a number, got ${value === null ? 'null' : typeof value}`);
    return `${JSON.stringify(name)}: ${Number.isFinite(value) ? JSON.stringify(value) : String(value)}`;
  });
  return `{${parts.join(', ')}}`;
}

function writeLine(line) {
  let at = 0;
  const bytes = Buffer.from(`${line}\n`);
  while (at < bytes.length) at += writeSync(1, bytes, at);
}

/** An intermediate value: prints `enas-metric {"step": step, ...}` on stdout. */
export function metric(step, values = {}) {
  if (typeof step !== 'number') throw new TypeError(`step must be a number, got ${typeof step}`);
  writeLine(`enas-metric ${numbers({ step, ...values }, 'metric')}`);
}

/**
 * The result: writes $ENAS_TRIAL_DIR/result.json; without ENAS_TRIAL_DIR prints an enas-result line.
 * Written in place, not renamed over: in a Kubernetes Job result.json is a file the kubelet mounts
 * (the termination message), which a rename cannot replace. The runner reads it after the exit.
 */
export function report(metrics) {
  const text = numbers(metrics, 'result');
  const dir = trialDir();
  if (dir === null) return writeLine(`enas-result ${text}`);
  const fd = openSync(join(dir, 'result.json'), 'w');
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
