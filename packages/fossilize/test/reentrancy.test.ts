import { expect, it } from 'vitest';
import { defineFossil, FossilCycleError, type FossilizeError, fossilize, fossilizes } from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Doc {
  children: Doc[] = [];
  constructor(public id: number) {}
  getId() {
    return this.id;
  }
  getChildren() {
    return this.children;
  }
}
const IDocFossil = defineFossil('IDocFossil', { getId: {}, getChildren: { result: null } });
fossilizes(Doc, IDocFossil);

inBothCompilers('re-entrant calls and state after errors', () => {
  it('lets a converter call fossilize with other options without disturbing the outer call', () => {
    const inner = new Doc(2);
    const f = defineFossil('IOuterFossil', {
      getId: {
        convert: (id: number, ctx) => ({ id, tz: ctx.tz, inner: fossilize(inner, IDocFossil, { tz: 'inner' }) }),
      },
      getChildren: { result: null, convert: (c: unknown, ctx) => [c, ctx.tz] },
    });
    const outer = new Doc(1);
    outer.children = [new Doc(3)];
    expect(fossilize(outer, f, { tz: 'outer' })).toEqual({
      id: { id: 1, tz: 'outer', inner: { id: 2, children: [], _type: 'Doc', _fossil: 'doc' } },
      children: [[{ id: 3, children: [], _type: 'Doc', _fossil: 'doc' }], 'outer'],
      _type: 'Doc',
      _fossil: 'outer',
    });
  });

  it('starts clean after a call that failed half-way (no stale cycle path or options)', () => {
    const a = new Doc(1);
    a.children = [a];
    expect(() => fossilize(a, IDocFossil, { mapClassType: { Doc: 'X' } })).toThrow(FossilCycleError);
    const b = new Doc(2);
    b.children = [new Doc(3)];
    expect(fossilize(b)).toEqual({
      id: 2,
      children: [{ id: 3, children: [], _type: 'Doc', _fossil: 'doc' }],
      _type: 'Doc',
      _fossil: 'doc',
    });
  });

  it('rejects malformed options with INVALID_ARGUMENT', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as FossilizeError).code;
      }
      return null;
    };
    const d = new Doc(1);
    expect(codeOf(() => fossilize(d, IDocFossil, 'x' as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => fossilize(d, IDocFossil, { useAttrCache: 'yes' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => fossilize(d, IDocFossil, { filterBy: 3 as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => fossilize(d, IDocFossil, { plainObjects: 'both' as never }))).toBe('INVALID_ARGUMENT');
  });
});
