import { expect, it } from 'vitest';
import { defineFossil, Fossilizable, fossilize, fossilizes, setFossilClassName } from '../src/index.js';
import { inBothCompilers } from './helpers.js';

// The seed's chapter 1 example (User, ISimpleUserFossil, IComplexUserFossil), with the outputs corrected as
// spec §9 says: `_fossil` drops the `Fossil` suffix, and IComplexUserFossil renames the *top-level* id while
// friends are rendered with ISimpleUserFossil.
const ISimpleUserFossil = defineFossil('ISimpleUserFossil', {
  getId: {},
  getName: { convert: (x: string) => x.toUpperCase() },
});
const IComplexUserFossil = defineFossil('IComplexUserFossil', {
  getId: { name: 'identityNumber' },
  getFriends: { result: ISimpleUserFossil },
});
const ISimpleGroupFossil = defineFossil('ISimpleGroupFossil', { getId: {}, getGroupName: {} });
const IComplexGroupFossil = defineFossil('IComplexGroupFossil', { getId: {}, getMembers: { result: null } });

class User extends Fossilizable {
  constructor(
    public id: number,
    public name: string,
    public friends: User[] = [],
  ) {
    super();
  }
  getId() {
    return this.id;
  }
  getName() {
    return this.name;
  }
  getFriends() {
    return this.friends;
  }
}
fossilizes(User, ISimpleUserFossil, IComplexUserFossil);
setFossilClassName(User, 'package.subpackage.User');

class Group extends Fossilizable {
  constructor(
    public id: number,
    public groupName: string,
  ) {
    super();
  }
  getId() {
    return this.id;
  }
  getGroupName() {
    return this.groupName;
  }
  getMembers() {
    return [];
  }
}
fossilizes(Group, ISimpleGroupFossil, IComplexGroupFossil);
setFossilClassName(Group, 'package.subpackage.Group');

inBothCompilers('seed chapter 1 examples', () => {
  it('renders u1 with ISimpleUserFossil (spec §9 doc-simple-user: _fossil is simpleUser)', () => {
    const u1 = new User(1, 'john');
    expect(u1.fossilize(ISimpleUserFossil)).toEqual({ id: 1, name: 'JOHN', _type: 'User', _fossil: 'simpleUser' });
  });

  it('renders u3 with IComplexUserFossil: identityNumber at top, friends through ISimpleUserFossil (spec §9 doc-complex-user)', () => {
    const u1 = new User(1, 'john');
    const u2 = new User(2, 'bob');
    const u3 = new User(3, 'lisa', [u1, u2]);
    expect(u3.fossilize(IComplexUserFossil)).toEqual({
      identityNumber: 3,
      friends: [
        { id: 1, name: 'JOHN', _type: 'User', _fossil: 'simpleUser' },
        { id: 2, name: 'BOB', _type: 'User', _fossil: 'simpleUser' },
      ],
      _type: 'User',
      _fossil: 'complexUser',
    });
  });

  it('fossilizes a list of users with one fossil', () => {
    const users = [new User(1, 'john'), new User(2, 'bob'), new User(3, 'lisa')];
    expect(fossilize(users, ISimpleUserFossil)).toEqual([
      { id: 1, name: 'JOHN', _type: 'User', _fossil: 'simpleUser' },
      { id: 2, name: 'BOB', _type: 'User', _fossil: 'simpleUser' },
      { id: 3, name: 'LISA', _type: 'User', _fossil: 'simpleUser' },
    ]);
  });

  const expectedFriends = [
    { id: 1, name: 'JOHN', _type: 'User', _fossil: 'simpleUser' },
    { id: 5, groupName: 'family', _type: 'Group', _fossil: 'simpleGroup' },
  ];

  it('uses each object default fossil with a null fossil argument (seed §1.2.5)', () => {
    const friends = [new User(1, 'john'), new Group(5, 'family')];
    expect(fossilize(friends)).toEqual(expectedFriends);
    expect(fossilize(friends, null)).toEqual(expectedFriends);
  });

  it('picks fossils from a map keyed by class objects (seed §1.2.5)', () => {
    const friends = [new User(1, 'john'), new Group(5, 'family')];
    const map = new Map<unknown, typeof ISimpleUserFossil | typeof ISimpleGroupFossil>([
      [User, ISimpleUserFossil],
      [Group, ISimpleGroupFossil],
    ]);
    expect(fossilize(friends, map as never)).toEqual(expectedFriends);
  });

  it('picks fossils from a map keyed by full dotted class names (seed §1.2.5)', () => {
    const friends = [new User(1, 'john'), new Group(5, 'family')];
    expect(
      fossilize(friends, {
        'package.subpackage.User': ISimpleUserFossil,
        'package.subpackage.Group': ISimpleGroupFossil,
      }),
    ).toEqual(expectedFriends);
  });

  it('rejects short class names as map keys, unlike the seed doc says (spec §9 doc-dict-short-class-name)', () => {
    const friends = [new User(1, 'john'), new Group(5, 'family')];
    expect(() => fossilize(friends, { User: ISimpleUserFossil, Group: ISimpleGroupFossil })).toThrow(
      /not a key in the provided fossils dictionary/,
    );
  });

  it('changes a tag at run time and uses it on the next call (seed §1.2.6)', () => {
    const u3 = new User(3, 'lisa', [new User(1, 'john')]);
    const before = u3.fossilize(IComplexUserFossil);
    expect(before).toHaveProperty('friends');
    IComplexUserFossil.get('getFriends')!.setTaggedValue('name', 'myFriends');
    try {
      const after = u3.fossilize(IComplexUserFossil) as Record<string, unknown>;
      expect(after).not.toHaveProperty('friends');
      expect(after.myFriends).toEqual([{ id: 1, name: 'JOHN', _type: 'User', _fossil: 'simpleUser' }]);
    } finally {
      IComplexUserFossil.get('getFriends')!.setTaggedValue('name', undefined);
    }
    expect(u3.fossilize(IComplexUserFossil)).toHaveProperty('friends');
  });
});
