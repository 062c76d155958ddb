import { readFileSync } from 'node:fs';
import { UserError } from '@dcl-enas/common';

export interface ApiFlags {
  api?: string;
}

export function apiUrl(flags: ApiFlags): string {
  const url = flags.api ?? process.env['ENAS_API_URL'] ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new UserError(`orchestrator URL "${url}" is not an http(s) URL: pass --api http://host:port or set ENAS_API_URL`);
  return url.replace(/\/+$/, '');
}

/** The bearer token for the API: ENAS_API_TOKEN, or the contents of ENAS_API_TOKEN_FILE (never a flag: flags show in `ps`). */
export function apiToken(env: NodeJS.ProcessEnv = process.env): string | null {
  const inline = env['ENAS_API_TOKEN']?.trim();
  if (inline) return inline;
  const file = env['ENAS_API_TOKEN_FILE']?.trim();
  if (!file) return null;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new UserError(`cannot read ENAS_API_TOKEN_FILE=${file}: point it at the file holding the orchestrator's API token, or unset it`);
  }
}

/** One call to the orchestrator's HTTP API; its error replies and an unreachable server become one-line UserErrors. */
export async function callApi(flags: ApiFlags, method: string, path: string, body?: { text: string; contentType: string }): Promise<Response> {
  const url = `${apiUrl(flags)}${path}`;
  let res: Response;
  try {
    const token = apiToken();
    const headers: Record<string, string> = { ...(body ? { 'content-type': body.contentType } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    res = await fetch(url, { method, headers, body: body?.text });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new UserError(`cannot reach the orchestrator at ${apiUrl(flags)} (${cause}): start it with "enas serve orchestrator" or point --api / ENAS_API_URL at it`);
  }
  if (!res.ok) {
    const text = await res.text();
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: string; message?: { error?: string } | string };
      message = parsed.error ?? (typeof parsed.message === 'object' ? parsed.message?.error : parsed.message) ?? text;
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 401) throw new UserError(`orchestrator: ${message} (HTTP 401): set ENAS_API_TOKEN (or ENAS_API_TOKEN_FILE) to the orchestrator's API token`, 2);
    throw new UserError(`orchestrator: ${message} (HTTP ${res.status})`, res.status === 404 || res.status === 400 || res.status === 413 ? 2 : 1);
  }
  return res;
}

export const apiOption = ['--api <url>', 'orchestrator URL (default: ENAS_API_URL, else http://127.0.0.1:8080)'] as const;
