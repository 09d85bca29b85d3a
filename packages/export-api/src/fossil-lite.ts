/* biome-ignore-all lint/suspicious/noExplicitAny: interim stand-in mirroring @indico/fossilize signatures. */
/**
 * INTERIM stand-in for @indico/fossilize with the same definition surface (`defineFossil(name, members,
 * { extends })`, tags `name`, `produce`, `convert`, `result`, `onlyIf`, `filterBy`). Replaced by the real
 * package once it is published in the workspace; nothing outside `fossils.ts` imports this file.
 */
export type FossilizeContext = {
  readonly filters?: Record<string, (el: any) => unknown>;
  readonly [k: string]: unknown;
};

export interface MemberTags {
  readonly name?: string;
  readonly produce?: (obj: any, ctx: FossilizeContext) => unknown;
  readonly convert?: (value: any, ctx: FossilizeContext, obj: any) => unknown;
  readonly result?: Fossil | null;
  readonly onlyIf?: string;
  readonly filterBy?: string;
}

export class Fossil {
  readonly name: string;
  readonly fossilName: string;
  readonly members: ReadonlyArray<[string, MemberTags, string]>;
  constructor(name: string, members: Record<string, MemberTags>, bases: readonly Fossil[]) {
    const m = /^I(\w+)Fossil$/.exec(name);
    if (!m) throw new TypeError(`invalid fossil name ${name}`);
    this.name = name;
    this.fossilName = m[1]![0]!.toLowerCase() + m[1]!.slice(1);
    const merged = new Map<string, MemberTags>();
    for (const b of bases) for (const [n, t] of b.members) merged.set(n, t);
    for (const [n, t] of Object.entries(members)) merged.set(n, t);
    this.members = [...merged].map(([n, t]) => [n, t, t.name ?? keyOf(n)]);
  }
}

function keyOf(member: string): string {
  const m = /^(?:get(\w+)|(has\w+)|(is\w+))/.exec(member);
  const raw = m ? (m[1] ?? m[2] ?? m[3]!) : member;
  return raw[0]!.toLowerCase() + raw.slice(1);
}

export function defineFossil(name: string, members: Record<string, MemberTags>, opts?: { extends?: Fossil[] }): Fossil {
  return new Fossil(name, members, opts?.extends ?? []);
}

export function fossilize(target: unknown, fossil: Fossil | null, ctx: FossilizeContext): unknown {
  if (target === null || typeof target !== 'object') return target;
  if (Array.isArray(target)) return target.map((t) => fossilize(t, fossil, ctx));
  if (!fossil) throw new TypeError('no fossil given');
  const out: Record<string, unknown> = {};
  for (const [member, tags, key] of fossil.members) {
    if (tags.onlyIf && !ctx[tags.onlyIf]) continue;
    let v: unknown = tags.produce ? tags.produce(target, ctx) : (target as any)[member];
    if (typeof v === 'function') v = (v as () => unknown).call(target);
    if (tags.result !== undefined && v !== null && typeof v === 'object') {
      let list = v;
      if (tags.filterBy && Array.isArray(v)) {
        const pred = ctx.filters?.[tags.filterBy];
        if (!pred) throw new TypeError(`No filter '${tags.filterBy}' defined!`);
        list = v.filter((e) => pred(e));
      }
      v = fossilize(list, tags.result, ctx);
    }
    if (tags.convert) v = tags.convert(v, ctx, target);
    out[key] = v;
  }
  out._type = (target as object).constructor.name;
  out._fossil = fossil.fossilName;
  return out;
}
