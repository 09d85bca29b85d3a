import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../src/fake-clock.js';

describe('createFakeClock', () => {
  it('only moves when advanced', () => {
    const clock = createFakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
    clock.set(5_000);
    expect(clock.now()).toBe(5_000);
  });

  it('fires timers in due order once time passes them, and not before', () => {
    const clock = createFakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const cancelled = clock.setTimeout(() => fired.push('never'), 150);
    clock.clearTimeout(cancelled);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(150);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.pending()).toBe(0);
  });

  it('refuses to go backwards through advance()', () => {
    expect(() => createFakeClock().advance(-1)).toThrow(TypeError);
  });
});
