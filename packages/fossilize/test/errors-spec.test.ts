import { expect, it } from 'vitest';
import {
  defineFossil,
  Fossilizable,
  FossilizeError,
  FossilMemberError,
  fossilize,
  InvalidFossilError,
  InvalidFossilException,
  MissingFiltersError,
  MissingMemberError,
  NonFossilizableError,
  NonFossilizableException,
} from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Doc {
  reads = 0;
  constructor(public items: unknown[] = []) {}
  getTitle() {
    this.reads++;
    return 'doc';
  }
  getItems() {
    return this.items;
  }
  broken(): string {
    throw new TypeError('db down');
  }
}
class Undeclared {
  a = 1;
  b = 2;
}
class Declared extends Fossilizable {}

function caught(fn: () => unknown): FossilizeError {
  try {
    fn();
  } catch (e) {
    return e as FossilizeError;
  }
  throw new Error('expected an error');
}

inBothCompilers('errors (spec §5)', () => {
  it('exports the error classes under the Indico names too', () => {
    expect(InvalidFossilException).toBe(InvalidFossilError);
    expect(NonFossilizableException).toBe(NonFossilizableError);
    expect(new InvalidFossilError('INVALID_FOSSIL_NAME', 'x')).toBeInstanceOf(FossilizeError);
  });

  // spec: fossilize §5 InvalidFossilException: bad fossil name, bad member name, reserved key (3 causes)
  it('raises InvalidFossilError for a bad fossil name, a bad method name and a reserved key', () => {
    const doc = new Doc();
    expect(caught(() => fossilize(doc, defineFossil('DocFossil', {}))).code).toBe('INVALID_FOSSIL_NAME');
    const titled = Object.assign(new Undeclared(), { title: () => 't' });
    expect(caught(() => fossilize(titled, defineFossil('IDocFossil', { title: {} }))).code).toBe('INVALID_MEMBER_NAME');
    expect(caught(() => fossilize(doc, defineFossil('IDocFossil', { getTitle: { name: '_fossil' } }))).code).toBe(
      'RESERVED_KEY',
    );
  });

  it('reports an invalid method name only after evaluating it; an error thrown by the member wins (R-EVAL-ORDER)', () => {
    let titleCalls = 0;
    const obj = Object.assign(new Doc(), {
      title() {
        titleCalls++;
        return 't';
      },
    });
    const e = caught(() => fossilize(obj, defineFossil('IDocFossil', { getTitle: {}, title: {} })));
    expect(e).toBeInstanceOf(InvalidFossilError);
    expect(e.code).toBe('INVALID_MEMBER_NAME');
    expect([obj.reads, titleCalls]).toEqual([1, 1]);
    // `broken` is not a valid method name either, but it throws first: its error is reported.
    const e2 = caught(() => fossilize(new Doc(), defineFossil('IDocFossil', { broken: {} })));
    expect(e2).toBeInstanceOf(FossilMemberError);
    expect((e2 as FossilMemberError).cause).toBeInstanceOf(TypeError);
  });

  it('aborts the whole call on a nested InvalidFossilError', () => {
    const bad = defineFossil('IBadFossil', { nope: {} });
    const f = defineFossil('IDocFossil', { getItems: { result: bad } });
    const inner = Object.assign(new Undeclared(), { nope: () => 1 });
    expect(caught(() => fossilize(new Doc([inner]), f))).toBeInstanceOf(InvalidFossilError);
  });

  // spec: fossilize §5 NonFossilizableException: no declaration, class not in map, map value null
  it('raises NonFossilizableError when no fossil resolves, even for one element of a list', () => {
    expect(caught(() => fossilize([1, new Undeclared()])).code).toBe('NON_FOSSILIZABLE');
    expect(caught(() => fossilize(new Undeclared(), { 'x.Y': null })).message).toMatch(/not a key/);
    expect(caught(() => fossilize(new Undeclared(), new Map([[Undeclared, null]]))).message).toBe(
      'Type Undeclared is not fossilizable!',
    );
    expect(caught(() => fossilize(new Declared(), new Map([[Declared, null]])))).toBeInstanceOf(NonFossilizableError);
  });

  // spec: fossilize §5 'No filters defined!' / "No filter 'x' defined!"
  it('raises MissingFiltersError when the filters option or the named filter is missing', () => {
    const f = defineFossil('IDocFossil', { getItems: { result: null, filterBy: 'visible' } });
    const e1 = caught(() => fossilize(new Doc(), f));
    expect(e1).toBeInstanceOf(MissingFiltersError);
    expect([e1.code, e1.message]).toEqual(['MISSING_FILTERS', 'No filters defined!']);
    const e2 = caught(() => fossilize(new Doc(), f, { filters: { other: () => true } }));
    expect([e2.code, e2.message]).toEqual(['MISSING_FILTER', "No filter 'visible' defined!"]);
  });

  // spec: fossilize §5 AttributeError (member missing on the object)
  it('raises MissingMemberError when the object lacks a member', () => {
    const e = caught(() => fossilize(new Doc(), defineFossil('IDocFossil', { getAuthor: {} })));
    expect(e).toBeInstanceOf(MissingMemberError);
    expect(e.message).toContain("'Doc' object has no member 'getAuthor'");
  });

  // spec: fossilize §5 errors from members: re-raised, here wrapped with context and the original as cause
  it('wraps an error thrown by a getter with fossil, member and class names, keeping it as cause', () => {
    const e = caught(() => fossilize(new Doc(), defineFossil('IDocFossil', { broken: { name: 'b' } })));
    expect(e).toBeInstanceOf(FossilMemberError);
    const m = e as FossilMemberError;
    expect([m.fossil, m.member, m.className, m.stage]).toEqual(['IDocFossil', 'broken', 'Doc', 'get']);
    expect(m.cause).toBeInstanceOf(TypeError);
    expect(m.message).toContain('db down');
  });

  it('wraps errors of produce and filter predicates, and does not wrap a nested wrapped error again', () => {
    const boom = new Error('p');
    const p = caught(() =>
      fossilize(
        new Doc(),
        defineFossil('IDocFossil', {
          getTitle: {
            produce: () => {
              throw boom;
            },
          },
        }),
      ),
    ) as FossilMemberError;
    expect([p.stage, p.cause]).toEqual(['produce', boom]);
    const inner = defineFossil('IInnerFossil', { broken: { name: 'b' } });
    const outer = defineFossil('IOuterFossil', { getItems: { result: inner } });
    const n = caught(() => fossilize(new Doc([new Doc()]), outer)) as FossilMemberError;
    expect([n.fossil, n.member]).toEqual(['IInnerFossil', 'broken']);
  });
});
