import { utcDate, zonedToEpoch } from './datetime.js';
import { badParameter } from './errors.js';

/** Which end of the window a date expression sets; it decides the whole-day snapping (spec §5.1). */
export type DateContext = 'from' | 'to';

const RELATIVE_RE = /^([+-])?(?:(\d{1,3})d)?(?:(\d{1,2})h)?(?:(\d{1,2})m)?$/;
// Python strptime's own patterns for %Y %m %d %H %M, matched case-insensitively like `_strptime` does.
const Y = '(\\d\\d\\d\\d)';
const M = '(1[0-2]|0[1-9]|[1-9])';
const D = '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])';
const H = '(2[0-3]|[0-1]\\d|\\d)';
const MI = '([0-5]\\d|\\d)';
const DATETIME_RE = new RegExp(`^${Y}-${M}-${D}T${H}:${MI}$`, 'i');
const DATE_RE = new RegExp(`^${Y}-${M}-${D}$`, 'i');
const DAY_MS = 86_400_000;

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1) return false;
  const d = new Date(Date.UTC(2000, month - 1, day));
  d.setUTCFullYear(year);
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function snap(epochMs: number, ctx: DateContext, tz: string): number {
  const { year, month, day } = utcDate(epochMs);
  return ctx === 'from'
    ? zonedToEpoch({ year, month, day }, tz)
    : zonedToEpoch({ year, month, day, hour: 23, minute: 59, second: 59 }, tz);
}

/**
 * Parses one `from`/`to`/`day` value into epoch ms, as Indico 1.2 does (spec §5.1):
 * `now` is exact; `today`/`yesterday`/`tomorrow` and relative offsets snap to whole days of the **UTC**
 * date, localised in `tz`; `YYYY-MM-DDTHH:MM` is exact in `tz`; `YYYY-MM-DD` snaps to a whole day.
 * Every failure is a 400 with Indico's message.
 */
export function parseDateExpression(input: string, ctx: DateContext, opts: { now: number; tz: string }): number {
  const { now, tz } = opts;
  if (input === 'now') return now;
  if (input === 'today') return snap(now, ctx, tz);
  if (input === 'yesterday') return snap(now - DAY_MS, ctx, tz);
  if (input === 'tomorrow') return snap(now + DAY_MS, ctx, tz);
  const rel = RELATIVE_RE.exec(input);
  if (rel) {
    const sign = rel[1] === '-' ? -1 : 1;
    if (ctx === 'to' && sign < 0) throw badParameter('End date cannot be a negative offset');
    const days = Number(rel[2] ?? 0) * sign;
    const hours = Number(rel[3] ?? 0) * sign;
    const minutes = Number(rel[4] ?? 0) * sign;
    if (hours > 23 || minutes > 59) throw badParameter('Invalid time!');
    return snap(now + days * DAY_MS + hours * 3600_000 + minutes * 60_000, ctx, tz);
  }
  const dt = DATETIME_RE.exec(input);
  if (dt) {
    const [year, month, day, hour, minute] = dt.slice(1).map((s) => Number(s.trim()));
    if (isRealDate(year!, month!, day!)) {
      return zonedToEpoch({ year: year!, month: month!, day: day!, hour: hour!, minute: minute! }, tz);
    }
  }
  const d = DATE_RE.exec(input);
  if (d) {
    const [year, month, day] = d.slice(1).map((s) => Number(s.trim()));
    if (isRealDate(year!, month!, day!)) {
      return ctx === 'from'
        ? zonedToEpoch({ year: year!, month: month!, day: day! }, tz)
        : zonedToEpoch({ year: year!, month: month!, day: day!, hour: 23, minute: 59, second: 59 }, tz);
    }
  }
  throw badParameter(`Impossible to parse '${input}'`);
}
