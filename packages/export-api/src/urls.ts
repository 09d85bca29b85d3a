/** How absolute links in results are built (event `url`, contribution `url`, ...). */
export interface ExportUrls {
  event(eventId: string): string;
  contribution(eventId: string, contributionId: string): string;
  session(eventId: string, sessionId: string): string;
  category(categoryId: string): string;
  /** Booking form of a room (`roomMetadata.bookingUrl`). */
  roomBooking?(location: string, roomId: number): string;
  /** A reservation's page (`reservationMetadata.bookingUrl`); `roomId` is given in room listings. */
  reservation?(location: string, reservationId: number, roomId?: number): string;
}

/** Indico 1.2 style links under `baseUrl` (`…/event/<id>/`, spec §10). */
export function defaultUrls(baseUrl: string): ExportUrls {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    event: (id) => `${base}event/${id}/`,
    contribution: (eid, cid) => `${base}event/${eid}/contribution/${cid}/`,
    session: (eid, sid) => `${base}event/${eid}/session/${sid}/`,
    category: (id) => `${base}category/${id}/`,
    roomBooking: (loc, id) => `${base}rooms/room/${encodeURIComponent(loc)}/${id}/book`,
    reservation: (_loc, id) => `${base}rooms/booking/${id}`,
  };
}
