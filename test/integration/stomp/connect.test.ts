import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStompServer } from '../../helpers/stomp-server.js';
import type { StompTestServer } from '../../helpers/stomp-server.js';
import { RawClient, stompitConnect, stompitDisconnect, withTimeout } from './util.js';

let srv: StompTestServer;
const clients: RawClient[] = [];
const raw = async (): Promise<RawClient> => {
  const c = await RawClient.open(srv.port);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  srv = await startStompServer();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await srv.close();
});

describe('CONNECT', () => {
  it('stompit connects and disconnects', async () => {
    const client = await stompitConnect(srv.port);
    await stompitDisconnect(client);
  });

  it('CONNECTED carries version, session, heart-beat and server', async () => {
    const c = await raw();
    c.send('CONNECT', { 'accept-version': '1.0,1.1,1.2', host: '/', login: 'guest', passcode: 'guest' });
    const f = await c.next();
    expect(f.command).toBe('CONNECTED');
    expect(f.headers['version']).toBe('1.2');
    expect(f.headers['session']).toMatch(/^session-[A-Za-z0-9_-]+$/);
    expect(f.headers['heart-beat']).toBe('0,0');
    expect(f.headers['server']).toMatch(/^Polyport\//);
  });

  it.each([
    ['1.0,1.1', '1.1'],
    ['1.0', '1.0'],
    ['1.1,2.0', '1.1'],
    [undefined, '1.0'],
  ])('accept-version %s → %s', async (accept, version) => {
    const c = await raw();
    c.send('CONNECT', { ...(accept === undefined ? {} : { 'accept-version': accept }), login: 'guest', passcode: 'guest' });
    const f = await c.next();
    expect(f.headers['version']).toBe(version);
  });

  it('the STOMP command works like CONNECT', async () => {
    const c = await raw();
    c.send('STOMP', { 'accept-version': '1.2', host: '/', login: 'guest', passcode: 'guest' });
    expect((await c.next()).command).toBe('CONNECTED');
  });

  it('no common version → ERROR "Supported versions are 1.0,1.1,1.2" and close', async () => {
    const c = await raw();
    c.send('CONNECT', { 'accept-version': '2.0,3.1', login: 'guest', passcode: 'guest' });
    const f = await c.expectErrorAndClose('Version mismatch');
    expect(f.body.toString()).toContain('Supported versions are 1.0,1.1,1.2');
  });

  it('bad credentials → ERROR then close', async () => {
    const c = await raw();
    c.send('CONNECT', { 'accept-version': '1.2', login: 'guest', passcode: 'wrong', receipt: 'r1' });
    const f = await c.expectErrorAndClose('Bad CONNECT');
    expect(f.body.toString()).toContain("Access refused for user 'guest'");
    expect(f.headers['receipt-id']).toBe('r1');
  });

  it('unknown user and missing credentials are refused', async () => {
    const c = await raw();
    c.send('CONNECT', { 'accept-version': '1.2', login: 'nobody', passcode: 'x' });
    await c.expectErrorAndClose('Bad CONNECT');
    const d = await raw();
    d.send('CONNECT', { 'accept-version': '1.2' });
    const f = await d.expectErrorAndClose('Bad CONNECT');
    expect(f.body.toString()).toContain('Missing login or passcode');
  });

  it('host selects the vhost; an unknown vhost is refused', async () => {
    const c = await raw();
    c.send('CONNECT', { 'accept-version': '1.2', host: 'nope', login: 'guest', passcode: 'guest' });
    const f = await c.expectErrorAndClose('Bad CONNECT');
    expect(f.body.toString()).toContain("Virtual host 'nope' access denied");
    srv.core.vhosts.addVhost('v2');
    srv.core.users.setPermissions('guest', 'v2', { configure: '.*', write: '.*', read: '.*' });
    const d = await raw();
    d.send('CONNECT', { 'accept-version': '1.0', host: 'v2', login: 'guest', passcode: 'guest' });
    expect((await d.next()).command).toBe('CONNECTED');
    expect(srv.core.inspect.listConnections().some((x) => x.vhost === 'v2' && x.protocol === 'stomp')).toBe(true);
  });

  it('frames before CONNECT → ERROR and close', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/queue/x' }, 'hi');
    const f = await c.expectErrorAndClose('Illegal command');
    expect(f.body.toString()).toContain('CONNECT');
  });

  it('a second CONNECT is an error', async () => {
    const { c } = await RawClient.connected(srv.port);
    clients.push(c);
    c.send('CONNECT', { 'accept-version': '1.2', login: 'guest', passcode: 'guest' });
    await c.expectErrorAndClose();
  });

  it('CONNECT headers are not unescaped (1.2 passcode with backslash)', async () => {
    srv.core.users.addUser('odd', 'a\\cb');
    srv.core.users.setPermissions('odd', '/', { configure: '.*', write: '.*', read: '.*' });
    const c = await raw();
    c.send('CONNECT', { 'accept-version': '1.2', host: '/', login: 'odd', passcode: 'a\\cb' });
    expect((await c.next()).command).toBe('CONNECTED');
  });

  it('an invalid heart-beat header is refused', async () => {
    const c = await raw();
    c.send('CONNECT', { 'accept-version': '1.2', login: 'guest', passcode: 'guest', 'heart-beat': 'x,1' });
    await c.expectErrorAndClose('Invalid header');
  });
});

describe('default user and implicit connect', () => {
  it('CONNECT without login uses the default user', async () => {
    const s = await startStompServer({ defaultUser: 'guest', defaultPass: 'guest' });
    try {
      const c = await RawClient.open(s.port);
      c.send('CONNECT', { 'accept-version': '1.2' });
      expect((await c.next()).command).toBe('CONNECTED');
      c.close();
    } finally {
      await s.close();
    }
  });

  it('implicit connect: a SEND without CONNECT works and gets no CONNECTED', async () => {
    const s = await startStompServer({ defaultUser: 'guest', defaultPass: 'guest', implicitConnect: true });
    try {
      const c = await RawClient.open(s.port);
      c.send('SUBSCRIBE', { destination: '/queue/implicit', id: '1', receipt: 'r' });
      const r = await c.next();
      expect(r.command).toBe('RECEIPT');
      c.send('SEND', { destination: '/queue/implicit' }, 'hello');
      const m = await c.next();
      expect(m.command).toBe('MESSAGE');
      expect(m.body.toString()).toBe('hello');
      c.close();
    } finally {
      await s.close();
    }
  });
});

describe('heart-beats', () => {
  it('negotiation answers cy,cx and the server sends EOLs every cy (rounded to seconds)', async () => {
    const { c, connected } = await RawClient.connected(srv.port, { 'heart-beat': '0,500' });
    clients.push(c);
    expect(connected.headers['heart-beat']).toBe('500,0');
    await new Promise((r) => setTimeout(r, 2300));
    expect(c.beats).toBeGreaterThanOrEqual(1);
    expect(c.beats).toBeLessThanOrEqual(3);
  });

  it('a silent client is disconnected after missing its heart-beats', async () => {
    const { c, connected } = await RawClient.connected(srv.port, { 'heart-beat': '1000,0' });
    clients.push(c);
    expect(connected.headers['heart-beat']).toBe('0,1000');
    await withTimeout(c.closedP, 4500, 'server did not close a silent client');
  });

  it('a client that sends heart-beats stays connected', async () => {
    const { c } = await RawClient.connected(srv.port, { 'heart-beat': '1000,0' });
    clients.push(c);
    const t = setInterval(() => c.write('\n'), 400);
    await new Promise((r) => setTimeout(r, 3200));
    clearInterval(t);
    expect(c.closed).toBe(false);
  });

  it('stompit with heart-beats both ways stays connected', async () => {
    const client = await stompitConnect(srv.port, { 'heart-beat': '1000,1000' });
    await new Promise((r) => setTimeout(r, 2500));
    await stompitDisconnect(client);
  });
});

describe('adapter lifecycle', () => {
  it('counts connections and closeAll sends ERROR then closes', async () => {
    const s = await startStompServer();
    const { c } = await RawClient.connected(s.port);
    expect(s.adapter.connectionCount()).toBe(1);
    await s.adapter.closeAll();
    await c.expectErrorAndClose('connection_forced');
    expect(s.adapter.connectionCount()).toBe(0);
    await s.close();
  });
});
