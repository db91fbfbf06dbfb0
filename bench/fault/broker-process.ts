/**
 * A Polyport child process for fault scripts: `node dist/src/main.js --config
 * <file>` with a caller-owned data_dir that survives restarts, every listener
 * on an ephemeral 127.0.0.1 port, JSON logs parsed line by line. Resolves once
 * the AMQP listener's port and `broker started` were logged.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../lib/paths.js';

export interface LogRecord {
  readonly msg?: string;
  readonly [k: string]: unknown;
}

export interface BrokerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  readonly logs: LogRecord[];
  readonly exited: Promise<void>;
  /** SIGKILL (default) or another signal; resolves on exit */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function mainPath(): string {
  return join(repoRoot(), 'dist', 'src', 'main.js');
}

export async function startBroker(workDir: string, dataDir: string, timeoutMs = 20_000): Promise<BrokerProcess> {
  const main = mainPath();
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx tsc -b\` first`);
  const configFile = join(workDir, 'polyport.conf');
  writeFileSync(
    configFile,
    [
      'listeners.tcp.default = 127.0.0.1:0',
      'mqtt.listeners.tcp.default = 127.0.0.1:0',
      'stomp.listeners.tcp.1 = 127.0.0.1:0',
      'web_stomp.tcp.port = 0',
      'web_mqtt.tcp.port = 0',
      `data_dir = ${dataDir}`,
      'log.console.level = info',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [main, '--config', configFile], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogRecord[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let amqpPort: number | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let rec: LogRecord;
      try {
        rec = JSON.parse(line) as LogRecord;
      } catch {
        rec = { msg: line };
      }
      logs.push(rec);
      if (rec.msg === 'listener started' && rec['protocol'] === 'amqp091') amqpPort ??= rec['port'] as number;
      if (rec.msg === 'broker started' && amqpPort !== undefined) {
        clearTimeout(timer);
        resolve(amqpPort);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`broker exited during start-up\n${stderr}`));
    });
  });
  return {
    port,
    child,
    logs,
    exited,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
