import { expect, it } from 'vitest';
import { defineFossil, FossilMemberError, fossilize, fossilizes, MissingFiltersError } from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Item {
  constructor(
    public id: number,
    public tag = 'x',
  ) {}
  getId() {
    return this.id;
  }
  getTag() {
    return this.tag;
  }
}
const IItemFossil = defineFossil('IItemFossil', { getId: {} });
fossilizes(Item, IItemFossil);

class Box {
  calls = 0;
  constructor(public items: unknown) {}
  getItems() {
    this.calls++;
    return this.items;
  }
  getTitle() {
    return 'box';
  }
}

const item = (id: number) => ({ id, _type: 'Item', _fossil: 'item' });

inBothCompilers('tags (spec §4.2)', () => {
  // spec: fossilize §4.2 R-TAG-CONVERT
  it('applies convert to the member value', () => {
    const f = defineFossil('IBoxFossil', { getTitle: { convert: (s: string) => s.toUpperCase() } });
    expect(fossilize(new Box([]), f)).toEqual({ title: 'BOX', _type: 'Box', _fossil: 'box' });
  });

  // spec: fossilize §4.2 R-TAG-CONVERT-KWARGS (kwargs by parameter name become an explicit context, §11.2 item 4)
  it('passes the call options and the object to convert', () => {
    const seen: unknown[] = [];
    const f = defineFossil('IBoxFossil', {
      getTitle: {
        convert: (s: string, ctx, obj) => {
          seen.push(ctx.tz, obj);
          return `${s}@${String(ctx.tz)}`;
        },
      },
    });
    const box = new Box([]);
    expect(fossilize(box, f, { tz: 'Europe/Zurich' })).toEqual({
      title: 'box@Europe/Zurich',
      _type: 'Box',
      _fossil: 'box',
    });
    expect(seen).toEqual(['Europe/Zurich', box]);
  });

  // spec: fossilize §4.2 R-TAG-RESULT on a single object, a list, a set and a map
  it('fossilizes result values with the tag fossil: single objects, lists, sets and maps', () => {
    const f = defineFossil('IBoxFossil', { getItems: { result: IItemFossil } });
    expect(fossilize(new Box(new Item(1)), f)).toEqual({ items: item(1), _type: 'Box', _fossil: 'box' });
    expect(fossilize(new Box([new Item(1), new Item(2)]), f)).toEqual({
      items: [item(1), item(2)],
      _type: 'Box',
      _fossil: 'box',
    });
    expect(fossilize(new Box(new Set([new Item(3)])), f)).toEqual({ items: [item(3)], _type: 'Box', _fossil: 'box' });
    expect(fossilize(new Box({ a: new Item(4) }), f)).toEqual({ items: { a: item(4) }, _type: 'Box', _fossil: 'box' });
    expect(fossilize(new Box(new Map([['b', new Item(5)]])), f)).toEqual({
      items: { b: item(5) },
      _type: 'Box',
      _fossil: 'box',
    });
    expect(fossilize(new Box(null), f)).toEqual({ items: null, _type: 'Box', _fossil: 'box' });
  });

  it('uses each element default fossil for result: null (R-TAG-RESULT)', () => {
    const f = defineFossil('IBoxFossil', { getItems: { result: null } });
    expect(fossilize(new Box([new Item(1)]), f)).toEqual({ items: [item(1)], _type: 'Box', _fossil: 'box' });
  });

  // spec: fossilize §4.2 R-NO-RESULT-RAW
  it('copies values raw when there is no result or convert tag', () => {
    const items = [new Item(1)];
    const f = defineFossil('IBoxFossil', { getItems: {} });
    const out = fossilize(new Box(items), f) as Record<string, unknown>;
    expect(out.items).toBe(items);
    expect((out.items as unknown[])[0]).toBeInstanceOf(Item);
  });

  // spec: fossilize §4.2 R-TAG-ORDER: convert runs after result and sees the fossilized structure
  it('runs convert after result, on the fossilized value', () => {
    let seen: unknown;
    const f = defineFossil('IBoxFossil', {
      getItems: {
        result: IItemFossil,
        convert: (v: unknown) => {
          seen = v;
          return (v as { id: number }[]).length;
        },
      },
    });
    expect(fossilize(new Box([new Item(1), new Item(2)]), f)).toEqual({ items: 2, _type: 'Box', _fossil: 'box' });
    expect(seen).toEqual([item(1), item(2)]);
  });

  // spec: fossilize §4.2 R-TAG-PRODUCE
  it('uses produce instead of reading the member; the key still follows the method-name rule', () => {
    const box = new Box([1, 2, 3]);
    const f = defineFossil('IBoxFossil', {
      getItems: { produce: (b: Box, ctx) => `${(b.items as number[]).length}${String(ctx.suffix ?? '')}` },
    });
    expect(fossilize(box, f, { suffix: '!' })).toEqual({ items: '3!', _type: 'Box', _fossil: 'box' });
    expect(box.calls).toBe(0);
  });

  // spec: fossilize §4.2 R-TAG-ONLYIF
  it('includes an onlyIf member only when that option is truthy, without evaluating it otherwise', () => {
    const box = new Box([1]);
    const f = defineFossil('IBoxFossil', { getTitle: {}, getItems: { onlyIf: 'withItems' } });
    const without = { title: 'box', _type: 'Box', _fossil: 'box' };
    expect(fossilize(box, f)).toEqual(without);
    // Python truthiness: false, 0, '', [] and {} all exclude the member.
    for (const v of [false, 0, '', [], {}, null, undefined])
      expect(fossilize(box, f, { withItems: v })).toEqual(without);
    expect(box.calls).toBe(0);
    expect(fossilize(box, f, { withItems: 1 })).toEqual({ title: 'box', items: [1], _type: 'Box', _fossil: 'box' });
    expect(box.calls).toBe(1);
  });

  it('accepts a predicate as onlyIf', () => {
    const f = defineFossil('IBoxFossil', { getTitle: { onlyIf: (ctx, b: Box) => ctx.admin && b.items } });
    expect(fossilize(new Box([1]), f, { admin: true })).toEqual({ title: 'box', _type: 'Box', _fossil: 'box' });
    expect(fossilize(new Box([]), f, { admin: true })).toEqual({ _type: 'Box', _fossil: 'box' });
  });

  // spec: fossilize §4.2 R-TAG-FILTERBY
  it('filters the elements of a result iterable with the named filter, before fossilization', () => {
    const raw: unknown[] = [];
    const f = defineFossil('IBoxFossil', { getItems: { result: IItemFossil, filterBy: 'odd' } });
    const filters = {
      odd: (e: Item) => {
        raw.push(e);
        return e.id % 2;
      },
    };
    const items = [new Item(1), new Item(2), new Item(3)];
    expect(fossilize(new Box(items), f, { filters })).toEqual({
      items: [item(1), item(3)],
      _type: 'Box',
      _fossil: 'box',
    });
    expect(raw).toEqual(items);
  });

  it('filters only the outermost iterable; dicts and single objects ignore filterBy (R-TAG-FILTERBY)', () => {
    const f = defineFossil('IBoxFossil', { getItems: { result: IItemFossil, filterBy: 'none' } });
    const filters = { none: () => false };
    expect(fossilize(new Box({ a: new Item(1) }), f, { filters })).toEqual({
      items: { a: item(1) },
      _type: 'Box',
      _fossil: 'box',
    });
    expect(fossilize(new Box(new Item(1)), f, { filters })).toEqual({ items: item(1), _type: 'Box', _fossil: 'box' });
    expect(fossilize(new Box([[new Item(1)]]), f, { filters })).toEqual({ items: [], _type: 'Box', _fossil: 'box' });
  });

  it('ignores a filterBy predicate without result, but still requires the filter to exist (R-TAG-FILTERBY)', () => {
    const f = defineFossil('IBoxFossil', { getItems: { filterBy: 'none' } });
    expect(fossilize(new Box([1, 2]), f, { filters: { none: () => false } })).toEqual({
      items: [1, 2],
      _type: 'Box',
      _fossil: 'box',
    });
    expect(() => fossilize(new Box([1, 2]), f)).toThrow(MissingFiltersError);
  });

  // spec: fossilize §4.2 R-TAGS
  it('ignores unknown tags but keeps them readable', () => {
    const f = defineFossil('IBoxFossil', { getTitle: { colour: 'red', weight: 3 } });
    expect(fossilize(new Box([]), f)).toEqual({ title: 'box', _type: 'Box', _fossil: 'box' });
    expect(f.get('getTitle')!.getTaggedValue('colour')).toBe('red');
    expect(f.get('getTitle')!.getTaggedValueTags()).toEqual(['colour', 'weight']);
  });

  // spec: fossilize §4.2 R-TAGS-LIVE
  it('uses a tag changed at run time on the next call, for the fossil and for fossils inheriting the member', () => {
    const base = defineFossil('IBaseBoxFossil', { getTitle: {} });
    const derived = defineFossil('IDerivedBoxFossil', { getItems: {} }, { extends: [base] });
    const box = new Box([]);
    expect(fossilize(box, derived)).toEqual({ title: 'box', items: [], _type: 'Box', _fossil: 'derivedBox' });
    // get() returns the defining fossil's member object, so changing it through the derived fossil changes both.
    expect(derived.get('getTitle')).toBe(base.get('getTitle'));
    derived.get('getTitle')!.setTaggedValue('convert', (s: string) => s.length);
    expect(fossilize(box, derived)).toEqual({ title: 3, items: [], _type: 'Box', _fossil: 'derivedBox' });
    expect(fossilize(box, base)).toEqual({ title: 3, _type: 'Box', _fossil: 'baseBox' });
    derived.get('getTitle')!.setTaggedValue('convert', undefined);
    expect(fossilize(box, base)).toEqual({ title: 'box', _type: 'Box', _fossil: 'baseBox' });
  });

  it('wraps an error thrown by convert with the fossil, member and class names (spec §5)', () => {
    const boom = new Error('boom');
    const f = defineFossil('IBoxFossil', {
      getTitle: {
        convert: () => {
          throw boom;
        },
      },
    });
    let err: unknown;
    try {
      fossilize(new Box([]), f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FossilMemberError);
    const e = err as FossilMemberError;
    expect(e.code).toBe('MEMBER_FAILED');
    expect(e.cause).toBe(boom);
    expect([e.fossil, e.member, e.className, e.stage]).toEqual(['IBoxFossil', 'getTitle', 'Box', 'convert']);
    expect(e.message).toContain('IBoxFossil.getTitle');
    expect(e.message).toContain("'Box'");
  });
});
