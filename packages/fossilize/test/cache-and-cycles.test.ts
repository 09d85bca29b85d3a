import { expect, it } from 'vitest';
import {
  clearCache,
  createAttrCache,
  defineFossil,
  FossilCycleError,
  fossilize,
  fossilizes,
  setCodegen,
} from '../src/index.js';
import { inBothCompilers } from './helpers.js';

class Node {
  reads = 0;
  children: Node[] = [];
  constructor(
    public id: number,
    public label: string | (() => string) = 'n',
  ) {}
  getId() {
    this.reads++;
    return this.id;
  }
  getChildren() {
    return this.children;
  }
}
const INodeFossil = defineFossil('INodeFossil', { getId: {} });
const ITreeFossil = defineFossil('ITreeFossil', { getId: {} });
ITreeFossil.get('getId'); // members can be looked up before use
const IRecursiveFossil = defineFossil('IRecursiveFossil', { getId: {}, getChildren: { result: null } });
fossilizes(Node, IRecursiveFossil);

inBothCompilers('attribute cache (spec §6, §11.2 item 7)', () => {
  it('evaluates each getter of an object once per call with useAttrCache: true', () => {
    const n = new Node(1);
    const out = fossilize([n, n, n], INodeFossil, { useAttrCache: true });
    expect(out).toEqual([1, 1, 1].map((id) => ({ id, _type: 'Node', _fossil: 'node' })));
    expect(n.reads).toBe(1);
    // Without the option nothing is cached, and a new call starts a new cache.
    fossilize([n, n], INodeFossil);
    expect(n.reads).toBe(3);
    fossilize([n], INodeFossil, { useAttrCache: true });
    expect(n.reads).toBe(4);
  });

  it('shares values between fossils and calls through a caller-supplied cache, until it is cleared', () => {
    const n = new Node(1);
    const cache = createAttrCache();
    fossilize(n, INodeFossil, { useAttrCache: cache });
    fossilize(n, ITreeFossil, { useAttrCache: cache });
    expect(n.reads).toBe(1);
    clearCache(cache);
    fossilize(n, INodeFossil, { useAttrCache: cache });
    expect(n.reads).toBe(2);
  });

  it('keeps cached values per object, never shared between distinct objects (no _p_oid pitfall)', () => {
    const out = fossilize([new Node(1), new Node(2)], INodeFossil, { useAttrCache: true });
    expect(out).toEqual([1, 2].map((id) => ({ id, _type: 'Node', _fossil: 'node' })));
  });

  it('does not serve one fossil produce value to another fossil member of the same name', () => {
    const a = defineFossil('IAFossil', { getId: { produce: () => 'produced' } });
    const n = new Node(7);
    const cache = createAttrCache();
    expect(fossilize(n, a, { useAttrCache: cache })).toMatchObject({ id: 'produced' });
    expect(fossilize(n, INodeFossil, { useAttrCache: cache })).toMatchObject({ id: 7 });
  });

  it('keeps the plain-attribute key rule on a cache hit', () => {
    const f = defineFossil('IPlainFossil', { label: {} });
    const n = new Node(1, 'x');
    const cache = createAttrCache();
    fossilize(n, f, { useAttrCache: cache });
    expect(fossilize(n, f, { useAttrCache: cache })).toEqual({ label: 'x', _type: 'Node', _fossil: 'plain' });
  });

  it('works without ever calling clearCache (no per-thread initialisation)', () => {
    expect(fossilize(new Node(1), INodeFossil, { useAttrCache: true })).toMatchObject({ id: 1 });
  });
});

inBothCompilers('cycles (spec §5 RecursionError, §11.2 item 8)', () => {
  it('reports a cycle through result tags with its path instead of overflowing the stack', () => {
    const a = new Node(1);
    const b = new Node(2);
    a.children = [b];
    b.children = [a];
    let err: unknown;
    try {
      fossilize(a);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FossilCycleError);
    const e = err as FossilCycleError;
    expect(e.code).toBe('CYCLE');
    expect(e.path).toEqual([
      'IRecursiveFossil(Node).getChildren',
      'IRecursiveFossil(Node).getChildren',
      'IRecursiveFossil(Node)',
    ]);
  });

  it('detects cycles through a result tag naming a fossil explicitly, and filters such arrays', () => {
    const f = defineFossil('ISelfRefFossil', { getId: {}, getChildren: { filterBy: 'all' } });
    f.get('getChildren')!.setTaggedValue('result', f);
    const a = new Node(1);
    const b = new Node(2);
    a.children = [b, new Node(3)];
    expect(fossilize(a, f, { filters: { all: (n: Node) => n.id !== 3 } })).toEqual({
      id: 1,
      children: [{ id: 2, children: [], _type: 'Node', _fossil: 'selfRef' }],
      _type: 'Node',
      _fossil: 'selfRef',
    });
    b.children = [a];
    expect(() => fossilize(a, f, { filters: { all: () => true } })).toThrow(FossilCycleError);
  });

  it('allows the same object twice in a tree, and the same object under another fossil', () => {
    const shared = new Node(3);
    const root = new Node(1);
    root.children = [shared, shared];
    expect(fossilize(root)).toMatchObject({ children: [{ id: 3 }, { id: 3 }] });
    const selfView = defineFossil('ISelfFossil', {
      getId: {},
      getMe: { produce: (n: Node) => n, result: INodeFossil },
    });
    expect(fossilize(root, selfView)).toEqual({
      id: 1,
      me: { id: 1, _type: 'Node', _fossil: 'node' },
      _type: 'Node',
      _fossil: 'self',
    });
  });
});

it('switches back to generated code after the closure suite', () => {
  setCodegen(true);
  expect(fossilize(new Node(5), INodeFossil)).toEqual({ id: 5, _type: 'Node', _fossil: 'node' });
});
