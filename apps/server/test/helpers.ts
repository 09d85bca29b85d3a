import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildIndicoRequest } from '@indico/http-signing';
import { pino } from 'pino';
import { bodyDigest } from '../src/admin-auth.js';
import { createApp } from '../src/app.js';
import { loadConfig, type ServerConfig } from '../src/config.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../src/runtime.js';

export const silent = pino({ level: 'silent' });

export interface Key {
  ak: string;
  secret: string;
}

export function testConfig(env: Record<string, string> = {}): ServerConfig {
  return loadConfig({ LOG_LEVEL: 'silent', PORT: '0', DEMO_EVENTS: '5', ...env });
}

/** A runtime plus its HTTP app on a free loopback port. */
export async function serve(
  config: ServerConfig,
  options: Partial<RuntimeOptions> = {},
): Promise<{ rt: Runtime; base: string; close(): Promise<void> }> {
  const rt = createRuntime(config, { logger: silent, ...options });
  const server = await new Promise<Server>((resolve) => {
    const s = createApp(rt, { store: rt.mode, startedAt: Date.now() }).listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    rt,
    base,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rt.close();
    },
  };
}

/** A signed management call: the JSON body's SHA-256 is signed as `bodysha256` next to the timestamp. */
export function manage(
  base: string,
  key: Key,
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<Response> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const params = text === undefined ? extra : { ...extra, bodysha256: bodyDigest(text) };
  const url = buildIndicoRequest(path, params, { apiKey: key.ak, secretKey: key.secret });
  return fetch(`${base}${url}`, {
    method,
    headers: text === undefined ? {} : { 'content-type': 'application/json' },
    body: text,
  });
}

let calls = 0;
/**
 * `manage` with a counter parameter: the same call twice within one second would otherwise carry the same
 * signature and be refused as a replay.
 */
export function manageUnique(base: string, key: Key, method: string, path: string, body?: unknown): Promise<Response> {
  return manage(base, key, method, path, body, { n: String(++calls) });
}

export function signed(base: string, key: Key, path: string, params: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${buildIndicoRequest(path, params, { apiKey: key.ak, secretKey: key.secret })}`);
}

/** Every change entry on the track, oldest bucket first. */
export async function trackEntries(rt: Runtime) {
  const out: Array<{ kind: string; id: string; changes: string[] }> = [];
  for await (const bucket of rt.livesync.getTrack().values()) out.push(...bucket);
  return out;
}
