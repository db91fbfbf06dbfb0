// A Polyport process for the STOMP bench: createCore + the AMQP adapter (for
// queue clean-up) + src/stomp-web.ts (STOMP on TCP, Web STOMP), so the bench
// does not depend on the gateway wiring. This file is both the launcher
// (startPolyportStomp) and the child's entry point (`--serve A S W`): the
// child is this same file, run with the parent's loader flags (tsx or plain
// node on dist/), so it works from sources and from the build.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { terminate } from '../lib/exec.js';
import { freePorts } from '../lib/ports.js';
import type { BrokerHandle } from './types.js';

export interface PolyportStompOptions {
  /** extra node flags for the broker, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] */
  nodeArgs?: string[];
  /** log.console.level of the child (default warning) */
  logLevel?: string;
  startupTimeoutMs?: number;
  log?: (msg: string) => void;
}

const SELF = fileURLToPath(import.meta.url);

export async function startPolyportStomp(o: PolyportStompOptions = {}): Promise<BrokerHandle> {
  const log = o.log ?? (() => {});
  const [amqp, stomp, webStomp] = (await freePorts(3)) as [number, number, number];
  // the parent's loader flags (tsx) but not its profiler flags
  const inherited = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect'));
  const args = [...inherited, ...(o.nodeArgs ?? []), SELF, '--serve', String(amqp), String(stomp), String(webStomp), o.logLevel ?? 'warning'];
  log(`starting Polyport (STOMP) amqp=${amqp} stomp=${stomp} web_stomp=${webStomp}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = child.pid;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('Polyport (STOMP) did not start in time')), o.startupTimeoutMs ?? 20_000);
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => {
      out += s;
      if (out.includes('"msg":"polyport-stomp ready"')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      reject(new Error(`Polyport (STOMP) exited during startup: code=${code} signal=${signal}\n${out.slice(-2000)}`));
    });
  });
  child.stdout?.resume();
  let stopped = false;
  return {
    name: 'polyport',
    host: '127.0.0.1',
    amqpPort: amqp,
    pid,
    ports: { amqp, stomp, web_stomp: webStomp },
    async stop() {
      if (stopped) return;
      stopped = true;
      log('stopping Polyport (STOMP)');
      // SIGTERM: graceful close (and --cpu-prof writes its profile on a normal exit)
      if (pid !== undefined && !exited) await terminate(pid, 10_000);
    },
  };
}

async function serve(amqpPort: number, stompPort: number, webStompPort: number, level: string): Promise<void> {
  const { createCore } = await import('../../core/index.js');
  const { createAmqpAdapter } = await import('../../protocols/amqp091/index.js');
  const { socketTransport } = await import('../../protocols/shared/tcp.js');
  const { Listeners } = await import('../../src/listeners.js');
  const { createLogger } = await import('../../src/logger.js');
  const { startStompAndWeb } = await import('../../src/stomp-web.js');
  const { LOG_LEVELS } = await import('../../src/config/schema.js');
  const logLevel = LOG_LEVELS.find((l) => l === level) ?? 'warning';
  const logger = createLogger({ level: logLevel });
  const core = createCore({ logger: logger.child({ component: 'core' }) });
  core.users.addUser('guest', 'guest', ['administrator']);
  core.users.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  const listeners = new Listeners(logger, socketTransport);
  const amqp = createAmqpAdapter(core, { logger });
  const host = '127.0.0.1';
  await listeners.start({ adapter: amqp, kind: 'tcp', name: 'default', endpoint: { host, port: amqpPort } });
  const web = await startStompAndWeb({
    core,
    logger,
    listeners,
    config: {
      stomp: { listeners: { tcp: [{ name: '1', host, port: stompPort }], ssl: [] } },
      webStomp: { port: webStompPort, host },
      webMqtt: {},
      sslOptions: { verify: 'verify_none', failIfNoPeerCert: false },
    },
  });
  process.stdout.write(`${JSON.stringify({ msg: 'polyport-stomp ready', ports: { amqp: amqpPort, ...web.ports } })}\n`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    listeners.stopAccepting();
    web.stopAccepting();
    await amqp.closeAll(320, 'shutdown');
    await web.close();
    await listeners.close();
    await core.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

if (process.argv[1] === SELF && process.argv[2] === '--serve') {
  const [a, s, w, level] = process.argv.slice(3);
  await serve(Number(a), Number(s), Number(w), level ?? 'warning');
}
