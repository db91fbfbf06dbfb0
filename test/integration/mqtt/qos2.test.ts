import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe.each([4, 5] as const)('QoS 2 v%i', (protocolVersion) => {
  it('exactly once end to end (PUBREC/PUBREL/PUBCOMP both ways)', async () => {
    const sub = await connect(srv.url, { protocolVersion, clientId: `q2s-${protocolVersion}` });
    const got = collect(sub);
    await sub.subscribeAsync(`q2/${protocolVersion}`, { qos: 2 });
    const pub = await connect(srv.url, { protocolVersion, clientId: `q2p-${protocolVersion}` });
    for (let i = 0; i < 5; i++) await pub.publishAsync(`q2/${protocolVersion}`, `m${i}`, { qos: 2 });
    await eventually(() => got.length >= 5);
    await sleep(100);
    expect(got.map((g) => g.payload.toString())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got.every((g) => g.packet.qos === 2)).toBe(true);
    await eventually(() => srv.core.inspect.listQueues('/').find((q) => q.name === `mqtt-subscription-q2s-${protocolVersion}qos1`)?.messages === 0);
    await end(sub, pub);
  });

  it('a re-sent PUBLISH with the same packet id after reconnect is not routed twice', async () => {
    const sub = await connect(srv.url, { protocolVersion, clientId: `dups-${protocolVersion}` });
    const got = collect(sub);
    await sub.subscribeAsync(`dup/${protocolVersion}`, { qos: 2 });
    const v = protocolVersion;
    const props = v === 5 ? { properties: { sessionExpiryInterval: 60 } } : {};
    const pubPacket = { cmd: 'publish', topic: `dup/${v}`, payload: Buffer.from('once'), qos: 2, messageId: 7, retain: false, dup: false } as Packet;

    const r1 = await RawClient.open(srv.port, v);
    r1.send(r1.connectPacket({ protocolVersion: v, clientId: `dupp-${v}`, clean: false, ...props }), v);
    await r1.waitPacket('connack');
    r1.send(pubPacket, v);
    await r1.waitPacket('pubrec');
    r1.destroy(); // no PUBREL: the client will re-send the PUBLISH
    await r1.waitClosed();

    const r2 = await RawClient.open(srv.port, v);
    r2.send(r2.connectPacket({ protocolVersion: v, clientId: `dupp-${v}`, clean: false, ...props }), v);
    const ack = (await r2.waitPacket('connack')) as { sessionPresent: boolean };
    expect(ack.sessionPresent).toBe(true);
    r2.send({ ...pubPacket, dup: true } as Packet, v);
    await r2.waitPacket('pubrec');
    r2.send({ cmd: 'pubrel', messageId: 7 } as Packet, v);
    await r2.waitPacket('pubcomp');
    await sleep(100);
    expect(got.map((g) => g.payload.toString())).toEqual(['once']);
    r2.send({ cmd: 'disconnect' } as Packet, v);
    await r2.waitClosed();
    await end(sub);
  });
});

describe('QoS 2 outbound state survives a reconnect', () => {
  it('re-sends PUBREL for a PUBREC received before the disconnect', async () => {
    const v = 4;
    const r1 = await RawClient.open(srv.port, v);
    r1.send(r1.connectPacket({ clientId: 'relsub', clean: false }), v);
    await r1.waitPacket('connack');
    r1.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rel/t', qos: 2 }] } as Packet, v);
    await r1.waitPacket('suback');
    const pub = await connect(srv.url, { clientId: 'relpub' });
    await pub.publishAsync('rel/t', 'x', { qos: 2 });
    const p = (await r1.waitPacket('publish')) as { messageId: number; qos: number };
    expect(p.qos).toBe(2);
    r1.send({ cmd: 'pubrec', messageId: p.messageId } as Packet, v);
    await r1.waitPacket('pubrel');
    r1.destroy();
    await r1.waitClosed();
    const r2 = await RawClient.open(srv.port, v);
    r2.send(r2.connectPacket({ clientId: 'relsub', clean: false }), v);
    const rel = (await r2.waitPacket('pubrel')) as { messageId: number };
    expect(rel.messageId).toBe(p.messageId);
    r2.send({ cmd: 'pubcomp', messageId: p.messageId } as Packet, v);
    await sleep(50);
    expect(r2.packets.filter((x) => x.cmd === 'publish')).toHaveLength(0); // not delivered again
    r2.destroy();
    await end(pub);
  });
});

describe('v5 server Receive Maximum counts QoS 2 until PUBREL (Paho test_flow_control2)', () => {
  it('more unacknowledged QoS 2 publishes than advertised → DISCONNECT 0x93; PUBREL frees the slots', async () => {
    const s = await startMqttServer({ receiveMaximum: 3 });
    try {
      const r = await RawClient.open(s.port, 5);
      r.send(r.connectPacket({ protocolVersion: 5, clientId: 'rmax' } as never), 5);
      const ack = (await r.waitPacket('connack')) as Packet & { properties?: { receiveMaximum?: number } };
      expect(ack.properties?.receiveMaximum).toBe(3);
      const pub = (id: number): Packet => ({ cmd: 'publish', topic: 'rmax/t', payload: Buffer.from('x'), qos: 2, messageId: id, retain: false, dup: false });
      for (const id of [1, 2, 3]) r.send(pub(id), 5);
      await eventually(() => r.packets.filter((x) => x.cmd === 'pubrec').length === 3);
      r.send({ cmd: 'pubrel', messageId: 1 } as Packet, 5); // completes one: a slot is free again
      await eventually(() => r.packets.some((x) => x.cmd === 'pubcomp'));
      r.send(pub(4), 5);
      await eventually(() => r.packets.filter((x) => x.cmd === 'pubrec').length === 4);
      expect(r.closed).toBe(false);
      r.send(pub(5), 5); // 2, 3, 4 still await PUBREL
      const d = (await r.waitPacket('disconnect')) as Packet & { reasonCode?: number };
      expect(d.reasonCode).toBe(0x93);
      await r.waitClosed();
    } finally {
      await s.close();
    }
  });
});
