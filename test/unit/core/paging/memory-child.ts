/**
 * Child process of memory.test.ts (run with --expose-gc): publishes N
 * persistent 100-byte messages into one durable queue with confirms, then
 * prints one JSON line with the heap growth after a full GC.
 * argv: dataDir N [maxMessages]
 */
import { createCore } from '../../../../core/index.js';
import { durabilityHooks, openPersistence } from '../../../../core/durable/index.js';

const [dataDir, nArg, budgetArg] = process.argv.slice(2);
const n = Number(nArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !dataDir) throw new Error('usage: node --expose-gc memory-child.ts dataDir n [maxMessages]');

const persistence = openPersistence(dataDir);
const paging = budgetArg !== undefined ? { maxMessages: Number(budgetArg) } : {};
const core = createCore({ durability: durabilityHooks(persistence, { paging }) });
core.users.addUser('u', 'pw', []);
core.users.setPermissions('u', '/', { configure: '.*', write: '.*', read: '.*' });
const conn = core.openConnection({ vhost: '/', user: { name: 'u', tags: [] }, protocol: 'test', remoteAddress: '127.0.0.1' });
let confirmed = 0;
const session = conn.openSession({
  confirmed: (ids) => void (confirmed += ids.length),
  rejected: (ids) => void console.error(`rejected ${ids.length}`),
  blocked: () => {},
  unblocked: () => {},
});
session.declareQueue({ name: 'big', durable: true });
persistence.finishRecovery();

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((r) => setTimeout(r, 20));
    gc();
  }
};
await settle();
const before = process.memoryUsage();
const body = Buffer.alloc(100, 0x61);
const started = Date.now();
let id = 0;
while (id < n) {
  const end = Math.min(n, id + 10_000);
  while (id < end) session.publish({ exchange: '', routingKey: 'big', properties: { deliveryMode: 2 }, body: Buffer.from(body) }, { confirmId: ++id });
  // let the group commit run (a real publisher waits for confirms)
  while (id - confirmed > 50_000) await new Promise<void>((r) => setImmediate(r));
}
while (confirmed < n) await new Promise<void>((r) => setTimeout(r, 5));
const publishMs = Date.now() - started;
await settle();
const after = process.memoryUsage();
const ready = core.inspect.listQueues('/').find((q) => q.name === 'big')!.messagesReady;
console.log(JSON.stringify({
  n,
  ready,
  publishMs,
  heapGrowth: after.heapUsed - before.heapUsed,
  externalGrowth: after.external + after.arrayBuffers - before.external - before.arrayBuffers,
  rss: after.rss,
  after,
}));
await persistence.close();
