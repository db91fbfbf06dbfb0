#!/usr/bin/env node
/**
 * `polyport`: the broker process.
 *
 * argv/env → config (any error: message on stderr, exit 1) → Gateway.start
 * (failure: message on stderr, exit 1) → run until SIGTERM/SIGINT → graceful
 * stop → exit 0. A second signal, or a stop that takes longer than
 * STOP_TIMEOUT_MS, exits 1 at once.
 */
import { loadConfig, parseCommandLine, USAGE } from './config/load.js';
import { startGateway, type Gateway } from './gateway.js';
import { createLogger, type BrokerLogger } from './logger.js';
import { version } from './version.js';

const STOP_TIMEOUT_MS = 30_000;

function fail(message: string): never {
  process.stderr.write(`polyport: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let cli;
  let config;
  try {
    cli = parseCommandLine(process.argv.slice(2));
    if (cli.help) {
      process.stdout.write(USAGE);
      return;
    }
    if (cli.version) {
      process.stdout.write(`${version()}\n`);
      return;
    }
    config = loadConfig(cli.configFile);
  } catch (err) {
    fail((err as Error).message);
  }
  const logger = createLogger({ level: config.log.level, console: config.log.console });
  if (cli.configFile) logger.info({ configFile: cli.configFile }, 'config loaded');

  // handlers go in before start-up: a signal during start waits for it, then stops
  const starting = startGateway(config, { logger });
  installSignalHandlers(starting, logger);
  try {
    await starting;
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    fail((err as Error).message);
  }
}

function installSignalHandlers(starting: Promise<Gateway>, logger: BrokerLogger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'signal received, shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, 'graceful stop timed out');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    timer.unref();
    starting.then(
      (gateway) => gateway.stop(),
      () => undefined, // start-up failed: main() reports it and exits 1
    ).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(70);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection');
    process.exit(70);
  });
}

void main();
