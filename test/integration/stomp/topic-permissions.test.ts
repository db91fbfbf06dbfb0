/**
 * Topic permissions through STOMP: SEND to /topic/<key> or
 * /exchange/amq.topic/<key> with a key the write pattern refuses, and
 * SUBSCRIBE to /topic/<key> with a key the read pattern refuses, get ERROR
 * access_refused and the connection closes (as every access refusal); allowed
 * keys work (stompit).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStompServer } from '../../helpers/stomp-server.js';
import type { StompTestServer } from '../../helpers/stomp-server.js';
import { RawClient, stompitConnect, stompitDisconnect, stompitSend, StompitSub, until } from './util.js';
import type { StompitClient } from './util.js';

let srv: StompTestServer;
const raws: RawClient[] = [];
const stompits: StompitClient[] = [];
const login = { login: 'app', passcode: 'pw' };

async function raw(): Promise<RawClient> {
  const { c } = await RawClient.connected(srv.port, login);
  raws.push(c);
  return c;
}

beforeAll(async () => {
  srv = await startStompServer();
  srv.core.users.addUser('app', 'pw');
  srv.core.users.setPermissions('app', '/', { configure: '.*', write: '.*', read: '.*' });
  srv.core.users.setTopicPermissions('app', '/', 'amq.topic', '^app\\.', '^(app|news)\\.');
});
afterEach(async () => {
  for (const c of raws.splice(0)) c.close();
  await Promise.all(stompits.splice(0).map((c) => stompitDisconnect(c).catch(() => c.destroy())));
});
afterAll(async () => {
  await srv.close();
});

describe('STOMP topic permissions', () => {
  it('allowed keys: SUBSCRIBE /topic/app.# and SEND /topic/app.x deliver', async () => {
    const c = await stompitConnect(srv.port, login);
    stompits.push(c);
    const sub = new StompitSub(c, { destination: '/topic/app.#', id: 's1' });
    // the SUBSCRIBE has no receipt here: wait until its binding exists
    await until(() => srv.core.inspect.listBindings('/').some((b) => b.source === 'amq.topic' && b.routingKey === 'app.#'), 3000, 'binding');
    await stompitSend(c, { destination: '/topic/app.hello' }, 'hi', true);
    const m = await sub.next();
    expect(m.body.toString()).toBe('hi');
    expect(m.headers['destination']).toBe('/topic/app.hello');
  });

  it('SEND to /topic/<refused key> → ERROR access_refused, connection closed', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/topic/secret.x' }, 'x');
    const f = await c.expectErrorAndClose('access_refused');
    expect(f.body.toString()).toContain(
      "write access to topic 'secret.x' in exchange 'amq.topic' in vhost '/' refused for user 'app'",
    );
  });

  it('SEND to /exchange/amq.topic/<refused key> → ERROR access_refused', async () => {
    const c = await raw();
    c.send('SEND', { destination: '/exchange/amq.topic/news.today' }, 'x');
    const f = await c.expectErrorAndClose('access_refused');
    expect(f.body.toString()).toContain("write access to topic 'news.today' in exchange 'amq.topic'");
  });

  it('SUBSCRIBE to /topic/<refused key> → ERROR access_refused, no binding left', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', { destination: '/topic/secret.#', id: 'x' });
    const f = await c.expectErrorAndClose('access_refused');
    expect(f.body.toString()).toContain("read access to topic 'secret.#' in exchange 'amq.topic' in vhost '/' refused for user 'app'");
    expect(srv.core.inspect.listBindings('/').some((b) => b.routingKey === 'secret.#')).toBe(false);
  });
});
