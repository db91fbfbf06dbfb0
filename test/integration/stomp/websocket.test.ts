import * as http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@stomp/stompjs';
import type { IMessage } from '@stomp/stompjs';
import WebSocket from 'ws';
import type { Transport } from '../../../protocols/shared/transport.js';
import { startStompServer } from '../../helpers/stomp-server.js';
import type { StompTestServer } from '../../helpers/stomp-server.js';
import { connectStompjs, stompitConnect, stompitDisconnect, stompitSend, StompitSub, until, withTimeout } from './util.js';

let srv: StompTestServer;
const mqttTransports: Transport[] = [];
const sockets: WebSocket[] = [];
const stompClients: Client[] = [];

beforeAll(async () => {
  srv = await startStompServer({ mqttWs: { onTransport: (t) => mqttTransports.push(t) } });
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(stompClients.splice(0).map((c) => c.deactivate()));
});
afterAll(async () => {
  await srv.close();
});

const url = (s: StompTestServer = srv, path = '/ws') => `ws://127.0.0.1:${s.wsPort}${path}`;

function stompjs(s: StompTestServer = srv, protocols: string[] = ['v12.stomp'], extra: Partial<ConstructorParameters<typeof Client>[0]> = {}): Promise<Client> {
  return connectStompjs(() => new WebSocket(url(s), protocols), (c) => stompClients.push(c), extra);
}

class Inbox {
  readonly got: IMessage[] = [];
  readonly add = (m: IMessage): void => {
    this.got.push(m);
  };
  async take(n: number): Promise<IMessage[]> {
    await until(() => this.got.length >= n, 3000, `${n} messages`);
    return this.got.splice(0, n);
  }
}

function rawWs(protocols?: string | string[], opts: WebSocket.ClientOptions = {}, target = url()): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target, protocols, opts);
    sockets.push(ws);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return withTimeout(
    new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }))),
    3000,
    'no WebSocket message',
  );
}

/** collect text until n NUL-terminated frames were received */
async function collectFrames(ws: WebSocket, n: number): Promise<string[]> {
  let acc = '';
  const frames: string[] = [];
  await withTimeout(
    new Promise<void>((resolve) => {
      const on = (d: Buffer): void => {
        acc += d.toString();
        let i: number;
        while ((i = acc.indexOf('\0')) !== -1) {
          frames.push(acc.slice(0, i).replace(/^\n+/, ''));
          acc = acc.slice(i + 1);
        }
        if (frames.length >= n) {
          ws.off('message', on);
          resolve();
        }
      };
      ws.on('message', on);
    }),
    3000,
    `${n} frames`,
  );
  return frames;
}

const CONNECT = 'CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\n\n\0';

describe('Web STOMP with @stomp/stompjs', () => {
  it('connects with v12.stomp, publishes and subscribes', async () => {
    const c = await stompjs();
    const inbox = new Inbox();
    c.subscribe('/queue/ws-q', inbox.add);
    c.publish({ destination: '/queue/ws-q', body: 'hello over ws', headers: { 'content-type': 'text/plain' } });
    const [m] = await inbox.take(1);
    expect(m!.body).toBe('hello over ws');
    expect(m!.headers['content-type']).toBe('text/plain');
    expect(m!.headers['destination']).toBe('/queue/ws-q');
  });

  it('client-individual acks, receipts and transactions', async () => {
    const c = await stompjs();
    const inbox = new Inbox();
    const receipt = new Promise<void>((resolve) => c.watchForReceipt('sub-r', () => resolve()));
    c.subscribe('/queue/ws-ack', inbox.add, { ack: 'client-individual', receipt: 'sub-r' });
    await receipt;
    const tx = c.begin();
    c.publish({ destination: '/queue/ws-ack', body: 'tx', headers: { transaction: tx.id } });
    await new Promise((r) => setTimeout(r, 100));
    expect(inbox.got).toHaveLength(0);
    tx.commit();
    const [m] = await inbox.take(1);
    const sent = new Promise<void>((resolve) => c.watchForReceipt('ack-r', () => resolve()));
    m!.ack({ receipt: 'ack-r' });
    await sent;
    expect(srv.core.inspect.listQueues('/').find((q) => q.name === 'ws-ack')?.messages).toBe(0);
  });

  it('binary bodies with NULs (content-length) and large messages', async () => {
    const c = await stompjs();
    const inbox = new Inbox();
    c.subscribe('/queue/ws-bin', inbox.add);
    const bin = new Uint8Array([0, 1, 0, 2, 0]);
    c.publish({ destination: '/queue/ws-bin', binaryBody: bin, headers: { 'content-type': 'application/octet-stream' } });
    const big = 'x'.repeat(200_000);
    c.publish({ destination: '/queue/ws-bin', body: big });
    const [a, b] = await inbox.take(2);
    expect(Buffer.from(a!.binaryBody).equals(Buffer.from(bin))).toBe(true);
    expect(b!.body.length).toBe(200_000);
  });

  it('STOMP over WS and over TCP meet through /topic', async () => {
    const tcp = await stompitConnect(srv.port);
    try {
      const sub = new StompitSub(tcp, { destination: '/topic/ws.cross' });
      await until(() => srv.core.inspect.listBindings('/').some((b) => b.routingKey === 'ws.cross'));
      const c = await stompjs();
      c.publish({ destination: '/topic/ws.cross', body: 'from browser' });
      expect((await sub.next()).body.toString()).toBe('from browser');
      const inbox = new Inbox();
      c.subscribe('/topic/tcp.cross', inbox.add);
      await until(() => srv.core.inspect.listBindings('/').some((b) => b.routingKey === 'tcp.cross'));
      await stompitSend(tcp, { destination: '/topic/tcp.cross' }, 'from tcp');
      expect((await inbox.take(1))[0]!.body).toBe('from tcp');
    } finally {
      await stompitDisconnect(tcp);
    }
  });

  it('heart-beats over WebSocket', async () => {
    const c = await stompjs(srv, ['v12.stomp'], { heartbeatIncoming: 1000, heartbeatOutgoing: 1000 });
    await new Promise((r) => setTimeout(r, 2500));
    expect(c.connected).toBe(true);
  });
});

describe('subprotocols and framing', () => {
  it.each([
    [['v10.stomp', 'v11.stomp'], 'v11.stomp'],
    [['v10.stomp', 'v12.stomp', 'v11.stomp'], 'v12.stomp'],
    [['v10.stomp'], 'v10.stomp'],
    [[], ''],
  ])('Web STOMP offered %j → %j', async (offered, chosen) => {
    const ws = await rawWs(offered);
    expect(ws.protocol).toBe(chosen);
  });

  it('Web STOMP without an acceptable subprotocol is still accepted (no Sec-WebSocket-Protocol echoed)', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: srv.wsPort,
        path: '/ws',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
          'Sec-WebSocket-Protocol': 'foo, bar',
        },
      });
      req.on('upgrade', (r, socket) => {
        socket.destroy();
        resolve(r);
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(101);
    expect(res.headers['sec-websocket-protocol']).toBeUndefined();
  });

  it('several STOMP frames in one WS message, and one frame split across messages; text frames by default', async () => {
    const ws = await rawWs(['v12.stomp']);
    ws.send(CONNECT + 'SUBSCRIBE\nid:1\ndestination:/queue/ws-split\n\n\0SEND\ndestination:/queue/ws-split\n\none\0');
    const first = await nextMessage(ws);
    expect(first.isBinary).toBe(false);
    const frames = first.data.toString().includes('MESSAGE') ? [first.data.toString()] : [first.data.toString(), ...(await collectFrames(ws, 1))];
    expect(frames.join('')).toContain('CONNECTED');
    const all = frames.join('');
    const msgs = all.includes('MESSAGE') ? [] : await collectFrames(ws, 1);
    expect([all, ...msgs].join('')).toContain('\n\none');
    const parts = ['SE', 'ND\ndestination:/que', 'ue/ws-split\ncontent-len', 'gth:3\n\ntw', 'o\0'];
    for (const p of parts) ws.send(p);
    const [m] = await collectFrames(ws, 1);
    expect(m).toMatch(/^MESSAGE/);
    expect(m).toMatch(/\n\ntwo$/);
  });

  it('binary frames when configured', async () => {
    const s = await startStompServer({ ws: { frame: 'binary' } });
    try {
      const ws = new WebSocket(url(s), ['v12.stomp']);
      await new Promise((r) => ws.once('open', r));
      ws.send(CONNECT);
      const m = await nextMessage(ws);
      expect(m.isBinary).toBe(true);
      expect(m.data.toString()).toMatch(/^CONNECTED/);
      ws.terminate();
    } finally {
      await s.close();
    }
  });

  it('permessage-deflate is negotiated', async () => {
    const ws = await rawWs(['v12.stomp'], { perMessageDeflate: true });
    expect(ws.extensions).toContain('permessage-deflate');
    ws.send(CONNECT);
    const m = await nextMessage(ws);
    expect(m.data.toString()).toMatch(/^CONNECTED/);
  });

  it('answers pings, and pings the client when configured', async () => {
    const ws = await rawWs(['v12.stomp']);
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping(Buffer.from('hi'));
    expect((await withTimeout(pong, 2000, 'pong')).toString()).toBe('hi');
    const s = await startStompServer({ ws: { pingIntervalMs: 100 } });
    try {
      const ws2 = new WebSocket(url(s), ['v12.stomp']);
      const ping = new Promise<void>((resolve) => ws2.once('ping', () => resolve()));
      await withTimeout(ping, 2000, 'server ping');
      ws2.terminate();
    } finally {
      await s.close();
    }
  });

  it('DISCONNECT closes the WebSocket cleanly (1000)', async () => {
    const ws = await rawWs(['v12.stomp']);
    ws.send(CONNECT);
    await nextMessage(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.send('DISCONNECT\nreceipt:bye\n\n\0');
    const r = await nextMessage(ws);
    expect(r.data.toString()).toContain('receipt-id:bye');
    expect(await withTimeout(closed, 3000, 'close')).toBe(1000);
  });

  it('a protocol error closes with an ERROR frame then 1000', async () => {
    const ws = await rawWs(['v12.stomp']);
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.send('SEND\ndestination:/queue/x\n\n\0');
    const e = await nextMessage(ws);
    expect(e.data.toString()).toMatch(/^ERROR\nmessage:Illegal command/);
    expect(await withTimeout(closed, 3000, 'close')).toBe(1000);
  });

  it('oversized messages close with 1009', async () => {
    const s = await startStompServer({ ws: { maxMessageSize: 1000 } });
    try {
      const ws = new WebSocket(url(s), ['v12.stomp']);
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
      ws.send('x'.repeat(2000));
      expect(await withTimeout(closed, 3000, 'close')).toBe(1009);
    } finally {
      await s.close();
    }
  });

  it('origin check', async () => {
    const s = await startStompServer({ ws: { allowOrigins: ['http://good.example'] } });
    try {
      await expect(rawWs(['v12.stomp'], { origin: 'http://evil.example' }, url(s))).rejects.toThrow('HTTP 403');
      await expect(rawWs(['v12.stomp'], {}, url(s))).rejects.toThrow('HTTP 403');
      const ok = await rawWs(['v12.stomp'], { origin: 'http://good.example' }, url(s));
      expect(ok.protocol).toBe('v12.stomp');
      ok.terminate();
    } finally {
      await s.close();
    }
  });

  it('a plain HTTP GET gets a 4xx, a wrong path 404', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http.get(`http://127.0.0.1:${srv.wsPort}/ws`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(426);
    await expect(rawWs(['v12.stomp'], {}, url(srv, '/other'))).rejects.toThrow('HTTP 404');
  });
});

describe('Web MQTT upgrade negotiation', () => {
  const mqttUrl = () => `ws://127.0.0.1:${srv.mqttWsPort}/ws`;

  it.each([
    [['mqtt'], 'mqtt'],
    [['mqttv3.1'], 'mqttv3.1'],
    [['mqttv3.1', 'mqtt'], 'mqtt'],
  ])('offered %j → %j', async (offered, chosen) => {
    const ws = await rawWs(offered, {}, mqttUrl());
    expect(ws.protocol).toBe(chosen);
  });

  it.each([[[]], [['v12.stomp']], [['foo', 'bar']]])('offered %j → HTTP 400', async (offered) => {
    await expect(rawWs(offered, {}, mqttUrl())).rejects.toThrow('HTTP 400');
  });

  it('bytes flow both ways through the Transport, as binary messages', async () => {
    const before = mqttTransports.length;
    const ws = await rawWs(['mqtt'], {}, mqttUrl());
    await until(() => mqttTransports.length === before + 1);
    const t = mqttTransports[before]!;
    expect(t.info.kind).toBe('ws');
    const got: Buffer[] = [];
    let closed = false;
    t.start({ onData: (b) => got.push(b), onDrain: () => {}, onClose: () => (closed = true) });
    ws.send(Buffer.from([0x10, 0x02, 0x00, 0x00]));
    ws.send(Buffer.from([0xc0, 0x00]));
    await until(() => Buffer.concat(got).length === 6);
    expect(Buffer.concat(got)).toEqual(Buffer.from([0x10, 0x02, 0x00, 0x00, 0xc0, 0x00]));
    const reply = nextMessage(ws);
    t.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    const m = await reply;
    expect(m.isBinary).toBe(true);
    expect(m.data).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    t.end();
    await until(() => closed);
  });
});
