/**
 * Issue 5 over a real socket with amqplib: the x-delayed-message exchange,
 * policies and operator policies (set through the core object: there is no
 * HTTP API yet) and vhost limits (max-connections, max-queues).
 *
 * Cross-protocol (a message published over MQTT expires and is dead-lettered
 * by a policy): not here yet — the MQTT adapter is not wired into the
 * gateway (protocols/mqtt is work in progress).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, ConsumeMessage, GetMessage } from 'amqplib';
import type { PolicyDefinition } from '../../../core/index.js';
import { F } from '../../../core/index.js';
import { PROTOCOL_HEADER, encodeMethod } from '../../../protocols/amqp091/codec/index.js';
import type { Method } from '../../../protocols/amqp091/codec/index.js';
import { RawClient } from './raw-client.js';
import { useAmqpServer, eventually, rejects, sleep } from './util.js';

const { srv, clients } = useAmqpServer();
const policies: [kind: 'policy' | 'operator', name: string][] = [];
afterEach(() => {
  // runs before the helper's afterEach (hooks unwind as a stack) that closes the clients
  for (const [kind, name] of policies.splice(0)) {
    try {
      if (kind === 'policy') srv.core.policies.clearPolicy('/', name);
      else srv.core.policies.clearOperatorPolicy('/', name);
    } catch {
      /* cleared by the test */
    }
  }
});

let seq = 0;
const uniq = (p: string): string => `${p}.${process.pid}.${++seq}`;
const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const count = async (ch: Channel, q: string): Promise<number> => (await ch.checkQueue(q)).messageCount;

function setPolicy(name: string, p: Partial<PolicyDefinition> & { pattern: string; definition: Record<string, unknown> }): void {
  srv.core.policies.setPolicy('/', name, { applyTo: 'queues', priority: 0, ...p });
  policies.push(['policy', name]);
}

function setOperatorPolicy(name: string, p: Partial<PolicyDefinition> & { pattern: string; definition: Record<string, unknown> }): void {
  srv.core.policies.setOperatorPolicy('/', name, { applyTo: 'queues', priority: 0, ...p });
  policies.push(['operator', name]);
}

async function getOne(ch: Channel, q: string, ms = 2000): Promise<GetMessage> {
  let m: GetMessage | false = false;
  await eventually(async () => (m = await ch.get(q, { noAck: true })) !== false, ms);
  return m as unknown as GetMessage;
}

async function drain(ch: Channel, q: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(q, { noAck: true });
    if (m === false) return out;
    out.push(m.content.toString());
  }
}

describe('x-delayed-message exchange', () => {
  async function delayed(ch: Channel): Promise<{ x: string; q: string }> {
    const x = uniq('delayed');
    await ch.assertExchange(x, 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'direct' } });
    const q = (await ch.assertQueue(uniq('delayed-q'))).queue;
    await ch.bindQueue(q, x, 'k');
    return { x, q };
  }

  it('x-delay: held for at least the delay; later-published shorter delays arrive first; x-delay becomes -delay', async () => {
    const { ch } = await clients.channel(srv.url);
    const { x, q } = await delayed(ch);
    const arrivals: { body: string; at: number; m: ConsumeMessage }[] = [];
    await ch.consume(q, (m) => m && arrivals.push({ body: m.content.toString(), at: Date.now(), m }), { noAck: true });
    const t0 = Date.now();
    ch.publish(x, 'k', Buffer.from('d300'), { headers: { 'x-delay': 300 } });
    ch.publish(x, 'k', Buffer.from('d100'), { headers: { 'x-delay': 100 } });
    ch.publish(x, 'k', Buffer.from('d100-second'), { headers: { 'x-delay': 100 } });
    ch.publish(x, 'k', Buffer.from('now'));
    ch.publish(x, 'k', Buffer.from('zero'), { headers: { 'x-delay': 0 } });
    ch.publish(x, 'other-key', Buffer.from('unbound'), { headers: { 'x-delay': 50 } });
    await eventually(() => arrivals.length === 5, 3000);
    expect(arrivals.map((a) => a.body)).toEqual(['now', 'zero', 'd100', 'd100-second', 'd300']);
    const at = Object.fromEntries(arrivals.map((a) => [a.body, a.at - t0]));
    expect(at['d100']).toBeGreaterThanOrEqual(100);
    expect(at['d300']).toBeGreaterThanOrEqual(300);
    expect(arrivals.find((a) => a.body === 'd300')!.m.properties.headers!['x-delay']).toBe(-300);
    expect(arrivals.find((a) => a.body === 'now')!.m.properties.headers?.['x-delay']).toBeUndefined();
    // the routing is the x-delayed-type's: the message for an unbound key went nowhere
    await sleep(100);
    expect(arrivals).toHaveLength(5);
  });

  it('the publish is confirmed when the exchange holds the message, before it is routed', async () => {
    const { ch } = await clients.confirmChannel(srv.url);
    const { x, q } = await delayed(ch);
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) =>
      ch.publish(x, 'k', Buffer.from('later'), { headers: { 'x-delay': 500 } }, (err) => (err ? reject(err) : resolve())),
    );
    expect(Date.now() - t0).toBeLessThan(500);
    expect(await count(ch, q)).toBe(0);
    await eventually(async () => (await count(ch, q)) === 1, 3000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
  });

  it('declaring without a valid x-delayed-type is refused with 406, as the plugin does', async () => {
    const { ch } = await clients.channel(srv.url);
    await rejects(
      ch.assertExchange(uniq('delayed-bad'), 'x-delayed-message', { durable: false }),
      /406 \(PRECONDITION-FAILED\) with message "PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must be an existing exchange type"/,
    );
  });

  // Known core bug (report): the plugin converts a longstr/shortstr x-delay to an integer
  // (rabbit_delayed_message_utils:try_convert_to_int, rabbitmq-delayed-message-exchange PR #40,
  // "for compatibility with STOMP"); core/exchange/delayed.ts delayOf() only reads integer fields,
  // so STOMP headers and MQTT 5 user properties (always strings) are never delayed.
  it('x-delay given as a string (how STOMP headers and MQTT 5 user properties arrive) delays too', async () => {
    const { ch } = await clients.channel(srv.url);
    const { x, q } = await delayed(ch);
    const t0 = Date.now();
    ch.publish(x, 'k', Buffer.from('str'), { headers: { 'x-delay': '250' } });
    await sleep(100);
    expect(await count(ch, q)).toBe(0);
    const m = await getOne(ch, q);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(m.properties.headers!['x-delay']).toBe(-250);
  });
});

describe('policies', () => {
  it('message-ttl + dead-letter-exchange from a policy apply to the queues its pattern matches, set or cleared at any time', async () => {
    const { ch } = await clients.channel(srv.url);
    const pfx = uniq('polttl');
    const dlx = uniq('pol-dlx');
    await ch.assertExchange(dlx, 'direct', { durable: false });
    const dead = (await ch.assertQueue(uniq('pol-dead'))).queue;
    await ch.bindQueue(dead, dlx, 'expired-jobs');
    const matched = `${pfx}.jobs`;
    const other = `other.${pfx}.jobs`; // contains the prefix but the pattern is anchored
    await ch.assertQueue(matched);
    await ch.assertQueue(other);
    // the queues exist first: setting the policy recomputes their settings
    const name = uniq('ttl-dlx');
    setPolicy(name, {
      pattern: `^${reEscape(pfx)}\\.`,
      definition: { 'message-ttl': 60, 'dead-letter-exchange': dlx, 'dead-letter-routing-key': 'expired-jobs' },
    });
    ch.sendToQueue(matched, Buffer.from('m1'));
    ch.sendToQueue(other, Buffer.from('o1'));
    const m = await getOne(ch, dead);
    expect(m.content.toString()).toBe('m1');
    expect((m.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]).toMatchObject({
      reason: 'expired',
      queue: matched,
      count: 1,
      'routing-keys': [matched],
    });
    expect(await count(ch, matched)).toBe(0);
    expect(await count(ch, other)).toBe(1);

    srv.core.policies.clearPolicy('/', name);
    ch.sendToQueue(matched, Buffer.from('m2'));
    await sleep(200);
    expect(await count(ch, matched)).toBe(1); // no TTL any more
    expect(await count(ch, dead)).toBe(0);
  });

  it('a queue declared after the policy gets it; the highest-priority policy applies alone (not merged)', async () => {
    const { ch } = await clients.channel(srv.url);
    const pfx = uniq('polprio');
    setPolicy(uniq('low'), { pattern: `^${reEscape(pfx)}`, priority: 1, definition: { 'message-ttl': 30 } });
    setPolicy(uniq('high'), { pattern: `^${reEscape(pfx)}`, priority: 5, definition: { 'max-length': 1 } });
    const q = (await ch.assertQueue(`${pfx}.q`)).queue;
    for (const s of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(async () => (await count(ch, q)) === 1);
    await sleep(150);
    expect(await drain(ch, q)).toEqual(['3']); // max-length 1 applied; message-ttl 30 (lower priority) did not
  });

  it('operator policy caps max-length below the queue argument and the policy; a lower argument still wins', async () => {
    const { ch } = await clients.channel(srv.url);
    const pfx = uniq('opcap');
    setPolicy(uniq('pol'), { pattern: `^${reEscape(pfx)}`, definition: { 'max-length': 5 } });
    setOperatorPolicy(uniq('op'), { pattern: `^${reEscape(pfx)}`, definition: { 'max-length': 2 } });
    const capped = (await ch.assertQueue(`${pfx}.capped`, { maxLength: 10 })).queue;
    const lower = (await ch.assertQueue(`${pfx}.lower`, { maxLength: 1 })).queue;
    for (const s of ['1', '2', '3', '4', '5']) {
      ch.sendToQueue(capped, Buffer.from(s));
      ch.sendToQueue(lower, Buffer.from(s));
    }
    await eventually(async () => (await count(ch, capped)) === 2 && (await count(ch, lower)) === 1);
    expect(await drain(ch, capped)).toEqual(['4', '5']);
    expect(await drain(ch, lower)).toEqual(['5']);
  });

  it('a max-length policy set on a queue that already holds more messages drops the heads at once', async () => {
    const { ch } = await clients.channel(srv.url);
    const pfx = uniq('pollower');
    const q = (await ch.assertQueue(`${pfx}.q`)).queue;
    for (const s of ['1', '2', '3', '4']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(async () => (await count(ch, q)) === 4);
    setPolicy(uniq('cap'), { pattern: `^${reEscape(pfx)}`, definition: { 'max-length': 1 } });
    expect(await count(ch, q)).toBe(1);
    expect(await drain(ch, q)).toEqual(['4']);
  });

  it('argument vs policy: the lower message-ttl wins; the dead-letter-exchange argument wins over the policy', async () => {
    const { ch } = await clients.channel(srv.url);
    const pfx = uniq('polprec');
    const argDlx = uniq('arg-dlx');
    const polDlx = uniq('pol-dlx');
    await ch.assertExchange(argDlx, 'fanout', { durable: false });
    await ch.assertExchange(polDlx, 'fanout', { durable: false });
    const argDead = (await ch.assertQueue(uniq('arg-dead'))).queue;
    const polDead = (await ch.assertQueue(uniq('pol-dead'))).queue;
    await ch.bindQueue(argDead, argDlx, '');
    await ch.bindQueue(polDead, polDlx, '');
    setPolicy(uniq('prec'), { pattern: `^${reEscape(pfx)}`, definition: { 'message-ttl': 50, 'dead-letter-exchange': polDlx } });
    const q = (await ch.assertQueue(`${pfx}.q`, { messageTtl: 60000, deadLetterExchange: argDlx })).queue;
    const t0 = Date.now();
    ch.sendToQueue(q, Buffer.from('x'));
    const m = await getOne(ch, argDead); // expired after 50 ms (policy, lower), dead-lettered to the argument's DLX
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(m.fields.exchange).toBe(argDlx);
    expect(await count(ch, polDead)).toBe(0);

    // a lower argument wins over a higher policy value too
    const q2 = (await ch.assertQueue(`${pfx}.q2`, { messageTtl: 20, deadLetterExchange: argDlx })).queue;
    setPolicy(uniq('prec-high'), { pattern: `^${reEscape(q2)}$`, priority: 10, definition: { 'message-ttl': 60000 } });
    ch.sendToQueue(q2, Buffer.from('y'));
    expect((await getOne(ch, argDead)).content.toString()).toBe('y');
  });

  it('an invalid policy definition is refused by the core (no queue is changed)', () => {
    expect(() =>
      srv.core.policies.setPolicy('/', uniq('bad'), { pattern: '.*', applyTo: 'queues', priority: 0, definition: { 'message-ttl': -1 } }),
    ).toThrow(/Validation failed/);
    expect(() =>
      srv.core.policies.setOperatorPolicy('/', uniq('bad-op'), { pattern: '.*', applyTo: 'queues', priority: 0, definition: { 'dead-letter-exchange': 'x' } }),
    ).toThrow(/not recognised policy settings/);
  });
});

describe('vhost limits', () => {
  function vhost(name: string): string {
    srv.core.vhosts.addVhost(name);
    srv.core.users.setPermissions('guest', name, { configure: '.*', write: '.*', read: '.*' });
    return `${srv.url}/${encodeURIComponent(name)}`;
  }

  /** connection.open on `vhost` over a raw socket: the connection.close the server answers with. */
  async function refusedOpen(v: string): Promise<{ replyCode: number; replyText: string; classMethod: [number, number] }> {
    const r = await RawClient.connect(srv.port);
    try {
      r.write(PROTOCOL_HEADER);
      await r.method('connection.start');
      r.write(encodeMethod(0, 'connection.start-ok', {
        clientProperties: { capabilities: F.table({ authentication_failure_close: F.bool(true) }) },
        mechanism: 'PLAIN',
        response: Buffer.from('\0guest\0guest'),
        locale: 'en_US',
      }));
      await r.method('connection.tune');
      r.write(encodeMethod(0, 'connection.tune-ok', { frameMax: 131072, channelMax: 2047, heartbeat: 0 }));
      r.write(encodeMethod(0, 'connection.open', { virtualHost: v }));
      const close = (await r.method('connection.close')) as Extract<Method, { name: 'connection.close' }>;
      r.write(encodeMethod(0, 'connection.close-ok'));
      await r.waitClosed();
      return { replyCode: close.replyCode, replyText: close.replyText, classMethod: [close.failingClassId, close.failingMethodId] };
    } finally {
      r.destroy();
    }
  }

  it('max-connections: the next connection is refused with 530 NOT_ALLOWED; a slot frees when one closes', async () => {
    const v = uniq('limits-conn');
    const url = vhost(v);
    srv.core.vhosts.setLimits(v, { maxConnections: 2 });
    const c1 = await clients.connect(url);
    await clients.connect(url);
    // amqplib only says "Expected ConnectionOpenOk; got <ConnectionClose channel:0>"
    await rejects(clients.connect(url), /ConnectionClose/);
    expect(await refusedOpen(v)).toEqual({
      replyCode: 530,
      replyText: `NOT_ALLOWED - access to vhost '${v}' refused for user 'guest': connection limit (2) is reached`,
      classMethod: [10, 40],
    });
    await clients.connect(srv.url); // other vhosts are not affected
    await c1.close();
    await eventually(async () => {
      try {
        await clients.connect(url);
        return true;
      } catch {
        return false;
      }
    });
  });

  it('max-connections 0 refuses every connection', async () => {
    const v = uniq('limits-zero');
    vhost(v);
    srv.core.vhosts.setLimits(v, { maxConnections: 0 });
    const r = await refusedOpen(v);
    expect(r.replyCode).toBe(530);
    expect(r.replyText).toMatch(/connection limit \(0\) is reached/);
  });

  it('max-queues: declaring one more queue is refused with 406; redeclaring an existing one is fine', async () => {
    const v = uniq('limits-queues');
    const url = vhost(v);
    srv.core.vhosts.setLimits(v, { maxQueues: 2 });
    const conn = await clients.connect(url);
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await ch.assertQueue('q1');
    await ch.assertQueue('q2');
    await ch.assertQueue('q1'); // existing: not a new queue
    await rejects(
      ch.assertQueue('q3'),
      new RegExp(`406 \\(PRECONDITION-FAILED\\) with message "PRECONDITION_FAILED - cannot declare queue 'q3': queue limit in vhost '${reEscape(v)}' \\(2\\) is reached"`),
    );
    const ch2 = await conn.createChannel();
    await ch2.deleteQueue('q2');
    await ch2.assertQueue('q3');
    await rejects(ch2.assertQueue('', { exclusive: true }), /406 \(PRECONDITION-FAILED\).*queue limit/);
  });
});
