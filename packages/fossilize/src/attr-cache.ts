/**
 * Member values remembered per object, so that an object rendered several times (through one or several
 * fossils, in one call or across calls sharing the cache) evaluates each getter once.
 *
 * Keys are the object itself and the member name (or, for `produce` tags, the member definition), so unlike
 * Indico 1.2 there is no `_p_oid`, no sharing between unsaved objects, no cross-fossil leak of `produce`
 * values, and nothing global: pass `useAttrCache: true` for a cache that lives for one call, or an
 * `AttrCache` you own to share it between calls.
 */
export class AttrCache {
  #entries = new WeakMap<object, Map<unknown, unknown>>();

  /** Forgets every remembered value. */
  clear(): void {
    this.#entries = new WeakMap();
  }

  /** @internal */
  lookup(obj: object, key: unknown): unknown {
    const m = this.#entries.get(obj);
    return m === undefined ? MISS : m.has(key) ? m.get(key) : MISS;
  }

  /** @internal */
  store(obj: object, key: unknown, value: unknown): void {
    let m = this.#entries.get(obj);
    if (m === undefined) {
      m = new Map();
      this.#entries.set(obj, m);
    }
    m.set(key, value);
  }
}

/** @internal sentinel for a cache miss. */
export const MISS: unique symbol = Symbol('miss');

/** A new, empty attribute cache to pass as `useAttrCache`. */
export function createAttrCache(): AttrCache {
  return new AttrCache();
}
