import { expect, it } from 'vitest';
import {
  addFossil,
  declaredFossils,
  defaultFossilOf,
  defineFossil,
  type FossilizeError,
  fossilize,
  fossilizes,
  IFossil,
  InvalidFossilError,
} from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Person {
  constructor(
    public id = 1,
    public nick = 'jo',
  ) {}
  getId() {
    return this.id;
  }
  getNick() {
    return this.nick;
  }
  weird() {
    return 'w';
  }
}

inBothCompilers('inheritance (spec §4.4)', () => {
  // spec: fossilize §4.4 R-FOSSIL-INHERIT
  it('gives a fossil all members of its bases plus its own', () => {
    const a = defineFossil('IAFossil', { getId: {} });
    const b = defineFossil('IBFossil', { getNick: {} }, { extends: [a] });
    expect(b.names().sort()).toEqual(['getId', 'getNick']);
    expect(fossilize(new Person(), b)).toEqual({ id: 1, nick: 'jo', _type: 'Person', _fossil: 'b' });
  });

  // spec: fossilize §4.4 R-FOSSIL-OVERRIDE
  it('replaces all tags of a redefined member, never merging them', () => {
    const a = defineFossil('IAFossil', { getNick: { name: 'alias', convert: (s: string) => s.toUpperCase() } });
    const b = defineFossil('IBFossil', { getNick: { convert: (s: string) => `${s}!` } }, { extends: [a] });
    expect(fossilize(new Person(), a)).toEqual({ alias: 'JO', _type: 'Person', _fossil: 'a' });
    expect(fossilize(new Person(), b)).toEqual({ nick: 'jo!', _type: 'Person', _fossil: 'b' });
  });

  it('rejects an override that drops the name tag a method needed (original unit test testInvalidNames)', () => {
    const a = defineFossil('IAFossil', { weird: { name: 'strange' } });
    const b = defineFossil('IBFossil', { weird: {} }, { extends: [a] });
    expect(fossilize(new Person(), a)).toEqual({ strange: 'w', _type: 'Person', _fossil: 'a' });
    expect(() => fossilize(new Person(), b)).toThrow(InvalidFossilError);
  });

  it('lets the first listed base win when several define the same member (zope resolution order)', () => {
    const root = defineFossil('IRootFossil', { getNick: { name: 'root' } });
    const left = defineFossil('ILeftFossil', {}, { extends: [root] });
    const right = defineFossil('IRightFossil', { getNick: { name: 'right' } }, { extends: [root] });
    const first = defineFossil('IFirstFossil', { getNick: { name: 'first' } });
    const second = defineFossil('ISecondFossil', { getNick: { name: 'second' } });
    expect(fossilize(new Person(), defineFossil('IXFossil', {}, { extends: [first, second] }))).toEqual({
      first: 'jo',
      _type: 'Person',
      _fossil: 'x',
    });
    // Diamond: right redefines the member of the shared root, and comes before root in the order.
    expect(fossilize(new Person(), defineFossil('IDFossil', {}, { extends: [left, right] }))).toEqual({
      right: 'jo',
      _type: 'Person',
      _fossil: 'd',
    });
  });

  // spec: fossilize §4.4 R-CLASS-INHERIT, R-DEFAULT-FIRST, R-DEFAULT-INHERIT
  it('uses the first declared fossil as default, inherited by subclasses, with _type the runtime class', () => {
    const f1 = defineFossil('IOneFossil', { getId: {} });
    const f2 = defineFossil('ITwoFossil', { getNick: {} });
    class Base extends Person {}
    fossilizes(Base, f1, f2);
    class Child extends Base {}
    expect(fossilize(new Base())).toEqual({ id: 1, _type: 'Base', _fossil: 'one' });
    expect(fossilize(new Child())).toEqual({ id: 1, _type: 'Child', _fossil: 'one' });
    expect(declaredFossils(Child)).toEqual([f1, f2]);
    // A subclass with its own declarations uses those first.
    class Own extends Base {}
    fossilizes(Own, f2);
    expect(fossilize(new Own())).toEqual({ nick: 'jo', _type: 'Own', _fossil: 'two' });
    expect(declaredFossils(Own)).toEqual([f2, f1]);
  });

  it('never picks IFossil itself as the default', () => {
    const f = defineFossil('IOneFossil', { getId: {} });
    class K extends Person {}
    fossilizes(K, IFossil, f);
    expect(defaultFossilOf(K)).toBe(f);
  });

  it('works as a TC39 class decorator', () => {
    const f = defineFossil('IOneFossil', { getId: {} });
    class D extends Person {}
    // What `@fossilizes(f) class D` compiles to: the decorator is called with the class and a context.
    const ctx = { kind: 'class', name: 'D', addInitializer() {}, metadata: {} } as unknown as ClassDecoratorContext;
    fossilizes(f)(D, ctx);
    expect(fossilize(new D())).toEqual({ id: 1, _type: 'D', _fossil: 'one' });
  });

  // spec: fossilize §4.4 R-ADDFOSSIL
  it('appends addFossil declarations: the default is unchanged on a class that already declares fossils', () => {
    const f1 = defineFossil('IOneFossil', { getId: {} });
    const f2 = defineFossil('ITwoFossil', { getNick: {} });
    class A extends Person {}
    fossilizes(A, f1);
    addFossil(A, f2);
    expect(declaredFossils(A)).toEqual([f1, f2]);
    expect(fossilize(new A())).toEqual({ id: 1, _type: 'A', _fossil: 'one' });
  });

  it('makes an addFossil declaration the default of a class that only inherited fossils, even a re-declared one', () => {
    const f1 = defineFossil('IOneFossil', { getId: {} });
    const f2 = defineFossil('ITwoFossil', { getNick: {} });
    class A extends Person {}
    fossilizes(A, f1, f2);
    class B extends A {}
    expect(fossilize(new B())).toEqual({ id: 1, _type: 'B', _fossil: 'one' });
    addFossil(B, [f2]);
    expect(fossilize(new B())).toEqual({ nick: 'jo', _type: 'B', _fossil: 'two' });
  });

  it('rejects non-fossils given to fossilizes and addFossil', () => {
    class A {}
    expect(() => fossilizes(A, {} as never)).toThrow(InvalidFossilError);
    expect(() => addFossil(A, 'IFooFossil' as never)).toThrow(/not a fossil/);
  });
});

it('rejects a malformed fossil definition when it is defined, naming the member (issue: bad input)', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return [(e as FossilizeError).code, (e as Error).message];
    }
    return null;
  };
  expect(codeOf(() => defineFossil('IXFossil', {}, { extends: [{} as never] }))).toEqual([
    'INVALID_DEFINITION',
    expect.stringContaining('extends[0] is not a fossil'),
  ]);
  expect(codeOf(() => defineFossil('IXFossil', { getFriends: { result: 'IUserFossil' as never } }))).toEqual([
    'INVALID_DEFINITION',
    expect.stringContaining('IXFossil.getFriends'),
  ]);
  expect(codeOf(() => defineFossil('IXFossil', { getName: { convert: 'upper' as never } }))).toEqual([
    'INVALID_DEFINITION',
    expect.stringContaining('IXFossil.getName'),
  ]);
  expect(codeOf(() => defineFossil('IXFossil', { getA: { result: { 'a.B': 3 } as never } }))).toEqual([
    'INVALID_DEFINITION',
    expect.stringContaining('IXFossil.getA'),
  ]);
  const ok = defineFossil('IXFossil', { getName: {} });
  expect(codeOf(() => ok.get('getName')!.setTaggedValue('produce', 42))).toEqual([
    'INVALID_DEFINITION',
    expect.stringContaining('IXFossil.getName'),
  ]);
});
