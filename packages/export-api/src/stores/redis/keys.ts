/** Every key name of the Redis adapters; all share the `{export}` hash tag (one Redis Cluster slot). */
export function catalogKeys(prefix: string) {
  const base = `${prefix}{export}:`;
  return {
    base,
    categories: `${base}cat`,
    events: `${base}ev`,
    eventAncestors: `${base}ev-anc`,
    eventLinks: `${base}ev-links`,
    maxDuration: `${base}maxdur`,
    seq: `${base}seq`,
    users: `${base}user`,
    byStart: (categoryId: string) => `${base}idx:start:${categoryId}`,
    byEnd: (categoryId: string) => `${base}idx:end:${categoryId}`,
    links: (userId: string) => `${base}links:${userId}`,
    children: (kind: 'contrib' | 'sess' | 'break', eventId: string) => `${base}${kind}:${eventId}`,
    order: (kind: 'contrib' | 'sess' | 'break', eventId: string) => `${base}${kind}-order:${eventId}`,
  };
}

export function cacheKey(prefix: string, key: string): string {
  return `${prefix}{export}:cache:${key}`;
}
