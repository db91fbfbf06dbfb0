/**
 * Transactions: publishes and acks buffered until tx.commit, dropped by
 * tx.rollback; tx and confirm modes exclude each other (406).
 * amqplib has no tx API, so the RPCs go through its generic channel rpc.
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from 'amqplib';
import { useAmqpServer, collect, defs, eventually, rejects, sleep } from './util.js';
import type { RpcChannel } from './util.js';

const { srv, clients } = useAmqpServer();

function tx(ch: Channel, op: 'Select' | 'Commit' | 'Rollback'): Promise<unknown> {
  return (ch as unknown as RpcChannel).rpc(defs[`Tx${op}`]!, {}, defs[`Tx${op}Ok`]!);
}

describe('tx', () => {
  it('published messages are invisible until commit; rollback drops them', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const observer = await conn.createChannel();
    const q = (await observer.assertQueue('', { exclusive: true })).queue;
    await tx(ch, 'Select');
    ch.sendToQueue(q, Buffer.from('1'));
    ch.sendToQueue(q, Buffer.from('2'));
    await sleep(50);
    expect((await observer.checkQueue(q)).messageCount).toBe(0);
    await tx(ch, 'Commit');
    expect((await observer.checkQueue(q)).messageCount).toBe(2);
    ch.sendToQueue(q, Buffer.from('3'));
    await tx(ch, 'Rollback');
    await tx(ch, 'Commit');
    expect((await observer.checkQueue(q)).messageCount).toBe(2);
  });

  it('acks inside a transaction: rollback keeps the message unacked, commit acks it', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const observer = await conn.createChannel();
    const q = (await observer.assertQueue('', { exclusive: true })).queue;
    observer.sendToQueue(q, Buffer.from('m'));
    await tx(ch, 'Select');
    const c = await collect(ch, q);
    await eventually(() => c.msgs.length === 1);
    ch.ack(c.msgs[0]!);
    await tx(ch, 'Rollback');
    await ch.cancel(c.tag);
    await ch.recover(); // rolled-back ack → still unacked → requeued
    await eventually(async () => (await observer.checkQueue(q)).messageCount === 1);
    const c2 = await collect(ch, q);
    await eventually(() => c2.msgs.length === 1);
    expect(c2.msgs[0]!.fields.redelivered).toBe(true);
    ch.ack(c2.msgs[0]!);
    await tx(ch, 'Commit');
    await ch.cancel(c2.tag);
    await ch.recover();
    await sleep(50);
    expect((await observer.checkQueue(q)).messageCount).toBe(0);
  });

  it('mandatory unroutable messages are returned at commit', async () => {
    const { ch } = await clients.channel(srv.url);
    const returned: string[] = [];
    ch.on('return', (m: { fields: { routingKey: string } }) => returned.push(m.fields.routingKey));
    await tx(ch, 'Select');
    ch.publish('', 'nowhere', Buffer.from('x'), { mandatory: true });
    await sleep(50);
    expect(returned).toEqual([]);
    await tx(ch, 'Commit');
    await eventually(() => returned.length === 1);
  });

  it('tx and confirm modes exclude each other; commit without select is 406', async () => {
    const { conn, ch } = await clients.confirmChannel(srv.url);
    await rejects(tx(ch, 'Select'), /406 \(PRECONDITION-FAILED\).*cannot switch from confirm to tx mode/);
    const ch2 = await conn.createChannel();
    ch2.on('error', () => {});
    await tx(ch2, 'Select');
    await rejects(
      (ch2 as unknown as RpcChannel).rpc(defs['ConfirmSelect']!, { nowait: false }, defs['ConfirmSelectOk']!),
      /406 \(PRECONDITION-FAILED\).*cannot switch from tx to confirm mode/,
    );
    const ch3 = await conn.createChannel();
    ch3.on('error', () => {});
    await rejects(tx(ch3, 'Commit'), /406 \(PRECONDITION-FAILED\).*channel is not transactional/);
  });
});
