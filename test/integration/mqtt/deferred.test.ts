/**
 * A connection's packets from a PUBLISH on are handled in the event loop's
 * check phase (processor.ts). These check that nothing observable changes:
 * order within a connection, and nothing a client sent before the
 * connection ends is lost (its publishes, its DISCONNECT).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, collect, connect, end, eventually, sleep } from './util.js';

let srv: MqttTestServer;
beforeAll(async () => {
  srv = await startMqttServer();
});
afterAll(async () => {
  await srv.close();
});

const pub = (topic: string, body: string, qos: 0 | 1 = 0, messageId = 1): Buffer =>
  mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(body), qos, retain: false, dup: false, ...(qos > 0 ? { messageId } : {}) } as Packet);

async function connected(clientId: string, extra: Record<string, unknown> = {}): Promise<RawClient> {
  const r = await RawClient.open(srv.port);
  r.send(r.connectPacket({ clientId, ...extra }));
  await r.waitPacket('connack');
  return r;
}

describe('PUBLISH handled after the socket read', () => {
  it('keeps the order of a connection: SUBSCRIBE before PUBLISH sees it, PUBLISH before SUBSCRIBE does not', async () => {
    const r = await connected('order');
    const sub = (id: number, topic: string): Buffer => mqttPacket.generate({ cmd: 'subscribe', messageId: id, subscriptions: [{ topic, qos: 0 }] } as Packet);
    r.send(Buffer.concat([sub(1, 'o/1'), pub('o/1', 'after-subscribe'), pub('o/2', 'before-subscribe'), sub(2, 'o/2'), mqttPacket.generate({ cmd: 'pingreq' } as Packet)]));
    await r.waitPacket('pingresp');
    await sleep(50);
    const got = r.packets.filter((p) => p.cmd === 'publish').map((p) => (p as { payload: Buffer }).payload.toString());
    expect(got).toEqual(['after-subscribe']);
    expect(r.packets.filter((p) => p.cmd === 'suback').map((p) => (p as { messageId: number }).messageId)).toEqual([1, 2]);
    r.destroy();
  });

  it('QoS 1 publishes read in one chunk are each PUBACKed, in order', async () => {
    const r = await connected('acks');
    r.send(Buffer.concat([1, 2, 3, 4, 5].map((id) => pub('acks/t', `m${id}`, 1, id))));
    await eventually(() => r.packets.filter((p) => p.cmd === 'puback').length === 5);
    expect(r.packets.filter((p) => p.cmd === 'puback').map((p) => (p as { messageId: number }).messageId)).toEqual([1, 2, 3, 4, 5]);
    r.destroy();
  });

  it('a flood in one write (more than the deferred batch) is PUBACKed and delivered in order', async () => {
    const watcher = await connect(srv.url);
    await watcher.subscribeAsync('f/t', { qos: 1 });
    const got = collect(watcher);
    const r = await connected('flood');
    const n = 3000;
    r.send(Buffer.concat(Array.from({ length: n }, (_, i) => pub('f/t', `m${i}`, 1, i + 1))));
    await eventually(() => r.packets.filter((p) => p.cmd === 'puback').length === n && got.length === n, 10000);
    expect(r.packets.filter((p) => p.cmd === 'puback').map((p) => (p as { messageId: number }).messageId)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(got.map((m) => m.payload.toString())).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    r.destroy();
    await end(watcher);
  });

  it('PUBLISH then DISCONNECT in one write: the message is routed and the will is not published', async () => {
    const watcher = await connect(srv.url);
    await watcher.subscribeAsync('d/#', { qos: 1 });
    const got = collect(watcher);
    const r = await connected('pd', { will: { topic: 'd/will', payload: Buffer.from('will'), qos: 0, retain: false } });
    r.send(Buffer.concat([pub('d/msg', 'last words', 1, 7), mqttPacket.generate({ cmd: 'disconnect' } as Packet)]));
    await r.waitClosed();
    await eventually(() => got.length >= 1);
    await sleep(100);
    expect(got.map((m) => m.topic)).toEqual(['d/msg']);
    await end(watcher);
  });

  it('PUBLISH then a closed socket: the message is routed, then the will', async () => {
    const watcher = await connect(srv.url);
    await watcher.subscribeAsync('c/#', { qos: 1 });
    const got = collect(watcher);
    const r = await connected('pc', { will: { topic: 'c/will', payload: Buffer.from('will'), qos: 0, retain: false } });
    r.socket.end(pub('c/msg', 'sent before close', 1, 8));
    await eventually(() => got.length >= 2);
    expect(got.map((m) => m.topic)).toEqual(['c/msg', 'c/will']);
    await end(watcher);
  });

  it('PUBLISH then a malformed packet in one write: the message is routed before the connection closes', async () => {
    const watcher = await connect(srv.url);
    await watcher.subscribeAsync('m/#', { qos: 1 });
    const got = collect(watcher);
    const r = await connected('pm');
    r.send(Buffer.concat([pub('m/msg', 'valid'), Buffer.from([0x00, 0x00])]));
    await r.waitClosed();
    await eventually(() => got.length >= 1);
    expect(got.map((m) => m.payload.toString())).toEqual(['valid']);
    await end(watcher);
  });
});
