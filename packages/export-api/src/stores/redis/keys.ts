/** Every key name of the Redis adapters; all share the `{export}` hash tag (one Redis Cluster slot). */
export function catalogKeys(prefix: string) {
  const base = `${prefix}{export}:`;
  return {
    base,
    categories: `${base}cat`,
    events: `${base}ev`,
    eventAncestors: `${base}ev-anc`,
    eventLinks: `${base}ev-links`,
    /** Event id -> version of its stored body (HINCRBY on every put): listings skip bodies a reader holds. */
    eventVersions: `${base}ev-ver`,
    maxDuration: `${base}maxdur`,
    seq: `${base}seq`,
    users: `${base}user`,
    registrants: (eventId: string) => `${base}reg:${eventId}`,
    registrantOrder: (eventId: string) => `${base}reg-order:${eventId}`,
    registrantState: (eventId: string, id: string) => `${base}regst:${eventId}:${id}`,
    rooms: `${base}room`,
    roomsOf: (location: string) => `${base}rooms:${location}`,
    locations: `${base}locations`,
    reservations: `${base}resv`,
    reservationSeq: `${base}resv-seq`,
    reservationsOf: (location: string) => `${base}resv-loc:${location}`,
    reservationsOfRoom: (room: string) => `${base}resv-room:${room}`,
    occupancy: (room: string) => `${base}occ:${room}`,
    occupancyMax: `${base}occ-max`,
    videoBookings: `${base}video`,
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
