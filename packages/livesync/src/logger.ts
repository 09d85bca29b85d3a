/** The part of a pino logger this package uses; pass `pino()` or any compatible object. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
