import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** A stored file opened for streaming. */
export interface StoredFile {
  stream: AsyncIterable<Uint8Array>;
  /** Bytes (sent as Content-Length). */
  size: number;
}

/** File storage port of the `.bin` resource (spec §9.6): opens a file by its storage key. */
export interface FileStorage {
  /** `null` when there is no such file. Keys are relative paths such as `301397/slides.pdf`. */
  open(key: string): Promise<StoredFile | null>;
}

/**
 * Files of a local directory. A key that would leave `root` (`..`, absolute paths) is treated as absent, so
 * a crafted storage key can never read outside the directory.
 */
export function createLocalFileStorage(options: { root: string }): FileStorage {
  const root = path.resolve(options.root);
  return {
    async open(key) {
      const full = path.resolve(root, key);
      if (full !== root && !full.startsWith(`${root}${path.sep}`)) return null;
      try {
        const st = await stat(full);
        if (!st.isFile()) return null;
        return { stream: createReadStream(full), size: st.size };
      } catch {
        return null;
      }
    },
  };
}
