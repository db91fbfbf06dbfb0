/**
 * Topic permissions over AMQP 0-9-1 (amqplib): a publish to a topic exchange
 * whose routing key the user's write pattern refuses closes the channel with
 * 403 and RabbitMQ's text; allowed keys route; queue.bind/unbind and
 * exchange.bind from a topic exchange check the read pattern; other exchange
 * types and users without topic permissions are not restricted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, eventually, rejects, useAmqpServer } from './util.js';

const { srv, clients } = useAmqpServer();

const url = (user: string): string => `amqp://${user}:pw@127.0.0.1:${srv.port}`;

beforeAll(() => {
  const u = srv.core.users;
  u.addUser('sensor', 'pw');
  u.setPermissions('sensor', '/', { configure: '.*', write: '.*', read: '.*' });
  u.setTopicPermissions('sensor', '/', 'amq.topic', '^sensors\\.{username}\\.', '^alerts\\.');
  u.addUser('free', 'pw');
  u.setPermissions('free', '/', { configure: '.*', write: '.*', read: '.*' });
});

describe('AMQP 0-9-1 topic permissions', () => {
  it('an allowed routing key routes; a refused one closes the channel with 403 and the RabbitMQ text', async () => {
    const { ch: guestCh } = await clients.channel(srv.url);
    const q = (await guestCh.assertQueue('', { exclusive: true })).queue;
    await guestCh.bindQueue(q, 'amq.topic', '#');
    const got = await collect(guestCh, q, { noAck: true });

    const { ch } = await clients.confirmChannel(url('sensor'));
    await ch.waitForConfirms();
    ch.publish('amq.topic', 'sensors.sensor.temp', Buffer.from('ok'));
    await ch.waitForConfirms();
    await eventually(() => got.msgs.length === 1);
    expect(got.msgs[0]!.fields.routingKey).toBe('sensors.sensor.temp');

    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.publish('amq.topic', 'sensors.other.temp', Buffer.from('no'));
    const err = await closed;
    expect(err.message).toMatch(/403 \(ACCESS-REFUSED\)/);
    expect(err.message).toContain(
      "ACCESS_REFUSED - write access to topic 'sensors.other.temp' in exchange 'amq.topic' in vhost '/' refused for user 'sensor'",
    );
    // the refused message was not routed, the connection is still usable
    const again = await clients.connect(url('sensor'));
    const ch2 = await again.createConfirmChannel();
    ch2.publish('amq.topic', 'sensors.sensor.hum', Buffer.from('ok2'));
    await ch2.waitForConfirms();
    await eventually(() => got.msgs.length === 2);
    expect(got.msgs.map((m) => m.content.toString())).toEqual(['ok', 'ok2']);
  });

  it('a CC header naming a refused key is refused too', async () => {
    const { ch } = await clients.channel(url('sensor'));
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.publish('amq.topic', 'sensors.sensor.x', Buffer.from('cc'), { headers: { CC: ['secret.key'] } });
    expect((await closed).message).toContain("write access to topic 'secret.key' in exchange 'amq.topic'");
  });

  it('queue.bind with a refused binding key → 403; an allowed one binds; unbind is checked', async () => {
    const { conn, ch } = await clients.channel(url('sensor'));
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q, 'amq.topic', 'alerts.#');
    expect(srv.core.inspect.listBindings('/').some((b) => b.destination === q && b.routingKey === 'alerts.#')).toBe(true);
    await rejects(
      ch.bindQueue(q, 'amq.topic', 'sensors.#'),
      /403 \(ACCESS-REFUSED\).*ACCESS_REFUSED - read access to topic 'sensors\.#' in exchange 'amq\.topic' in vhost '\/' refused for user 'sensor'/,
    );
    // an unbind of a binding the user may not read is refused as well (RabbitMQ binding_action)
    const ch2 = await conn.createChannel();
    ch2.on('error', () => {});
    await rejects(ch2.unbindQueue(q, 'amq.topic', 'sensors.#'), /403 \(ACCESS-REFUSED\).*read access to topic 'sensors\.#'/);
    const ch3 = await conn.createChannel();
    await ch3.unbindQueue(q, 'amq.topic', 'alerts.#');
    expect(srv.core.inspect.listBindings('/').some((b) => b.source === 'amq.topic' && b.destination === q)).toBe(false);
  });

  it('exchange.bind from a topic exchange checks the read pattern on the source', async () => {
    const { ch: admin } = await clients.channel(srv.url);
    await admin.assertExchange('tp.src', 'topic', { autoDelete: false });
    await admin.assertExchange('tp.dst', 'fanout', { autoDelete: false });
    srv.core.users.setTopicPermissions('sensor', '/', 'tp.src', '.*', '^ok$');
    const { ch } = await clients.channel(url('sensor'));
    await ch.bindExchange('tp.dst', 'tp.src', 'ok');
    await rejects(ch.bindExchange('tp.dst', 'tp.src', 'nope'), /403 \(ACCESS-REFUSED\).*read access to topic 'nope' in exchange 'tp\.src'/);
    await admin.deleteExchange('tp.src');
    await admin.deleteExchange('tp.dst');
  });

  it('other exchange types and users without topic permissions are not restricted', async () => {
    const { ch: admin } = await clients.channel(srv.url);
    await admin.assertExchange('tp.direct', 'direct', { autoDelete: false });
    srv.core.users.setTopicPermissions('sensor', '/', 'tp.direct', '^never$', '^never$');
    const { ch } = await clients.confirmChannel(url('sensor'));
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q, 'tp.direct', 'anything');
    ch.publish('tp.direct', 'anything', Buffer.from('d'));
    await ch.waitForConfirms();
    expect((await ch.checkQueue(q)).messageCount).toBe(1);
    const { ch: free } = await clients.confirmChannel(url('free'));
    free.publish('amq.topic', 'whatever.key', Buffer.from('f'));
    await free.waitForConfirms();
    await admin.deleteExchange('tp.direct');
  });
});
