/**
 * Where the config comes from.
 *
 * Responsibilities:
 * - pick the config file: `--config FILE` (or `-c FILE`, `--config=FILE`)
 *   wins over the environment variable POLYPORT_CONFIG_FILE; neither → the
 *   embedded defaults (schema.ts);
 * - read, parse and validate it; every failure is a ConfigError whose message
 *   names the file (and line), ready for stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfigText } from './parse.js';
import { buildConfig, type Config } from './schema.js';

export const CONFIG_ENV = 'POLYPORT_CONFIG_FILE';

export interface CommandLine {
  /** config file named by the flag or the environment, if any */
  readonly configFile?: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
}

/** Parses `polyport` arguments (argv without node and script). Throws ConfigError on bad usage. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new ConfigError(`usage: polyport [--config FILE]: ${(err as Error).message}`);
  }
  const envFile = env[CONFIG_ENV];
  return {
    configFile: parsed.values.config ?? (envFile ? envFile : undefined),
    help: parsed.values.help,
    version: parsed.values.version,
  };
}

/** Reads and validates a config file; no file → embedded defaults. Throws ConfigError. */
export function loadConfig(file?: string): Config {
  if (file === undefined) return buildConfig([]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${code}`);
  }
  return loadConfigText(text, file);
}

/** Parses and validates config text; `source` names it in errors. */
export function loadConfigText(text: string, source?: string): Config {
  return buildConfig(parseConfigText(text, source), source);
}

export const USAGE = `usage: polyport [--config FILE]

  -c, --config FILE   rabbitmq.conf-format config file (default: $${CONFIG_ENV}, else built-in defaults)
  -h, --help          show this help
  -v, --version       print the version
`;
