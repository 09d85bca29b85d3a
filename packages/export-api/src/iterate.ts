import type { CommonParams } from './params.js';

const FOUR_WEEKS_MS = 28 * 86_400_000;

/** How `order` reads an item (spec §5: getters getId, getStartDate, getEndDate, getTitle). */
export interface SortKeys<T> {
  id(item: T): string;
  start(item: T): number | null;
  end(item: T): number | null;
  title(item: T): string;
}

export interface CollectOptions<T> {
  common: CommonParams;
  /** Hook filter (type, location, ...), applied first. */
  filter?: (item: T) => boolean;
  /** Access check, applied after the filter (items the requester cannot see are dropped). */
  canAccess?: (item: T) => boolean;
  /** Identity for de-duplication. */
  key: (item: T) => string;
  sortKeys: SortKeys<T>;
}

const cmp = (a: string | number | null, b: string | number | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

function sortItems<T>(items: T[], common: CommonParams, keys: SortKeys<T>): T[] {
  const order = common.orderBy;
  const out = order ? [...items].sort((x, y) => cmp(keys[order](x), keys[order](y))) : [...items];
  if (common.descending) out.reverse();
  return out;
}

/**
 * Indico's IteratedDataFetcher (spec §5.2/5.3): filter, access check, de-duplication, limit to offset+limit,
 * skip offset. Sorting covers the whole set only when both bounds are given and at most four weeks apart;
 * otherwise the fetched page is sorted. `complete` is false only when the implicit cap truncated the result.
 */
export async function collect<T>(
  source: AsyncIterable<T> | Iterable<T>,
  opts: CollectOptions<T>,
): Promise<{ items: T[]; complete: boolean }> {
  const { common } = opts;
  const max = common.offset + common.limit;
  const seen = new Set<string>();
  const accept = (item: T) => {
    const k = opts.key(item);
    if (seen.has(k)) return false;
    if (opts.canAccess && !opts.canAccess(item)) return false;
    seen.add(k);
    return true;
  };
  const sortWhole =
    common.sortRequested && common.from !== null && common.to !== null && common.to - common.from <= FOUR_WEEKS_MS;
  let page: T[] = [];
  let limitHit = false;
  if (sortWhole) {
    const all: T[] = [];
    // an array needs no await per item
    if (Array.isArray(source)) {
      for (const item of source) if ((!opts.filter || opts.filter(item)) && accept(item)) all.push(item);
    } else {
      for await (const item of source) if ((!opts.filter || opts.filter(item)) && accept(item)) all.push(item);
    }
    const sorted = sortItems(all, common, opts.sortKeys);
    limitHit = sorted.length > max;
    page = sorted.slice(0, max);
  } else {
    // false once the page is full and one more item passed the filter
    const take = (item: T): boolean => {
      if (opts.filter && !opts.filter(item)) return true;
      if (page.length >= max) {
        limitHit = true;
        return false;
      }
      if (accept(item)) page.push(item);
      return true;
    };
    if (Array.isArray(source)) {
      for (const item of source) if (!take(item)) break;
    } else {
      for await (const item of source) if (!take(item)) break;
    }
    if (common.sortRequested) page = sortItems(page, common, opts.sortKeys);
  }
  return { items: page.slice(common.offset), complete: !(limitHit && !common.explicitLimit) };
}
