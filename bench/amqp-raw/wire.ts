// Minimal AMQP 0-9-1 encoders for the load generator. Only what the bench
// sends: setup methods (encoded rarely, via a small growable writer) and the
// hot frames (publish triple, multi-ack), encoded once or with fixed layout.

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;
export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

/** class-id * 65536 + method-id, the key the parser dispatches on. */
export function methodKey(classId: number, methodId: number): number {
  return classId * 65536 + methodId;
}

export const M = {
  connectionStart: methodKey(10, 10),
  connectionStartOk: methodKey(10, 11),
  connectionTune: methodKey(10, 30),
  connectionTuneOk: methodKey(10, 31),
  connectionOpen: methodKey(10, 40),
  connectionOpenOk: methodKey(10, 41),
  connectionClose: methodKey(10, 50),
  connectionCloseOk: methodKey(10, 51),
  channelOpen: methodKey(20, 10),
  channelOpenOk: methodKey(20, 11),
  channelClose: methodKey(20, 40),
  channelCloseOk: methodKey(20, 41),
  exchangeDeclare: methodKey(40, 10),
  exchangeDeclareOk: methodKey(40, 11),
  exchangeDelete: methodKey(40, 20),
  exchangeDeleteOk: methodKey(40, 21),
  queueDeclare: methodKey(50, 10),
  queueDeclareOk: methodKey(50, 11),
  queueBind: methodKey(50, 20),
  queueBindOk: methodKey(50, 21),
  queueDelete: methodKey(50, 40),
  queueDeleteOk: methodKey(50, 41),
  basicQos: methodKey(60, 10),
  basicQosOk: methodKey(60, 11),
  basicConsume: methodKey(60, 20),
  basicConsumeOk: methodKey(60, 21),
  basicPublish: methodKey(60, 40),
  basicReturn: methodKey(60, 50),
  basicDeliver: methodKey(60, 60),
  basicAck: methodKey(60, 80),
  basicNack: methodKey(60, 120),
  confirmSelect: methodKey(85, 10),
  confirmSelectOk: methodKey(85, 11),
} as const;

/** Growable big-endian writer for method payloads. */
export class Writer {
  private buf = Buffer.allocUnsafe(256);
  private off = 0;

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }
  octet(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.off);
    this.off += 1;
    return this;
  }
  short(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.off);
    this.off += 2;
    return this;
  }
  long(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.off);
    this.off += 4;
    return this;
  }
  longlong(v: number): this {
    this.ensure(8);
    this.buf.writeUInt32BE(Math.floor(v / 0x100000000), this.off);
    this.buf.writeUInt32BE(v >>> 0, this.off + 4);
    this.off += 8;
    return this;
  }
  shortstr(s: string): this {
    const len = Buffer.byteLength(s);
    if (len > 255) throw new Error(`shortstr too long: ${s}`);
    this.ensure(1 + len);
    this.buf.writeUInt8(len, this.off);
    this.buf.write(s, this.off + 1);
    this.off += 1 + len;
    return this;
  }
  longstr(b: Buffer | string): this {
    const data = typeof b === 'string' ? Buffer.from(b) : b;
    this.ensure(4 + data.length);
    this.buf.writeUInt32BE(data.length, this.off);
    data.copy(this.buf, this.off + 4);
    this.off += 4 + data.length;
    return this;
  }
  /** Packed bits, first element in the lowest bit. */
  bits(...flags: boolean[]): this {
    let v = 0;
    flags.forEach((f, i) => {
      if (f) v |= 1 << i;
    });
    return this.octet(v);
  }
  /** Field table with string and nested-table values only (all the bench needs). */
  table(t: Record<string, string | boolean | Record<string, boolean>> = {}): this {
    const inner = new Writer();
    for (const [k, v] of Object.entries(t)) {
      inner.shortstr(k);
      if (typeof v === 'string') inner.octet(0x53 /* S */).longstr(v);
      else if (typeof v === 'boolean') inner.octet(0x74 /* t */).octet(v ? 1 : 0);
      else inner.octet(0x46 /* F */).table(v);
    }
    const body = inner.done();
    this.ensure(4 + body.length);
    this.buf.writeUInt32BE(body.length, this.off);
    body.copy(this.buf, this.off + 4);
    this.off += 4 + body.length;
    return this;
  }
  done(): Buffer {
    return this.buf.subarray(0, this.off);
  }
}

/** Wrap a payload into a complete frame. */
export function frame(type: number, channel: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt8(type, 0);
  out.writeUInt16BE(channel, 1);
  out.writeUInt32BE(payload.length, 3);
  payload.copy(out, 7);
  out.writeUInt8(FRAME_END, 7 + payload.length);
  return out;
}

/** A method frame; `fill` appends the arguments after class-id/method-id. */
export function methodFrame(channel: number, key: number, fill?: (w: Writer) => void): Buffer {
  const w = new Writer().short(Math.floor(key / 65536)).short(key % 65536);
  if (fill) fill(w);
  return frame(FRAME_METHOD, channel, w.done());
}

export const DELIVERY_MODE_FLAG = 0x1000;

/**
 * The whole basic.publish method + content header + body frame(s) for one
 * message, as one buffer; write it (or a repetition of it) as-is.
 */
export function encodePublish(channel: number, exchange: string, routingKey: string, body: Buffer,
  opts: { persistent?: boolean; frameMax?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  parts.push(methodFrame(channel, M.basicPublish, (w) =>
    w.short(0).shortstr(exchange).shortstr(routingKey).bits(false, false)));
  const header = new Writer().short(60).short(0).longlong(body.length)
    .short(DELIVERY_MODE_FLAG).octet(opts.persistent ? 2 : 1).done();
  parts.push(frame(FRAME_HEADER, channel, header));
  const maxBody = (opts.frameMax ?? 131072) - 8;
  for (let off = 0; off < body.length; off += maxBody) {
    parts.push(frame(FRAME_BODY, channel, body.subarray(off, Math.min(body.length, off + maxBody))));
  }
  return Buffer.concat(parts);
}

/** Byte offset of the body inside a buffer returned by encodePublish (single body frame). */
export function bodyOffsetInPublish(publish: Buffer, bodyLength: number): number {
  return publish.length - 1 - bodyLength;
}

/** basic.ack frame (client → broker): fixed 21 bytes. */
export function encodeAck(channel: number, deliveryTag: number, multiple: boolean): Buffer {
  const b = Buffer.allocUnsafe(21);
  b.writeUInt8(FRAME_METHOD, 0);
  b.writeUInt16BE(channel, 1);
  b.writeUInt32BE(13, 3);
  b.writeUInt16BE(60, 7);
  b.writeUInt16BE(80, 9);
  b.writeUInt32BE(Math.floor(deliveryTag / 0x100000000), 11);
  b.writeUInt32BE(deliveryTag >>> 0, 15);
  b.writeUInt8(multiple ? 1 : 0, 19);
  b.writeUInt8(FRAME_END, 20);
  return b;
}

/** Repeat a buffer n times into one contiguous buffer (for coalesced writes). */
export function repeatBuffer(unit: Buffer, n: number): Buffer {
  const out = Buffer.allocUnsafe(unit.length * n);
  for (let i = 0; i < n; i++) unit.copy(out, i * unit.length);
  return out;
}

/** Read a shortstr at off: [value, nextOffset]. */
export function readShortstr(b: Buffer, off: number): [string, number] {
  const len = b.readUInt8(off);
  return [b.toString('utf8', off + 1, off + 1 + len), off + 1 + len];
}

/** Read a 64-bit unsigned as a JS number (exact below 2^53). */
export function readU64(b: Buffer, off: number): number {
  return b.readUInt32BE(off) * 0x100000000 + b.readUInt32BE(off + 4);
}
