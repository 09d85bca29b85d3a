import { SchedulerError } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Refuses values that would not survive JSON: functions, symbols, BigInt, undefined members, non-finite numbers,
 * cycles, class instances other than plain objects and arrays (Dates included: pass epoch ms or ISO strings).
 */
export function assertJson(value: unknown, path = 'params', seen = new Set<object>()): asserts value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SchedulerError('INVALID_PARAMS', `${path} is not a finite number`);
    return;
  }
  if (typeof value !== 'object') {
    throw new SchedulerError('INVALID_PARAMS', `${path} is a ${typeof value}, which does not serialize to JSON`);
  }
  if (seen.has(value)) throw new SchedulerError('INVALID_PARAMS', `${path} contains a cycle`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      assertJson(v, `${path}[${i}]`, seen);
    });
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new SchedulerError('INVALID_PARAMS', `${path} is a class instance; only plain objects serialize safely`);
    }
    for (const [k, v] of Object.entries(value)) assertJson(v, `${path}.${k}`, seen);
  }
  seen.delete(value);
}
