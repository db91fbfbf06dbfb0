import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IDisconnectPacket, ISubackPacket, Packet } from 'mqtt-packet';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, collect, connect, end, eventually, sleep } from './util.js';

let srv: MqttTestServer;
beforeAll(async () => {
  srv = await startMqttServer({ maxPacketSize: 4096 });
});
afterAll(async () => {
  await srv.close();
});

let n = 0;
async function connected(v: 4 | 5): Promise<RawClient> {
  const r = await RawClient.open(srv.port, v);
  r.send(r.connectPacket({ protocolVersion: v, clientId: `mal-${n++}` }), v);
  await r.waitPacket('connack');
  return r;
}

async function expectV5Disconnect(r: RawClient, reason: number): Promise<void> {
  const d = (await r.waitPacket('disconnect')) as IDisconnectPacket;
  expect(d.reasonCode).toBe(reason);
  await r.waitClosed();
}

describe('malformed packets and protocol violations', () => {
  it.each([4, 5] as const)('v%i: wildcard in a PUBLISH topic [MQTT-3.3.2-2]', async (v) => {
    const r = await connected(v);
    r.send({ cmd: 'publish', topic: 'a/+', payload: Buffer.from('x'), qos: 0, retain: false, dup: false }, v);
    if (v === 5) await expectV5Disconnect(r, 0x90);
    else await r.waitClosed();
  });

  it.each([4, 5] as const)('v%i: DUP on a QoS 0 PUBLISH [MQTT-3.3.1-2]', async (v) => {
    const r = await connected(v);
    r.send(Buffer.from([0x38, 0x04, 0, 1, 0x61, 0x78]), v);
    if (v === 5) await expectV5Disconnect(r, 0x81);
    else await r.waitClosed();
  });

  it.each([4, 5] as const)('v%i: packet larger than mqtt.max_packet_size', async (v) => {
    const r = await connected(v);
    r.send({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(5000), qos: 0, retain: false, dup: false }, v);
    if (v === 5) await expectV5Disconnect(r, 0x95);
    else await r.waitClosed();
  });

  it('v5: CONNACK advertises the Maximum Packet Size', async () => {
    const r = await RawClient.open(srv.port, 5);
    r.send(r.connectPacket({ protocolVersion: 5, clientId: 'mps' }), 5);
    const ack = (await r.waitPacket('connack')) as { properties?: { maximumPacketSize?: number } };
    expect(ack.properties?.maximumPacketSize).toBe(4096);
    r.destroy();
  });

  it.each([4, 5] as const)('v%i: reserved header flags [MQTT-2.2.2-2]', async (v) => {
    const r = await connected(v);
    r.send(Buffer.from([0x80, 0x06, 0, 1, 0, 1, 0x61, 0]), v);
    if (v === 5) await expectV5Disconnect(r, 0x81);
    else await r.waitClosed();
  });

  it('v5: topic alias out of range [MQTT-3.3.2-9] and unknown alias', async () => {
    const r = await connected(5);
    r.send({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { topicAlias: 17 } }, 5);
    await expectV5Disconnect(r, 0x94);
    const r2 = await connected(5);
    r2.send({ cmd: 'publish', topic: '', payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } }, 5);
    await expectV5Disconnect(r2, 0x82);
  });

  it.each([4, 5] as const)('v%i: invalid filters get a failure code in SUBACK', async (v) => {
    const r = await connected(v);
    r.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/#/b', qos: 1 }, { topic: 'ok/+', qos: 1 }, { topic: 'x+', qos: 0 }] } as Packet, v);
    const s = (await r.waitPacket('suback')) as ISubackPacket;
    expect(s.granted).toEqual(v === 5 ? [0x8f, 1, 0x8f] : [0x80, 1, 0x80]);
    r.destroy();
  });

  it('v5: No Local on a shared subscription is a protocol error [MQTT-3.8.3-4]', async () => {
    const r = await connected(5);
    r.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: '$share/g/a', qos: 1, nl: true, rap: false, rh: 0 }] } as Packet, 5);
    await expectV5Disconnect(r, 0x82);
  });

  it('server-to-client packet types from a client close the connection', async () => {
    const r = await connected(4);
    r.send({ cmd: 'suback', messageId: 1, granted: [0] } as Packet, 4);
    await r.waitClosed();
  });

  it('login timeout closes a silent connection', async () => {
    const s2 = await startMqttServer({ loginTimeoutMs: 200 });
    const r = await RawClient.open(s2.port);
    await r.waitClosed(2000);
    await s2.close();
  });
});

describe('fuzzing over real sockets', () => {
  it('random bytes never crash the broker and never affect another connection', async () => {
    const watcher = await connect(srv.url, { clientId: 'fuzz-watch' });
    const got = collect(watcher);
    await watcher.subscribeAsync('fuzz/ok', { qos: 1 });
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), async (bytes, afterConnect) => {
        const r = await RawClient.open(srv.port);
        if (afterConnect) {
          r.send(r.connectPacket({ clientId: `fz-${i++}` }));
          await r.waitPacket('connack');
        }
        r.send(Buffer.from(bytes));
        await sleep(5);
        r.destroy();
      }),
      { numRuns: 150 },
    );
    await watcher.publishAsync('fuzz/ok', 'still here', { qos: 1 });
    await eventually(() => got.length === 1);
    expect(watcher.connected).toBe(true);
    await eventually(() => srv.adapter.connectionCount() === 1, 3000, 'fuzz connections gone');
    await end(watcher);
  });
});
