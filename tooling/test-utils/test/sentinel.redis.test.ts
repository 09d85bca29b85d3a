import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hasRedisSentinel, startRedisSentinel } from '../src/index.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!hasRedisSentinel())('startRedisSentinel', () => {
  it('starts a master, a replica and three agreeing sentinels, and stops every process', async () => {
    const s = await startRedisSentinel({ name: 'probe' });
    const pids = [...s.nodes, ...s.sentinels].map((p) => p.pid);
    try {
      expect(s.nodes).toHaveLength(2);
      expect(s.sentinels).toHaveLength(3);
      expect(s.url).toBe(`redis-sentinel://${s.sentinelAddresses.map((a) => `127.0.0.1:${a.port}`).join(',')}/probe`);
      expect(await s.master()).toBe(s.nodes[0]);
      // A client through the sentinels writes on the master; the replica gets it.
      const client = new Redis({ sentinels: s.sentinelAddresses, name: 'probe', maxRetriesPerRequest: 1 });
      try {
        await client.set('k', 'v');
        expect(await client.wait(1, 5000)).toBe(1);
      } finally {
        client.disconnect();
      }
      const replica = new Redis({ port: s.nodes[1]!.port, maxRetriesPerRequest: 1 });
      try {
        expect(await replica.get('k')).toBe('v');
      } finally {
        replica.disconnect();
      }
      expect(pids.every(alive)).toBe(true);
    } finally {
      await s.stop();
    }
    expect(pids.filter(alive)).toEqual([]);
  }, 60_000);
});
