import { describe, expectTypeOf, it } from 'vitest';
import {
  defineFossil,
  Fossilizable,
  type Fossilized,
  type FossilNameOf,
  type FossilOutput,
  fossilize,
  fossilType,
  type MethodKey,
} from '../src/index.js';

// Type tests: checked by `tsc` (pnpm typecheck); at run time expectTypeOf is a no-op.
// spec: fossilize §11.2 item 5 (static typing of the output)

const ISimpleUserFossil = defineFossil('ISimpleUserFossil', {
  getId: {},
  getName: { convert: (x: string) => x.toUpperCase() },
});
const IComplexUserFossil = defineFossil('IComplexUserFossil', {
  getId: { name: 'identityNumber' },
  getFriends: { result: ISimpleUserFossil },
});

class User extends Fossilizable {
  declare readonly [fossilType]: 'User';
  constructor(
    public id: number,
    public name: string,
    public friends: User[] = [],
  ) {
    super();
  }
  getId(): number {
    return this.id;
  }
  getName(): string {
    return this.name;
  }
  getFriends(): User[] {
    return this.friends;
  }
}

class Untyped {
  getId() {
    return 1;
  }
}

describe('output types', () => {
  it('derives _fossil literals and method keys like the runtime rules', () => {
    expectTypeOf<FossilNameOf<'ISimpleUserFossil'>>().toEqualTypeOf<'simpleUser'>();
    expectTypeOf<FossilNameOf<'IURLFossil'>>().toEqualTypeOf<'uRL'>();
    expectTypeOf<FossilNameOf<'IUserFossilFossil'>>().toEqualTypeOf<'userFossil'>();
    expectTypeOf<FossilNameOf<'IFossil'>>().toEqualTypeOf<never>();
    expectTypeOf<MethodKey<'getName'>>().toEqualTypeOf<'name'>();
    expectTypeOf<MethodKey<'getURL'>>().toEqualTypeOf<'uRL'>();
    expectTypeOf<MethodKey<'hasChildren'>>().toEqualTypeOf<'hasChildren'>();
    expectTypeOf<MethodKey<'isMarried'>>().toEqualTypeOf<'isMarried'>();
    expectTypeOf<MethodKey<'title'>>().toEqualTypeOf<never>();
    expectTypeOf<MethodKey<'get'>>().toEqualTypeOf<never>();
  });

  it('infers the seed User outputs from the fossils and the class', () => {
    const u = new User(1, 'john');
    expectTypeOf(fossilize(u, ISimpleUserFossil)).toEqualTypeOf<{
      id: number;
      name: string;
      _type: 'User';
      _fossil: 'simpleUser';
    }>();
    expectTypeOf(u.fossilize(IComplexUserFossil)).toEqualTypeOf<{
      identityNumber: number;
      friends: { id: number; name: string; _type: 'User'; _fossil: 'simpleUser' }[];
      _type: 'User';
      _fossil: 'complexUser';
    }>();
    expectTypeOf(fossilize([u, u], ISimpleUserFossil)).toEqualTypeOf<
      { id: number; name: string; _type: 'User'; _fossil: 'simpleUser' }[]
    >();
  });

  it('types _type as string without a [fossilType] brand, and values from getters', () => {
    expectTypeOf(fossilize(new Untyped(), defineFossil('IXFossil', { getId: {} }))).toEqualTypeOf<{
      id: number;
      _type: string;
      _fossil: 'x';
    }>();
  });

  it('builds nested types from dotted names and makes onlyIf members optional', () => {
    const IFileFossil = defineFossil('IFileFossil', {
      getFileName: { name: 'file.fileName', type: 'string' },
      getFileType: { name: 'file.fileType', type: ['string', 'null'] },
      getSize: { type: 'integer', onlyIf: 'withSize' },
    });
    expectTypeOf<FossilOutput<typeof IFileFossil>>().toEqualTypeOf<{
      file: { fileName: string; fileType: string | null };
      size?: number;
      _type: string;
      _fossil: 'file';
    }>();
  });

  it('uses produce and convert return types, and unknown for undeclared members of unknown objects', () => {
    const IMixFossil = defineFossil('IMixFossil', {
      getCount: { produce: () => 3 },
      getLabel: { produce: () => 3, convert: (n: number) => `${n}` },
      hasThings: {},
    });
    expectTypeOf<FossilOutput<typeof IMixFossil>>().toEqualTypeOf<{
      count: number;
      label: string;
      hasThings: unknown;
      _type: string;
      _fossil: 'mix';
    }>();
  });

  it('keeps plain properties under their own name (R-NAME-ATTRIBUTE) and drops invalid method keys', () => {
    class Doc {
      title = 't';
      getLabel = 'l';
      summary() {
        return 's';
      }
    }
    const IDocFossil = defineFossil('IDocFossil', { title: {}, getLabel: {}, summary: {} });
    expectTypeOf(() => fossilize(new Doc(), IDocFossil)).returns.toEqualTypeOf<{
      title: string;
      getLabel: string;
      _type: string;
      _fossil: 'doc';
    }>();
  });

  it('merges inherited members, own definitions replacing the inherited ones', () => {
    const IBaseFossil = defineFossil('IBaseFossil', { getId: { type: 'integer' }, getName: { type: 'string' } });
    const IChildFossil = defineFossil(
      'IChildFossil',
      { getName: { name: 'title', type: 'string' }, isOpen: { type: 'boolean' } },
      { extends: [IBaseFossil] },
    );
    expectTypeOf<FossilOutput<typeof IChildFossil>>().toEqualTypeOf<{
      id: number;
      title: string;
      isOpen: boolean;
      _type: string;
      _fossil: 'child';
    }>();
  });

  it('types results of unknown shape by the declared type tag', () => {
    const IItemFossil = defineFossil('IItemFossil', { getId: { type: 'integer' } });
    const IListFossil = defineFossil('IListFossil', {
      getItems: { result: IItemFossil, type: 'array' },
      getMain: { result: IItemFossil, type: 'object' },
      getAny: { result: null, type: 'array' },
    });
    type Item = { id: number; _type: string; _fossil: 'item' };
    expectTypeOf<FossilOutput<typeof IListFossil>>().toEqualTypeOf<{
      items: Item[];
      main: Item;
      any: Fossilized[];
      _type: string;
      _fossil: 'list';
    }>();
  });

  it('keeps primitives and maps containers at the top level', () => {
    expectTypeOf(fossilize(3, ISimpleUserFossil)).toEqualTypeOf<number>();
    expectTypeOf(fossilize(new Set([new User(1, 'a')]), ISimpleUserFossil)).toEqualTypeOf<
      { id: number; name: string; _type: 'User'; _fossil: 'simpleUser' }[]
    >();
    expectTypeOf(() => fossilize([new User(1, 'a')])).returns.toEqualTypeOf<Fossilized[]>();
  });
});
