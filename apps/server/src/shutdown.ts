import type { Server } from 'node:http';

export interface Closable {
  name: string;
  close(): Promise<unknown> | unknown;
}

/**
 * Stops accepting connections, lets in-flight requests finish for up to `timeoutMs`, then cuts
 * the remaining connections and closes resources in reverse order of creation. Idempotent.
 */
export function createShutdown(server: Server, resources: Closable[], timeoutMs: number) {
  let done: Promise<void> | undefined;
  return (): Promise<void> => {
    done ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      if ((await Promise.race([closed, timedOut])) === 'timeout') server.closeAllConnections();
      clearTimeout(timer);
      await closed;
      for (const r of [...resources].reverse()) {
        try {
          await r.close();
        } catch {
          // A resource that fails to close must not keep the others open.
        }
      }
    })();
    return done;
  };
}
