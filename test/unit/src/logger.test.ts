import { describe, expect, it } from 'vitest';
import { createLogger, flushLogger, pinoLevel } from '../../../src/logger.js';

function capture(level: Parameters<typeof createLogger>[0]['level'], consoleOn = true) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level, console: consoleOn, destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  return { logger, lines };
}

describe('logger', () => {
  it('maps RabbitMQ level names onto pino', () => {
    expect(['debug', 'info', 'warning', 'error', 'critical', 'none'].map((l) => pinoLevel(l as never))).toEqual([
      'debug', 'info', 'warn', 'error', 'fatal', 'silent',
    ]);
    expect(pinoLevel('debug', false)).toBe('silent');
  });

  it('writes structured JSON lines with a level label', () => {
    const { logger, lines } = capture('info');
    logger.debug({ a: 1 }, 'hidden');
    logger.info({ port: 5672 }, 'listener started');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'listener started', port: 5672 });
    expect(typeof lines[0]?.['time']).toBe('number');
  });

  it('warning level drops info; none and log.console=false are silent', () => {
    const w = capture('warning');
    w.logger.info({}, 'x');
    w.logger.warn({}, 'y');
    expect(w.lines.map((l) => l['msg'])).toEqual(['y']);
    const n = capture('none');
    n.logger.fatal({}, 'x');
    expect(n.lines).toHaveLength(0);
    const off = capture('debug', false);
    off.logger.error({}, 'x');
    expect(off.lines).toHaveLength(0);
  });

  it('redacts passwords and bodies, also in child loggers', () => {
    const { logger, lines } = capture('info');
    logger.info({ user: 'guest', password: 'pw-1', body: 'secret payload' }, 'x');
    logger.child({ component: 'c' }).info({ msg2: { password: 'p', pass: 'q' } }, 'y');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/pw-1|secret payload|"p"|"q"/);
    expect(lines[0]).toMatchObject({ user: 'guest', password: '[redacted]', body: '[redacted]' });
  });

  it('flushLogger resolves', async () => {
    await flushLogger(capture('info').logger);
    await flushLogger({});
  });
});
