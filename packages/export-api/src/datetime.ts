import { getTimezoneOffset } from 'date-fns-tz';

const formatted = new Map<string, [string, string]>();

/**
 * An instant plus the time zone it is shown in. Resources put these in their results; every serializer
 * renders them its own way (json: `{date, time, tz}`, xml: ISO 8601 with offset, ics: UTC).
 */
export class ExportDate {
  readonly epochMs: number;
  readonly tz: string;

  constructor(epochMs: number, tz: string) {
    this.epochMs = epochMs;
    this.tz = tz;
  }

  /** The JSON form of Indico's encoder (spec §7): `{date: 'YYYY-MM-DD', time: 'HH:MM:SS[.ffffff]', tz}`. */
  toJSON(): { date: string; time: string; tz: string } {
    const key = `${this.tz}|${this.epochMs}`;
    let dt = formatted.get(key);
    if (!dt) {
      const p = wallClock(this.epochMs, this.tz);
      dt = [p.date, p.time];
      // A pure function of (instant, zone): memoised, bounded, so repeated exports skip the formatting.
      if (formatted.size >= 50_000) formatted.clear();
      formatted.set(key, dt);
    }
    return { date: dt[0], time: dt[1], tz: this.tz };
  }

  /** ISO 8601 with the zone offset, like Python's `datetime.isoformat()` for an aware value. */
  toISOString(): string {
    const p = wallClock(this.epochMs, this.tz);
    return `${p.date}T${p.time}${formatOffset(p.offsetMs)}`;
  }
}

export function isExportDate(value: unknown): value is ExportDate {
  return value instanceof ExportDate;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const validity = new Map<string, boolean>();

/** True when `name` is an IANA zone name known to the runtime (offset strings like `+02:00` are rejected). */
export function isValidTimeZone(name: string): boolean {
  const known = validity.get(name);
  if (known !== undefined) return known;
  let ok = NAME_RE.test(name) && !Number.isNaN(getTimezoneOffset(name, new Date(0)));
  if (ok) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
    } catch {
      ok = false;
    }
  }
  if (validity.size > 1000) validity.clear();
  validity.set(name, ok);
  return ok;
}

const BUCKET_MS = 15 * 60 * 1000;
const offsetCache = new Map<string, Map<number, number>>();

/** Offset of `tz` from UTC at `epochMs`, in ms (memoised per 15-minute bucket: zone transitions fall on them). */
export function offsetAt(tz: string, epochMs: number): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  let perZone = offsetCache.get(tz);
  if (!perZone) {
    perZone = new Map();
    offsetCache.set(tz, perZone);
  }
  const bucket = Math.floor(epochMs / BUCKET_MS);
  let off = perZone.get(bucket);
  if (off === undefined) {
    off = exactOffset(tz, bucket * BUCKET_MS);
    if (perZone.size > 20000) perZone.clear();
    perZone.set(bucket, off);
  }
  return off;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

// Reads the wall clock with Intl and compares it to the instant: exact also inside a repeated (DST) hour,
// where date-fns-tz's getTimezoneOffset reports the earlier offset.
function exactOffset(tz: string, epochMs: number): number {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw new TypeError(`unknown time zone ${tz}`);
    }
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(epochMs))) p[part.type] = part.value;
  let year = Number(p.year);
  if (p.era === 'BC' || p.era === 'B') year = 1 - year;
  const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const d = new Date(wall);
  if (year >= 0 && year < 100) d.setUTCFullYear(year);
  return d.getTime() - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export interface WallClock {
  date: string;
  time: string;
  offsetMs: number;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The wall-clock reading of an instant in a zone. Microseconds are shown only when non-zero, like Python. */
export function wallClock(epochMs: number, tz: string): WallClock {
  const offsetMs = offsetAt(tz, epochMs);
  const d = new Date(epochMs + offsetMs);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const ms = d.getUTCMilliseconds();
  const y = year < 1000 ? String(year).padStart(4, '0') : String(year);
  let time = `${pad2(hour)}:${pad2(minute)}:${pad2(d.getUTCSeconds())}`;
  if (ms !== 0) time += `.${String(ms * 1000).padStart(6, '0')}`;
  return { date: `${y}-${pad2(month)}-${pad2(day)}`, time, offsetMs, year, month, day, hour, minute };
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const abs = Math.abs(offsetMs) / 60000;
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/**
 * The instant of a wall-clock time in `tz`. Like pytz `localize(is_dst=False)`: an ambiguous time (clocks
 * going back) resolves to standard time, and a non-existent one (clocks going forward) uses the standard offset.
 */
export function zonedToEpoch(
  parts: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  tz: string,
): number {
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const before = offsetAt(tz, wall - 12 * 3600_000);
  const after = offsetAt(tz, wall + 12 * 3600_000);
  const valid = [before, after].filter((o) => offsetAt(tz, wall - o) === o);
  const chosen = valid.length > 0 ? Math.min(...valid) : Math.min(before, after);
  return wall - chosen;
}

/** The UTC calendar date of an instant as {year, month, day}. */
export function utcDate(epochMs: number): { year: number; month: number; day: number } {
  const d = new Date(epochMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
