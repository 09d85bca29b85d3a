import { describe, expect, it } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: schemas are navigated freely in assertions.
type Loose = Record<string, any>;

import { defineFossil, fossilize, InvalidFossilError, toJSONSchema } from '../src/index.js';

// spec: fossilize §11.2 item 6 (JSON Schema generation from fossil definitions)
const ISpeakerFossil = defineFossil('ISpeakerFossil', { getName: { type: 'string', description: 'Full name' } });
const ITalkFossil = defineFossil('ITalkFossil', {
  getId: { type: 'integer' },
  getRoom: { name: 'location.room', type: ['string', 'null'] },
  getBuilding: { name: 'location.building', type: 'string' },
  getSpeakers: { result: ISpeakerFossil, type: 'array' },
  getNotes: { onlyIf: 'withNotes', schema: { type: 'string', maxLength: 100 } },
  getParent: { result: null, type: 'object' },
  getAnything: {},
});

describe('toJSONSchema', () => {
  it('describes keys, nesting, declared types, nested fossils, optional members and the meta fields', () => {
    const schema = toJSONSchema(ITalkFossil) as Loose;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('ITalkFossil');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.id).toEqual({ type: 'integer' });
    expect(schema.properties.location).toEqual({
      type: 'object',
      properties: { room: { type: ['string', 'null'] }, building: { type: 'string' } },
      required: ['room', 'building'],
      additionalProperties: false,
    });
    expect(schema.properties.speakers).toEqual({ type: 'array', items: { $ref: '#/$defs/ISpeakerFossil' } });
    expect(schema.properties.notes).toEqual({ type: 'string', maxLength: 100 });
    expect(schema.properties.anything).toEqual({});
    expect(schema.properties._type).toEqual({ type: 'string' });
    expect(schema.properties._fossil).toEqual({ const: 'talk' });
    expect(schema.required).toEqual(['id', 'location', 'speakers', 'parent', 'anything', '_type', '_fossil']);
    expect(schema.$defs.ISpeakerFossil.properties.name).toEqual({ type: 'string', description: 'Full name' });
    expect(schema.$defs.ISpeakerFossil.properties._fossil).toEqual({ const: 'speaker' });
  });

  it('refers to the root for recursive fossils instead of looping', () => {
    const IRecFossil = defineFossil('IRecFossil', { getKids: { type: 'array' } });
    IRecFossil.get('getKids')!.setTaggedValue('result', IRecFossil);
    const schema = toJSONSchema(IRecFossil) as Loose;
    expect(schema.properties.kids).toEqual({ type: 'array', items: { $ref: '#' } });
    IRecFossil.get('getKids')!.setTaggedValue('result', undefined);
  });

  it('matches real output: every key of a fossilized object is described', () => {
    class Talk {
      getId() {
        return 1;
      }
      getRoom() {
        return null;
      }
      getBuilding() {
        return '513';
      }
      getSpeakers() {
        return [];
      }
      getParent() {
        return null;
      }
      getAnything() {
        return 'x';
      }
    }
    const out = fossilize(new Talk(), ITalkFossil) as Record<string, unknown>;
    const schema = toJSONSchema(ITalkFossil) as Loose;
    expect(Object.keys(out).sort()).toEqual([...schema.required].sort());
  });

  it('rejects a fossil with an invalid name', () => {
    expect(() => toJSONSchema(defineFossil('Bad', {}))).toThrow(InvalidFossilError);
  });
});
