import { parseDateExpression } from './date-expr.js';
import { isValidTimeZone } from './datetime.js';
import { badParameter } from './errors.js';

/** Reads hook parameters by their names (short and long), first match wins. Empty values are absent. */
export class ParamReader {
  readonly #values: ReadonlyMap<string, string>;
  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }
  get(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.#values.get(n);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  /** `yes` is the only true value (spec §5). */
  flag(...names: string[]): boolean {
    return this.get(...names) === 'yes';
  }
  /** Python `int()` semantics; a failure is a 400 (1.2 answered 500 here). */
  int(names: string[], fallback: number): number {
    const raw = this.get(...names);
    if (raw === undefined) return fallback;
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw badParameter(`Expected an integer for ${names[names.length - 1]}`);
    return Number.parseInt(raw.trim(), 10);
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
}

/** Sort keys of spec §5 (`order`). */
export type OrderKey = 'id' | 'start' | 'end' | 'title';
const ORDER_KEYS: ReadonlySet<string> = new Set(['id', 'start', 'end', 'title']);

/** The parsed common parameters of spec §5. */
export interface CommonParams {
  tz: string;
  from: number | null;
  to: number | null;
  offset: number;
  /** The effective limit: the explicit one, or the detail level maximum. */
  limit: number;
  /** True when the client passed a positive `limit` (decides `complete`, spec §5.3). */
  explicitLimit: boolean;
  /** `null` when absent or not one of the four keys (1.2: unspecified order). */
  orderBy: OrderKey | null;
  /** True when `order` is given or `descending=yes` (sorting is requested). */
  sortRequested: boolean;
  descending: boolean;
  detail: string;
}

export interface DetailLevels {
  /** Detail name -> maximum records (`MAX_RECORDS`). */
  readonly levels: Readonly<Record<string, number>>;
  readonly defaultDetail: string;
}

/**
 * Parses the common parameters in Indico's order (offset, order, detail, tz, limit, dates), so that the
 * first error reported is the one 1.2 would report.
 */
export function parseCommonParams(
  p: ParamReader,
  detail: DetailLevels,
  opts: { now: number; serverTimezone: string },
): CommonParams {
  const offset = p.int(['O', 'offset'], 0);
  if (offset < 0) throw badParameter('Offset must be a positive number');
  const order = p.get('o', 'order');
  const descendingRaw = p.get('c', 'descending');
  const detailName = p.get('d', 'detail') ?? detail.defaultDetail;
  const tz = p.get('tz') ?? opts.serverTimezone;
  if (!isValidTimeZone(tz)) throw badParameter(`Bad timezone: '${tz}'`);
  const max = detail.levels[detailName] ?? 1000;
  const userLimit = p.int(['n', 'limit'], 0);
  if (userLimit > max) {
    throw badParameter(`You can only request up to ${max} records per request with the detail level '${detailName}'`);
  }
  let fromRaw = p.get('f', 'from');
  let toRaw = p.get('t', 'to');
  const day = p.get('day');
  if (day !== undefined && (fromRaw !== undefined || toRaw !== undefined)) {
    throw badParameter("'day' can only be used without 'from' and 'to'");
  }
  if (day !== undefined) fromRaw = toRaw = day;
  const dctx = { now: opts.now, tz };
  const from = fromRaw === undefined ? null : parseDateExpression(fromRaw, 'from', dctx);
  const to = toRaw === undefined ? null : parseDateExpression(toRaw, 'to', dctx);
  if (!Object.hasOwn(detail.levels, detailName)) throw badParameter(`Invalid detail level: ${detailName}`);
  return {
    tz,
    from,
    to,
    offset,
    limit: userLimit > 0 ? userLimit : max,
    explicitLimit: userLimit > 0,
    orderBy: order !== undefined && ORDER_KEYS.has(order) ? (order as OrderKey) : null,
    sortRequested: order !== undefined || descendingRaw === 'yes',
    descending: descendingRaw === 'yes',
    detail: detailName,
  };
}
