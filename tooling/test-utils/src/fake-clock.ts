export interface Clock {
  now(): number;
}

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A manual clock for tests: `now()` only moves when the test calls `advance` or `set`.
 * Timers registered with `setTimeout` fire, in due order, as time is advanced past them.
 */
export interface FakeClock extends Clock {
  advance(ms: number): void;
  set(epochMs: number): void;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
  /** Number of timers still waiting. */
  pending(): number;
}

export function createFakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let current = start;
  let nextId = 1;
  let timers: Timer[] = [];
  const runDue = () => {
    for (;;) {
      const due = timers.filter((t) => t.at <= current).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) return;
      timers = timers.filter((t) => t !== due);
      due.fn();
    }
  };
  return {
    now: () => current,
    advance(ms) {
      if (!(ms >= 0)) throw new TypeError(`advance() needs a non-negative number of ms, got ${ms}`);
      current += ms;
      runDue();
    },
    set(epochMs) {
      current = epochMs;
      runDue();
    },
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.push({ id, at: current + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(id) {
      timers = timers.filter((t) => t.id !== id);
    },
    pending: () => timers.length,
  };
}
