import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Catalog } from '@indico/export-api';
import {
  type ApiKeyStore,
  isHttpSigningError,
  type ReplayStore,
  recordKeyUse,
  verifyRequest,
} from '@indico/http-signing';

/** Why an admin request was refused (the message goes to the client; no details beyond it). */
export class AdminAuthError extends Error {
  override readonly name = 'AdminAuthError';
  constructor(
    message: string,
    readonly status: 401 | 403 = 403,
  ) {
    super(message);
  }
}

export interface AdminAuthOptions {
  keyStore: ApiKeyStore;
  catalog: Catalog;
  replayStore: ReplayStore;
  /** Signature window in seconds. */
  ttl: number;
  clock: { now(): number };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The `bodysha256` parameter a management client signs: the SHA-256 of the raw JSON body. */
export const bodyDigest = sha256;

/**
 * Verifies an admin request: an API key with a fresh signature (ALL_SIGNED, never persistent, each signature
 * accepted once), a key owned by an admin user, and, when there is a body, a signed `bodysha256` parameter
 * equal to the body's digest (Indico signatures cover only path and query). Returns the admin's user id.
 */
export async function verifyAdminRequest(
  input: { method: string; path: string; query: string; rawBody?: Buffer; ip?: string | null },
  options: AdminAuthOptions,
): Promise<{ userId: string; apiKey: string }> {
  let outcome: Awaited<ReturnType<typeof verifyRequest>>;
  try {
    outcome = await verifyRequest(
      { method: 'GET', path: input.path, query: input.query, ip: input.ip ?? null },
      {
        mode: 'ALL_SIGNED',
        keyStore: options.keyStore,
        ttl: options.ttl,
        allowPersistent: false,
        replayStore: options.replayStore,
        now: () => options.clock.now(),
      },
    );
  } catch (err) {
    if (isHttpSigningError(err)) throw new AdminAuthError(err.message, err.code === 'API_KEY_MISSING' ? 401 : 403);
    throw err;
  }
  if (outcome.kind !== 'user' || !outcome.signed) throw new AdminAuthError('Signature missing');
  const body = input.rawBody && input.rawBody.length > 0 ? input.rawBody : null;
  const claimed = outcome.params.bodysha256;
  if (body || claimed !== undefined) {
    const actual = sha256(body ?? '');
    if (typeof claimed !== 'string' || claimed.length !== actual.length) {
      throw new AdminAuthError('Body digest missing (sign a bodysha256 parameter)');
    }
    if (!timingSafeEqual(Buffer.from(claimed), Buffer.from(actual))) throw new AdminAuthError('Body digest mismatch');
  }
  const user = await options.catalog.getUser(outcome.userId);
  if (!user?.isAdmin) throw new AdminAuthError('Not an administrator');
  await recordKeyUse(options.keyStore, outcome, options.clock.now());
  return { userId: outcome.userId, apiKey: outcome.apiKey?.key ?? '' };
}

/** A dashboard session: admin user id, expiry and the CSRF token of its forms. */
export interface Session {
  userId: string;
  exp: number;
  csrf: string;
}

/** Stateless signed session cookies (HMAC-SHA256 over the JSON payload). */
export class SessionSigner {
  readonly #secret: Buffer;
  constructor(
    secret: string | undefined,
    readonly ttlMs = 8 * 3_600_000,
  ) {
    this.#secret = secret ? Buffer.from(secret) : randomBytes(32);
  }

  #mac(payload: string) {
    return createHmac('sha256', this.#secret).update(payload).digest('base64url');
  }

  issue(userId: string, now: number): { cookie: string; session: Session } {
    const session: Session = { userId, exp: now + this.ttlMs, csrf: randomBytes(16).toString('base64url') };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return { cookie: `${payload}.${this.#mac(payload)}`, session };
  }

  read(cookie: string | undefined, now: number): Session | null {
    if (!cookie) return null;
    const dot = cookie.indexOf('.');
    if (dot < 0) return null;
    const payload = cookie.slice(0, dot);
    const mac = Buffer.from(cookie.slice(dot + 1));
    const expected = Buffer.from(this.#mac(payload));
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
    try {
      const s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
      return typeof s.userId === 'string' && typeof s.exp === 'number' && s.exp > now ? s : null;
    } catch {
      return null;
    }
  }
}

/** Checks an API key and its secret typed into the login form; returns the admin's user id. */
export async function verifyKeyLogin(
  ak: string,
  secret: string,
  options: Pick<AdminAuthOptions, 'keyStore' | 'catalog'>,
): Promise<string> {
  const record = ak ? await options.keyStore.get(ak) : null;
  const a = Buffer.from(sha256(secret));
  const b = Buffer.from(sha256(record?.secret ?? randomBytes(16)));
  if (!record || !timingSafeEqual(a, b) || record.blocked) throw new AdminAuthError('Invalid API key or secret');
  const user = await options.catalog.getUser(record.userId);
  if (!user?.isAdmin) throw new AdminAuthError('Not an administrator');
  return record.userId;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
