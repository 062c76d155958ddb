import type { z } from 'zod';
import { UserError } from '@dcl-enas/common';
import { InvalidArgumentError } from 'commander';
import { ContractError, TOKEN_PATTERN, decode } from '@dcl-enas/contracts';
import { readInputFile } from '../io';

export interface ApiFlags {
  api?: string;
}

/** How long the orchestrator may take to answer: the whole reply, or for an event stream its headers. */
const TIMEOUT_MS = 30_000;
/** A reply larger than this is not the orchestrator's (an experiment of 100,000 queries is about 10 MB). */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;
const MAX_TOKEN_BYTES = 64 * 1024;

export function apiUrl(flags: ApiFlags): string {
  const url = flags.api ?? process.env['ENAS_API_URL'] ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) throw new UserError(`orchestrator URL "${url}" is not an http(s) URL: pass --api http://host:port or set ENAS_API_URL`);
  const { username, password } = new URL(url);
  if (username || password) throw new UserError(`the orchestrator URL holds a user name or password, which fetch refuses (and ps shows): give the token in ENAS_API_TOKEN instead`);
  return url.replace(/\/+$/, '');
}

/** `<id>` of status, watch and stop: experiment ids are subject tokens, so anything else cannot name one. */
export function experimentId(value: string): string {
  if (!TOKEN_PATTERN.test(value)) throw new InvalidArgumentError(`expected an experiment id (letters, digits, "-" and "_", at most 64), as "enas submit" prints`);
  return value;
}

/** The bearer token for the API: ENAS_API_TOKEN, or the contents of ENAS_API_TOKEN_FILE (never a flag: flags show in `ps`). */
export function apiToken(env: NodeJS.ProcessEnv = process.env): string | null {
  const inline = env['ENAS_API_TOKEN']?.trim();
  if (inline) return inline;
  const file = env['ENAS_API_TOKEN_FILE']?.trim();
  if (!file) return null;
  return readInputFile(file, 'ENAS_API_TOKEN_FILE', MAX_TOKEN_BYTES, "point it at the file holding the orchestrator's API token, or unset it").trim();
}

/**
 * One call to the orchestrator's HTTP API; its error replies, an unreachable or silent server
 * become one-line UserErrors. `stream`: the reply is an event stream, which may stay open.
 */
export async function callApi(flags: ApiFlags, method: string, path: string, body?: { text: string; contentType: string }, stream = false): Promise<Response> {
  const base = apiUrl(flags);
  const token = apiToken();
  const headers: Record<string, string> = { ...(body ? { 'content-type': body.contentType } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS).unref();
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method, headers, body: body?.text, signal: controller.signal });
  } catch (e) {
    if (controller.signal.aborted) throw silent(base);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UserError(`cannot reach the orchestrator at ${base} (${cause?.code ?? cause?.message ?? (e as Error).message}): start it with "enas serve orchestrator" or point --api / ENAS_API_URL at it`);
  }
  if (stream && res.ok) clearTimeout(timer);
  if (!res.ok) {
    const text = await replyText(res, base);
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: string; message?: { error?: string } | string };
      message = parsed.error ?? (typeof parsed.message === 'object' ? parsed.message?.error : parsed.message) ?? text;
    } catch {
      // not JSON: keep the text
    }
    message = String(message).replace(/\s+/g, ' ').trim().slice(0, 300) || res.statusText;
    if (res.status === 401) throw new UserError(`orchestrator: ${message} (HTTP 401): set ENAS_API_TOKEN (or ENAS_API_TOKEN_FILE) to the orchestrator's API token`, 2);
    throw new UserError(`orchestrator: ${message} (HTTP ${res.status})`, res.status === 404 || res.status === 400 || res.status === 413 ? 2 : 1);
  }
  return res;
}

/** One call whose reply is a JSON document of `schema`; any other reply (a wrong --api address) is one UserError line. */
export async function callApiJson<S extends z.ZodType>(flags: ApiFlags, method: string, path: string, schema: S, body?: { text: string; contentType: string }): Promise<z.output<S>> {
  const base = apiUrl(flags);
  const res = await callApi(flags, method, path, body);
  const text = await replyText(res, base);
  const notOurs = `is --api / ENAS_API_URL the orchestrator's address, and is it of this version of enas?`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError(`${base} replied to ${method} ${path} with something that is not JSON (${res.headers.get('content-type') ?? 'no content type'}): ${notOurs}`);
  }
  try {
    return decode(schema, raw, `reply of ${base} to ${method} ${path}`);
  } catch (e) {
    if (e instanceof ContractError) throw new UserError(`${e.message}: ${notOurs}`);
    throw e;
  }
}

/** The reply's body, at most MAX_REPLY_BYTES, within the call's time limit. */
async function replyText(res: Response, base: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > MAX_REPLY_BYTES) throw new UserError(`${base} sent a reply of more than ${MAX_REPLY_BYTES} bytes: is --api / ENAS_API_URL the orchestrator's address?`);
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    if ((e as Error).name === 'AbortError') throw silent(base);
    throw new UserError(`the reply of the orchestrator at ${base} broke off (${(e as Error).message}): try again`, 1);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function silent(base: string): UserError {
  return new UserError(`the orchestrator at ${base} did not answer within ${TIMEOUT_MS / 1000} s: check that --api / ENAS_API_URL is its address and that it is running`);
}

export const apiOption = ['--api <url>', 'orchestrator URL (default: ENAS_API_URL, else http://127.0.0.1:8080)'] as const;
