/**
 * Wall-clock <-> instant conversion for IANA zones with nothing but Intl. A "wall" value is epoch ms whose UTC
 * fields spell the local date and time (the floating representation rrule works in).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Europe/Zurich in summer: +7_200_000). */
export function zoneOffset(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const whole = Math.floor(instant / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(whole))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - whole;
}

export function instantToWall(instant: number, timeZone: string): number {
  return instant + zoneOffset(instant, timeZone);
}

/**
 * The instant at which the wall clock of `timeZone` shows `wall`.
 * - A wall time that occurs twice (the repeated hour when clocks go back) maps to its FIRST occurrence.
 * - A wall time that does not exist (the skipped hour when clocks go forward) maps to the instant reached by
 *   reading it with the offset in force before the change, i.e. it is pushed forward by the gap
 *   (02:30 on the spring-forward night in Europe/Zurich runs at 03:30 local time).
 */
export function wallToInstant(wall: number, timeZone: string): number {
  if (timeZone === 'UTC') return wall;
  const before = zoneOffset(wall - 86_400_000, timeZone);
  const after = zoneOffset(wall + 86_400_000, timeZone);
  const valid: number[] = [];
  for (const offset of new Set([before, after])) {
    const instant = wall - offset;
    if (zoneOffset(instant, timeZone) === offset) valid.push(instant);
  }
  if (valid.length > 0) return Math.min(...valid);
  return wall - before;
}
