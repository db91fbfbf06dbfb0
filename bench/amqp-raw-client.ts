// Raw-socket AMQP 0-9-1 client for load generation. Setup methods are plain
// request/response; the hot path (publish batches, deliveries, multi-acks,
// confirms) avoids per-message allocation: the parser walks chunks in place
// and hands (buffer, offset) pairs to callbacks.
import { connect, type Socket } from 'node:net';
import {
  encodeAck, FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_METHOD, M, methodFrame, PROTOCOL_HEADER,
  readShortstr, readU64, type Writer,
} from './amqp-raw/wire.js';

export interface RawClientOptions {
  host: string;
  port: number;
  user?: string;
  password?: string;
  vhost?: string;
  frameMax?: number;
  /** Connection name shown by brokers (client property connection_name). */
  name?: string;
  /** Timeout for each setup request/response, ms. */
  rpcTimeoutMs?: number;
}

/** Called once per delivered message with the first body bytes (or none for empty bodies). */
export type DeliverHandler = (channel: number, deliveryTag: number, body: Buffer, bodyOffset: number,
  bodyLength: number) => void;
/** Publisher confirm: ack or nack of deliveryTag (and all below it when multiple). */
export type ConfirmHandler = (channel: number, deliveryTag: number, multiple: boolean, nack: boolean) => void;

interface Waiter {
  channel: number;
  key: number;
  resolve: (payload: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class RawAmqpConnection {
  readonly socket: Socket;
  onDeliver: DeliverHandler = () => {};
  onConfirm: ConfirmHandler = () => {};
  /** Called after each incoming chunk has been parsed (batch-level progress hook). */
  onDataEnd: () => void = () => {};
  /** Set when the broker or the socket closed the connection unexpectedly. */
  failure: Error | undefined;
  frameMax = 131072;

  private readonly opts: Required<RawClientOptions>;
  private carry: Buffer | undefined;
  private waiters: Waiter[] = [];
  private closing = false;
  // Delivery in progress: deliver method seen, waiting for header/body.
  private pendingChannel = -1;
  private pendingTag = 0;
  private pendingBody = false;

  private constructor(socket: Socket, opts: Required<RawClientOptions>) {
    this.socket = socket;
    this.opts = opts;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('socket closed')));
  }

  static async connect(options: RawClientOptions): Promise<RawAmqpConnection> {
    const opts: Required<RawClientOptions> = {
      user: 'guest', password: 'guest', vhost: '/', frameMax: 131072, name: 'polyport-bench',
      rpcTimeoutMs: 15000, ...options,
    };
    const socket = connect({ host: opts.host, port: opts.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const conn = new RawAmqpConnection(socket, opts);
    await conn.handshake();
    return conn;
  }

  private async handshake(): Promise<void> {
    const start = this.expect(0, M.connectionStart);
    this.socket.write(PROTOCOL_HEADER);
    await start;
    const tune = this.expect(0, M.connectionTune);
    const response = Buffer.from(`\u0000${this.opts.user}\u0000${this.opts.password}`);
    this.send(methodFrame(0, M.connectionStartOk, (w) => w
      .table({ product: 'polyport-bench', connection_name: this.opts.name,
        capabilities: { publisher_confirms: true, 'basic.nack': true, consumer_cancel_notify: true } })
      .shortstr('PLAIN').longstr(response).shortstr('en_US')));
    const t = await tune;
    const serverChannelMax = t.readUInt16BE(4);
    const serverFrameMax = t.readUInt32BE(6);
    this.frameMax = serverFrameMax === 0 ? this.opts.frameMax : Math.min(serverFrameMax, this.opts.frameMax);
    this.send(methodFrame(0, M.connectionTuneOk, (w) => w.short(serverChannelMax || 2047).long(this.frameMax).short(0)));
    await this.call(0, M.connectionOpen, M.connectionOpenOk, (w) => w.shortstr(this.opts.vhost).shortstr('').bits(false));
  }

  // ---- setup requests ----------------------------------------------------

  async openChannel(ch: number): Promise<void> {
    await this.call(ch, M.channelOpen, M.channelOpenOk, (w) => w.shortstr(''));
  }

  async qos(ch: number, prefetchCount: number): Promise<void> {
    await this.call(ch, M.basicQos, M.basicQosOk, (w) => w.long(0).short(prefetchCount).bits(false));
  }

  async confirmSelect(ch: number): Promise<void> {
    await this.call(ch, M.confirmSelect, M.confirmSelectOk, (w) => w.bits(false));
  }

  async declareQueue(ch: number, name: string,
    o: { durable?: boolean; exclusive?: boolean; autoDelete?: boolean } = {}): Promise<void> {
    await this.call(ch, M.queueDeclare, M.queueDeclareOk, (w) => w.short(0).shortstr(name)
      .bits(false, o.durable ?? false, o.exclusive ?? false, o.autoDelete ?? false, false).table());
  }

  async declareExchange(ch: number, name: string, type: string, durable = false, autoDelete = false): Promise<void> {
    await this.call(ch, M.exchangeDeclare, M.exchangeDeclareOk, (w) => w.short(0).shortstr(name).shortstr(type)
      .bits(false, durable, autoDelete, false, false).table());
  }

  async deleteExchange(ch: number, name: string): Promise<void> {
    await this.call(ch, M.exchangeDelete, M.exchangeDeleteOk, (w) => w.short(0).shortstr(name).bits(false, false));
  }

  async bindQueue(ch: number, queue: string, exchange: string, routingKey: string): Promise<void> {
    await this.call(ch, M.queueBind, M.queueBindOk, (w) => w.short(0).shortstr(queue).shortstr(exchange)
      .shortstr(routingKey).bits(false).table());
  }

  async deleteQueue(ch: number, name: string): Promise<void> {
    await this.call(ch, M.queueDelete, M.queueDeleteOk, (w) => w.short(0).shortstr(name).bits(false, false, false));
  }

  async consume(ch: number, queue: string, consumerTag: string, noAck: boolean): Promise<void> {
    await this.call(ch, M.basicConsume, M.basicConsumeOk, (w) => w.short(0).shortstr(queue).shortstr(consumerTag)
      .bits(false, noAck, false, false).table());
  }

  // ---- hot path ----------------------------------------------------------

  /** Write pre-encoded frames; false means the socket buffer is above its high-water mark. */
  write(frames: Buffer): boolean {
    return this.socket.write(frames);
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  ack(ch: number, deliveryTag: number, multiple: boolean): void {
    this.socket.write(encodeAck(ch, deliveryTag, multiple));
  }

  /** Graceful connection.close with a short timeout, then destroy. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closing || this.socket.destroyed) return;
    try {
      await this.call(0, M.connectionClose, M.connectionCloseOk,
        (w) => w.short(200).shortstr('bench done').short(0).short(0), timeoutMs);
    } catch {
      // broker busy or gone: destroy below
    } finally {
      this.closing = true;
      this.socket.destroy();
    }
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  // ---- internals ---------------------------------------------------------

  private send(buf: Buffer): void {
    this.socket.write(buf);
  }

  private expect(channel: number, key: number, timeoutMs = this.opts.rpcTimeoutMs): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timeout waiting for method ${key >> 16}.${key & 0xffff} on channel ${channel}`));
      }, timeoutMs);
      const waiter: Waiter = { channel, key, resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  private call(channel: number, key: number, replyKey: number, fill?: (w: Writer) => void,
    timeoutMs?: number): Promise<Buffer> {
    const reply = this.expect(channel, replyKey, timeoutMs);
    this.send(methodFrame(channel, key, fill));
    return reply;
  }

  private fail(err: Error): void {
    if (!this.closing && !this.failure) this.failure = err;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(this.failure ?? err);
    }
  }

  private onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    const len = buf.length;
    let off = 0;
    this.socket.cork(); // coalesce the acks written by deliver callbacks
    try {
      while (off + 7 <= len) {
        const size = buf.readUInt32BE(off + 3);
        const end = off + 7 + size;
        if (end + 1 > len) break;
        if (buf[end] !== FRAME_END) {
          this.fail(new Error('bad frame end byte'));
          this.socket.destroy();
          return;
        }
        const type = buf[off] as number;
        const channel = buf.readUInt16BE(off + 1);
        if (type === FRAME_METHOD) this.onMethod(channel, buf, off + 7, size);
        else if (type === FRAME_HEADER) this.onHeader(channel, buf, off + 7);
        else if (type === FRAME_BODY) this.onBody(channel, buf, off + 7, size);
        // heartbeats (type 8) are ignored: we negotiate heartbeat 0
        off = end + 1;
      }
    } finally {
      this.socket.uncork();
    }
    if (off < len) this.carry = buf.subarray(off);
    this.onDataEnd();
  }

  private onMethod(channel: number, b: Buffer, p: number, size: number): void {
    const key = b.readUInt16BE(p) * 65536 + b.readUInt16BE(p + 2);
    if (key === M.basicDeliver) {
      const tagOff = p + 5 + (b[p + 4] as number); // skip consumer-tag shortstr
      this.pendingChannel = channel;
      this.pendingTag = readU64(b, tagOff);
      this.pendingBody = false;
      return;
    }
    if (key === M.basicAck || key === M.basicNack) {
      this.onConfirm(channel, readU64(b, p + 4), ((b[p + 12] as number) & 1) === 1, key === M.basicNack);
      return;
    }
    if (key === M.channelClose || key === M.connectionClose) {
      const code = b.readUInt16BE(p + 4);
      const [text, next] = readShortstr(b, p + 6);
      const failedKey = b.readUInt16BE(next) * 65536 + b.readUInt16BE(next + 2);
      const err = new Error(`broker closed ${key === M.channelClose ? `channel ${channel}` : 'connection'}: ` +
        `${code} ${text} (method ${failedKey >> 16}.${failedKey & 0xffff})`);
      if (key === M.channelClose) {
        this.send(methodFrame(channel, M.channelCloseOk));
        this.rejectChannel(channel, err);
        if (!this.failure) this.failure = err;
      } else {
        this.send(methodFrame(0, M.connectionCloseOk));
        this.fail(err);
        this.socket.end();
      }
      return;
    }
    const idx = this.waiters.findIndex((w) => w.channel === channel && w.key === key);
    if (idx >= 0) {
      const w = this.waiters[idx] as Waiter;
      this.waiters.splice(idx, 1);
      clearTimeout(w.timer);
      w.resolve(Buffer.from(b.subarray(p, p + size)));
    }
    // anything else (basic.return, cancel-ok, …) is ignored by the bench
  }

  private rejectChannel(channel: number, err: Error): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.channel === channel) {
        clearTimeout(w.timer);
        w.reject(err);
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  private onHeader(channel: number, b: Buffer, p: number): void {
    if (channel !== this.pendingChannel) return;
    const bodySize = readU64(b, p + 4);
    if (bodySize === 0) {
      this.pendingChannel = -1;
      this.onDeliver(channel, this.pendingTag, b, p, 0);
    } else {
      this.pendingBody = true;
    }
  }

  private onBody(channel: number, b: Buffer, p: number, size: number): void {
    if (channel !== this.pendingChannel || !this.pendingBody) return; // continuation frames of large bodies
    this.pendingChannel = -1;
    this.pendingBody = false;
    this.onDeliver(channel, this.pendingTag, b, p, size);
  }
}
