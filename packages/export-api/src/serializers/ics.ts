import ical, {
  type ICalEventData,
  ICalEventRepeatingFreq,
  type ICalRepeatingOptions,
  ICalWeekday,
} from 'ical-generator';
import { ExportDate } from '../datetime.js';

// biome-ignore lint/suspicious/noExplicitAny: results are untyped JSON-like trees read by field name.
type Obj = Record<string, any>;

const ms = (v: unknown): number | null => (v instanceof ExportDate ? v.epochMs : null);
const stripHtml = (s: string) =>
  s
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();

function description(o: Obj): string {
  const speakers: Obj[] = Array.isArray(o.speakers) ? o.speakers : [];
  let text = '';
  if (speakers.length > 0) {
    text += `Speakers: ${speakers.map((s) => (s.affiliation ? `${s.fullName} (${s.affiliation})` : s.fullName)).join(', ')}\n`;
  }
  const desc = typeof o.description === 'string' ? stripHtml(o.description) : '';
  text += desc ? `${desc}\n\n${o.url ?? ''}` : (o.url ?? '');
  return text;
}

const locationOf = (o: Obj) => [o.location, o.room].filter((x) => typeof x === 'string' && x !== '').join(' ');

function basic(o: Obj, uid: string): ICalEventData | null {
  const start = ms(o.startDate);
  const end = ms(o.endDate);
  if (start === null || end === null) return null;
  return {
    id: uid,
    start: new Date(start),
    end: new Date(end),
    summary: String(o.title ?? ''),
    location: locationOf(o) || null,
    description: description(o),
    url: typeof o.url === 'string' && o.url ? o.url : null,
  };
}

const DAYS = [
  ICalWeekday.SU,
  ICalWeekday.MO,
  ICalWeekday.TU,
  ICalWeekday.WE,
  ICalWeekday.TH,
  ICalWeekday.FR,
  ICalWeekday.SA,
];

function reservation(o: Obj): ICalEventData | null {
  const start = ms(o.startDT);
  const end = ms(o.endDT);
  if (start === null || end === null) return null;
  // DTEND = the first day combined with the end time (spec §7); ExportDates carry UTC instants.
  const s = new Date(start);
  const e = new Date(end);
  const firstEnd = Date.UTC(
    s.getUTCFullYear(),
    s.getUTCMonth(),
    s.getUTCDate(),
    e.getUTCHours(),
    e.getUTCMinutes(),
    e.getUTCSeconds(),
  );
  let repeating: ICalRepeatingOptions | null = null;
  const until = new Date(end);
  switch (o.repeatability) {
    case 'daily':
      repeating = { freq: ICalEventRepeatingFreq.DAILY, until };
      break;
    case 'weekly':
    case 'everyTwoWeeks':
    case 'everyThreeWeeks':
      repeating = {
        freq: ICalEventRepeatingFreq.WEEKLY,
        interval: o.repeatability === 'weekly' ? 1 : o.repeatability === 'everyTwoWeeks' ? 2 : 3,
        until,
      };
      break;
    case 'monthly': {
      const nth = Math.ceil(s.getUTCDate() / 7);
      repeating = { freq: ICalEventRepeatingFreq.MONTHLY, byDay: DAYS[s.getUTCDay()]!, bySetPos: nth, until };
      break;
    }
  }
  return {
    id: `indico-resv-${o.id}@cern.ch`,
    start: s,
    end: new Date(firstEnd),
    summary: String(o.reason ?? ''),
    location: `${o.location ?? ''}: ${o.room?.fullName ?? ''}`,
    description: String(o.reason ?? ''),
    url: typeof o.bookingUrl === 'string' ? o.bookingUrl : null,
    repeating,
  };
}

function collaboration(o: Obj): ICalEventData | null {
  const ev = basic(o, `indico-collaboration-${o.uniqueId}@cern.ch`);
  if (!ev) return null;
  const prefix = o.type === 'MCU' || o.type === 'W' || o.type === 'R' ? o.type : String(o.type ?? '');
  ev.summary = `${prefix}${o.status ? `-${o.status}` : ''}: ${ev.summary}`;
  ev.categories = [{ name: `VideoService - ${o.type}` }];
  if (typeof o.alarm === 'number' && o.alarm > 0) ev.alarms = [{ type: 'display' as never, trigger: o.alarm * 60 }];
  return ev;
}

/** VEVENTs of one result according to its `_fossil` (spec §7 ICS mapping); unknown fossils give none. */
export function icsEventsOf(o: Obj): ICalEventData[] {
  const out: Array<ICalEventData | null> = [];
  const contribEvents = (eventId: string, contribs: Obj[]) =>
    contribs
      .filter((c) => ms(c.startDate) !== null)
      .map((c) => basic(c, `indico-contribution-${eventId}-${c.id}@cern.ch`));
  switch (o._fossil) {
    case 'conferenceMetadata':
      out.push(basic(o, `indico-event-${o.id}@cern.ch`));
      break;
    case 'conferenceMetadataWithContribs': {
      const list = contribEvents(o.id, o.contributions ?? []);
      out.push(...(list.length ? list : [basic(o, `indico-event-${o.id}@cern.ch`)]));
      break;
    }
    case 'sessionMetadataWithContributions': {
      const list = contribEvents(o.conference?.id ?? '', o.contributions ?? []);
      out.push(...(list.length ? list : [basic(o, `indico-session-${o.id}@cern.ch`)]));
      break;
    }
    case 'conferenceMetadataWithSessions':
      for (const s of o.sessions ?? []) out.push(basic(s, `indico-session-${o.id}-${s.id}@cern.ch`));
      break;
    case 'sessionMetadata':
      out.push(basic(o, `indico-session-${o.id}@cern.ch`));
      break;
    case 'contributionMetadata':
      out.push(basic(o, `indico-contribution-${o.id}@cern.ch`));
      break;
    case 'reservationMetadata':
      out.push(reservation(o));
      break;
    case 'collaborationMetadata':
      out.push(collaboration(o));
      break;
  }
  return out.filter((e): e is ICalEventData => e !== null);
}

/** iCalendar with `PRODID:-//CERN//INDICO//EN`, UTC times and `DTSTAMP` = now (injected clock). */
export function toIcs(results: unknown, now: number): string {
  const cal = ical({ prodId: '//CERN//INDICO//EN' });
  const list: Obj[] = Array.isArray(results) ? results : [];
  for (const r of list) {
    if (r === null || typeof r !== 'object') continue;
    for (const ev of icsEventsOf(r)) cal.createEvent({ ...ev, stamp: new Date(now) });
  }
  return cal.toString();
}

// A stand-in DTSTAMP: the one property whose value changes from response to response. Every property starts a
// line and text values never hold a raw CRLF (ical escapes newlines; folded lines go on with a space), so
// `CRLF DTSTAMP:<stand-in> CRLF` can only be a DTSTAMP line.
const STAMP_PLACEHOLDER_MS = Date.UTC(1900, 0, 1);
const STAMP_PLACEHOLDER_LINE = '\r\nDTSTAMP:19000101T000000Z\r\n';

/** The calendar of `toIcs` with a stand-in DTSTAMP, to be completed by `stampIcs` (lets a body be reused). */
export function toIcsTemplate(results: unknown): string {
  return toIcs(results, STAMP_PLACEHOLDER_MS);
}

/** `toIcs(results, now)` from `toIcsTemplate(results)`: the same bytes. */
export function stampIcs(template: string, now: number): string {
  const iso = new Date(now).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return template.replaceAll(STAMP_PLACEHOLDER_LINE, `\r\nDTSTAMP:${stamp}\r\n`);
}
