// Conformance fixture (trial protocol v1) in Node: `node trial.mjs <mode>`. See conformance.test-helper.ts.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const mode = process.argv[2];
const dir = process.env.ENAS_TRIAL_DIR;
const write = (name, text) => writeFileSync(join(dir, name), text);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

switch (mode) {
  case 'file':
    console.log('training', process.env.ENAS_ARCH);
    write('result.json', JSON.stringify({ accuracy: 0.91, params: 12345, latency_ms: 3.5 }));
    break;
  case 'stdout':
    console.log('training', process.env.ENAS_ARCH);
    console.log('enas-result ' + JSON.stringify({ accuracy: 0.92, params: 12345 }));
    break;
  case 'both':
    write('result.json', JSON.stringify({ accuracy: 0.5 }));
    console.log('enas-result ' + JSON.stringify({ accuracy: 0.7 }));
    break;
  case 'missing':
    console.log('enas-result ' + JSON.stringify({ loss: 0.3, params: 10 }));
    break;
  case 'malformed':
    write('result.json', '{"accuracy": 0.9,');
    break;
  case 'nan':
    // JSON.stringify would write null for NaN: a trial that prints the number itself
    console.log(`enas-result {"accuracy": ${0 / 0}, "loss": 0.1}`);
    break;
  case 'exit':
    console.log('loading data');
    console.error('error: out of memory on purpose');
    process.exit(3);
    break;
  case 'crash':
    console.log('enas-metric ' + JSON.stringify({ step: 1, accuracy: 0.1 }));
    console.error('about to crash');
    process.kill(process.pid, 'SIGSEGV');
    await sleep(5000);
    break;
  case 'hang': {
    process.on('SIGTERM', () => {});
    appendFileSync(join(dir, 'pids'), `${process.pid}\n`);
    const child = `
      const { appendFileSync } = require('node:fs');
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => {});
      appendFileSync(require('node:path').join(process.env.ENAS_TRIAL_DIR, 'pids'), process.pid + '\\n');
      if (process.argv[1] === 'grandchild') spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });
      setInterval(() => {}, 1000);`;
    spawn(process.execPath, ['-e', child, 'grandchild'], { stdio: 'inherit' });
    spawn(process.execPath, ['-e', child], { stdio: 'inherit' });
    console.log('started children');
    setInterval(() => {}, 1000);
    break;
  }
  case 'flood':
    process.stdout.write(('x'.repeat(99) + '\n').repeat(101010));
    process.stderr.write('err line\n'.repeat(200000));
    console.log('enas-result ' + JSON.stringify({ accuracy: 0.93 }));
    break;
  case 'curve':
    for (let step = 1; step <= 100; step++) {
      console.log('enas-metric ' + JSON.stringify({ step, accuracy: step / 1000, loss: 1.5 }));
      await sleep(30);
    }
    console.log('enas-result ' + JSON.stringify({ accuracy: 0.99 }));
    break;
  case 'env': {
    const arch = JSON.parse(readFileSync(join(dir, 'arch.json'), 'utf8'));
    write('seen-arch.json', JSON.stringify(arch));
    const names = ['ENAS_TRIAL_DIR', 'ENAS_TRIAL_ID', 'ENAS_EXPERIMENT_ID', 'ENAS_ARCH', 'CUDA_VISIBLE_DEVICES', 'ENAS_TEST_VAR'];
    write('seen-env.txt', [...names.map((n) => `${n}=${process.env[n] ?? ''}`), `CWD=${process.cwd()}`].join('\n') + '\n');
    console.log('enas-result ' + JSON.stringify({ accuracy: 1 }));
    break;
  }
  default:
    console.error('unknown mode', mode);
    process.exit(64);
}
