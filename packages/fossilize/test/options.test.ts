import { expect, it } from 'vitest';
import { defineFossil, fossilize, fossilizes, InvalidFossilError, setFossilClassName } from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Contribution {
  constructor(
    public id: number,
    public speakers: Speaker[] = [],
  ) {}
  getId() {
    return this.id;
  }
  getSpeakers() {
    return this.speakers;
  }
}
class AcceptedContribution extends Contribution {}
class Speaker {
  constructor(public name: string) {}
  getName() {
    return this.name;
  }
}
setFossilClassName(Contribution, 'indico.conference.Contribution');
setFossilClassName(AcceptedContribution, 'indico.conference.AcceptedContribution');

const ISpeakerFossil = defineFossil('ISpeakerFossil', {
  getName: { convert: (n: string, ctx) => (ctx.upper ? n.toUpperCase() : n) },
});
const IContributionFossil = defineFossil('IContributionFossil', {
  getId: {},
  getSpeakers: { result: ISpeakerFossil },
});
const IOtherFossil = defineFossil('IOtherFossil', { getId: {} });
fossilizes(Speaker, ISpeakerFossil);

inBothCompilers('call options (spec §4.5)', () => {
  // spec: fossilize §4.5 interfaceArg: maps apply to container elements, result tags use their own argument
  it('applies a fossil map to the elements of containers, while result tags keep their own fossil', () => {
    const map = new Map([[AcceptedContribution, IContributionFossil]]);
    const out = fossilize({ list: [new AcceptedContribution(1, [new Speaker('ann')])] }, map);
    expect(out).toEqual({
      list: [
        {
          id: 1,
          speakers: [{ name: 'ann', _type: 'Speaker', _fossil: 'speaker' }],
          _type: 'AcceptedContribution',
          _fossil: 'contribution',
        },
      ],
    });
  });

  it('matches map keys by full dotted name first, then by the exact class; never by superclass (R-IFACE-DICT)', () => {
    const c = new AcceptedContribution(1);
    expect(
      fossilize(c, { 'indico.conference.AcceptedContribution': IOtherFossil } as const) as Record<string, unknown>,
    ).toMatchObject({ _fossil: 'other' });
    const both = new Map<unknown, typeof IOtherFossil | typeof IContributionFossil>([
      ['indico.conference.AcceptedContribution', IOtherFossil],
      [AcceptedContribution, IContributionFossil],
    ]);
    expect(fossilize(c, both as never)).toMatchObject({ _fossil: 'other' });
    expect(() => fossilize(c, new Map([[Contribution, IOtherFossil]]))).toThrow(/not a key/);
    expect(() => fossilize(c, { 'indico.conference.Contribution': IOtherFossil })).toThrow(/not a key/);
  });

  it('uses an explicit fossil without checking the class declares it (R-IFACE-EXPLICIT)', () => {
    expect(fossilize(new Contribution(4), IOtherFossil)).toEqual({ id: 4, _type: 'Contribution', _fossil: 'other' });
  });

  // spec: fossilize §4.5 mapClassType
  it('renames _type with mapClassType for every object of the call, by short class name only', () => {
    const c = new AcceptedContribution(1, [new Speaker('ann')]);
    const out = fossilize([c], IContributionFossil, {
      mapClassType: { AcceptedContribution: 'Contribution', Speaker: 'Person' },
    });
    expect(out).toEqual([
      {
        id: 1,
        speakers: [{ name: 'ann', _type: 'Person', _fossil: 'speaker' }],
        _type: 'Contribution',
        _fossil: 'contribution',
      },
    ]);
    const full = fossilize(c, IOtherFossil, {
      mapClassType: new Map([['indico.conference.AcceptedContribution', 'X']]),
    }) as Record<string, unknown>;
    expect(full._type).toBe('AcceptedContribution');
  });

  it('hides mapClassType, useAttrCache and filterBy from converters (spec §4.5)', () => {
    let ctxSeen: Record<string, unknown> = {};
    const f = defineFossil('ISpyFossil', {
      getId: {
        convert: (v: number, ctx) => {
          ctxSeen = { ...ctx };
          return v;
        },
      },
    });
    fossilize(new Contribution(1), f, { mapClassType: {}, useAttrCache: true, filterBy: () => 1, tz: 'UTC' });
    expect(ctxSeen).toEqual({ tz: 'UTC' });
  });

  // spec: fossilize §4.5 R-KWARGS-PROPAGATE
  it('passes every other option unchanged to converters of nested fossilizations', () => {
    const c = new Contribution(1, [new Speaker('ann')]);
    expect(fossilize(c, IContributionFossil, { upper: true })).toEqual({
      id: 1,
      speakers: [{ name: 'ANN', _type: 'Speaker', _fossil: 'speaker' }],
      _type: 'Contribution',
      _fossil: 'contribution',
    });
  });

  // spec: fossilize §4.5 filters
  it('makes the filters option visible to converters too', () => {
    let seen: unknown;
    const f = defineFossil('ISpyFossil', {
      getId: {
        convert: (v: number, ctx) => {
          seen = ctx.filters;
          return v;
        },
      },
    });
    const filters = { a: () => true };
    fossilize(new Contribution(1), f, { filters });
    expect(seen).toBe(filters);
  });

  it('rejects a fossil argument that is neither a fossil, a map nor null (spec §9 doc-wrong-call-signature)', () => {
    const c = new Contribution(1);
    expect(() => fossilize(c, c as never)).toThrow(InvalidFossilError);
    expect(() => fossilize(c, 'IContributionFossil' as never)).toThrow(InvalidFossilError);
    expect(() => fossilize(c, { a: 'b' } as never)).toThrow(/not a fossil/);
  });
});
