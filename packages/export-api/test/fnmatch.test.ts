import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFnmatch } from '../src/index.js';

// Reference: Python's fnmatch.translate as a regular expression (fine for the tiny inputs generated here).
function reference(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let body = pattern
          .slice(i + 1, j)
          .replace(/\\/g, '\\\\')
          .replace(/]/g, '\\]');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        else if (body.startsWith('^')) body = `\\${body}`;
        re += `[${body}]`;
        i = j;
      }
    } else re += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

describe('location/room wildcards (spec §9.1 fnmatch)', () => {
  it('agrees with the fnmatch translation on random patterns and names (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', '1', '-', '*', '?', '[', ']', '!');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '1', '-', '[', ']', '!'), maxLength: 8 }),
        (pattern, name) => {
          let ref: RegExp;
          try {
            ref = reference(pattern);
          } catch {
            fc.pre(false); // a reversed range such as [b-a]: Python 2 refused the pattern too
            return;
          }
          expect(compileFnmatch(pattern).test(name)).toBe(ref.test(name));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
