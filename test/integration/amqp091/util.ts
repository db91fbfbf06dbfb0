/**
 * Shared helpers for the AMQP 0-9-1 integration suites (amqplib over real sockets).
 */
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startAmqpServer } from '../../helpers/amqp-server.js';
import type { AmqpTestServer, AmqpTestServerOptions } from '../../helpers/amqp-server.js';

const req = createRequire(import.meta.url);
/** amqplib's generated method ids, for RPCs it has no API for (tx.*, channel.flow); not in its "exports" */
export const defs = req(req.resolve('amqplib').replace(/channel_api\.js$/, 'lib/defs.js')) as Record<string, number>;

export interface RpcChannel {
  rpc(method: number, fields: object, expect: number): Promise<Record<string, unknown>>;
}

export async function eventually(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Tracks connections so a suite can close them all in afterEach. */
export class Clients {
  private readonly open: ChannelModel[] = [];

  async connect(url: string, o?: Options.Connect | object): Promise<ChannelModel> {
    const c = await amqp.connect(url, o);
    c.on('error', () => {});
    this.open.push(c);
    return c;
  }

  async channel(url: string): Promise<{ conn: ChannelModel; ch: Channel }> {
    const conn = await this.connect(url);
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    return { conn, ch };
  }

  async confirmChannel(url: string): Promise<{ conn: ChannelModel; ch: ConfirmChannel }> {
    const conn = await this.connect(url);
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => {});
    return { conn, ch };
  }

  async closeAll(): Promise<void> {
    for (const c of this.open.splice(0)) {
      try {
        await c.close();
      } catch {
        /* already closed */
      }
    }
  }
}

/** Collect deliveries of a consumer into an array. */
export async function collect(
  ch: Channel,
  queue: string,
  o: Options.Consume & { ack?: boolean } = {},
): Promise<{ msgs: ConsumeMessage[]; nulls: number; tag: string }> {
  const out = { msgs: [] as ConsumeMessage[], nulls: 0, tag: '' };
  const { ack, ...opts } = o;
  const r = await ch.consume(
    queue,
    (m) => {
      if (m === null) {
        out.nulls++;
        return;
      }
      out.msgs.push(m);
      if (ack) ch.ack(m);
    },
    opts,
  );
  out.tag = r.consumerTag;
  return out;
}

/** Expect a promise to reject with a message matching `re`. */
export async function rejects(p: Promise<unknown>, re: RegExp): Promise<Error> {
  try {
    await p;
  } catch (e) {
    const err = e as Error;
    if (!re.test(err.message)) throw new Error(`expected ${re} but got: ${err.message}`);
    return err;
  }
  throw new Error(`expected rejection matching ${re}`);
}

/**
 * One in-process server for the test file (started before all tests, closed
 * after) and the clients each test opens (closed after each test). `srv`
 * reads through to the running server.
 */
export function useAmqpServer(o?: AmqpTestServerOptions): { srv: AmqpTestServer; clients: Clients } {
  let running: AmqpTestServer | undefined;
  const clients = new Clients();
  beforeAll(async () => {
    running = await startAmqpServer(o);
  });
  afterEach(async () => {
    await clients.closeAll();
  });
  afterAll(async () => {
    await running?.close();
  });
  const get = (): AmqpTestServer => {
    if (!running) throw new Error('the AMQP test server is not running (use srv inside tests)');
    return running;
  };
  const srv: AmqpTestServer = {
    get port() {
      return get().port;
    },
    get core() {
      return get().core;
    },
    get adapter() {
      return get().adapter;
    },
    get logs() {
      return get().logs;
    },
    get url() {
      return get().url;
    },
    close: () => get().close(),
  };
  return { srv, clients };
}
