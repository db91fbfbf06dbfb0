import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStompServer } from '../../helpers/stomp-server.js';
import type { StompTestServer } from '../../helpers/stomp-server.js';
import { coreConsume, coreSession, RawClient, stompitConnect, stompitDisconnect, stompitSend, StompitSub, until } from './util.js';
import type { StompitClient } from './util.js';

let srv: StompTestServer;
const raws: RawClient[] = [];
const stompits: StompitClient[] = [];

async function client(): Promise<StompitClient> {
  const c = await stompitConnect(srv.port);
  stompits.push(c);
  return c;
}
async function raw(headers: Record<string, string> = {}): Promise<RawClient> {
  const { c } = await RawClient.connected(srv.port, headers);
  raws.push(c);
  return c;
}

beforeAll(async () => {
  srv = await startStompServer();
});
afterEach(async () => {
  for (const c of raws.splice(0)) c.close();
  await Promise.all(stompits.splice(0).map((c) => stompitDisconnect(c).catch(() => c.destroy())));
});
afterAll(async () => {
  await srv.close();
});

const queue = (name: string) => srv.core.inspect.listQueues('/').find((q) => q.name === name);

describe('/queue', () => {
  it('SEND declares a durable shared queue on first use; SUBSCRIBE consumes it', async () => {
    const c = await client();
    await stompitSend(c, { destination: '/queue/q1' }, 'one', true);
    const q = queue('q1');
    expect(q).toMatchObject({ durable: true, exclusive: false, autoDelete: false, messages: 1 });
    const sub = new StompitSub(c, { destination: '/queue/q1' });
    const m = await sub.next();
    expect(m.body.toString()).toBe('one');
    expect(m.headers['destination']).toBe('/queue/q1');
  });

  it('a queue name may be %-escaped and a bare name means /queue/<name>', async () => {
    const c = await client();
    await stompitSend(c, { destination: '/queue/a%2Fb' }, 'x', true);
    expect(queue('a/b')).toBeDefined();
    await stompitSend(c, { destination: 'bare' }, 'y', true);
    expect(queue('bare')?.messages).toBe(1);
  });

  it('queue parameters come from headers (x-message-ttl, x-max-length, x-dead-letter-exchange, x-queue-type…)', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', {
      destination: '/queue/withargs',
      id: 's1',
      'x-message-ttl': '60000',
      'x-max-length': '10',
      'x-dead-letter-exchange': 'dlx',
      'x-queue-type': 'classic',
      durable: 'false',
      'auto-delete': 'true',
      receipt: 'r',
    });
    expect((await c.next()).command).toBe('RECEIPT');
    const q = queue('withargs')!;
    expect(q.durable).toBe(false);
    expect(q.autoDelete).toBe(true);
    expect(q.args['x-message-ttl']).toEqual({ type: 'int32', value: 60000 });
    expect(q.args['x-max-length']).toEqual({ type: 'int32', value: 10 });
    expect(q.args['x-dead-letter-exchange']).toEqual({ type: 'string', value: 'dlx' });
    expect(q.args['x-queue-type']).toEqual({ type: 'string', value: 'classic' });
  });

  it('x-max-length drops the oldest message', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/queue/maxlen', 'x-max-length': '2' }, 'a');
    c.send('SEND', { destination: '/queue/maxlen' }, 'b');
    c.send('SEND', { destination: '/queue/maxlen', receipt: 'r' }, 'c');
    expect((await c.next()).command).toBe('RECEIPT');
    c.send('SUBSCRIBE', { destination: '/queue/maxlen', id: '1' });
    expect((await c.next()).body.toString()).toBe('b');
    expect((await c.next()).body.toString()).toBe('c');
  });

  it('an existing queue with other arguments is used as it is', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareQueue({ name: 'pre', durable: true, args: { 'x-max-priority': { type: 'int32', value: 5 } } });
    const c = await raw();
    c.send('SEND', { destination: '/queue/pre', receipt: 'r' }, 'x');
    expect((await c.next()).command).toBe('RECEIPT');
    expect(queue('pre')?.messages).toBe(1);
    conn.close();
  });
});

describe('/amq/queue', () => {
  it('consumes an existing queue', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareQueue({ name: 'amq-existing', durable: false });
    session.publish({ exchange: '', routingKey: 'amq-existing', properties: {}, body: Buffer.from('hi') });
    const c = await client();
    const sub = new StompitSub(c, { destination: '/amq/queue/amq-existing' });
    expect((await sub.next()).body.toString()).toBe('hi');
    conn.close();
  });

  it('SUBSCRIBE to a missing queue → ERROR not_found and close', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/amq/queue/missing', id: '1' });
    const f = await c.expectErrorAndClose('not_found');
    expect(f.body.toString()).toContain("no queue 'missing'");
  });

  it('SEND does not declare', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/amq/queue/never', receipt: 'r' }, 'x');
    expect((await c.next()).command).toBe('RECEIPT');
    expect(queue('never')).toBeUndefined();
  });
});

describe('/topic', () => {
  it('transient subscription: an auto-delete queue bound to amq.topic', async () => {
    const c = await client();
    const p = await client();
    const sub = new StompitSub(c, { destination: '/topic/a.*', receipt: undefined as unknown as string });
    await until(() => srv.core.inspect.listBindings('/').some((b) => b.source === 'amq.topic' && b.routingKey === 'a.*'));
    const b = srv.core.inspect.listBindings('/').find((x) => x.source === 'amq.topic' && x.routingKey === 'a.*')!;
    expect(b.destination).toMatch(/^stomp-subscription-/);
    expect(queue(b.destination)).toMatchObject({ durable: false, autoDelete: true });
    await stompitSend(p, { destination: '/topic/a.b' }, 'hello');
    const m = await sub.next();
    expect(m.body.toString()).toBe('hello');
    expect(m.headers['destination']).toBe('/topic/a.b');
    sub.unsubscribe();
    await until(() => queue(b.destination) === undefined, 3000, 'auto-delete');
  });

  it('durable subscription survives disconnect (id + durable:true + auto-delete:false)', async () => {
    const h = { destination: '/topic/dur.x', id: 'dsub', durable: 'true', 'auto-delete': 'false' };
    const c1 = await raw();
    c1.send('SUBSCRIBE', { ...h, receipt: 'r' });
    expect((await c1.next()).command).toBe('RECEIPT');
    c1.close();
    const p = await raw();
    await until(() => srv.core.inspect.listQueues('/').some((q) => q.name.startsWith('stomp-subscription-') && q.durable && q.consumers === 0));
    p.send('SEND', { destination: '/topic/dur.x', receipt: 'r2' }, 'while away');
    expect((await p.next()).command).toBe('RECEIPT');
    const c2 = await raw();
    c2.send('SUBSCRIBE', h);
    const m = await c2.next();
    expect(m.body.toString()).toBe('while away');
    // UNSUBSCRIBE with durable:true removes the queue
    const before = srv.core.inspect.listQueues('/').length;
    c2.send('UNSUBSCRIBE', { id: 'dsub', durable: 'true', receipt: 'r3' });
    expect((await c2.next()).command).toBe('RECEIPT');
    expect(srv.core.inspect.listQueues('/').length).toBe(before - 1);
  });

  it('a durable subscription without id → ERROR', async () => {
    const c = await raw({ 'accept-version': '1.0' });
    c.send('SUBSCRIBE', { destination: '/topic/x', durable: 'true', 'auto-delete': 'false' });
    await c.expectErrorAndClose('Missing Header');
  });

  it('x-queue-name names the subscription queue', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/topic/named', id: '1', 'x-queue-name': 'my-sub-q', receipt: 'r' });
    expect((await c.next()).command).toBe('RECEIPT');
    expect(queue('my-sub-q')).toBeDefined();
  });
});

describe('/exchange', () => {
  it('subscribes with a binding key and sends with a routing key', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareExchange({ name: 'xd', type: 'direct' });
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/exchange/xd/k1', id: 's', receipt: 'r' });
    expect((await c.next()).command).toBe('RECEIPT');
    const b = srv.core.inspect.listBindings('/').find((x) => x.source === 'xd')!;
    expect(b.routingKey).toBe('k1');
    expect(queue(b.destination)).toMatchObject({ exclusive: true, autoDelete: true });
    c.send('SEND', { destination: '/exchange/xd/k2' }, 'no');
    c.send('SEND', { destination: '/exchange/xd/k1' }, 'yes');
    const m = await c.next();
    expect(m.body.toString()).toBe('yes');
    expect(m.headers['destination']).toBe('/exchange/xd/k1');
    conn.close();
  });

  it('fanout exchange without key', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareExchange({ name: 'xf', type: 'fanout' });
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/exchange/xf', id: 's', receipt: 'r' });
    await c.next();
    c.send('SEND', { destination: '/exchange/xf' }, 'fan');
    const m = await c.next();
    expect(m.headers['destination']).toBe('/exchange/xf');
    conn.close();
  });

  it('a missing exchange → ERROR not_found, and no queue is left behind', async () => {
    const before = new Set(srv.core.inspect.listQueues('/').map((q) => q.name));
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/exchange/nope/k', id: 's' });
    await c.expectErrorAndClose('not_found');
    await until(() => srv.core.inspect.listQueues('/').every((q) => before.has(q.name)), 3000, 'no new queue');
    const d = await raw();
    d.send('SEND', { destination: '/exchange/nope/k' }, 'x');
    await d.expectErrorAndClose('not_found');
  });
});

describe('/temp-queue and /reply-queue', () => {
  it('reply-to /temp-queue/<name> creates a private reply queue; replies arrive under that subscription', async () => {
    const requester = await raw();
    const responder = await raw();
    responder.send('SUBSCRIBE', { destination: '/queue/rpc', id: 'srv', receipt: 'r' });
    expect((await responder.next()).command).toBe('RECEIPT');
    requester.send('SEND', { destination: '/queue/rpc', 'reply-to': '/temp-queue/answers' }, 'question');
    const req = await responder.next();
    const replyTo = req.headers['reply-to']!;
    expect(replyTo).toMatch(/^\/reply-queue\/amq\.gen-/);
    const qname = decodeURIComponent(replyTo.slice('/reply-queue/'.length));
    expect(queue(qname)).toMatchObject({ exclusive: true, autoDelete: true });
    responder.send('SEND', { destination: replyTo }, 'answer');
    const ans = await requester.next();
    expect(ans.command).toBe('MESSAGE');
    expect(ans.body.toString()).toBe('answer');
    expect(ans.headers['subscription']).toBe('/temp-queue/answers');
    // same name → same queue
    requester.send('SEND', { destination: '/queue/rpc', 'reply-to': '/temp-queue/answers' }, 'q2');
    expect((await responder.next()).headers['reply-to']).toBe(replyTo);
    requester.close();
    await until(() => queue(qname) === undefined, 3000, 'temp queue removed');
  });

  it('an AMQP reply-to without prefix is shown as /reply-queue/<name>', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/rt', id: '1', receipt: 'r' });
    await c.next();
    const { session, conn } = coreSession(srv.core);
    session.publish({ exchange: '', routingKey: 'rt', properties: { replyTo: 'amq.gen-xyz' }, body: Buffer.from('x') });
    expect((await c.next()).headers['reply-to']).toBe('/reply-queue/amq.gen-xyz');
    conn.close();
  });

  it('SUBSCRIBE to /temp-queue is refused', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/temp-queue/x', id: '1' });
    await c.expectErrorAndClose('Invalid destination');
  });
});

describe('destination errors', () => {
  it.each(['/foo/bar', '/queue/', '/topic/', '/exchange/'])('%s → ERROR "Unknown destination" and close', async (d) => {
    const c = await raw();
    c.send('SEND', { destination: d }, 'x');
    const f = await c.expectErrorAndClose('Unknown destination');
    expect(f.body.toString()).toContain('Valid destination types');
  });

  it('missing destination on SEND and SUBSCRIBE', async () => {
    const c = await raw();
    c.send('SEND', {}, 'x');
    const f = await c.expectErrorAndClose('Missing destination');
    expect(f.body.toString()).toContain("SEND must include a 'destination' header");
    const d = await raw();
    d.send('SUBSCRIBE', { id: '1' });
    await d.expectErrorAndClose('Missing destination');
  });
});

describe('MESSAGE destination synthesis', () => {
  it('default exchange → /queue, amq.topic → /topic, others → /exchange', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/synth', id: '1', receipt: 'r' });
    await c.next();
    const { session, conn } = coreSession(srv.core);
    session.declareExchange({ name: 'sx', type: 'fanout' });
    session.bind({ source: 'sx', destination: 'synth', destinationType: 'queue', routingKey: '' });
    session.bind({ source: 'amq.topic', destination: 'synth', destinationType: 'queue', routingKey: 't.#' });
    session.publish({ exchange: '', routingKey: 'synth', properties: {}, body: Buffer.from('1') });
    session.publish({ exchange: 'amq.topic', routingKey: 't.x', properties: {}, body: Buffer.from('2') });
    session.publish({ exchange: 'sx', routingKey: 'r/k', properties: {}, body: Buffer.from('3') });
    const ds = [(await c.next()).headers['destination'], (await c.next()).headers['destination'], (await c.next()).headers['destination']];
    expect(ds).toEqual(['/queue/synth', '/topic/t.x', '/exchange/sx/r%2Fk']);
    conn.close();
  });
});

describe('cross-protocol through the core', () => {
  it('a STOMP SEND to /topic/a.b reaches a core consumer bound to amq.topic with a.b', async () => {
    const { session, conn } = coreSession(srv.core);
    const q = session.declareQueue({ name: '', exclusive: true }).name;
    session.bind({ source: 'amq.topic', destination: q, destinationType: 'queue', routingKey: 'a.b' });
    const got = coreConsume(session, q);
    const c = await client();
    await stompitSend(c, { destination: '/topic/a.b', 'content-type': 'text/plain', 'x-custom': 'v' }, 'from stomp', true);
    await until(() => got.length === 1);
    expect(got[0]!.message.exchange).toBe('amq.topic');
    expect(got[0]!.message.routingKey).toBe('a.b');
    expect(got[0]!.message.body.toString()).toBe('from stomp');
    expect(got[0]!.message.properties.contentType).toBe('text/plain');
    expect(got[0]!.message.properties.headers?.['x-custom']).toEqual({ type: 'string', value: 'v' });
    conn.close();
  });

  it('a core publish to a queue arrives at a STOMP subscriber', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareQueue({ name: 'to-stomp', durable: true });
    const c = await client();
    const sub = new StompitSub(c, { destination: '/queue/to-stomp' });
    await until(() => queue('to-stomp')?.consumers === 1);
    session.publish({ exchange: '', routingKey: 'to-stomp', properties: { contentType: 'application/json' }, body: Buffer.from('{"a":1}') });
    const m = await sub.next();
    expect(m.body.toString()).toBe('{"a":1}');
    expect(m.headers['content-type']).toBe('application/json');
    conn.close();
  });
});
