import { expect, it } from 'vitest';
import {
  defineFossil,
  type FossilizeError,
  fossilize,
  fossilNameOf,
  InvalidFossilError,
  methodKeyOf,
} from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Thing {
  [k: string]: unknown;
}
function thing(props: Record<string, unknown>): Thing {
  return Object.assign(new Thing(), props);
}

inBothCompilers('names (spec §4.1)', () => {
  // spec: fossilize §4.1 R-FOSSIL-NAME
  it('derives _fossil from the fossil name: the group between I and Fossil, first letter lower-cased', () => {
    const cases: [string, string][] = [
      ['ISimpleUserFossil', 'simpleUser'],
      ['IURLFossil', 'uRL'],
      ['IUserFossilFossil', 'userFossil'],
      ['I_privateFossil', '_private'],
      ['I2Fossil', '2'],
    ];
    for (const [name, expected] of cases) {
      expect(fossilNameOf(name)).toBe(expected);
      const out = fossilize(thing({}), defineFossil(name, {})) as Record<string, unknown>;
      expect(out._fossil).toBe(expected);
    }
  });

  // spec: fossilize §4.1 R-FOSSIL-NAME (invalid names), §5 InvalidFossilException
  it('rejects invalid fossil names when the fossil is used, not when it is defined', () => {
    for (const name of ['UserFossil', 'IUserFossils', 'IUser', 'iUserFossil', 'IFossil', 'IUser-Fossil']) {
      const f = defineFossil(name, { getId: {} });
      expect(() => fossilize(thing({ getId: () => 1 }), f)).toThrow(InvalidFossilError);
      expect(() => fossilize(thing({ getId: () => 1 }), f)).toThrow(`Invalid fossil name: ${name}`);
    }
  });

  it('checks the fossil name before reading any member (spec §3.3 step 2)', () => {
    let calls = 0;
    const f = defineFossil('IBadName', { getId: {} });
    expect(() =>
      fossilize(
        thing({
          getId: () => {
            calls++;
            return 1;
          },
        }),
        f,
      ),
    ).toThrow(InvalidFossilError);
    expect(calls).toBe(0);
  });

  it('lets mixin bases have any name as long as the fossil used is well named (R-FOSSIL-NAME)', () => {
    const mixin = defineFossil('_IncludeMaterialFossil', { getMaterial: {} });
    const f = defineFossil('IEventFossil', { getId: {} }, { extends: [mixin] });
    expect(fossilize(thing({ getId: () => 1, getMaterial: () => 'm' }), f)).toEqual({
      material: 'm',
      id: 1,
      _type: 'Thing',
      _fossil: 'event',
    });
  });

  // spec: fossilize §4.1 R-NAME-GET
  it('maps getXyz methods to the rest of the name with its first letter lower-cased', () => {
    const cases: [string, string][] = [
      ['getName', 'name'],
      ['getURL', 'uRL'],
      ['get_id', '_id'],
      ['getter', 'ter'],
      ['getget', 'get'],
    ];
    for (const [member, key] of cases) {
      expect(methodKeyOf(member)).toBe(key);
      const f = defineFossil('IXFossil', { [member]: {} });
      expect(fossilize(thing({ [member]: () => 42 }), f)).toEqual({ [key]: 42, _type: 'Thing', _fossil: 'x' });
    }
  });

  // spec: fossilize §4.1 R-NAME-HAS-IS
  it('keeps has* and is* method names whole', () => {
    for (const member of ['hasChildren', 'isMarried', 'island', 'hash', 'issue', 'is2']) {
      expect(methodKeyOf(member)).toBe(member);
      const f = defineFossil('IXFossil', { [member]: {} });
      expect(fossilize(thing({ [member]: () => true }), f)).toEqual({ [member]: true, _type: 'Thing', _fossil: 'x' });
    }
  });

  // spec: fossilize §4.1 R-NAME-INVALID, §5 InvalidFossilException
  it('rejects methods that are not get*/has*/is* and have no name tag', () => {
    for (const member of ['title', 'get', 'is', 'has', 'Getname', 'GetName', 'fetchData', 'requiresAcc']) {
      expect(methodKeyOf(member)).toBeNull();
      const f = defineFossil('IXFossil', { [member]: {} });
      let err: unknown;
      try {
        fossilize(thing({ [member]: () => 1 }), f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidFossilError);
      expect((err as FossilizeError).code).toBe('INVALID_MEMBER_NAME');
      expect((err as Error).message).toContain(`method name '${member}' is not valid!`);
    }
  });

  // spec: fossilize §4.1 R-NAME-ATTRIBUTE
  it('keeps the member name verbatim for plain (non-function) properties, without validation', () => {
    const f = defineFossil('IXFossil', { getLabel: {}, title: {} });
    expect(fossilize(thing({ getLabel: 'L', title: 'T' }), f)).toEqual({
      getLabel: 'L',
      title: 'T',
      _type: 'Thing',
      _fossil: 'x',
    });
    // The same fossil on an object whose getLabel is a method uses the method rule.
    expect(fossilize(thing({ getLabel: () => 'L', title: 'T' }), f)).toEqual({
      label: 'L',
      title: 'T',
      _type: 'Thing',
      _fossil: 'x',
    });
  });

  // spec: fossilize §4.1 R-TAG-NAME
  it('lets a name tag win over every naming rule', () => {
    const f = defineFossil('IXFossil', {
      getId: { name: 'identityNumber' },
      requiresAccommodation: { name: 'requiresAcc' },
      label: { name: 'caption' },
    });
    expect(fossilize(thing({ getId: () => 7, requiresAccommodation: () => true, label: 'x' }), f)).toEqual({
      identityNumber: 7,
      requiresAcc: true,
      caption: 'x',
      _type: 'Thing',
      _fossil: 'x',
    });
  });

  // spec: fossilize §4.1 R-TAG-NAME-DOTTED
  it('builds nested objects from dotted names, siblings sharing their parent', () => {
    const f = defineFossil('IXFossil', {
      getFileName: { name: 'file.fileName' },
      getFileType: { name: 'file.fileType' },
      getSize: { name: 'file.meta.size' },
      getId: {},
    });
    expect(
      fossilize(thing({ getFileName: () => 'a.pdf', getFileType: () => 'pdf', getSize: () => 3, getId: () => 1 }), f),
    ).toEqual({
      file: { fileName: 'a.pdf', fileType: 'pdf', meta: { size: 3 } },
      id: 1,
      _type: 'Thing',
      _fossil: 'x',
    });
  });

  it('reuses an existing value at an intermediate segment (spec §3.3 step 8)', () => {
    const f = defineFossil('IXFossil', {
      getFile: { result: null, convert: () => ({ a: 1 }) },
      getB: { name: 'file.b' },
    });
    expect(fossilize(thing({ getFile: () => null, getB: () => 2 }), f)).toEqual({
      file: { a: 1, b: 2 },
      _type: 'Thing',
      _fossil: 'x',
    });
  });

  // spec: fossilize §4.1 R-META-FIELDS
  it('adds _type (class name) and _fossil to every object output', () => {
    const f = defineFossil('ISomeFossil', {});
    expect(fossilize(thing({}), f)).toEqual({ _type: 'Thing', _fossil: 'some' });
  });

  it('rejects members producing a top-level _type or _fossil key, but allows nested ones (R-META-FIELDS)', () => {
    const variants: Record<string, { name?: string }>[] = [
      { get_type: {} },
      { getX: { name: '_type.x' } },
      { get_fossil: {} },
      { _type: {} },
    ];
    for (const members of variants) {
      const f = defineFossil('IXFossil', members);
      const obj = thing({ get_type: () => 1, getX: () => 1, get_fossil: () => 1, _type: 'plain' });
      let err: unknown;
      try {
        fossilize(obj, f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidFossilError);
      expect((err as FossilizeError).code).toBe('RESERVED_KEY');
      expect((err as Error).message).toContain('"_type" or "_fossil" cannot be a fossil attribute');
    }
    const nested = defineFossil('IXFossil', { getX: { name: 'x._type' } });
    expect(fossilize(thing({ getX: () => 1 }), nested)).toEqual({ x: { _type: 1 }, _type: 'Thing', _fossil: 'x' });
  });
});
