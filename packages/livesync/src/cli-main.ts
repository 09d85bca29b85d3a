import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isPushSyncAgent, type PushSyncAgent, type SyncAgent } from './agent.js';
import { FileAgent } from './agents/file.js';
import { HttpPushAgent } from './agents/http.js';
import { formatEntry, isObjectKind } from './changes.js';
import type { Ref } from './compaction.js';
import { isLivesyncError, LivesyncError } from './errors.js';
import { runActiveAgents } from './runner.js';
import type { SyncManager } from './sync-manager.js';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Source of `agent export` objects when no --input file is given. */
  stdin?: NodeJS.ReadableStream;
}

export const USAGE = `usage: indico-livesync <command> [options]

commands:
  list [--pointer AGENT | --from BUCKET] [--to BUCKET]   print track entries (oldest first)
  destroy --yes                                          delete every agent and the whole track
  trim                                                   drop buckets every agent has acknowledged
  agent list                                             list agents
  agent add ID --type http --url URL [--name N] [--description D] [--batch-size N]
  agent add ID --type file --path FILE [--name N] [--description D] [--batch-size N]
  agent preactivate ID                                   pointer := now, start recording
  agent export ID [--input FILE]                         send objects (JSON lines {"kind","id"}) as created
  agent activate ID                                      let periodic runs push this agent
  agent remove ID                                        delete the agent and its pointer
  agent run [ID] [--force]                               run all active agents, or one agent, and acknowledge
  agent simulate ID [--till BUCKET]                      print the records a run would send

environment: REDIS_URL (required), LIVESYNC_PREFIX (default "indico:"), LIVESYNC_HASH_TAG (default "livesync"),
LIVESYNC_GRANULARITY (default 100)`;

const options = {
  pointer: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  till: { type: 'string' },
  yes: { type: 'boolean' },
  force: { type: 'boolean' },
  type: { type: 'string' },
  url: { type: 'string' },
  path: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  'batch-size': { type: 'string' },
  input: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function int(value: string | undefined, what: string): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} must be an integer bucket number, got ${value}`);
  return n;
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

async function* readObjects(io: CliIO, input: string | undefined): AsyncGenerator<Ref> {
  const stream = input ? createReadStream(input) : io.stdin;
  if (!stream) throw new UsageError('agent export needs --input FILE or objects on stdin');
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (line.trim() === '') continue;
    const obj = JSON.parse(line) as { kind?: unknown; id?: unknown };
    if (!isObjectKind(obj.kind) || typeof obj.id !== 'string') {
      throw new LivesyncError('INVALID_ARGUMENT', `line ${n}: expected {"kind": ..., "id": "..."}, got ${line}`);
    }
    yield { kind: obj.kind, id: obj.id };
  }
}

function pushAgent(agent: SyncAgent): PushSyncAgent {
  if (!isPushSyncAgent(agent)) throw new UsageError(`agent '${agent.id}' cannot push`);
  return agent;
}

/** Runs one CLI command against a manager; returns the exit code. */
export async function runCli(argv: string[], manager: SyncManager, io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (err) {
    io.err(String((err as Error).message));
    io.err(USAGE);
    return 2;
  }
  const {
    values: o,
    positionals: [cmd, sub, id],
  } = parsed;
  if (o.help || !cmd) {
    (cmd || o.help ? io.out : io.err)(USAGE);
    return o.help ? 0 : 2;
  }
  try {
    switch (cmd) {
      case 'list': {
        if (o.pointer !== undefined && o.from !== undefined)
          throw new UsageError('--pointer and --from exclude each other');
        const to = int(o.to, '--to');
        const items =
          o.pointer !== undefined
            ? manager.query(o.pointer, to)
            : manager.getTrack().iterate(int(o.from, '--from'), to);
        for await (const [bucket, entry] of items) io.out(formatEntry(bucket, entry));
        return 0;
      }
      case 'destroy':
        if (!o.yes) throw new UsageError('destroy deletes every agent and the whole track; confirm with --yes');
        await manager.reset();
        io.out('livesync: agents and track deleted');
        return 0;
      case 'trim':
        io.out(`livesync: ${await manager.trim()} bucket(s) removed`);
        return 0;
      case 'agent':
        return await agentCommand(sub, id, o, manager, io);
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`indico-livesync: ${err.message}`);
      io.err(USAGE);
      return 2;
    }
    io.err(`indico-livesync: ${isLivesyncError(err) ? `${err.code}: ${err.message}` : String(err)}`);
    return 1;
  }
}

async function agentCommand(
  sub: string | undefined,
  id: string | undefined,
  o: Record<string, string | boolean | undefined>,
  manager: SyncManager,
  io: CliIO,
): Promise<number> {
  const str = (k: string) => o[k] as string | undefined;
  switch (sub) {
    case 'list': {
      io.out(['ID', 'TYPE', 'NAME', 'ACTIVE', 'RECORDING', 'POINTER', 'POINTER TIME'].join('\t'));
      for (const agent of (await manager.getAllAgents()).values()) {
        const info = await agent.info();
        io.out(
          [
            info.id,
            info.type,
            info.name,
            info.active,
            info.recording,
            info.lastTS ?? '-',
            info.lastDT?.toISOString() ?? '-',
          ].join('\t'),
        );
      }
      return 0;
    }
    case 'add': {
      const agentId = need(id, 'agent ID');
      const batchSize = int(str('batch-size'), '--batch-size') ?? undefined;
      const common = { id: agentId, name: str('name'), description: str('description'), batchSize };
      const type = need(str('type'), '--type (http or file)');
      const agent =
        type === 'http'
          ? new HttpPushAgent({ ...common, url: need(str('url'), '--url') })
          : type === 'file'
            ? new FileAgent({ ...common, path: need(str('path'), '--path') })
            : null;
      if (!agent) throw new UsageError(`unknown agent type '${type}' (http or file)`);
      await manager.registerNewAgent(agent);
      io.out(`livesync: agent '${agentId}' added (inactive, pointer at the beginning)`);
      return 0;
    }
    case 'preactivate': {
      const bucket = await manager.preActivateAgent(need(id, 'agent ID'));
      io.out(
        `livesync: agent '${id}' pointer at bucket ${bucket}; now run 'agent export ${id}', then 'agent activate ${id}'`,
      );
      return 0;
    }
    case 'export': {
      const agent = pushAgent(await manager.getAgent(need(id, 'agent ID')));
      const result = await agent.exportAll(readObjects(io, str('input')));
      io.out(`livesync: export done ${JSON.stringify(result)}`);
      return 0;
    }
    case 'activate':
      await manager.activateAgent(need(id, 'agent ID'));
      io.out(`livesync: agent '${id}' active`);
      return 0;
    case 'remove':
      await manager.removeAgent(need(id, 'agent ID'));
      io.out(`livesync: agent '${id}' removed`);
      return 0;
    case 'run': {
      if (id === undefined) {
        const results = await runActiveAgents(manager);
        for (const r of results) io.out(`${r.id}\t${r.status}${r.till === null ? '' : `\ttill ${r.till}`}`);
        return results.some((r) => r.status === 'not-acknowledged' || r.status === 'failed') ? 1 : 0;
      }
      const agent = pushAgent(await manager.getAgent(id));
      if (!agent.active && !o.force) throw new UsageError(`agent '${id}' is not active (use --force to run it anyway)`);
      const till = await agent.run();
      if (till === null) {
        io.out(`${id}\tnot-acknowledged`);
        return 1;
      }
      await agent.acknowledge();
      io.out(`${id}\tacknowledged\ttill ${till}`);
      return 0;
    }
    case 'simulate': {
      const agent = pushAgent(await manager.getAgent(need(id, 'agent ID')));
      for (const record of await agent.simulate(int(str('till'), '--till'))) io.out(agent.recordStr(record));
      return 0;
    }
    default:
      throw new UsageError(`unknown agent command '${sub ?? ''}'`);
  }
}
