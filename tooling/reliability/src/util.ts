import { spawnSync } from 'node:child_process';
import type { Runtime } from '../../../apps/server/src/runtime.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True when `redis-server` is on PATH (the fault tests start their own servers). */
export const hasRedisServer = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** `kind:id` of every object that has a change record on the runtime's livesync track. */
export async function trackIds(rt: Runtime): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const bucket of rt.livesync.getTrack().values()) {
    for (const entry of bucket as Iterable<{ kind: string; id: string }>) out.add(`${entry.kind}:${entry.id}`);
  }
  return out;
}
