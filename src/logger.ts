/**
 * The broker's logger: pino, structured JSON, one object per line on stdout.
 *
 * Responsibilities:
 * - map RabbitMQ's level names (`log.console.level`) onto pino's;
 * - `log.console = false` or level `none` → silent;
 * - redact anything that looks like a password or a message body, as a
 *   safety net: callers must never pass them in the first place.
 *
 * The returned pino logger satisfies the core's `Logger` interface.
 *
 * stdout is written synchronously: broker logs are low-volume, nothing is
 * lost at exit, and it avoids sonic-boom's async exit flush, which retries a
 * write to a closed pipe (EPIPE) forever and so hung `process.exit`. If
 * stdout fails (reader gone), logging stops and the broker keeps running.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './config/schema.js';

export type BrokerLogger = PinoLogger;

const LEVELS: Record<LogLevel, string> = {
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
  none: 'silent',
};

/** Paths pino replaces with "[redacted]". */
export const REDACT_PATHS = [
  'password',
  'pass',
  'passwd',
  'default_pass',
  'defaultPass',
  'body',
  'payload',
  '*.password',
  '*.pass',
  '*.defaultPass',
  '*.body',
  '*.payload',
];

export interface LoggerOptions {
  readonly level: LogLevel;
  /** `log.console`; false → silent */
  readonly console?: boolean;
  /** defaults to stdout; tests pass a stream to capture lines */
  readonly destination?: DestinationStream;
}

/** pino level name for a RabbitMQ level name. */
export function pinoLevel(level: LogLevel, consoleOn = true): string {
  return consoleOn ? LEVELS[level] : 'silent';
}

export function createLogger(o: LoggerOptions): BrokerLogger {
  const opts = {
    level: pinoLevel(o.level, o.console ?? true),
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(opts, o.destination ?? stdoutDestination());
}

function stdoutDestination(): DestinationStream {
  const out = pino.destination({ dest: 1, sync: true });
  let open = true;
  out.on('error', (err: NodeJS.ErrnoException) => {
    open = false;
    try {
      process.stderr.write(`polyport: log output failed (${err.code ?? err.message}); logging stopped\n`);
    } catch {
      // stderr is gone too
    }
  });
  return { write: (line: string) => void (open && out.write(line)) };
}

/** Flushes buffered log lines (pino's stdout destination is synchronous; this is belt and braces). */
export function flushLogger(logger: { flush?: (cb?: (err?: Error) => void) => void }): Promise<void> {
  return new Promise((resolve) => {
    if (typeof logger.flush !== 'function') return resolve();
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}
