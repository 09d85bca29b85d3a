import { expect, it, vi } from 'vitest';
import { defineFossil, FossilMember, fossilize, fossilizes, setCodegen } from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Row {
  constructor(public id: number) {}
  getId() {
    return this.id;
  }
  getLabel() {
    return `row ${this.id}`;
  }
}

inBothCompilers('compiled fossils (issue: compiled once, spec §11.2 item 1)', () => {
  it('reads tags and derives keys once per fossil, not per object', () => {
    const f = defineFossil('IRowFossil', { getId: {}, getLabel: { name: 'text.label' } });
    const spy = vi.spyOn(FossilMember.prototype, 'getTaggedValue');
    try {
      fossilize([new Row(0)], f);
      const afterOne = spy.mock.calls.length;
      expect(afterOne).toBeGreaterThan(0);
      const rows = Array.from({ length: 100 }, (_, i) => new Row(i));
      const out = fossilize(rows, f) as { id: number; text: { label: string } }[];
      expect(spy.mock.calls.length).toBe(afterOne);
      expect(out[99]).toEqual({ id: 99, text: { label: 'row 99' }, _type: 'Row', _fossil: 'row' });
    } finally {
      spy.mockRestore();
    }
  });

  it('recompiles after a tag change and after a new declaration', () => {
    const f = defineFossil('IRowFossil', { getId: {} });
    expect(fossilize(new Row(1), f)).toEqual({ id: 1, _type: 'Row', _fossil: 'row' });
    f.get('getId')!.setTaggedValue('convert', (n: number) => n * 10);
    expect(fossilize(new Row(1), f)).toEqual({ id: 10, _type: 'Row', _fossil: 'row' });
    class Sub extends Row {}
    const g = defineFossil('ISubFossil', { getLabel: {} });
    fossilizes(Sub, g);
    expect(fossilize(new Sub(2))).toEqual({ label: 'row 2', _type: 'Sub', _fossil: 'sub' });
  });

  it('falls back to the slow path per object when a member is a plain property on some objects only', () => {
    const f = defineFossil('IRowFossil', { getId: {}, getLabel: {} });
    const plain = Object.assign(new Row(3), { getLabel: 'fixed' });
    expect(fossilize([new Row(2), plain], f)).toEqual([
      { id: 2, label: 'row 2', _type: 'Row', _fossil: 'row' },
      { id: 3, getLabel: 'fixed', _type: 'Row', _fossil: 'row' },
    ]);
  });
});

it('restores generated code', () => {
  setCodegen(true);
  expect(fossilize(new Row(1), defineFossil('IRowFossil', { getId: {} }))).toMatchObject({ id: 1 });
});
