// Spawns the Polyport broker (dist/src/main.js) with a temp rabbitmq.conf-style
// config on free ports (AMQP, and MQTT on mqtt.listeners.tcp.default), with
// the soft fd limit raised to the hard limit, and waits for its "listener started" log line (or, at
// log level warning where that info line is suppressed, for the port to accept).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terminate } from '../lib/exec.js';
import { repoRoot } from '../lib/paths.js';
import { canConnect, freePort, sleep } from '../lib/ports.js';
import type { BrokerHandle } from './types.js';

export interface PolyportOptions {
  /** Path to the compiled entry point (default <repo>/dist/src/main.js). */
  main?: string;
  /** Extra config lines (rabbitmq.conf format). */
  extraConfig?: string[];
  /** log.console.level (default warning; "listener started" is only logged at info). */
  logLevel?: string;
  /** Extra node flags, e.g. ['--max-old-space-size=4096']. */
  nodeArgs?: string[];
  startupTimeoutMs?: number;
  keepDir?: boolean;
  log?: (msg: string) => void;
}

export function polyportMainPath(): string {
  return join(repoRoot(), 'dist', 'src', 'main.js');
}

export async function startPolyport(options: PolyportOptions = {}): Promise<BrokerHandle> {
  const log = options.log ?? (() => {});
  const main = options.main ?? polyportMainPath();
  if (!existsSync(main)) throw new Error(`Polyport entry point not found: ${main} (run \`npx tsc -b\` first)`);

  const dir = mkdtempSync(join(tmpdir(), 'polyport-bench-pp-'));
  const amqpPort = await freePort();
  const mqttPort = await freePort();
  const configFile = join(dir, 'polyport.conf');
  const conf = [`listeners.tcp.default = ${amqpPort}`, `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`, 'stomp.listeners.tcp.1 = 127.0.0.1:0', 'web_stomp.tcp.port = 0', 'web_mqtt.tcp.port = 0', `data_dir = ${join(dir, 'data')}`, `log.console.level = ${options.logLevel ?? 'warning'}`,
    ...(options.extraConfig ?? [])];
  writeFileSync(configFile, `${conf.join('\n')}\n`);

  log(`starting Polyport ${main} amqp=${amqpPort} dir=${dir}`);
  // through sh to raise the soft fd limit (connection scaling); exec keeps the pid
  const argv = [process.execPath, ...(options.nodeArgs ?? []), main, '--config', configFile].map((a) => `'${a.replace(/'/g, `'\\''`)}'`);
  const child = spawn('sh', ['-c', `ulimit -Sn "$(ulimit -Hn)"; exec ${argv.join(' ')}`], {
    stdio: ['ignore', 'pipe', 'pipe'], cwd: dir,
  });
  const pid = child.pid;
  const recent: string[] = [];
  let exitInfo: string | undefined;
  let onLine: ((line: string) => void) | undefined;
  const feed = (stream: NodeJS.ReadableStream): void => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (s: string) => {
      const lines = (partial + s).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        recent.push(line);
        if (recent.length > 40) recent.shift();
        onLine?.(line);
      }
    });
  };
  if (child.stdout) feed(child.stdout);
  if (child.stderr) feed(child.stderr);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    log('stopping Polyport');
    if (pid !== undefined && exitInfo === undefined) await terminate(pid, 5000);
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for "listener started" / the AMQP port')),
        options.startupTimeoutMs ?? 20000);
      const portPattern = new RegExp(`"port"\\s*:\\s*${amqpPort}\\b`);
      onLine = (line) => {
        if (line.includes('listener started') && portPattern.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.once('exit', (code, signal) => {
        exitInfo = `exit code=${code} signal=${signal}`;
        clearTimeout(timer);
        reject(new Error(`Polyport exited during startup (${exitInfo})`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      // At level warning the "listener started" line (info) is not printed:
      // also accept the port answering TCP connects.
      void (async () => {
        while (exitInfo === undefined && !stopped) {
          await sleep(100);
          if (await canConnect(amqpPort)) {
            clearTimeout(timer);
            resolve();
            return;
          }
        }
      })();
    });
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- polyport output ---\n${recent.join('\n')}`);
  }
  child.once('exit', (code, signal) => {
    exitInfo = `exit code=${code} signal=${signal}`;
    if (!stopped) log(`Polyport exited unexpectedly (${exitInfo})\n${recent.slice(-10).join('\n')}`);
  });
  onLine = undefined;
  log(`Polyport up: pid=${pid}`);
  return { name: 'polyport', host: '127.0.0.1', amqpPort, pid, ports: { amqp: amqpPort, mqtt: mqttPort }, stop };
}
