import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { F } from '../../../core/index.js';
import { startStompServer } from '../../helpers/stomp-server.js';
import type { StompTestServer } from '../../helpers/stomp-server.js';
import { coreConsume, coreSession, RawClient, stompitConnect, stompitDisconnect, stompitSend, StompitSub, until } from './util.js';
import type { StompitClient } from './util.js';

let srv: StompTestServer;
const raws: RawClient[] = [];
const stompits: StompitClient[] = [];

async function client(headers: Record<string, string> = {}): Promise<StompitClient> {
  const c = await stompitConnect(srv.port, headers);
  stompits.push(c);
  return c;
}
async function raw(headers: Record<string, string> = {}): Promise<RawClient> {
  const { c } = await RawClient.connected(srv.port, headers);
  raws.push(c);
  return c;
}
const queue = (name: string) => srv.core.inspect.listQueues('/').find((q) => q.name === name);

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

describe('headers ↔ properties', () => {
  it('SEND headers map to AMQP properties; other headers become longstr AMQP headers', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareQueue({ name: 'props', durable: true });
    const got = coreConsume(session, 'props');
    const c = await raw();
    c.send(
      'SEND',
      {
        destination: '/amq/queue/props',
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        persistent: 'true',
        priority: '7',
        'correlation-id': 'corr',
        'reply-to': '/queue/replies',
        expiration: '60000',
        'amqp-message-id': 'mid-1',
        timestamp: '1700000000',
        type: 'order',
        'user-id': 'guest',
        'app-id': 'app',
        'x-custom': 'a\\cb',
        'message-id': 'not-allowed',
        receipt: 'r',
      },
      'body',
    );
    expect((await c.next()).command).toBe('RECEIPT');
    await until(() => got.length === 1);
    const p = got[0]!.message.properties;
    expect(p).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'gzip',
      deliveryMode: 2,
      priority: 7,
      correlationId: 'corr',
      replyTo: '/queue/replies',
      expiration: '60000',
      messageId: 'mid-1',
      timestamp: 1700000000n,
      type: 'order',
      userId: 'guest',
      appId: 'app',
    });
    expect(p.headers).toEqual({ 'x-custom': F.str('a:b') });
    conn.close();
  });

  it('AMQP properties and string/int/long headers come back as MESSAGE headers; other types are dropped', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/props-out', id: 's', receipt: 'r' });
    await c.next();
    const { session, conn } = coreSession(srv.core);
    session.publish({
      exchange: '',
      routingKey: 'props-out',
      properties: {
        contentType: 'text/plain',
        deliveryMode: 2,
        priority: 3,
        correlationId: 'c1',
        messageId: 'm1',
        timestamp: 42n,
        type: 't',
        appId: 'a',
        expiration: '1000000',
        headers: {
          s: F.str('str:with\ncolon'),
          i: { type: 'int32', value: -5 },
          l: F.long(1n << 40n),
          b: F.bool(true),
          t: F.table({}),
        },
      },
      body: Buffer.from('x'),
    });
    const m = await c.next();
    expect(m.headers).toMatchObject({
      subscription: 's',
      destination: '/queue/props-out',
      redelivered: 'false',
      'content-type': 'text/plain',
      persistent: 'true',
      priority: '3',
      'correlation-id': 'c1',
      'amqp-message-id': 'm1',
      timestamp: '42',
      type: 't',
      'app-id': 'a',
      expiration: '1000000',
      s: 'str:with\ncolon',
      i: '-5',
      l: String(1n << 40n),
      'content-length': '1',
    });
    expect(m.headers['b']).toBeUndefined();
    expect(m.headers['t']).toBeUndefined();
    conn.close();
  });

  it('a user-id that is not the authenticated user is refused', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/queue/uid', 'user-id': 'mallory' }, 'x');
    const f = await c.expectErrorAndClose('precondition_failed');
    expect(f.body.toString()).toContain("user_id property set to 'mallory'");
  });

  it('bodies with NUL bytes round-trip with content-length (stompit)', async () => {
    const c = await client();
    const body = Buffer.from([0, 1, 2, 0, 255, 0]);
    const sub = new StompitSub(c, { destination: '/queue/binary' });
    await stompitSend(c, { destination: '/queue/binary', 'content-length': String(body.length) }, body, true);
    const m = await sub.next();
    expect(m.body.equals(body)).toBe(true);
  });

  it('1.1 escapes MESSAGE headers, 1.0 does not', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareQueue({ name: 'esc', durable: false });
    for (const v of ['1.1', '1.0']) {
      const c = await raw({ 'accept-version': v });
      c.send('SUBSCRIBE', { destination: '/queue/esc', id: 's' + v, receipt: 'r' });
      await c.next();
      session.publish({ exchange: '', routingKey: 'esc', properties: { headers: { k: F.str('a:b') } }, body: Buffer.from('x') });
      const m = await c.next();
      // the stompjs-based raw client unescapes as 1.2; 1.1 shows a\cb decoded, 1.0 sends it raw
      expect(m.headers['k']).toBe('a:b');
      c.close();
    }
    conn.close();
  });
});

describe('RECEIPT', () => {
  it('a receipt for SEND follows the confirm; for other frames immediately, in frame order', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/queue/rcpt', persistent: 'true', receipt: 's1' }, 'a');
    c.send('SUBSCRIBE', { destination: '/queue/other-rcpt', id: 'x', receipt: 'sub1' });
    c.send('SEND', { destination: '/queue/rcpt', receipt: 's2' }, 'b');
    const ids = [(await c.next()).headers['receipt-id'], (await c.next()).headers['receipt-id'], (await c.next()).headers['receipt-id']];
    expect(ids).toEqual(['s1', 'sub1', 's2']);
    expect(queue('rcpt')?.messages).toBe(2);
  });

  it('an unroutable SEND is still confirmed (RECEIPT)', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/topic/nobody.listens', receipt: 'u' }, 'x');
    expect((await c.next()).headers['receipt-id']).toBe('u');
  });

  it('a rejected SEND (x-overflow reject-publish) gets an ERROR carrying the receipt-id', async () => {
    const { session, conn } = coreSession(srv.core);
    session.declareQueue({ name: 'full', args: { 'x-max-length': F.int(1), 'x-overflow': F.str('reject-publish') } });
    const c = await raw();
    c.send('SEND', { destination: '/amq/queue/full', receipt: 'ok' }, '1');
    c.send('SEND', { destination: '/amq/queue/full', receipt: 'no' }, '2');
    expect((await c.next()).headers['receipt-id']).toBe('ok');
    const e = await c.next();
    expect(e.command).toBe('ERROR');
    expect(e.headers['receipt-id']).toBe('no');
    expect(e.headers['message']).toBe('Message rejected');
    conn.close();
  });

  it('DISCONNECT with receipt: RECEIPT then close; unacked messages are requeued', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/disc', id: 's', ack: 'client' });
    c.send('SEND', { destination: '/queue/disc' }, 'm');
    expect((await c.next()).command).toBe('MESSAGE');
    c.send('DISCONNECT', { receipt: 'bye' });
    expect((await c.next()).headers['receipt-id']).toBe('bye');
    await c.closedP;
    await until(() => queue('disc')?.messagesReady === 1);
  });
});

describe('SUBSCRIBE ack modes', () => {
  it('message-id is T_<sub>@@<session>@@<tag>; 1.2 MESSAGE carries ack', async () => {
    const { c, connected } = await RawClient.connected(srv.port);
    raws.push(c);
    c.send('SUBSCRIBE', { destination: '/queue/mid', id: 'sub-7', ack: 'client-individual' });
    c.send('SEND', { destination: '/queue/mid' }, 'x');
    const m = await c.next();
    expect(m.headers['message-id']).toBe(`T_sub-7@@${connected.headers['session']}@@1`);
    expect(m.headers['ack']).toBe(m.headers['message-id']);
  });

  it('auto: no acks needed, nothing stays unacked', async () => {
    const c = await client();
    const sub = new StompitSub(c, { destination: '/queue/auto' });
    for (let i = 0; i < 3; i++) await stompitSend(c, { destination: '/queue/auto' }, String(i));
    expect((await sub.take(3)).map((m) => m.body.toString())).toEqual(['0', '1', '2']);
    await until(() => queue('auto')?.messages === 0);
  });

  it('client-individual: ACK one, the others stay unacked (stompit)', async () => {
    const c = await client();
    const sub = new StompitSub(c, { destination: '/queue/ci', ack: 'client-individual' });
    for (let i = 0; i < 3; i++) await stompitSend(c, { destination: '/queue/ci' }, String(i));
    const ms = await sub.take(3);
    c.ack(ms[1]!.raw);
    await until(() => queue('ci')?.messagesUnacked === 2);
    c.ack(ms[0]!.raw);
    c.ack(ms[2]!.raw);
    await until(() => queue('ci')?.messages === 0);
  });

  it('client: ACK is cumulative within the subscription only', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/cum-a', id: 'a', ack: 'client' });
    c.send('SUBSCRIBE', { destination: '/queue/cum-b', id: 'b', ack: 'client' });
    c.send('SEND', { destination: '/queue/cum-a' }, 'a1');
    c.send('SEND', { destination: '/queue/cum-b' }, 'b1');
    c.send('SEND', { destination: '/queue/cum-a' }, 'a2');
    const ms = [await c.next(), await c.next(), await c.next()];
    const a2 = ms.find((m) => m.body.toString() === 'a2')!;
    c.send('ACK', { id: a2.headers['ack']!, receipt: 'r' });
    expect((await c.next()).headers['receipt-id']).toBe('r');
    expect(queue('cum-a')?.messages).toBe(0);
    expect(queue('cum-b')?.messagesUnacked).toBe(1);
  });

  it('1.0/1.1 ACK by message-id', async () => {
    const c = await raw({ 'accept-version': '1.1' });
    c.send('SUBSCRIBE', { destination: '/queue/ack11', id: 's', ack: 'client-individual' });
    c.send('SEND', { destination: '/queue/ack11' }, 'x');
    const m = await c.next();
    expect(m.headers['ack']).toBeUndefined();
    c.send('ACK', { 'message-id': m.headers['message-id']!, subscription: 's', receipt: 'r' });
    await c.next();
    expect(queue('ack11')?.messages).toBe(0);
  });

  it('prefetch-count limits unacked deliveries', async () => {
    const c = await client();
    const sub = new StompitSub(c, { destination: '/queue/prefetch', ack: 'client-individual', 'prefetch-count': '2' });
    for (let i = 0; i < 5; i++) await stompitSend(c, { destination: '/queue/prefetch' }, String(i), i === 4);
    const first = await sub.take(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(sub.buffered).toBe(0);
    c.ack(first[0]!.raw);
    const third = await sub.next();
    expect(third.body.toString()).toBe('2');
  });

  it('NACK requeues by default; requeue:false dead-letters / drops', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/nack', id: 's', ack: 'client-individual' });
    c.send('SEND', { destination: '/queue/nack' }, 'x');
    const m1 = await c.next();
    c.send('NACK', { id: m1.headers['ack']! });
    const m2 = await c.next();
    expect(m2.headers['redelivered']).toBe('true');
    c.send('NACK', { id: m2.headers['ack']!, requeue: 'false', receipt: 'r' });
    expect((await c.next()).command).toBe('RECEIPT');
    expect(queue('nack')?.messages).toBe(0);
  });

  it('NACK via stompit requeues', async () => {
    const c = await client();
    const sub = new StompitSub(c, { destination: '/queue/nack2', ack: 'client-individual' });
    await stompitSend(c, { destination: '/queue/nack2' }, 'x');
    const m = await sub.next();
    c.nack(m.raw);
    const again = await sub.next();
    expect(again.headers['redelivered']).toBe('true');
    c.ack(again.raw);
  });

  it('UNSUBSCRIBE stops deliveries; unknown ids are an error', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/unsub', id: 's' });
    c.send('UNSUBSCRIBE', { id: 's', receipt: 'r' });
    expect((await c.next()).command).toBe('RECEIPT');
    c.send('SEND', { destination: '/queue/unsub', receipt: 'r2' }, 'x');
    expect((await c.next()).command).toBe('RECEIPT');
    expect(await c.quiet(150)).toBe(true);
    expect(queue('unsub')?.messagesReady).toBe(1);
    c.send('UNSUBSCRIBE', { id: 'nope' });
    await c.expectErrorAndClose('No subscription found');
  });

  it('a duplicate subscription id is an error', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/dup', id: 's' });
    c.send('SUBSCRIBE', { destination: '/queue/dup', id: 's' });
    await c.expectErrorAndClose('Duplicated subscription identifier');
  });
});

describe('transactions', () => {
  it('SEND and ACK inside a transaction happen on COMMIT; ABORT discards', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/queue/txq', id: 's', ack: 'client-individual' });
    c.send('SEND', { destination: '/queue/txq' }, 'm0');
    const m0 = await c.next();
    c.send('BEGIN', { transaction: 't1' });
    c.send('SEND', { destination: '/queue/txq', transaction: 't1' }, 'm1');
    c.send('ACK', { id: m0.headers['ack']!, transaction: 't1' });
    c.send('SEND', { destination: '/queue/txq-other', transaction: 't1', receipt: 'in-tx' }, 'm2');
    expect((await c.next()).headers['receipt-id']).toBe('in-tx');
    expect(await c.quiet(100)).toBe(true);
    expect(queue('txq')?.messagesUnacked).toBe(1);
    c.send('COMMIT', { transaction: 't1', receipt: 'commit' });
    const frames = [await c.next(), await c.next()];
    expect(frames.map((f) => f.command).sort()).toEqual(['MESSAGE', 'RECEIPT']);
    expect(frames.find((f) => f.command === 'MESSAGE')!.body.toString()).toBe('m1');
    await until(() => queue('txq-other')?.messages === 1);
    c.send('BEGIN', { transaction: 't2' });
    c.send('SEND', { destination: '/queue/txq-other', transaction: 't2' }, 'never');
    c.send('ABORT', { transaction: 't2', receipt: 'ab' });
    expect((await c.next()).headers['receipt-id']).toBe('ab');
    expect(queue('txq-other')?.messages).toBe(1);
  });

  it('stompit transactions', async () => {
    const c = await client();
    const tx = c.begin();
    const f = tx.send({ destination: '/queue/stx' });
    f.end('in tx');
    await new Promise((r) => setTimeout(r, 100));
    expect(queue('stx')?.messages ?? 0).toBe(0);
    tx.commit();
    await until(() => queue('stx')?.messages === 1);
  });

  it('COMMIT of an unknown transaction → ERROR "Bad transaction" and close', async () => {
    const c = await raw();
    c.send('COMMIT', { transaction: 'ghost' });
    const f = await c.expectErrorAndClose('Bad transaction');
    expect(f.body.toString()).toContain('ghost');
  });

  it('SEND in an unknown transaction and BEGIN without transaction are errors', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/queue/x', transaction: 'nope' }, 'x');
    await c.expectErrorAndClose('Bad transaction');
    const d = await raw();
    d.send('BEGIN', {});
    await d.expectErrorAndClose('Missing header');
  });
});

describe('error cases', () => {
  it('unknown command', async () => {
    const c = await raw();
    c.send('FROB', {});
    const f = await c.expectErrorAndClose('Bad command');
    expect(f.body.toString()).toContain('FROB');
  });

  it('ACK of an unknown id', async () => {
    const { c, connected } = await RawClient.connected(srv.port);
    raws.push(c);
    c.send('ACK', { id: `T_s@@${connected.headers['session']}@@99` });
    await c.expectErrorAndClose('Invalid message-id');
    const d = await raw();
    d.send('ACK', { id: 'garbage' });
    await d.expectErrorAndClose('Invalid header');
    const e = await raw();
    e.send('ACK', {});
    await e.expectErrorAndClose('Missing header');
  });

  it('bad content-length', async () => {
    const c = await raw();
    c.write('SEND\ndestination:/queue/x\ncontent-length:zz\n\nabc\0');
    await c.expectErrorAndClose('Invalid content-length');
    const d = await raw();
    d.write('SEND\ndestination:/queue/x\ncontent-length:1\n\nabc\0');
    await d.expectErrorAndClose('Invalid content-length');
  });

  it('permission refusals', async () => {
    srv.core.users.addUser('reader', 'pw');
    srv.core.users.setPermissions('reader', '/', { configure: '', write: '', read: '.*' });
    const c = await raw({ login: 'reader', passcode: 'pw' });
    c.send('SEND', { destination: '/topic/x' }, 'x');
    const f = await c.expectErrorAndClose('access_refused');
    expect(f.body.toString()).toContain('ACCESS_REFUSED');
    const d = await raw({ login: 'reader', passcode: 'pw' });
    d.send('SUBSCRIBE', { destination: '/queue/newq', id: '1' });
    await d.expectErrorAndClose('access_refused');
  });

  it('limits: frame size, header count and header length → ERROR and close', async () => {
    const s = await startStompServer({ maxFrameSize: 1024, maxHeaders: 5, maxHeaderLength: 100 });
    try {
      const a = await RawClient.connected(s.port);
      a.c.send('SEND', { destination: '/queue/x' }, 'x'.repeat(2000));
      await a.c.expectErrorAndClose(/too large/);
      const b = await RawClient.connected(s.port);
      b.c.send('SEND', { destination: '/queue/x', a: '1', b: '2', c: '3', d: '4', e: '5' }, 'x');
      await b.c.expectErrorAndClose('Too many headers');
      const d = await RawClient.connected(s.port);
      d.c.send('SEND', { destination: '/queue/x', a: 'y'.repeat(200) }, 'x');
      await d.c.expectErrorAndClose('Header too long');
    } finally {
      await s.close();
    }
  });

  it('maxBodySize applies on its own', async () => {
    const s = await startStompServer({ maxBodySize: 10 });
    try {
      const a = await RawClient.connected(s.port);
      a.c.send('SEND', { destination: '/queue/x', 'content-length': '11' }, 'x'.repeat(11));
      await a.c.expectErrorAndClose('Body too large');
    } finally {
      await s.close();
    }
  });
});

describe('flow control', () => {
  it('a slow reader pauses its consumer (messages stay in the queue) and resumes on drain', async () => {
    const c = await raw();
    const body = Buffer.alloc(64 * 1024, 0x61);
    const { session, conn } = coreSession(srv.core);
    session.declareQueue({ name: 'slow', durable: false });
    for (let i = 0; i < 200; i++) session.publish({ exchange: '', routingKey: 'slow', properties: {}, body });
    c.socket.pause();
    c.send('SUBSCRIBE', { destination: '/queue/slow', id: 's' });
    await new Promise((r) => setTimeout(r, 300));
    const q = queue('slow')!;
    expect(q.messagesReady).toBeGreaterThan(0);
    c.socket.resume();
    let n = 0;
    while (n < 200) {
      const f = await c.next(5000);
      expect(f.command).toBe('MESSAGE');
      n++;
    }
    await until(() => queue('slow')?.messages === 0);
    conn.close();
  });

  it('a resource alarm stops reading the publisher until it clears', async () => {
    const c = await raw();
    srv.core.flow.setAlarm('memory', true);
    try {
      await new Promise((r) => setTimeout(r, 20));
      c.send('SEND', { destination: '/queue/blocked', receipt: 'b' }, 'x');
      expect(await c.quiet(200)).toBe(true);
    } finally {
      srv.core.flow.setAlarm('memory', false);
    }
    expect((await c.next()).headers['receipt-id']).toBe('b');
  });
});
