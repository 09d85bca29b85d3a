/**
 * The reference server (apps/server) in this process on an ephemeral loopback port, for fuzz and fault tests.
 * Imported by relative path: the server is a private app, not a package.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildIndicoRequest } from '@indico/http-signing';
import type { Redis } from 'ioredis';
import { bodyDigest } from '../../../apps/server/src/admin-auth.js';
import { createApp } from '../../../apps/server/src/app.js';
import { loadConfig, type ServerConfig } from '../../../apps/server/src/config.js';
import { DEMO_ADMIN_ID, loadDemoData } from '../../../apps/server/src/demo-data.js';
import { createLogger } from '../../../apps/server/src/logger.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../../apps/server/src/runtime.js';

export interface Key {
  ak: string;
  secret: string;
}

export interface Served {
  rt: Runtime;
  base: string;
  admin: Key;
  close(): Promise<void>;
}

export function serverConfig(env: Record<string, string> = {}): ServerConfig {
  return loadConfig({ LOG_LEVEL: 'silent', PORT: '0', DEMO_EVENTS: '20', AUTH_FAILURES_PER_MINUTE: '100000', ...env });
}

/** Runtime + app on 127.0.0.1:0, demo data loaded (unless the catalog already has it), an admin key made. */
export async function serve(
  env: Record<string, string> = {},
  options: Partial<RuntimeOptions> & { redis?: Redis; seed?: boolean } = {},
): Promise<Served> {
  const config = serverConfig(env);
  const rt = createRuntime(config, { logger: createLogger('silent'), ...options });
  if (options.seed !== false) await loadDemoData(rt.catalog, { generated: config.DEMO_EVENTS, now: rt.clock.now() });
  const k = await rt.keyStore.create(DEMO_ADMIN_ID);
  const server = await new Promise<Server>((resolve) => {
    const s = createApp(rt, { store: rt.mode, startedAt: Date.now() }).listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    rt,
    base,
    admin: { ak: k.key, secret: k.secret },
    close() {
      closed ??= (async () => {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
        await rt.close();
      })();
      return closed;
    },
  };
}

/** A signed management call: the raw body's SHA-256 is signed as `bodysha256` next to the timestamp. */
export function manage(
  base: string,
  key: Key,
  method: string,
  path: string,
  rawBody?: string,
  contentType = 'application/json',
): Promise<Response> {
  const params = rawBody === undefined ? {} : { bodysha256: bodyDigest(rawBody) };
  // Sign the path the way fetch will send it (the URL parser resolves `..` and `%2e%2e` segments).
  const sent = new URL(path, base).pathname;
  const url = buildIndicoRequest(sent, params, { apiKey: key.ak, secretKey: key.secret });
  return fetch(`${base}${url}`, {
    method,
    headers: rawBody === undefined ? {} : { 'content-type': contentType },
    body: rawBody,
  });
}

/** A signed export API URL (path + query) for `key`, timestamped by `now` (seconds are what Indico signs). */
export function signedUrl(path: string, params: Record<string, string>, key: Key, now?: number): string {
  return buildIndicoRequest(path, params, {
    apiKey: key.ak,
    secretKey: key.secret,
    ...(now ? { timestamp: Math.floor(now / 1000) } : {}),
  });
}
