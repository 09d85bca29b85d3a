import type { Repeatability } from '../model.js';

const DAY = 86_400_000;
/** Upper bound on expanded occurrences of one reservation (about 13 years of daily bookings). */
export const MAX_OCCURRENCES = 5000;

/**
 * The occurrences of a reservation as [start, end) pairs in epoch ms (spec §10 `occurrences`): the time of day
 * of `startDT` to the time of day of `endDT`, on every repetition day from the date of `startDT` to the date of
 * `endDT`. Days are computed on the UTC calendar (the same arithmetic as the ICS RRULE we emit). `monthly` is
 * the same n-th weekday of each month.
 */
export function occurrencesOf(r: {
  startDT: number;
  endDT: number;
  repeatability: Repeatability | null;
}): Array<[number, number]> {
  if (r.repeatability === null) return [[r.startDT, r.endDT]];
  const firstDay = Math.floor(r.startDT / DAY) * DAY;
  const lastDay = Math.floor(r.endDT / DAY) * DAY;
  const startTod = r.startDT - firstDay;
  const endTod = r.endDT - lastDay;
  const out: Array<[number, number]> = [];
  const push = (day: number) => {
    if (day >= firstDay && day <= lastDay && endTod > startTod) out.push([day + startTod, day + endTod]);
  };
  if (r.repeatability === 'monthly') {
    const first = new Date(firstDay);
    const weekday = first.getUTCDay();
    const nth = Math.ceil(first.getUTCDate() / 7);
    for (let m = 0; out.length < MAX_OCCURRENCES; m++) {
      const monthStart = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1);
      if (monthStart > lastDay) break;
      const offset = (weekday - new Date(monthStart).getUTCDay() + 7) % 7;
      const day = monthStart + (offset + (nth - 1) * 7) * DAY;
      if (new Date(day).getUTCMonth() === new Date(monthStart).getUTCMonth()) push(day);
    }
    return out;
  }
  const step =
    r.repeatability === 'daily' ? 1 : r.repeatability === 'weekly' ? 7 : r.repeatability === 'everyTwoWeeks' ? 14 : 21;
  for (let day = firstDay; day <= lastDay && out.length < MAX_OCCURRENCES; day += step * DAY) push(day);
  return out;
}

/** Whether a reservation takes part in collision checks (spec §9.8: cancelled and rejected ones do not). */
export const isActive = (r: { isCancelled: boolean; isRejected: boolean }) => !r.isCancelled && !r.isRejected;
