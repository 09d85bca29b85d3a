/**
 * Every key of one scheduler, under one `{hash tag}` so a scheduler lives in one Redis Cluster slot:
 * `<prefix>{<name>}:<suffix>`. Lua scripts receive the base as KEYS[1] and build per-task keys (`task:<id>`) from it.
 */
export interface SchedulerKeys {
  base: string;
  spool: string;
  counter: string;
  refs: string;
  scheduleKeys: string;
  waiting: string;
  running: string;
  finished: string;
  failed: string;
  retired: string;
  occurrences: string;
  dead: string;
  daemons: string;
  daemonInfo: string;
  wakeChannel: string;
  task(id: number | string): string;
}

export function schedulerKeys(prefix: string, name: string): SchedulerKeys {
  if (/[{}]/.test(name)) throw new TypeError('the scheduler name may not contain braces');
  const base = `${prefix}{${name}}:`;
  return {
    base,
    spool: `${base}spool`,
    counter: `${base}ctr`,
    refs: `${base}refs`,
    scheduleKeys: `${base}keys`,
    waiting: `${base}waiting`,
    running: `${base}running`,
    finished: `${base}finished`,
    failed: `${base}failed`,
    retired: `${base}retired`,
    occurrences: `${base}occ`,
    dead: `${base}dead`,
    daemons: `${base}daemons`,
    daemonInfo: `${base}daemon-info`,
    wakeChannel: `${base}wake`,
    task: (id) => `${base}task:${id}`,
  };
}
