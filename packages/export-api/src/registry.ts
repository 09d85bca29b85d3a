import type { Requester } from './access.js';
import type { FileStorage, StoredFile } from './files.js';
import type { CommonParams, ParamReader } from './params.js';
import type { Catalog } from './store.js';
import type { ExportUrls } from './urls.js';

/** Every format the router knows (spec §1.2); a hook may narrow it with `formats`. */
export const KNOWN_FORMATS = ['json', 'jsonp', 'xml', 'html', 'ics', 'atom'] as const;
/** `bin` is not a known format: only a hook that lists it in `formats` serves it (the file resource). */
export type ExportFormat = (typeof KNOWN_FORMATS)[number] | 'bin';

/** What a hook handler receives. */
export interface HookContext {
  readonly catalog: Catalog;
  /** The request's parameters (without the control parameters such as `ak`, `pretty`, `signature`). */
  readonly params: ParamReader;
  readonly common: CommonParams;
  /** First capture group of the path pattern (e.g. `categ` or `event`), Indico's hook "type". */
  readonly type: string;
  /** Named groups of the path pattern. */
  readonly groups: Readonly<Record<string, string>>;
  readonly format: ExportFormat;
  readonly user: Requester | null;
  /** Request time, epoch ms (from the injected clock). */
  readonly now: number;
  readonly urls: ExportUrls;
  readonly method: 'GET' | 'POST';
  /** Reports the changes of a successful write to the handler's `onChange` sink (no-op without one). */
  readonly recordChanges: (changes: readonly ExportChange[]) => Promise<void>;
  /** Where stored files are read from (`files` option); null when none is configured. */
  readonly files: FileStorage | null;
}

/**
 * A change made by an `/api` write (registrant paid / checked in, room booked). Entries with `ref.kind`
 * `event` have the shape of a livesync `ChangeInput`; `reservation` entries have no livesync kind.
 */
export interface ExportChange {
  ref: { kind: 'event' | 'reservation'; id: string };
  changes: 'data_changed' | 'created';
  /** What the write did, e.g. `registrant 0 paid`. */
  detail: string;
}

export interface HookResult {
  /** A list, or an object (then `count` is its number of keys). */
  results: unknown;
  /** Defaults to true (non-iterated hooks). */
  complete?: boolean;
  additionalInfo?: Record<string, unknown>;
  /** A file to stream instead of an envelope (`.bin`); `results` is then ignored. */
  file?: StoredFile & { contentType: string; fileName?: string };
}

/** A resource of the export API. Core resources use this same type; users register their own with `hooks`. */
export interface HookDefinition {
  /** Name for diagnostics, e.g. `categ-event`. */
  readonly name: string;
  /** `export` (GET, `/export/...`) or `api` (POST, `/api/...`). Default `export`. */
  readonly prefix?: 'export' | 'api';
  /**
   * Path pattern after `/<prefix>/` and before `.<format>`, as a regular expression source with ASCII
   * classes, e.g. `(categ|event)/(?<idlist>\\w+(?:-\\w+)*)`. Anchored at both ends by the router.
   */
  readonly pattern: string;
  /** Required method; a mismatch is 405 with `Allow`. Default: GET for export, POST for api. */
  readonly method?: 'GET' | 'POST';
  /** Allowed formats; default: all known formats. Others give a plain 404. */
  readonly formats?: readonly ExportFormat[];
  /** Default true. When false, anonymous requests get 403 `Guest access to this resource is forbidden.` */
  readonly guestAllowed?: boolean;
  /** Never cache results of this hook. */
  readonly noCache?: boolean;
  /** Detail level -> maximum records. When set, an unknown `detail` is a 400. */
  readonly detailLevels?: Readonly<Record<string, number>>;
  readonly defaultDetail?: string;
  /** Extra access check after the guest check; false gives 403 `Access to this resource is restricted.` */
  readonly hasAccess?: (ctx: HookContext) => boolean | Promise<boolean>;
  readonly handler: (ctx: HookContext) => Promise<HookResult>;
}

export interface ResolvedHook {
  hook: HookDefinition;
  type: string;
  groups: Record<string, string>;
  format: ExportFormat;
}

interface Compiled {
  hook: HookDefinition;
  re: RegExp;
}

/** Ordered list of hooks; the first whose pattern matches wins (spec §1.2). */
export class HookRegistry {
  readonly #hooks: Compiled[] = [];

  constructor(hooks: readonly HookDefinition[] = []) {
    for (const h of hooks) this.register(h);
  }

  /** Appends a hook (after every hook registered before it). */
  register(hook: HookDefinition): this {
    if (typeof hook.handler !== 'function') throw new TypeError(`hook ${hook.name} needs a handler`);
    let re: RegExp;
    try {
      re = new RegExp(`^/${hook.prefix ?? 'export'}/${hook.pattern}\\.([A-Za-z0-9_]+)$`);
    } catch (cause) {
      throw new TypeError(`hook ${hook.name} has an invalid pattern: ${String(cause)}`);
    }
    if (hook.defaultDetail && hook.detailLevels && !Object.hasOwn(hook.detailLevels, hook.defaultDetail)) {
      throw new TypeError(`hook ${hook.name}: default detail ${hook.defaultDetail} is not a detail level`);
    }
    this.#hooks.push({ hook, re });
    return this;
  }

  list(): HookDefinition[] {
    return this.#hooks.map((c) => c.hook);
  }

  /** The hook for a decoded path such as `/export/categ/2.json`, or null (a plain 404). */
  resolve(path: string): ResolvedHook | null {
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // keep the path as is: the second decode of spec §1.2 only matters for matching
    }
    for (const { hook, re } of this.#hooks) {
      const m = re.exec(decoded);
      if (!m) continue;
      const format = m[m.length - 1]!;
      const allowed: readonly string[] = hook.formats ?? KNOWN_FORMATS;
      if (!allowed.includes(format)) return null;
      return { hook, type: m[1] ?? '', groups: { ...(m.groups ?? {}) }, format: format as ExportFormat };
    }
    return null;
  }
}
