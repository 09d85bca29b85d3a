import rrulePkg from 'rrule';
import { SchedulerError } from './errors.js';
import { instantToWall, isValidTimeZone, wallToInstant } from './time-zone.js';

const { RRule } = rrulePkg;

export type Frequency = 'YEARLY' | 'MONTHLY' | 'WEEKLY' | 'DAILY' | 'HOURLY' | 'MINUTELY' | 'SECONDLY';
export type WeekdayName = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';

/** Recurrence options of a PeriodicTask: the JSON-friendly subset of rrule's options. */
export interface RecurrenceOptions {
  /** First instant of the grid; defaults to the task's creation time (whole seconds). */
  dtstart?: Date | number;
  /** IANA zone the rule's wall-clock fields (byhour, ...) are read in. Default 'UTC'. */
  tzid?: string;
  interval?: number;
  count?: number;
  until?: Date | number;
  wkst?: number | WeekdayName;
  bysetpos?: number | number[];
  bymonth?: number | number[];
  bymonthday?: number | number[];
  byyearday?: number | number[];
  byweekno?: number | number[];
  /** 0 = Monday ... 6 = Sunday, or two-letter names. */
  byweekday?: number | WeekdayName | Array<number | WeekdayName>;
  byhour?: number | number[];
  byminute?: number | number[];
  bysecond?: number | number[];
}

/** A rule as stored with the task: epoch ms, numbers only. */
export interface StoredRule {
  freq: Frequency;
  dtstart: number;
  tzid: string;
  interval?: number;
  count?: number;
  until?: number;
  wkst?: number;
  bysetpos?: number[];
  bymonth?: number[];
  bymonthday?: number[];
  byyearday?: number[];
  byweekno?: number[];
  byweekday?: number[];
  byhour?: number[];
  byminute?: number[];
  bysecond?: number[];
}

const FREQUENCIES: Record<Frequency, number> = {
  YEARLY: RRule.YEARLY,
  MONTHLY: RRule.MONTHLY,
  WEEKLY: RRule.WEEKLY,
  DAILY: RRule.DAILY,
  HOURLY: RRule.HOURLY,
  MINUTELY: RRule.MINUTELY,
  SECONDLY: RRule.SECONDLY,
};
const WEEKDAYS: WeekdayName[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const LIST_KEYS = [
  'bysetpos',
  'bymonth',
  'bymonthday',
  'byyearday',
  'byweekno',
  'byhour',
  'byminute',
  'bysecond',
] as const;

function invalid(message: string): SchedulerError {
  return new SchedulerError('INVALID_ARGUMENT', message);
}

/** Epoch ms from a Date or a number; anything else (or an invalid Date) is refused with INVALID_DATE. */
export function toEpochMs(value: unknown, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(ms)) throw new SchedulerError('INVALID_DATE', `${what} must be a valid Date or epoch ms`);
  return ms;
}

function weekday(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 6) return value;
  const i = WEEKDAYS.indexOf(value as WeekdayName);
  if (i < 0) throw invalid(`byweekday/wkst: ${String(value)} is not a weekday (0-6 or MO..SU)`);
  return i;
}

function intList(key: string, value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  for (const v of list) if (!Number.isInteger(v)) throw invalid(`${key} must hold integers`);
  return list as number[];
}

/** Validates and normalises a frequency and options into the stored form. */
export function normalizeRule(frequency: unknown, options: RecurrenceOptions, now: number): StoredRule {
  if (typeof frequency !== 'string' || !(frequency in FREQUENCIES)) {
    throw invalid(`frequency must be one of ${Object.keys(FREQUENCIES).join(', ')}`);
  }
  if (options === null || typeof options !== 'object') throw invalid('recurrence options must be an object');
  const tzid = options.tzid ?? 'UTC';
  if (typeof tzid !== 'string' || !isValidTimeZone(tzid)) throw invalid(`unknown time zone ${String(tzid)}`);
  const dtstart = options.dtstart === undefined ? now : toEpochMs(options.dtstart, 'dtstart');
  const rule: StoredRule = { freq: frequency as Frequency, dtstart: Math.floor(dtstart / 1000) * 1000, tzid };
  if (options.interval !== undefined) {
    if (!Number.isInteger(options.interval) || options.interval < 1) throw invalid('interval must be >= 1');
    rule.interval = options.interval;
  }
  if (options.count !== undefined) {
    if (!Number.isInteger(options.count) || options.count < 1) throw invalid('count must be >= 1');
    rule.count = options.count;
  }
  if (options.until !== undefined) rule.until = toEpochMs(options.until, 'until');
  if (options.wkst !== undefined) rule.wkst = weekday(options.wkst);
  if (options.byweekday !== undefined) {
    rule.byweekday = (Array.isArray(options.byweekday) ? options.byweekday : [options.byweekday]).map(weekday);
  }
  for (const key of LIST_KEYS) {
    if (options[key] !== undefined) rule[key] = intList(key, options[key]);
  }
  const known = new Set(['dtstart', 'tzid', 'interval', 'count', 'until', 'wkst', 'byweekday', ...LIST_KEYS]);
  for (const key of Object.keys(options)) if (!known.has(key)) throw invalid(`unknown recurrence option ${key}`);
  try {
    toRRule(rule);
  } catch (cause) {
    throw new SchedulerError('INVALID_ARGUMENT', `invalid recurrence rule: ${(cause as Error).message}`, { cause });
  }
  return rule;
}

const cache = new Map<string, InstanceType<typeof RRule>>();

function toRRule(rule: StoredRule): InstanceType<typeof RRule> {
  const cacheKey = JSON.stringify(rule);
  let r = cache.get(cacheKey);
  if (r) return r;
  const { freq, dtstart, tzid, until, ...rest } = rule;
  r = new RRule({
    ...rest,
    freq: FREQUENCIES[freq] as never,
    dtstart: new Date(instantToWall(dtstart, tzid)),
    ...(until === undefined ? {} : { until: new Date(instantToWall(until, tzid)) }),
  });
  if (cache.size > 500) cache.clear();
  cache.set(cacheKey, r);
  return r;
}

/**
 * First rule instant after `ref` (or at it, when `inclusive`), as epoch ms, or null when the rule is exhausted.
 * The rule is evaluated on the zone's wall clock; see `wallToInstant` for the skipped and repeated hour.
 */
export function nextOccurrence(rule: StoredRule, ref: number, inclusive: boolean): number | null {
  const r = toRRule(rule);
  let wall: Date | null = r.after(new Date(instantToWall(ref, rule.tzid)), inclusive);
  for (let guard = 0; wall && guard < 1000; guard++) {
    const instant = wallToInstant(wall.getTime(), rule.tzid);
    if (inclusive ? instant >= ref : instant > ref) return instant;
    wall = r.after(wall, false);
  }
  return null;
}

/** The first run of a rule: its first instant at or after dtstart. */
export function firstOccurrence(rule: StoredRule): number | null {
  return nextOccurrence(rule, rule.dtstart, true);
}
