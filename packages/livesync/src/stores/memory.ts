import type { AgentPatch, AgentRecord, ContainerMode, TrackItem, TrackStore } from '../store.js';

interface Bucket {
  set: Set<string>;
  list: string[];
  sorted: string[] | null;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Reference TrackStore over Maps: small and obviously correct; for tests, docs and embedded mode. */
export function createMemoryTrackStore(): TrackStore {
  const buckets = new Map<number, Bucket>();
  const pointers = new Map<string, number | null>();
  const agents = new Map<string, AgentRecord>();
  const emptyBucket = (): Bucket => ({ set: new Set(), list: [], sorted: [] });
  const sortedBuckets = () => [...buckets.keys()].sort((a, b) => a - b);

  return {
    async addEntries(items: readonly TrackItem[], mode: ContainerMode) {
      for (const { bucket, member } of items) {
        let b = buckets.get(bucket);
        if (!b) {
          b = emptyBucket();
          buckets.set(bucket, b);
        }
        if (mode === 'set') {
          if (!b.set.has(member)) {
            b.set.add(member);
            b.sorted = null;
          }
        } else b.list.push(member);
      }
    },
    async prepareEntry(bucket) {
      buckets.set(bucket, emptyBucket());
    },
    async hasBucket(bucket) {
      return buckets.has(bucket);
    },
    async deleteBucket(bucket) {
      return buckets.delete(bucket);
    },
    async bucketCount() {
      return buckets.size;
    },
    async bucketRange() {
      if (buckets.size === 0) return null;
      const keys = sortedBuckets();
      return { oldest: keys[0]!, newest: keys[keys.length - 1]! };
    },
    async listBuckets(after, until, limit) {
      return sortedBuckets()
        .filter((b) => (after === null || b > after) && (until === null || b <= until))
        .slice(0, limit);
    },
    async readBucket(bucket, mode, offset, limit) {
      const b = buckets.get(bucket);
      if (!b) return [];
      if (mode === 'list') return b.list.slice(offset, offset + limit);
      if (!b.sorted) b.sorted = [...b.set].sort(byCodeUnit);
      return b.sorted.slice(offset, offset + limit);
    },
    async clearTrack() {
      buckets.clear();
    },
    async getPointers() {
      return new Map(pointers);
    },
    async getPointer(pid) {
      return pointers.has(pid) ? pointers.get(pid)! : undefined;
    },
    async putPointer(pid, pos) {
      pointers.set(pid, pos);
    },
    async movePointer(pid, pos) {
      if (!pointers.has(pid)) return false;
      pointers.set(pid, pos);
      return true;
    },
    async removePointer(pid) {
      return pointers.delete(pid);
    },
    async trim() {
      let min: number | null = null;
      for (const p of pointers.values()) if (p !== null && (min === null || p < min)) min = p;
      if (min === null) return 0;
      let removed = 0;
      for (const b of [...buckets.keys()]) {
        if (b <= min) {
          buckets.delete(b);
          removed++;
        }
      }
      return removed;
    },
    async createAgent(record) {
      if (agents.has(record.id)) return false;
      agents.set(record.id, structuredClone(record));
      pointers.set(record.id, null);
      return true;
    },
    async getAgent(id) {
      const a = agents.get(id);
      return a ? structuredClone(a) : undefined;
    },
    async listAgents() {
      return [...agents.values()].map((a) => structuredClone(a)).sort((a, b) => byCodeUnit(a.id, b.id));
    },
    async updateAgent(id, patch: AgentPatch) {
      const a = agents.get(id);
      if (!a) return false;
      agents.set(id, { ...a, ...patch });
      return true;
    },
    async deleteAgent(id) {
      if (!agents.delete(id)) return false;
      pointers.delete(id);
      return true;
    },
    async clearAgents() {
      for (const id of agents.keys()) pointers.delete(id);
      agents.clear();
    },
    async close() {},
  };
}
