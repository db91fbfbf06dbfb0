/**
 * v5 enhanced authentication: SCRAM-SHA-256 (RFC 5802/7677) with mqtt.js and
 * a raw client (the client side of SCRAM is written here with node:crypto),
 * re-authentication (AUTH 0x19), failures, and a pluggable method.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IAuthPacket, IConnackPacket, IDisconnectPacket, Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthMethod } from '../../../protocols/mqtt/index.js';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, collect, connect, end, eventually } from './util.js';

const METHOD = 'SCRAM-SHA-256';

/** Client side of SCRAM-SHA-256. */
class ScramClient {
  readonly cnonce = randomBytes(18).toString('base64');
  readonly bare: string;
  private authMessage = '';
  private serverKey = Buffer.alloc(0);
  private readonly password: string;

  constructor(user: string, password: string) {
    this.password = password;
    this.bare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.cnonce}`;
  }

  first(): Buffer {
    return Buffer.from(`n,,${this.bare}`);
  }

  final(serverFirst: Buffer): Buffer {
    const sf = serverFirst.toString();
    const attrs = new Map(sf.split(',').map((kv) => [kv[0]!, kv.slice(2)]));
    const nonce = attrs.get('r')!;
    expect(nonce.startsWith(this.cnonce)).toBe(true);
    const salted = pbkdf2Sync(this.password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    this.serverKey = createHmac('sha256', salted).update('Server Key').digest();
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    this.authMessage = `${this.bare},${sf},${withoutProof}`;
    const sig = createHmac('sha256', storedKey).update(this.authMessage).digest();
    const proof = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) proof[i] = clientKey[i]! ^ sig[i]!;
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** checks the server-final `v=` signature */
  verify(serverFinal: Buffer | undefined): boolean {
    const expected = createHmac('sha256', this.serverKey).update(this.authMessage).digest();
    const m = /^v=(.*)$/.exec(serverFinal?.toString() ?? '');
    return m !== null && timingSafeEqual(Buffer.from(m[1]!, 'base64'), expected);
  }
}

const tokenMethod: AuthMethod = {
  name: 'X-TOKEN',
  begin: () => ({
    next: (data) =>
      data?.toString() === 'let-me-in'
        ? { kind: 'success', username: 'scram-user' }
        : { kind: 'failure', reason: 0x87, message: 'bad token' },
  }),
};

let srv: MqttTestServer;
beforeAll(async () => {
  srv = await startMqttServer({ authMethods: [tokenMethod] });
  srv.core.users.addUser('scram-user', 'pencil,=ü');
  srv.core.users.setPermissions('scram-user', '/', { configure: '.*', write: '.*', read: '.*' });
  srv.core.users.addUser('other', 'other-pw');
  srv.core.users.setPermissions('other', '/', { configure: '.*', write: '.*', read: '.*' });
  // imported from RabbitMQ definitions: only the salted SHA-256 hash, no SCRAM verifier
  srv.core.users.addUserWithHash('imported', srv.core.users.listUsers().find((u) => u.name === 'other')!.passwordHash);
  srv.core.users.setPermissions('imported', '/', { configure: '.*', write: '.*', read: '.*' });
});
afterAll(async () => {
  await srv.close();
});

function scramConnect(user: string, password: string, clientId: string) {
  const scram = new ScramClient(user, password);
  let connack: IConnackPacket | undefined;
  const p = connect(
    srv.url,
    {
      clientId,
      protocolVersion: 5,
      username: undefined,
      password: undefined,
      properties: { authenticationMethod: METHOD, authenticationData: scram.first() },
    },
    (c) => {
      c.handleAuth = (packet, cb) => {
        const data = packet.properties?.authenticationData;
        if (!data) return cb(new Error('no server-first'));
        cb(undefined, { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: scram.final(data) } } as never);
      };
      c.once('connect', (ack) => (connack = ack));
    },
  );
  return { scram, client: p, connack: () => connack };
}

/** Raw v5 client through a full SCRAM CONNECT. */
async function rawScram(user: string, password: string, clientId: string): Promise<RawClient> {
  const r = await RawClient.open(srv.port, 5);
  const scram = new ScramClient(user, password);
  r.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId, keepalive: 0, properties: { authenticationMethod: METHOD, authenticationData: scram.first() } } as Packet, 5);
  const sf = (await r.waitPacket('auth')) as IAuthPacket;
  expect(sf.reasonCode).toBe(0x18);
  r.send({ cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: scram.final(sf.properties!.authenticationData!) } } as Packet, 5);
  const ack = (await r.waitPacket('connack')) as IConnackPacket;
  expect(ack.reasonCode).toBe(0);
  expect(scram.verify(ack.properties?.authenticationData)).toBe(true);
  r.packets.length = 0;
  return r;
}

async function reauth(r: RawClient, user: string, password: string): Promise<void> {
  const scram = new ScramClient(user, password);
  r.send({ cmd: 'auth', reasonCode: 0x19, properties: { authenticationMethod: METHOD, authenticationData: scram.first() } } as Packet, 5);
  const sf = (await r.waitPacket('auth')) as IAuthPacket;
  r.packets.length = 0;
  expect(sf.reasonCode).toBe(0x18);
  r.send({ cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: METHOD, authenticationData: scram.final(sf.properties!.authenticationData!) } } as Packet, 5);
}

describe('SCRAM-SHA-256 on CONNECT', () => {
  it('mqtt.js completes the exchange; CONNACK carries the server signature; the session works', async () => {
    const s = scramConnect('scram-user', 'pencil,=ü', 'scram-ok');
    const c = await s.client;
    expect(s.connack()?.properties?.authenticationMethod).toBe(METHOD);
    expect(s.scram.verify(s.connack()?.properties?.authenticationData)).toBe(true);
    const got = collect(c);
    await c.subscribeAsync('scram/t', { qos: 1 });
    await c.publishAsync('scram/t', 'hi', { qos: 1 });
    await eventually(() => got.length === 1);
    await end(c);
  });

  it.each([
    ['a wrong password', 'scram-user', 'wrong'],
    ['an unknown user', 'nobody', 'x'],
    ['a user imported with only a password hash (no SCRAM verifier)', 'imported', 'other-pw'],
  ])('%s → CONNACK 0x86 after the exchange', async (_what, user, pw) => {
    await expect(scramConnect(user, pw, 'scram-bad').client).rejects.toMatchObject({ code: 0x86 });
  });

  it('vhost:user in the SCRAM user name selects the vhost', async () => {
    const r = await rawScram('/:scram-user', 'pencil,=ü', 'scram-vh');
    r.destroy();
  });

  it('packets other than AUTH during the exchange → CONNACK 0x82 and close', async () => {
    const r = await RawClient.open(srv.port, 5);
    r.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: 'scram-x', keepalive: 0, properties: { authenticationMethod: METHOD, authenticationData: new ScramClient('scram-user', 'x').first() } } as Packet, 5);
    await r.waitPacket('auth');
    r.send({ cmd: 'pingreq' }, 5);
    expect(((await r.waitPacket('connack')) as IConnackPacket).reasonCode).toBe(0x82);
    await r.waitClosed();
  });

  it('a malformed client-first-message → CONNACK 0x82; an unknown method → 0x8C', async () => {
    const r = await RawClient.open(srv.port, 5);
    r.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: 'scram-mal', keepalive: 0, properties: { authenticationMethod: METHOD, authenticationData: Buffer.from('hello') } } as Packet, 5);
    expect(((await r.waitPacket('connack')) as IConnackPacket).reasonCode).toBe(0x82);
    await r.waitClosed();
    const r2 = await RawClient.open(srv.port, 5);
    r2.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: 'scram-m2', keepalive: 0, properties: { authenticationMethod: 'SCRAM-SHA-1' } } as Packet, 5);
    expect(((await r2.waitPacket('connack')) as IConnackPacket).reasonCode).toBe(0x8c);
    await r2.waitClosed();
  });

  it('a pluggable method (adapter option authMethods) authenticates in one step', async () => {
    const c = await connect(srv.url, { clientId: 'tok', protocolVersion: 5, username: undefined, password: undefined, properties: { authenticationMethod: 'X-TOKEN', authenticationData: Buffer.from('let-me-in') } });
    await end(c);
    await expect(
      connect(srv.url, { clientId: 'tok2', protocolVersion: 5, username: undefined, password: undefined, properties: { authenticationMethod: 'X-TOKEN', authenticationData: Buffer.from('no') } }),
    ).rejects.toMatchObject({ code: 0x87 });
  });
});

describe('re-authentication (AUTH 0x19)', () => {
  it('succeeds: AUTH 0x00 with the server signature; the connection keeps working', async () => {
    const r = await rawScram('scram-user', 'pencil,=ü', 'reauth-ok');
    await reauth(r, 'scram-user', 'pencil,=ü');
    const done = (await r.waitPacket('auth')) as IAuthPacket;
    expect(done.reasonCode).toBe(0);
    expect(done.properties?.authenticationMethod).toBe(METHOD);
    r.send({ cmd: 'pingreq' }, 5);
    await r.waitPacket('pingresp');
    expect(r.closed).toBe(false);
    r.destroy();
  });

  it('a wrong password → DISCONNECT 0x87 and close', async () => {
    const r = await rawScram('scram-user', 'pencil,=ü', 'reauth-bad');
    await reauth(r, 'scram-user', 'wrong');
    expect(((await r.waitPacket('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x87);
    await r.waitClosed();
  });

  it('as another user → DISCONNECT 0x87', async () => {
    const r = await rawScram('scram-user', 'pencil,=ü', 'reauth-other');
    await reauth(r, 'other', 'other-pw');
    expect(((await r.waitPacket('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x87);
    await r.waitClosed();
  });

  it('another method → DISCONNECT 0x82 (0x8C is not a DISCONNECT reason in §3.14.2.1); AUTH after a password login → DISCONNECT 0x82', async () => {
    const r = await rawScram('scram-user', 'pencil,=ü', 'reauth-m');
    r.send({ cmd: 'auth', reasonCode: 0x19, properties: { authenticationMethod: 'X-TOKEN', authenticationData: Buffer.from('let-me-in') } } as Packet, 5);
    expect(((await r.waitPacket('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x82);
    await r.waitClosed();

    const p = await RawClient.open(srv.port, 5);
    p.send(p.connectPacket({ protocolVersion: 5, clientId: 'pw-then-auth' }), 5);
    await p.waitPacket('connack');
    p.send({ cmd: 'auth', reasonCode: 0x19, properties: { authenticationMethod: METHOD, authenticationData: new ScramClient('guest', 'guest').first() } } as Packet, 5);
    expect(((await p.waitPacket('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x82);
    await p.waitClosed();
  });
});
