// A private RabbitMQ node (Debian's rabbitmq-server package) on ports we pick,
// data under a temp dir owned by the rabbitmq user. Started detached, awaited
// with `rabbitmqctl await_startup`, stopped with `rabbitmqctl stop`; epmd is
// killed afterwards only if this launcher started it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { isAlive, run, terminate, waitForExit } from '../lib/exec.js';
import { canConnect, freePort, sleep } from '../lib/ports.js';
import type { BrokerHandle } from './types.js';

const SERVER = '/usr/sbin/rabbitmq-server';
const CTL = '/usr/sbin/rabbitmqctl';
const EPMD_PORT = 4369;

/** Config key that sets the listener port of each plugin that opens one. */
const PLUGIN_LISTENERS: Record<string, { key: string; conf: (port: number) => string[] }> = {
  rabbitmq_management: { key: 'management', conf: (p) => [`management.tcp.port = ${p}`, 'management.tcp.ip = 127.0.0.1'] },
  rabbitmq_mqtt: { key: 'mqtt', conf: (p) => [`mqtt.listeners.tcp.default = 127.0.0.1:${p}`] },
  rabbitmq_stomp: { key: 'stomp', conf: (p) => [`stomp.listeners.tcp.1 = 127.0.0.1:${p}`] },
  rabbitmq_web_stomp: { key: 'web_stomp', conf: (p) => [`web_stomp.tcp.port = ${p}`, 'web_stomp.tcp.ip = 127.0.0.1'] },
  rabbitmq_web_mqtt: { key: 'web_mqtt', conf: (p) => [`web_mqtt.tcp.port = ${p}`, 'web_mqtt.tcp.ip = 127.0.0.1'] },
};

export interface RabbitmqOptions {
  /** Plugins to enable (default: rabbitmq_management). */
  plugins?: string[];
  /** Extra rabbitmq.conf lines. */
  extraConfig?: string[];
  startupTimeoutMs?: number;
  /** Keep the temp dir (logs, mnesia) after stop. */
  keepDir?: boolean;
  log?: (msg: string) => void;
}

export interface RabbitmqHandle extends BrokerHandle {
  nodeName: string;
  dir: string;
  /** Run `rabbitmqctl -n NODE <args>` against this node. */
  ctl(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Install Debian's rabbitmq-server if it is missing (needs root). */
export async function ensureRabbitmqInstalled(log: (m: string) => void = () => {}): Promise<void> {
  if (existsSync(SERVER)) return;
  log('rabbitmq-server not installed; running apt-get install -y rabbitmq-server');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const upd = await run('apt-get', ['update'], { timeoutMs: 300000, env });
  if (upd.code !== 0) throw new Error(`apt-get update failed: ${upd.stderr.slice(-500)}`);
  const inst = await run('apt-get', ['install', '-y', 'rabbitmq-server'], { timeoutMs: 600000, env });
  if (inst.code !== 0 || !existsSync(SERVER)) throw new Error(`apt-get install rabbitmq-server failed: ${inst.stderr.slice(-500)}`);
}

/** A free port in [lo, hi) — RabbitMQ's CLI uses dist port + 10000..10010, so the dist port must stay low. */
async function freePortInRange(lo: number, hi: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lo + Math.floor(Math.random() * (hi - lo));
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in [${lo}, ${hi})`);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tail(file: string, n = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

export async function startRabbitmq(options: RabbitmqOptions = {}): Promise<RabbitmqHandle> {
  const log = options.log ?? (() => {});
  await ensureRabbitmqInstalled(log);
  const plugins = options.plugins ?? ['rabbitmq_management'];

  const dir = mkdtempSync(join(tmpdir(), 'polyport-bench-rabbit-'));
  const mnesia = join(dir, 'mnesia');
  const logs = join(dir, 'log');
  mkdirSync(mnesia);
  mkdirSync(logs);

  const amqpPort = await freePort();
  const distPort = await freePortInRange(20000, 45000);
  const ports: Record<string, number> = { amqp: amqpPort, dist: distPort };
  const conf = [`listeners.tcp.default = 127.0.0.1:${amqpPort}`, 'log.file.level = warning'];
  for (const p of plugins) {
    const l = PLUGIN_LISTENERS[p];
    if (!l) continue;
    const port = await freePort();
    ports[l.key] = port;
    conf.push(...l.conf(port));
  }
  conf.push(...(options.extraConfig ?? []));
  writeFileSync(join(dir, 'rabbitmq.conf'), `${conf.join('\n')}\n`);
  writeFileSync(join(dir, 'enabled_plugins'), `[${plugins.join(',')}].\n`);

  const nodeName = `pp-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}@localhost`;
  const pidFile = join(dir, 'rabbit.pid');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: mnesia,
    RABBITMQ_LOG_BASE: logs,
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: pidFile,
    ERL_EPMD_ADDRESS: '127.0.0.1',
    // bind the Erlang distribution listener to loopback too
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    HOME: dir,
  };
  const chown = await run('chown', ['-R', 'rabbitmq:rabbitmq', dir]);
  if (chown.code !== 0) throw new Error(`chown rabbitmq ${dir} failed: ${chown.stderr}`);

  const epmdWasRunning = await canConnect(EPMD_PORT);
  const ctl = (args: string[], timeoutMs = 30000): ReturnType<RabbitmqHandle['ctl']> =>
    run(CTL, ['-n', nodeName, ...args], { timeoutMs, env });

  const stdoutFile = join(dir, 'server.out');
  const outFd = openSync(stdoutFile, 'a');
  log(`starting RabbitMQ ${nodeName} amqp=${amqpPort} dir=${dir}`);
  // detached => the wrapper runs in its own session (setsid), so it survives our
  // process group's signals and we can kill the whole group as a last resort.
  const child = spawn(SERVER, [], { detached: true, stdio: ['ignore', outFd, outFd], env, cwd: dir });
  closeSync(outFd);
  child.unref();
  const groupPid = child.pid;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  let stopped = false;
  let beamPid: number | undefined;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    log(`stopping RabbitMQ ${nodeName}`);
    if (beamPid === undefined) beamPid = readPid(pidFile);
    await ctl(['stop'], 30000);
    if (beamPid !== undefined && !(await waitForExit(beamPid, 15000))) await terminate(beamPid, 5000);
    if (groupPid !== undefined && isAlive(groupPid)) await terminate(-groupPid, 3000);
    if (!epmdWasRunning) {
      const r = await run('epmd', ['-kill'], { timeoutMs: 5000, env });
      if (r.code !== 0) log(`epmd -kill: ${r.stdout.trim()} ${r.stderr.trim()}`);
    }
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + (options.startupTimeoutMs ?? 90000);
    for (;;) {
      const left = Math.max(5, Math.ceil((deadline - Date.now()) / 1000));
      const r = await ctl(['await_startup', '--timeout', String(left)], (left + 10) * 1000);
      if (r.code === 0) break;
      if (exited || Date.now() > deadline) {
        throw new Error(`RabbitMQ did not start: ${r.stderr.trim().slice(-400)}\n` +
          `--- server output ---\n${tail(stdoutFile)}\n--- log ---\n${tail(join(logs, `${nodeName}.log`))}`);
      }
      await sleep(1000); // node not registered with epmd yet
    }
    beamPid = readPid(pidFile);
    if (beamPid === undefined) {
      const pg = await run('pgrep', ['-f', `beam.smp.*${nodeName.split('@')[0]}`]);
      beamPid = Number(pg.stdout.trim().split('\n')[0]) || undefined;
    }
    log(`RabbitMQ up: beam.smp pid=${beamPid} ports=${JSON.stringify(ports)}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: 'rabbitmq', host: '127.0.0.1', amqpPort, pid: beamPid, ports, nodeName, dir, ctl, stop };
}
