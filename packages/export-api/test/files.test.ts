import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalFileStorage } from '../src/index.js';

async function read(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

// spec §9.6: files come from a storage port; the local adapter must never leave its directory.
describe('local file storage', () => {
  const outer = mkdtempSync(path.join(tmpdir(), 'export-api-fs-'));
  const root = path.join(outer, 'root');
  mkdirSync(path.join(root, 'e1'), { recursive: true });
  writeFileSync(path.join(root, 'e1', 'a.txt'), 'hello');
  writeFileSync(path.join(outer, 'secret.txt'), 'outside');

  it('opens a file under the root with its size', async () => {
    const f = await createLocalFileStorage({ root }).open('e1/a.txt');
    expect(f?.size).toBe(5);
    expect(await read(f!.stream)).toBe('hello');
  });

  it('treats missing files, directories and keys escaping the root as absent', async () => {
    const s = createLocalFileStorage({ root });
    expect(await s.open('e1/missing.txt')).toBeNull();
    expect(await s.open('e1')).toBeNull();
    expect(await s.open('../secret.txt')).toBeNull();
    expect(await s.open(path.join(outer, 'secret.txt'))).toBeNull();
  });
});
