/**
 * Test helpers that run a real Polyport.
 *
 * - `startBroker()`: in-process Gateway, every port 0, a fresh tmp data_dir
 *   (removed on stop), logs silent unless POLYPORT_TEST_LOG=<level>.
 * - `spawnBroker(lines)`: `node dist/src/main.js --config <tmpfile>` as a
 *   child process (needs `npm run build`); resolves once the broker logged
 *   its listener and `broker started`; for signal / crash tests.
 * - `runPolyport(args)`: runs main.js to completion (start-up error paths).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Core } from '../../core/index.js';
import { loadConfigText } from '../../src/config/load.js';
import { startGateway, type Gateway, type GatewayLogger } from '../../src/gateway.js';

/** Repository root (the directory with polyport's package.json). */
export const REPO_ROOT = findRoot();
export const MAIN_JS = join(REPO_ROOT, 'dist', 'src', 'main.js');

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'polyport') return dir;
    dir = dirname(dir);
  }
  throw new Error('polyport package.json not found above test/helpers');
}

/** Every listener of every protocol on port 0, so parallel test files never collide. */
const PORT_ZERO: Record<string, string> = {
  'listeners.tcp.default': '0',
  'mqtt.listeners.tcp.default': '0',
  'stomp.listeners.tcp.1': '0',
  'web_stomp.tcp.port': '0',
  'web_mqtt.tcp.port': '0',
  'management.tcp.port': '0',
  'prometheus.tcp.port': '0',
};

export interface StartBrokerOptions {
  /** rabbitmq.conf keys → values; override the test defaults (ports 0, tmp data_dir, silent logs) */
  readonly config?: Record<string, string>;
  /** replaces the config-built logger */
  readonly logger?: GatewayLogger;
}

export interface TestBroker {
  /** bound port of the AMQP TCP listener */
  readonly amqpPort: number;
  /** bound AMQPS port, when `listeners.ssl.default` was configured */
  readonly amqpsPort?: number | undefined;
  /** bound port of the MQTT TCP listener (undefined after `mqtt.listeners.tcp = none`) */
  readonly mqttPort?: number | undefined;
  /** bound MQTTS port, when `mqtt.listeners.ssl.default` was configured */
  readonly mqttsPort?: number | undefined;
  /** `mqtt://127.0.0.1:PORT` */
  readonly mqttUrl: string;
  /** `amqp://guest:guest@127.0.0.1:PORT` (with the configured default user) */
  readonly url: string;
  readonly gateway: Gateway;
  readonly core: Core;
  readonly dataDir: string;
  /** graceful stop; removes the tmp data_dir. Idempotent. */
  stop(): Promise<void>;
}

function toConfText(o: Record<string, string>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
}

export async function startBroker(o: StartBrokerOptions = {}): Promise<TestBroker> {
  const tmp = mkdtempSync(join(tmpdir(), 'polyport-test-'));
  const settings: Record<string, string> = {
    ...PORT_ZERO,
    data_dir: join(tmp, 'data'),
    'log.console.level': process.env['POLYPORT_TEST_LOG'] ?? 'none',
    ...o.config,
  };
  let gateway: Gateway;
  try {
    const config = loadConfigText(toConfText(settings), 'test-broker.conf');
    gateway = await startGateway(config, o.logger ? { logger: o.logger } : {});
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const amqpPort = gateway.ports.amqp;
  if (amqpPort === undefined) throw new Error('startBroker: no AMQP TCP listener is configured');
  const { defaultUser, defaultPass } = gateway.config;
  let stopped: Promise<void> | undefined;
  return {
    amqpPort,
    amqpsPort: gateway.ports.amqps,
    mqttPort: gateway.ports.mqtt,
    mqttsPort: gateway.ports.mqtts,
    mqttUrl: `mqtt://127.0.0.1:${gateway.ports.mqtt ?? 0}`,
    url: `amqp://${encodeURIComponent(defaultUser)}:${encodeURIComponent(defaultPass)}@127.0.0.1:${amqpPort}`,
    gateway,
    core: gateway.core,
    dataDir: gateway.dataDir,
    stop: () =>
      (stopped ??= gateway.stop().finally(() => {
        rmSync(tmp, { recursive: true, force: true });
      })),
  };
}

// ---------------------------------------------------------------- child process

export interface LogLine {
  readonly msg?: string;
  readonly level?: string;
  readonly [k: string]: unknown;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedBroker {
  /** bound AMQP TCP port, from the `listener started` log line */
  readonly port: number;
  readonly child: ChildProcess;
  /** parsed JSON log lines so far (stdout) */
  readonly logs: LogLine[];
  /** stderr so far */
  stderr(): string;
  readonly dataDir: string;
  readonly configFile: string;
  /** resolves when the process has exited (tmp dir removed) */
  readonly exited: Promise<ExitStatus>;
  /** sends the signal (default SIGTERM) and waits for the exit */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
  /** bound port of a listener from its `listener started` line (e.g. 'mqtt', 'tcp'); throws when none was logged */
  portOf(protocol: string, transport?: string): number;
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** default 20 s */
  readonly startTimeoutMs?: number;
  /** name the config file in POLYPORT_CONFIG_FILE instead of --config */
  readonly viaEnv?: boolean;
}

function requireBuild(): void {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first (npm test does)`);
}

/**
 * Starts `node dist/src/main.js --config <tmpfile>`. `configLines` are
 * rabbitmq.conf lines; `listeners.tcp.default = 0`, `mqtt.listeners.tcp.default = 0`, a tmp `data_dir` and
 * `log.console.level = info` are added unless the lines set them.
 */
export async function spawnBroker(configLines: readonly string[] = [], o: SpawnOptions = {}): Promise<SpawnedBroker> {
  requireBuild();
  const tmp = mkdtempSync(join(tmpdir(), 'polyport-spawn-'));
  const dataDir = join(tmp, 'data');
  const has = (prefix: string): boolean => configLines.some((l) => l.trim().startsWith(prefix));
  const lines = [...configLines];
  if (!has('listeners.tcp')) lines.push('listeners.tcp.default = 0');
  if (!has('mqtt.listeners.tcp')) lines.push('mqtt.listeners.tcp.default = 0');
  if (!has('stomp.listeners.tcp')) lines.push('stomp.listeners.tcp.1 = 0');
  if (!has('web_stomp.tcp.port')) lines.push('web_stomp.tcp.port = 0');
  if (!has('web_mqtt.tcp.port')) lines.push('web_mqtt.tcp.port = 0');
  if (!has('data_dir')) lines.push(`data_dir = ${dataDir}`);
  if (!has('log.console.level')) lines.push('log.console.level = info');
  const configFile = join(tmp, 'polyport.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`);

  const args = o.viaEnv ? [MAIN_JS] : [MAIN_JS, '--config', configFile];
  const child = spawn(process.execPath, args, {
    cwd: tmp,
    env: { ...process.env, ...o.env, ...(o.viaEnv ? { POLYPORT_CONFIG_FILE: configFile } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      rmSync(tmp, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });

  const port = await new Promise<number>((resolve, reject) => {
    let listenerPort: number | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`spawnBroker: no 'broker started' within ${o.startTimeoutMs ?? 20_000} ms\n${stderr}`));
    }, o.startTimeoutMs ?? 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let rec: LogLine;
      try {
        rec = JSON.parse(line) as LogLine;
      } catch {
        rec = { msg: line };
      }
      logs.push(rec);
      if (rec.msg === 'listener started' && rec['protocol'] === 'amqp091' && rec['transport'] === 'tcp') {
        listenerPort ??= rec['port'] as number;
      }
      if (rec.msg === 'broker started' && listenerPort !== undefined) {
        clearTimeout(timer);
        resolve(listenerPort);
      }
    });
    void exited.then((s) => {
      clearTimeout(timer);
      reject(new Error(`spawnBroker: exited (code ${s.code}, signal ${s.signal}) before starting\n${stderr}`));
    });
  });

  return {
    port,
    child,
    logs,
    stderr: () => stderr,
    dataDir,
    configFile,
    exited,
    kill: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    portOf: (protocol: string, transport = 'tcp') => {
      const rec = logs.find((r) => r.msg === 'listener started' && r['protocol'] === protocol && r['transport'] === transport);
      if (!rec) throw new Error(`no ${protocol}/${transport} listener was logged`);
      return rec['port'] as number;
    },
  };
}

export interface RunResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/src/main.js ...args` to completion (killed after timeoutMs, default 20 s). */
export function runPolyport(args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  requireBuild();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN_JS, ...args], {
      cwd: o.cwd ?? tmpdir(),
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 20_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
