// aedes (npm aedes@1, the Node.js MQTT broker) in its own process on a free
// loopback port: `node dist/bench/peers/aedes.js --serve PORT` runs the
// broker (net.createServer(broker.handle)); startAedes() spawns it with the
// soft fd limit raised to the hard limit.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { terminate } from '../lib/exec.js';
import { canConnect, freePort, sleep } from '../lib/ports.js';
import type { BrokerHandle } from './types.js';

export async function startAedes(o: { log?: (m: string) => void } = {}): Promise<BrokerHandle> {
  const log = o.log ?? (() => {});
  const port = await freePort();
  const self = fileURLToPath(import.meta.url);
  const child = spawn('sh', ['-c', `ulimit -Sn "$(ulimit -Hn)"; exec "${process.execPath}" "${self}" --serve ${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid;
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (pid !== undefined && !exited) await terminate(pid, 5000);
  };
  for (let i = 0; i < 100 && !(await canConnect(port)); i++) {
    if (exited) break;
    await sleep(100);
  }
  if (exited || !(await canConnect(port))) {
    await stop();
    throw new Error('aedes did not start');
  }
  log(`aedes up: pid=${pid} mqtt=${port}`);
  return { name: 'aedes', host: '127.0.0.1', amqpPort: 0, pid, ports: { mqtt: port }, stop };
}

async function serve(port: number): Promise<void> {
  const { Aedes } = (await import('aedes')) as unknown as { Aedes: { createBroker(): Promise<{ handle: (s: unknown) => void; close(cb?: () => void): void }> } };
  const broker = await Aedes.createBroker();
  const server = createServer((s) => broker.handle(s));
  server.listen(port, '127.0.0.1');
  const bye = (): void => {
    server.close();
    broker.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGTERM', bye);
  process.once('SIGINT', bye);
}

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]));
