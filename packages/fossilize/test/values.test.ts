import { expect, it } from 'vitest';
import { defineFossil, Fossilizable, fossilize, NonFossilizableError } from '../src/index.js';
import { inBothCompilers } from './helpers.js';

const ISomeFossil = defineFossil('ISomeFossil', { getId: {} });

class Plain {
  constructor(public id: number) {}
  getId() {
    return this.id;
  }
}
class Wrapper {
  constructor(public items: unknown) {}
}
class FossilizableWrapper extends Fossilizable {
  constructor(public items: unknown[]) {
    super();
  }
  getId() {
    return this.items.length;
  }
}
const some = (id: number, type = 'Plain') => ({ id, _type: type, _fossil: 'some' });

inBothCompilers('values by kind (spec §3.2, §4.3)', () => {
  // spec: fossilize §4.3 row 1, R-PRIMITIVES
  it('returns primitives unchanged, whatever the fossil argument', () => {
    for (const v of ['s', 1, 1.5, true, false, null, undefined]) {
      expect(fossilize(v, ISomeFossil)).toBe(v);
      expect(fossilize(v)).toBe(v);
    }
  });

  // spec: fossilize §4.3 row 2
  it('maps a plain object to a new object with the same keys and fossilized values, never filtered', () => {
    const input = { a: new Plain(1), b: 2, c: [new Plain(3)] };
    expect(fossilize(input, ISomeFossil, { filterBy: () => false })).toEqual({ a: some(1), b: 2, c: [some(3)] });
  });

  // spec: fossilize §4.3 row 3
  it('turns arrays, sets, generators and other iterables into arrays', () => {
    function* gen() {
      yield new Plain(1);
      yield 2;
    }
    expect(fossilize([new Plain(1), 'x'], ISomeFossil)).toEqual([some(1), 'x']);
    expect(fossilize(new Set([new Plain(1)]), ISomeFossil)).toEqual([some(1)]);
    expect(fossilize(gen(), ISomeFossil)).toEqual([some(1), 2]);
    expect(fossilize([[new Plain(1)]], ISomeFossil)).toEqual([[some(1)]]);
  });

  // spec: fossilize §4.3 row 4
  it('fossilizes a Fossilizable instance as an object even when it wraps a single list', () => {
    expect(fossilize(new FossilizableWrapper([1, 2]), ISomeFossil)).toEqual(some(2, 'FossilizableWrapper'));
  });

  // spec: fossilize §4.3 row 5, R-WRAPPER
  it('unwraps other objects whose only property holds an iterable, before looking at the fossil', () => {
    expect(fossilize(new Wrapper([new Plain(1), new Plain(2)]), ISomeFossil)).toEqual([some(1), some(2)]);
    // Even without any fossil: the wrapper is checked first.
    expect(fossilize(new Wrapper([1, 2]))).toEqual([1, 2]);
    // A single non-iterable property is no wrapper.
    expect(() => fossilize(new Wrapper(5), ISomeFossil)).toThrow(/no member 'getId'/);
  });

  // spec: fossilize §4.3 row 6
  it('fossilizes other objects with the resolved fossil, and refuses them when none resolves', () => {
    expect(fossilize(new Plain(1), ISomeFossil)).toEqual(some(1));
    expect(() => fossilize(new Plain(1))).toThrow(NonFossilizableError);
    expect(() => fossilize(new Plain(1))).toThrow(/cannot be fossilized, no fossils were declared for it/);
  });

  it('filters a top-level iterable with the filterBy option, on the raw elements (spec §2 R-ENTRY-FILTERBY)', () => {
    const seen: unknown[] = [];
    const out = fossilize([new Plain(1), new Plain(2), new Plain(3)], ISomeFossil, {
      filterBy: (p: Plain) => {
        seen.push(p);
        return p.id !== 2;
      },
    });
    expect(out).toEqual([some(1), some(3)]);
    expect(seen.every((p) => p instanceof Plain)).toBe(true);
  });

  it('ignores the filterBy option for a top-level object', () => {
    expect(fossilize(new Plain(1), ISomeFossil, { filterBy: () => false })).toEqual(some(1));
  });

  it('fossilizes plain data records as objects with plainObjects: object (an extension)', () => {
    const IRecordFossil = defineFossil('IRecordFossil', { title: {}, getId: { produce: (r: { id: number }) => r.id } });
    const records = [
      { id: 1, title: 'a' },
      { id: 2, title: 'b' },
    ];
    expect(fossilize(records, IRecordFossil, { plainObjects: 'object' })).toEqual([
      { id: 1, title: 'a', _type: 'Object', _fossil: 'record' },
      { id: 2, title: 'b', _type: 'Object', _fossil: 'record' },
    ]);
    // The default keeps Indico's dict semantics.
    expect(fossilize(records, IRecordFossil)).toEqual(records);
    expect(() => fossilize(records, null, { plainObjects: 'object' })).toThrow(NonFossilizableError);
  });

  it('does not pass the filterBy option down to nested containers', () => {
    expect(fossilize([[1, 2], [3]], null, { filterBy: (e: number[]) => e.length > 1 })).toEqual([[1, 2]]);
  });
});
