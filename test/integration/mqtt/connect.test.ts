import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, connect, end, eventually, rawConnect } from './util.js';

let srv: MqttTestServer;

beforeAll(async () => {
  srv = await startMqttServer({ allowAnonymous: false });
  srv.core.vhosts.addVhost('v1');
  srv.core.users.addUser('alice', 'secret');
  srv.core.users.setPermissions('alice', 'v1', { configure: '.*', write: '.*', read: '.*' });
});
afterAll(async () => {
  await srv.close();
});

function refused(url: string, o: mqtt.IClientOptions): Promise<{ code: number | undefined }> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, ...(o.protocolVersion === 3 ? { protocolId: 'MQIsdp' as const } : {}), ...o });
    c.once('connect', () => {
      c.end(true);
      resolve({ code: 0 });
    });
    c.once('error', (e: Error & { code?: number }) => {
      c.end(true);
      resolve({ code: e.code });
    });
  });
}

describe.each([3, 4, 5] as const)('CONNECT v%i', (protocolVersion) => {
  it('accepts guest/guest and refuses a bad password', async () => {
    const c = await connect(srv.url, { protocolVersion, clientId: `ok-${protocolVersion}` });
    expect(c.connected).toBe(true);
    await end(c);
    const r = await refused(srv.url, { protocolVersion, clientId: `bad-${protocolVersion}`, username: 'guest', password: 'nope' });
    expect(r.code).toBe(protocolVersion === 5 ? 0x86 : 4);
  });

  it('chooses the vhost from a vhost:user username', async () => {
    const c = await connect(srv.url, { protocolVersion, clientId: `vh-${protocolVersion}`, username: 'v1:alice', password: 'secret' });
    await eventually(() => srv.core.inspect.listConnections().some((x) => x.vhost === 'v1' && x.user === 'alice'));
    await end(c);
    const r = await refused(srv.url, { protocolVersion, clientId: `vh2-${protocolVersion}`, username: 'alice', password: 'secret' });
    expect(r.code).toBe(protocolVersion === 5 ? 0x87 : 5); // alice has no access to '/'
  });

  it('refuses anonymous connections unless allowed', async () => {
    const r = await refused(srv.url, { protocolVersion, clientId: `anon-${protocolVersion}` });
    expect(r.code).toBe(protocolVersion === 5 ? 0x87 : 5);
  });

  it('takes over a connection with the same client id', async () => {
    const clientId = `dup-${protocolVersion}`;
    const a = await connect(srv.url, { protocolVersion, clientId });
    let reason: number | undefined;
    a.on('disconnect', (p) => (reason = p.reasonCode));
    let aClosed = false;
    a.on('close', () => (aClosed = true));
    const b = await connect(srv.url, { protocolVersion, clientId });
    await eventually(() => aClosed, 3000, 'old connection closed');
    if (protocolVersion === 5) expect(reason).toBe(0x8e);
    expect(b.connected).toBe(true);
    await end(a, b);
  });
});

describe('client identifiers', () => {
  it('3.1.1: empty id with clean session gets one; without clean session is rejected (rc 2)', async () => {
    const c = await connect(srv.url, { protocolVersion: 4, clientId: '', clean: true });
    expect(c.connected).toBe(true);
    await end(c);
    const raw = await RawClient.open(srv.port);
    raw.send(rawConnect({ clientId: '', clean: false }));
    expect(((await raw.waitPacket('connack')) as mqtt.IConnackPacket).returnCode).toBe(2);
    await raw.waitClosed();
  });

  it('3.1: empty id is rejected (rc 2)', async () => {
    const raw = await RawClient.open(srv.port);
    raw.send(rawConnect({ name: 'MQIsdp', level: 3, clientId: '', clean: true }));
    expect(((await raw.waitPacket('connack')) as mqtt.IConnackPacket).returnCode).toBe(2);
    await raw.waitClosed();
  });

  it('v5: empty id → Assigned Client Identifier', async () => {
    const raw = await RawClient.open(srv.port, 5);
    raw.send(raw.connectPacket({ protocolVersion: 5, clientId: '' }), 5);
    const ack = (await raw.waitPacket('connack')) as mqtt.IConnackPacket;
    expect(ack.reasonCode).toBe(0);
    expect(ack.properties?.assignedClientIdentifier).toMatch(/^polyport-/);
    expect(ack.properties?.sharedSubscriptionAvailable).toBe(true);
    raw.destroy();
  });
});

describe('connection rules', () => {
  it('closes when the first packet is not CONNECT [MQTT-3.1.0-1]', async () => {
    const raw = await RawClient.open(srv.port);
    raw.send({ cmd: 'pingreq' });
    await raw.waitClosed();
    expect(raw.packets).toHaveLength(0);
  });

  it('closes on a second CONNECT [MQTT-3.1.0-2]', async () => {
    const raw = await RawClient.open(srv.port);
    raw.send(raw.connectPacket({ clientId: 'twice' }));
    await raw.waitPacket('connack');
    raw.send(raw.connectPacket({ clientId: 'twice' }));
    await raw.waitClosed();
  });

  it('v5: second CONNECT gets DISCONNECT 0x82', async () => {
    const raw = await RawClient.open(srv.port, 5);
    raw.send(raw.connectPacket({ protocolVersion: 5, clientId: 'twice5' }), 5);
    await raw.waitPacket('connack');
    raw.send(raw.connectPacket({ protocolVersion: 5, clientId: 'twice5' }), 5);
    const d = (await raw.waitPacket('disconnect')) as mqtt.IDisconnectPacket;
    expect(d.reasonCode).toBe(0x82);
    await raw.waitClosed();
  });

  it('answers an unsupported protocol level with CONNACK 1 [MQTT-3.1.2-2]', async () => {
    const raw = await RawClient.open(srv.port);
    const pkt = mqttPacketBytes();
    raw.send(pkt);
    const ack = (await raw.waitPacket('connack')) as mqtt.IConnackPacket;
    expect(ack.returnCode).toBe(1);
    await raw.waitClosed();
  });

  it('enforces keepalive at 1.5× (v5: DISCONNECT 0x8D)', async () => {
    const raw = await RawClient.open(srv.port, 5);
    const start = Date.now();
    raw.send(raw.connectPacket({ protocolVersion: 5, clientId: 'ka', keepalive: 1 }), 5);
    await raw.waitPacket('connack');
    await raw.waitClosed(4000);
    const elapsed = Date.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(3000);
    expect((raw.packets.find((p) => p.cmd === 'disconnect') as mqtt.IDisconnectPacket).reasonCode).toBe(0x8d);
  });

  it('keeps a connection that pings', async () => {
    const c = await connect(srv.url, { protocolVersion: 4, clientId: 'pinger', keepalive: 1 });
    await new Promise((r) => setTimeout(r, 2500));
    expect(c.connected).toBe(true);
    await end(c);
  });
});

/** CONNECT with protocol level 6 */
function mqttPacketBytes(): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([6, 0x02, 0, 0]),
    Buffer.from([0, 1]), Buffer.from('x'),
  ]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}
