import { type Catalog, createMemoryCatalog, ExportApiError, isExportApiError } from '@indico/export-api';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { guardAuthenticator, guardCatalog, isOutage } from '../src/outage.js';

/** Stands for the ioredis connection: only `status` is read. */
const conn = (status: string) => ({ status }) as unknown as Redis;

const rejected = async (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('outage mapping', () => {
  it('tells connection failures from other errors', () => {
    const up = conn('ready');
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(isOutage(maxRetries, up)).toBe(true);
    expect(isOutage(new Error('Connection is closed.'), up)).toBe(true);
    expect(isOutage(new Error('connect ECONNREFUSED 127.0.0.1:1'), up)).toBe(true);
    expect(isOutage(new Error('ERR wrong number of arguments'), up)).toBe(false);
    expect(isOutage(new TypeError('x is undefined'), up)).toBe(false);
    // while the connection is not ready, any unexpected error counts; the API's own errors never do
    expect(isOutage(new TypeError('x is undefined'), conn('reconnecting'))).toBe(true);
    expect(isOutage(new ExportApiError('NOT_FOUND', 'nope'), conn('reconnecting'))).toBe(false);
    expect(isOutage(new Error('Connection is closed.'), null)).toBe(false);
  });

  it('turns a connection failure during a catalog call or an iteration into a 503 with Retry-After', async () => {
    const base = createMemoryCatalog();
    const broken: Catalog = {
      ...base,
      getEvent: async () => {
        throw new Error('Connection is closed.');
      },
      async *eventsInCategory() {
        yield* [];
        throw new Error('Connection is closed.');
      },
      getUser: async () => {
        throw new Error('ERR unrelated');
      },
    };
    const guarded = guardCatalog(broken, conn('ready'));
    const err = await rejected(guarded.getEvent('1'));
    expect(isExportApiError(err) && [err.status, err.headers['retry-after']]).toEqual([503, '5']);
    const iterated = await rejected(
      (async () => {
        for await (const _ of guarded.eventsInCategory('0', { from: null, to: null })) {
        }
      })(),
    );
    expect(isExportApiError(iterated) && iterated.status).toBe(503);
    // other failures pass through unchanged (the handler's 500)
    expect(String(await rejected(guarded.getUser('u')))).toContain('ERR unrelated');
    expect(await guarded.getCategory('nope')).toBeNull();
  });

  it('fails at once while the connection is down, without calling the store', async () => {
    let calls = 0;
    const base = createMemoryCatalog();
    const counted: Catalog = {
      ...base,
      getEvent: async (id) => {
        calls++;
        return base.getEvent(id);
      },
    };
    const guarded = guardCatalog(counted, conn('reconnecting'));
    const err = await rejected(guarded.getEvent('1'));
    expect(isExportApiError(err) && err.status).toBe(503);
    expect(calls).toBe(0);
    const auth = guardAuthenticator(async () => {
      calls++;
      return { user: null };
    }, conn('close'));
    const authErr = await rejected(auth({ path: '/export/x.json', query: new URLSearchParams() } as never));
    expect(isExportApiError(authErr) && authErr.status).toBe(503);
    expect(calls).toBe(0);
    // a connection still being opened at start-up is not down: the call goes through (ioredis queues it)
    await guardCatalog(counted, conn('connecting')).getEvent('1');
    expect(calls).toBe(1);
    // embedded mode: untouched
    expect(guardCatalog(counted, null)).toBe(counted);
    // methods on a prototype (a class-based catalog) are guarded too
    class ProtoCatalog {
      async getEvent(): Promise<null> {
        calls++;
        return null;
      }
    }
    const proto = guardCatalog(new ProtoCatalog() as unknown as Catalog, conn('close'));
    expect(isExportApiError(await rejected(proto.getEvent('1')))).toBe(true);
    expect(calls).toBe(1);
  });
});
