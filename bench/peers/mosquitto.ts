// A private Mosquitto (Debian's package) on a free loopback port: anonymous,
// no persistence, unlimited queues and connections, soft fd limit raised to
// the hard limit. Installs the package with apt-get when it is missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, terminate } from '../lib/exec.js';
import { canConnect, freePort, sleep } from '../lib/ports.js';
import type { BrokerHandle } from './types.js';

const BIN = '/usr/sbin/mosquitto';

export async function ensureMosquittoInstalled(log: (m: string) => void = () => {}): Promise<void> {
  if (existsSync(BIN)) return;
  log('mosquitto not installed; running apt-get install -y mosquitto');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const inst = await run('apt-get', ['install', '-y', 'mosquitto'], { timeoutMs: 600000, env });
  if (inst.code !== 0 || !existsSync(BIN)) throw new Error(`apt-get install mosquitto failed: ${inst.stderr.slice(-500)}`);
}

export async function startMosquitto(o: { log?: (m: string) => void; keepDir?: boolean } = {}): Promise<BrokerHandle> {
  const log = o.log ?? (() => {});
  await ensureMosquittoInstalled(log);
  const dir = mkdtempSync(join(tmpdir(), 'polyport-bench-mosq-'));
  const port = await freePort();
  const conf = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type error',
    'max_connections -1',
    // the bench bounds queues itself (end-to-end window): do not drop; in-flight window stays at its default (20)
    'max_queued_messages 0',
  ];
  writeFileSync(join(dir, 'mosquitto.conf'), `${conf.join('\n')}\n`);
  // exec keeps the pid: the sampled process is mosquitto itself
  const child = spawn('sh', ['-c', `ulimit -Sn "$(ulimit -Hn)"; exec ${BIN} -c ${join(dir, 'mosquitto.conf')}`], { stdio: 'ignore', cwd: dir });
  const pid = child.pid;
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (pid !== undefined && !exited) await terminate(pid, 5000);
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !(await canConnect(port)); i++) {
    if (exited) break;
    await sleep(100);
  }
  if (exited || !(await canConnect(port))) {
    await stop();
    throw new Error('mosquitto did not start');
  }
  log(`mosquitto up: pid=${pid} mqtt=${port}`);
  return { name: 'mosquitto', host: '127.0.0.1', amqpPort: 0, pid, ports: { mqtt: port }, stop };
}
