import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisCatalog } from '../src/redis.js';
import { cat, ev } from './contract/catalog.contract.js';

// A server that has never seen a script answers EVALSHA with NOSCRIPT (fresh or restarted server, new node). The
// store then loads the script and runs it by sha again: a read script never goes out as an EVAL, which a write audit
// (the server's one-MULTI-per-write test) counts as a direct write. NOSCRIPT is injected on the first EVALSHA.
describe.skipIf(!hasRedis())('RedisCatalog scripts on a server that does not know them yet', () => {
  let r: ReturnType<typeof createTestRedis>;
  afterEach(async () => {
    await r.cleanup();
  });

  it('loads the script and retries by sha; no EVAL is sent, and the read answers', async () => {
    r = createTestRedis();
    const writer = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await writer.putCategory(cat('0', null));
    await writer.putCategory(cat('1', '0'));
    await writer.putEvent(ev('a', '1', 1000, 2000, { title: 'Event a' }));

    const client = r.client.duplicate();
    const sent: string[] = [];
    let refuse = true;
    const spy = new Proxy(client, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function' || !['evalsha', 'eval', 'script'].includes(String(prop))) {
          return typeof v === 'function' ? v.bind(target) : v;
        }
        return (...args: unknown[]) => {
          sent.push(prop === 'script' ? `script ${String(args[0]).toLowerCase()}` : String(prop));
          if (prop === 'evalsha' && refuse) {
            refuse = false;
            return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
          }
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const reader = createRedisCatalog({ client: spy, prefix: r.prefix });
    expect((await reader.getCategoryPath('1')).map((c) => c.id)).toEqual(['0', '1']);
    expect(sent.slice(0, 3)).toEqual(['evalsha', 'script load', 'evalsha']);
    expect(sent).not.toContain('eval');
    client.disconnect();
  });
});
