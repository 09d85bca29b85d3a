import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createShutdown } from '../src/shutdown.js';

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer(handler).listen(0, '127.0.0.1', () => resolve(s));
  });
}

describe('createShutdown', () => {
  it('lets an in-flight request finish, refuses new ones, then closes resources in reverse order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let arrived!: () => void;
    const reached = new Promise<void>((r) => {
      arrived = r;
    });
    const server = await listen(async (_req, res) => {
      arrived();
      await gate;
      res.end('finished');
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const closed: string[] = [];
    const shutdown = createShutdown(
      server,
      [
        { name: 'redis', close: () => closed.push('redis') },
        { name: 'scheduler', close: () => closed.push('scheduler') },
      ],
      5_000,
    );
    const inflight = fetch(url).then((r) => r.text());
    await reached;
    const stopping = shutdown();
    expect(shutdown()).toBe(stopping);
    await expect(fetch(url)).rejects.toThrow();
    release();
    expect(await inflight).toBe('finished');
    await stopping;
    expect(closed).toEqual(['scheduler', 'redis']);
  });

  it('cuts connections that outlive the timeout', async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((r) => {
      arrived = r;
    });
    const server = await listen(() => arrived()); // never answers
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const hanging = fetch(url).catch((e: unknown) => e);
    await reached;
    await createShutdown(server, [], 100)();
    expect(await hanging).toBeInstanceOf(Error);
  });
});
