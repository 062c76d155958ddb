import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Every way into and out of `enas` that a user can get wrong: bad numbers, files that are not
 * files, outputs that cannot be written, orchestrators that are not there or not orchestrators.
 * Each is refused with one line on stderr and a non-zero exit (2 unless noted), never a stack
 * trace or "internal error". Children run concurrently: most of their second is start-up.
 */

const root = resolve(__dirname, '..', '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `enas ARGS` in a child process. `stdout`: where its stdout goes ('close': the reader goes away
 * at once); `fileSizeKb`: the file size limit (bash `ulimit -f`), so that writes fail part way
 * with EFBIG, as on a full disk.
 */
function enas(args: string[], options: { env?: Record<string, string>; stdout?: number | 'close'; fileSizeKb?: number } = {}): Promise<Run> {
  const stdio: StdioOptions = ['ignore', typeof options.stdout === 'number' ? options.stdout : 'pipe', 'pipe'];
  const node = [process.execPath, '-r', './tools/register.cjs', 'apps/cli/src/main.ts', ...args];
  const [command, ...argv] = options.fileSizeKb === undefined ? node : ['bash', '-c', `ulimit -f ${options.fileSizeKb}; exec "$@"`, 'bash', ...node];
  const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...options.env }, stdio });
  if (options.stdout === 'close') child.stdout?.destroy();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // a hang fails the test instead of stalling it
  return new Promise((done) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    }),
  );
}

function expectRefused(r: Run, message: RegExp, code = 2): void {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |Unhandled/);
  expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
}

const dir = mkdtempSync(join(tmpdir(), 'enas-bad-input-'));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x');
const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo]);
const oversized = join(dir, 'big.yaml');
writeFileSync(oversized, `# ${'x'.repeat(70 * 1024)}\n`);
const badSpec = join(dir, 'bad-spec.yaml');
writeFileSync(badSpec, 'apiVersion: enas/v1\nkind: Experiment\nspace: nb201\ndataset: cifar10\nstrategy: rea\nqueries: 0\n');
const garbage = join(dir, 'garbage.yaml');
writeFileSync(garbage, Buffer.from([0xff, 0xfe, 0x00, 0x5b, 0x0a, 0x20, 0x5d, 0x3a]));
// Root writes through file permissions; /proc/self is a directory no one can create files in.
const readOnlyDir = process.getuid?.() === 0 ? '/proc/self' : join(dir, 'read-only');
if (readOnlyDir !== '/proc/self') {
  mkdirSync(readOnlyDir);
  chmodSync(readOnlyDir, 0o555);
}

const SEARCH = ['search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', 'random', '--queries', '5'];
const BENCH = ['bench', '--space', 'nb201', '--dataset', 'cifar10', '--strategies', 'random', '--queries', '5'];
const PREDICTOR_EVAL = ['predictor-eval', '--space', 'nb201', '--dataset', 'cifar10', '--variant', 'regression', '--seeds', '0'];

describe.concurrent('numbers outside the range they are used in', () => {
  const cases: [string, string[], RegExp][] = [
    ['a seed past 2^53', [...SEARCH, '--seed', '9007199254740993'], /--seed .*expected a seed \(an integer from 0 to 2147483647\)/],
    ['a seed in exponent form', [...SEARCH, '--seed', '1e30'], /--seed .*expected a seed/],
    ['a negative seed', [...SEARCH, '--seed', '-1'], /--seed .*expected a seed/],
    ['a fractional seed', [...SEARCH, '--seed', '1.5'], /--seed .*expected a seed/],
    ['a hexadecimal seed', [...SEARCH, '--seed', '0x10'], /--seed .*expected a seed/],
    ['a seed the RNG would alias (2^31)', [...SEARCH, '--seed', '2147483648'], /--seed .*expected a seed/],
    ['a zero budget', [...SEARCH, '--queries', '0'], /--queries .*expected a query budget \(an integer from 1 to 100000\)/],
    ['a budget past the spec limit', [...SEARCH, '--queries', '100001'], /--queries .*expected a query budget/],
    ['a budget past the distinct cells of NB201', [...SEARCH, '--queries', '4931'], /^enas: --queries 4931 is more than the 4930 distinct architectures of nb201: use at most 4930$/],
    ['a port past 65535', [...SEARCH, '--ui', '--ui-port', '70000'], /--ui-port .*expected a port/],
    ['a negative pace', [...SEARCH, '--pace', '-5'], /--pace .*expected milliseconds \(an integer from 0 to 60000\)/],
    ['a pace setTimeout cannot hold', [...SEARCH, '--pace', '99999999999'], /--pace .*expected milliseconds/],
    ['a reversed seed range', [...BENCH, '--seeds', '5..1'], /empty seed range "5\.\.1"/],
    ['a huge seed range', [...BENCH, '--seeds', '0..99999999999999999999'], /--seeds .*expected a seed/],
    ['too many seeds', [...BENCH, '--seeds', '0..20000'], /seed range "0\.\.20000" is too large \(at most 10,000 seeds\)/],
    ['a seed range past 2^31', [...BENCH, '--seeds', '4294967296'], /--seeds .*expected a seed/],
    ['a negative seed range', [...BENCH, '--seeds', '-3..2'], /expected seeds as A\.\.B or N/],
    ['an empty budget in a list', ['bench', '--space', 'nb201', '--dataset', 'cifar10', '--strategies', 'random', '--queries', '5,,6'], /--queries .*expected a query budget/],
    ['a bench budget past the distinct cells', ['bench', '--space', 'nb201', '--dataset', 'cifar10', '--strategies', 'random', '--queries', '5,5000', '--seeds', '0'], /--queries 5000 is more than the 4930 distinct architectures/],
    ['a fractional train size', [...PREDICTOR_EVAL, '--train-size', '1.5'], /--train-size .*expected a positive integer/],
    ['a train size past the table', [...PREDICTOR_EVAL, '--train-size', '20000'], /--train-size 20000 is out of range: nb201 has 15625 labelled architectures/],
    ['a pretrain seed in exponent form', [...PREDICTOR_EVAL, '--train-size', '10', '--pretrain-seed', '1e3'], /--pretrain-seed .*expected a seed/],
    ['a bench plan too large to hold', ['bench', '--space', 'nb201', '--dataset', 'cifar10', '--strategies', 'random,rea', '--queries', '1000,2000', '--seeds', '0..9999'], /this bench would keep 60000000 best-so-far points .*use fewer seeds, budgets or strategies$/],
  ];
  it.each(cases)('%s', async (_name, args, message) => expectRefused(await enas(args), message));
});

describe.concurrent('input files that are not files, or too large', () => {
  const unreachable = ['--api', 'http://127.0.0.1:9']; // never reached: the file is refused first
  const ecg = ['search', '--space', 'ecg', '--dataset', 'mitdb', '--ecg'];
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    ['a spec that never ends (/dev/zero)', ['submit', '/dev/zero', ...unreachable], /^enas: experiment spec \/dev\/zero is not a regular file/],
    ['a spec from /dev/urandom', ['submit', '/dev/urandom', ...unreachable], /experiment spec \/dev\/urandom is not a regular file/],
    ['a spec that is a FIFO', ['submit', fifo, ...unreachable], /is not a regular file \(a device, FIFO or socket\)/],
    ['a spec that is a directory', ['submit', dir, ...unreachable], /is a directory, not a file; give the path of an experiment spec/],
    ['a spec that does not exist', ['submit', join(dir, 'nope.yaml'), ...unreachable], /nope\.yaml cannot be read: no such file or directory \(ENOENT\)/],
    ['an oversized spec', ['submit', oversized, ...unreachable], /big\.yaml is larger than 65536 bytes/],
    ['a spec of binary garbage', ['submit', garbage, ...unreachable], /garbage\.yaml is not valid YAML or JSON/],
    ['a spec that does not validate', ['submit', badSpec, ...unreachable], /bad-spec\.yaml: queries: /],
    ['ECG settings from /dev/zero', [...ecg, '/dev/zero'], /^enas: --ecg \/dev\/zero is not a regular file/],
    ['ECG settings from a FIFO', [...ecg, fifo], /--ecg .*fifo is not a regular file/],
    ['ECG settings in a directory', [...ecg, dir], /--ecg .* is a directory, not a file/],
    ['oversized ECG settings', [...ecg, oversized], /--ecg .*big\.yaml is larger than 65536 bytes/],
    ['an API token file that never ends', ['status', 'x', ...unreachable], /ENAS_API_TOKEN_FILE \/dev\/zero is not a regular file/, { ENAS_API_TOKEN_FILE: '/dev/zero' }],
  ];
  it.each(cases)('%s', async (_name, args, message, env) => expectRefused(await enas(args, { env }), message));
});

describe.concurrent('outputs that cannot be written', () => {
  const cases: [string, string[], RegExp][] = [
    ['--out is a file', [...SEARCH, '--out', aFile], /^enas: --out .*a-file: .*a-file is not a directory; choose another --out directory$/],
    ['--out under a file', [...SEARCH, '--out', join(aFile, 'x')], /--out .*a-file\/x cannot be written: a part of the path is not a directory \(ENOTDIR\)/],
    // Node's recursive mkdirSync never returns here
    ['--out where mkdir fails (under /proc)', [...SEARCH, '--out', '/proc/enas-out/x'], /--out \/proc\/enas-out\/x cannot be written: /],
    ['--out in a read-only directory', [...SEARCH, '--out', readOnlyDir], /--out .* cannot be written: /],
    ['bench --out under a file', [...BENCH, '--seeds', '0', '--out', join(aFile, 'x')], /--out .*a-file\/x cannot be written: a part of the path is not a directory/],
  ];
  it.each(cases)('%s', async (_name, args, message) => expectRefused(await enas(args), message));

  it('--out on a disk that fills up part way (file size limit)', async () => {
    const r = await enas([...SEARCH, '--out', join(dir, 'limited')], { fileSizeKb: 4 });
    expectRefused(r, /^enas: cannot write .*limited\/\S+: the file size limit was reached \(ulimit -f\) \(EFBIG\)$/);
  });

  it('stdout on a full disk (/dev/full)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const [search, help] = await Promise.all([enas([...SEARCH, '--json'], { stdout: full }), enas(['--help'], { stdout: full })]);
      expectRefused(search, /^enas: cannot write to stdout: the disk is full \(ENOSPC\)$/);
      expectRefused(help, /^enas: cannot write to stdout: the disk is full \(ENOSPC\)$/);
    } finally {
      closeSync(full);
    }
  });

  it('stdout whose reader has gone (EPIPE, as `| head -c 1`)', async () => {
    expectRefused(await enas([...SEARCH, '--json'], { stdout: 'close' }), /^enas: cannot write to stdout: the reader closed the pipe \(EPIPE\)$/);
  });
});

describe('orchestrators that are not there, or not orchestrators', () => {
  let server: Server;
  let api: string;
  let closedPort: number;
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/experiments/not-json': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>\n<body>hello</body>\n</html>'),
    '/experiments/not-json/stop': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
    '/experiments/wrong-shape': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}'),
    '/experiments/multi-line-500': (res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<html>\n<h1>Internal\nServer Error</h1>\n</html>'),
    '/experiments/not-json/events': (res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: not json\n\n'),
    '/experiments': (res) => res.writeHead(201, { 'content-type': 'text/plain' }).end('created'),
  };

  beforeAll(async () => {
    server = createServer((req, res) => (routes[req.url ?? ''] ?? ((r) => r.writeHead(404).end('{"error":"no such experiment"}')))(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('one line for each command against an unreachable orchestrator', async () => {
    const unreachable = `http://127.0.0.1:${closedPort}`;
    const runs = await Promise.all([
      enas(['submit', 'examples/nb201-rea.yaml', '--api', unreachable]),
      enas(['status', 'x', '--api', unreachable]),
      enas(['watch', 'x', '--api', unreachable]),
      enas(['stop', 'x', '--api', unreachable]),
    ]);
    for (const r of runs) expectRefused(r, /^enas: cannot reach the orchestrator at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('one line for each reply that is not the orchestrator', async () => {
    const [status, stop, submit, shape, error, watch, url] = await Promise.all([
      enas(['status', 'not-json', '--api', api]),
      enas(['stop', 'not-json', '--api', api]),
      enas(['submit', 'examples/nb201-rea.yaml', '--api', api]),
      enas(['status', 'wrong-shape', '--api', api]),
      enas(['status', 'multi-line-500', '--api', api]),
      enas(['watch', 'not-json', '--api', api]),
      enas(['status', 'x', '--api', 'ftp://example.org']),
    ]);
    expectRefused(status, /replied to GET \/experiments\/not-json with something that is not JSON \(text\/html\)/);
    expectRefused(stop, /replied to POST \/experiments\/not-json\/stop with something that is not JSON/);
    expectRefused(submit, /replied to POST \/experiments with something that is not JSON/);
    expectRefused(shape, /reply of .* to GET \/experiments\/wrong-shape: id: .*is --api \/ ENAS_API_URL the orchestrator's address/);
    expectRefused(error, /^enas: orchestrator: <html> <h1>Internal Server Error<\/h1> <\/html> \(HTTP 500\)$/, 1);
    expectRefused(watch, /sent an event that is not a progress event/);
    expectRefused(url, /orchestrator URL "ftp:\/\/example\.org" is not an http\(s\) URL/);
  });
});

describe.concurrent('usage mistakes', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown service', ['serve', 'foo'], /^enas: unknown service "foo": use one of orchestrator, encoder, predictor, trainer$/],
    ['serve with an extra argument', ['serve', 'trainer', 'extra'], /^enas: too many arguments for 'serve'.* \(run "enas serve --help" for usage\)$/],
    ['serve with an unknown flag', ['serve', 'trainer', '--natz', 'x'], /^enas: unknown option '--natz' \(Did you mean --nats\?\)/],
    ['a misspelt option (commander adds a hint on a second line)', ['search', '--space', 'nb201', '--dataset', 'cifar10', '--sed', '3'], /^enas: unknown option '--sed' \(Did you mean --seed\?\) \(run "enas search --help" for usage\)$/],
    ['a misspelt command', ['serch'], /^enas: unknown command 'serch' \(Did you mean search\?\)/],
    ['a misspelt subcommand', ['data', 'chek'], /^enas: unknown command 'chek' .*\(run "enas data --help" for usage\)$/],
    ['a name with a line break and a terminal escape', ['search', '--space', 'nb\n201\u001b[31m', '--dataset', 'cifar10'], /^enas: unknown space "nb\\u000a201\\u001b\[31m": use one of nb201/],
    ['an experiment id that cannot be one', ['watch', '../x'], /'\.\.\/x' is invalid for argument 'id'\. expected an experiment id/],
    ['an orchestrator URL with a port past 65535', ['status', 'x', '--api', 'http://127.0.0.1:99999'], /orchestrator URL "http:\/\/127\.0\.0\.1:99999" is not an http\(s\) URL/],
    ['an orchestrator URL with a password', ['status', 'x', '--api', 'http://me:secret@127.0.0.1:8080'], /the orchestrator URL holds a user name or password/],
  ];
  it.each(cases)('%s', async (_name, args, message) => expectRefused(await enas(args), message));

  it('a NATS URL that is not one: its configuration error (one line per bad setting)', async () => {
    const r = await enas(['serve', 'orchestrator', '--nats', 'not a url']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual(['enas: invalid configuration:', expect.stringMatching(/^ {2}- NATS_URL: "not a url" is not a NATS server address/)]);
  });
});
