import { existsSync, readFileSync } from 'node:fs';
import { nkeys } from 'nats';
import { UserError } from '@dcl-enas/common';
import { inboxPrefix } from './nats-permissions';
import { DEFAULT_TRIAL_ACK_WAIT_MS } from './jetstream-resources';
import { DEFAULT_OPEN_PATHS } from './api-auth';

export type ServiceName = 'orchestrator' | 'encoder' | 'predictor' | 'trainer';
export const SERVICE_NAMES: readonly ServiceName[] = ['orchestrator', 'encoder', 'predictor', 'trainer'];

const DEFAULT_PORTS: Record<ServiceName, number> = { orchestrator: 8080, encoder: 8081, predictor: 8082, trainer: 8083 };
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export type NatsAuth =
  | { kind: 'none' }
  | { kind: 'creds'; file: string }
  | { kind: 'nkey'; seedFile: string }
  | { kind: 'user'; user: string; password: string }
  | { kind: 'token'; token: string };

export interface NatsSettings {
  readonly servers: string[];
  readonly auth: NatsAuth;
  readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string } | null;
  /** Replies and JetStream deliveries come to `<inboxPrefix>.>`, so each service subscribes to its own inboxes only (nats-permissions.ts). */
  readonly inboxPrefix?: string;
}

export interface CommonConfig {
  readonly service: ServiceName;
  readonly nats: NatsSettings;
  readonly requestTimeoutMs: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly jsReplicas: number;
  readonly maxMessageBytes: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export interface OrchestratorConfig extends CommonConfig {
  readonly maxRunningExperiments: number;
  /** ENAS_API_TOKEN (or the file ENAS_API_TOKEN_FILE): the bearer token the HTTP API requires; null = no authentication. */
  readonly apiToken: string | null;
  /** ENAS_API_OPEN_PATHS: paths served without the token. */
  readonly apiOpenPaths: readonly string[];
  /** The dashboard calls a trial stuck after this many seconds without a result. */
  readonly stuckTrialSeconds: number;
}

export interface PredictorHostConfig extends CommonConfig {
  readonly engine: string;
  /** ENAS_GNN_CONFIG: patches of the GNN configuration (JSON), the same on encoder and predictor. */
  readonly engineConfig: Record<string, unknown> | undefined;
  readonly modelCache: number;
}

export interface TrainerConfig extends CommonConfig {
  readonly dataDir: string | undefined;
  readonly concurrency: number;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly timeScale: number;
}

/** Every bad setting at once, one line each; front ends print `message` and exit 2. */
export class ConfigError extends UserError {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the environment of one service (docs/configuration.md is the contract). */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || n < min || n > max) {
      this.problems.push(`${name}=${v} is not valid: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  number(name: string, fallback: number, min: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) {
      this.problems.push(`${name}=${v} is not valid: expected a number >= ${min}`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${name}=${v} is not valid: use one of ${allowed.join(', ')}`);
      return fallback;
    }
    return v as T;
  }

  file(name: string): string | undefined {
    const v = this.raw(name);
    if (v !== undefined && !existsSync(v)) this.problems.push(`${name}=${v}: no such file; point it at an existing file or unset it`);
    return v;
  }

  jsonObject(name: string): Record<string, unknown> | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(v);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    this.problems.push(`${name} is not valid: expected a JSON object such as {"pretrain":{"epochs":5}}`);
    return undefined;
  }

  bool(name: string): boolean {
    const v = this.raw(name);
    if (v === undefined) return false;
    if (v !== 'true' && v !== 'false') this.problems.push(`${name}=${v} is not valid: use true or false`);
    return v === 'true';
  }
}

function natsSettings(r: EnvReader, natsUrl: string | undefined): NatsSettings {
  const urlText = natsUrl ?? r.raw('NATS_URL') ?? 'nats://127.0.0.1:4222';
  const servers = urlText.split(',').map((s) => s.trim());
  for (const s of servers) {
    if (s.includes('@')) {
      // never echo it: the part before @ is a secret, and NATS_URL gets logged
      r.problems.push(`NATS_URL: a server address holds credentials (user:password@ or token@): put them in NATS_USER/NATS_PASSWORD or NATS_TOKEN instead`);
      continue;
    }
    if (!/^(nats|tls|ws|wss):\/\/[^\s/]+$/.test(s) && !/^[^\s/:]+:\d+$/.test(s)) {
      r.problems.push(`NATS_URL: "${s}" is not a NATS server address: use nats://host:port (comma-separated for several)`);
    }
  }
  const creds = r.file('NATS_CREDS_FILE');
  const nkey = r.file('NATS_NKEY_SEED_FILE');
  if (nkey !== undefined && existsSync(nkey) && !isUserSeed(readFileSync(nkey, 'utf8'))) {
    // never echo the file's content: it is (meant to be) a secret
    r.problems.push(`NATS_NKEY_SEED_FILE=${nkey}: the file does not hold an NKey user seed (one line starting with SU; nk -gen user, or nsc)`);
  }
  const user = r.raw('NATS_USER');
  const password = r.raw('NATS_PASSWORD');
  const token = r.raw('NATS_TOKEN');
  if ((user === undefined) !== (password === undefined)) r.problems.push('NATS_USER and NATS_PASSWORD: set both or neither');
  const methods = [creds && 'NATS_CREDS_FILE', nkey && 'NATS_NKEY_SEED_FILE', user && 'NATS_USER/NATS_PASSWORD', token && 'NATS_TOKEN'].filter(Boolean);
  if (methods.length > 1) r.problems.push(`${methods.join(', ')}: choose one authentication method, not ${methods.length}`);
  const auth: NatsAuth = creds
    ? { kind: 'creds', file: creds }
    : nkey
      ? { kind: 'nkey', seedFile: nkey }
      : user && password
        ? { kind: 'user', user, password }
        : token
          ? { kind: 'token', token }
          : { kind: 'none' };
  const caFile = r.file('NATS_TLS_CA_FILE');
  const certFile = r.file('NATS_TLS_CERT_FILE');
  const keyFile = r.file('NATS_TLS_KEY_FILE');
  if ((certFile === undefined) !== (keyFile === undefined)) r.problems.push('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE: set both or neither');
  const tlsWanted = r.bool('NATS_TLS') || caFile !== undefined || certFile !== undefined || servers.some((s) => s.startsWith('tls://'));
  return { servers, auth, tls: tlsWanted ? { caFile, certFile, keyFile } : null };
}

function isUserSeed(text: string): boolean {
  const seed = text.trim();
  if (!/^SU[A-Z2-7]{56}$/.test(seed)) return false;
  try {
    nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey();
    return true;
  } catch {
    return false;
  }
}

function common(r: EnvReader, service: ServiceName, natsUrl: string | undefined): CommonConfig {
  const maxMessageBytes = r.int('ENAS_MAX_MESSAGE_BYTES', 262144, 16384, 64 * 1024 * 1024);
  return {
    service,
    nats: { ...natsSettings(r, natsUrl), inboxPrefix: inboxPrefix(service) },
    requestTimeoutMs: r.int('ENAS_REQUEST_TIMEOUT_MS', 30000, 100, 24 * 3600 * 1000),
    httpHost: r.raw('ENAS_HTTP_HOST') ?? '0.0.0.0',
    httpPort: r.int('ENAS_HTTP_PORT', DEFAULT_PORTS[service], 0, 65535),
    jsReplicas: r.int('ENAS_JS_REPLICAS', 1, 1, 5),
    maxMessageBytes,
    logLevel: r.oneOf('ENAS_LOG_LEVEL', 'info', LOG_LEVELS),
  };
}

function finish<T>(r: EnvReader, config: T): T {
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

export function orchestratorConfig(env: NodeJS.ProcessEnv = process.env, natsUrl?: string): OrchestratorConfig {
  const r = new EnvReader(env);
  return finish(r, { ...common(r, 'orchestrator', natsUrl), maxRunningExperiments: r.int('ENAS_MAX_RUNNING_EXPERIMENTS', 16, 1, 10000), ...apiAuth(r), stuckTrialSeconds: r.number('ENAS_STUCK_TRIAL_SECONDS', 300, 0.1) });
}

/** The API token (never echoed in a problem) and the open paths. */
function apiAuth(r: EnvReader): { apiToken: string | null; apiOpenPaths: string[] } {
  const inline = r.raw('ENAS_API_TOKEN');
  const file = r.file('ENAS_API_TOKEN_FILE');
  let token: string | null = inline ?? null;
  if (inline !== undefined && file !== undefined) r.problems.push('ENAS_API_TOKEN and ENAS_API_TOKEN_FILE: set one, not both');
  else if (file !== undefined && existsSync(file)) token = readFileSync(file, 'utf8').trim();
  if (token !== null && (token.length < 16 || /\s/.test(token))) {
    r.problems.push(`${file !== undefined ? `ENAS_API_TOKEN_FILE=${file}` : 'ENAS_API_TOKEN'} is not valid: the token must be at least 16 characters without spaces (e.g. openssl rand -hex 32)`);
  }
  const paths = (r.raw('ENAS_API_OPEN_PATHS') ?? DEFAULT_OPEN_PATHS.join(',')).split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of paths) if (!/^\/[\w./-]*$/.test(p)) r.problems.push(`ENAS_API_OPEN_PATHS: "${p}" is not a path: use paths such as /healthz,/readyz,/metrics`);
  return { apiToken: token, apiOpenPaths: paths };
}

export function predictorHostConfig(service: 'encoder' | 'predictor', env: NodeJS.ProcessEnv = process.env, natsUrl?: string, engines?: readonly string[]): PredictorHostConfig {
  const r = new EnvReader(env);
  const engine = engines ? r.oneOf('ENAS_PREDICTOR_ENGINE', 'gnn', engines) : (r.raw('ENAS_PREDICTOR_ENGINE') ?? 'gnn');
  return finish(r, { ...common(r, service, natsUrl), engine, engineConfig: r.jsonObject('ENAS_GNN_CONFIG'), modelCache: r.int('ENAS_PREDICTOR_CACHE', 8, 1, 1000) });
}

export function trainerConfig(env: NodeJS.ProcessEnv = process.env, natsUrl?: string): TrainerConfig {
  const r = new EnvReader(env);
  const dataDir = r.raw('ENAS_DATA_DIR');
  if (dataDir !== undefined && !existsSync(dataDir)) r.problems.push(`ENAS_DATA_DIR=${dataDir}: no such directory; point it at the folder holding nasbench201/, nasbench101/ and mitdb/`);
  return finish(r, {
    ...common(r, 'trainer', natsUrl),
    dataDir,
    concurrency: r.int('ENAS_TRAINER_CONCURRENCY', 1, 1, 256),
    ackWaitMs: r.int('ENAS_TRIAL_ACK_WAIT_MS', DEFAULT_TRIAL_ACK_WAIT_MS, 500, 24 * 3600 * 1000),
    maxDeliver: r.int('ENAS_TRIAL_MAX_DELIVER', 5, 1, 1000),
    timeScale: r.number('ENAS_TRAINER_TIME_SCALE', 0, 0),
  });
}
