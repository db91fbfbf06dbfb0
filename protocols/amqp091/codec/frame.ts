/**
 * FrameParser: incremental, resumable AMQP 0-9-1 frame splitter.
 *
 * Frames are `type:u8 channel:u16 size:u32 payload[size] 0xCE`. `feed(chunk)`
 * accepts socket chunks of any size and calls `onFrame(type, channel, payload)`
 * for every complete frame, in order. A payload is a view (subarray) of the
 * chunk when the frame lies within one chunk; only frames split across chunks
 * are copied (once, into a buffer of exactly the frame's size). A consumer that
 * keeps a small payload long-term (e.g. a message body) may want to copy it so
 * as not to retain the whole chunk.
 *
 * Checks, all AmqpCodecError 501 FRAME_ERROR: the frame type must be 1/2/3/8
 * (checked on the first byte), the payload size must be ≤ frameMax - 8
 * (checked as soon as the 7 header bytes are in, before any payload is
 * buffered), and the frame-end octet must be 0xCE. frameMax 0 means no limit.
 * After such an error the parser is dead: every further feed() rethrows it.
 * An exception thrown by onFrame propagates; the rest of that chunk is dropped.
 */
import { AmqpCodecError } from './errors.js';

const FRAME_END = 0xce;
const HEADER_SIZE = 7;

export interface FrameParserOptions {
  /** negotiated frame_max (whole frame, incl. 8 bytes of overhead); 0 = no limit */
  frameMax: number;
  onFrame(type: number, channel: number, payload: Buffer): void;
}

function isFrameType(t: number): boolean {
  return t === 1 || t === 3 || t === 2 || t === 8;
}

export class FrameParser {
  private maxPayload: number;
  private readonly onFrame: (type: number, channel: number, payload: Buffer) => void;
  /** partial header (fewer than 7 bytes seen) */
  private readonly header: Buffer = Buffer.allocUnsafe(HEADER_SIZE);
  private headerLen = 0;
  /** partial frame: payload + frame-end octet being collected */
  private partial: Buffer | null = null;
  private partialLen = 0;
  private type = 0;
  private channel = 0;
  private failed: AmqpCodecError | null = null;

  constructor(options: FrameParserOptions) {
    this.maxPayload = FrameParser.payloadLimit(options.frameMax);
    this.onFrame = options.onFrame;
  }

  private static payloadLimit(frameMax: number): number {
    if (!Number.isInteger(frameMax) || frameMax < 0) throw new RangeError(`invalid frameMax ${frameMax}`);
    return frameMax === 0 ? Infinity : Math.max(0, frameMax - 8);
  }

  /** Applies the frame_max negotiated by connection.tune-ok (0 = no limit) to frames not yet started. */
  setFrameMax(frameMax: number): void {
    this.maxPayload = FrameParser.payloadLimit(frameMax);
  }

  /** True while a frame is partly received (useful to detect a truncated stream at close). */
  get midFrame(): boolean {
    return this.headerLen > 0 || this.partial !== null;
  }

  feed(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    const len = chunk.length;
    let off = 0;

    if (this.headerLen > 0) {
      const take = Math.min(HEADER_SIZE - this.headerLen, len);
      chunk.copy(this.header, this.headerLen, 0, take);
      this.headerLen += take;
      off = take;
      if (this.headerLen < HEADER_SIZE) return;
      this.headerLen = 0;
      const h = this.header;
      const size = this.checkSize(h.readUInt32BE(3));
      const channel = (h[1]! << 8) | h[2]!;
      const type = h[0]!;
      if (len - off > size) {
        const end = off + size;
        if (chunk[end] !== FRAME_END) this.fail(`bad frame end octet 0x${chunk[end]!.toString(16)}`);
        const payload = chunk.subarray(off, end);
        off = end + 1;
        this.onFrame(type, channel, payload);
      } else {
        this.startPartial(type, channel, size, chunk, off);
        return;
      }
    } else if (this.partial !== null) {
      const p = this.partial;
      const take = Math.min(p.length - this.partialLen, len);
      chunk.copy(p, this.partialLen, 0, take);
      this.partialLen += take;
      off = take;
      if (this.partialLen < p.length) return;
      this.partial = null;
      const size = p.length - 1;
      if (p[size] !== FRAME_END) this.fail(`bad frame end octet 0x${p[size]!.toString(16)}`);
      this.onFrame(this.type, this.channel, p.subarray(0, size));
    }

    while (off < len) {
      const type = chunk[off]!;
      if (!isFrameType(type)) this.fail(`unknown frame type ${type}`);
      const avail = len - off;
      if (avail < HEADER_SIZE) {
        chunk.copy(this.header, 0, off, len);
        this.headerLen = avail;
        return;
      }
      const size = this.checkSize(chunk.readUInt32BE(off + 3));
      const channel = (chunk[off + 1]! << 8) | chunk[off + 2]!;
      if (avail > HEADER_SIZE + size) {
        const start = off + HEADER_SIZE;
        const end = start + size;
        if (chunk[end] !== FRAME_END) this.fail(`bad frame end octet 0x${chunk[end]!.toString(16)}`);
        off = end + 1;
        this.onFrame(type, channel, chunk.subarray(start, end));
      } else {
        this.startPartial(type, channel, size, chunk, off + HEADER_SIZE);
        return;
      }
    }
  }

  private startPartial(type: number, channel: number, size: number, chunk: Buffer, from: number): void {
    const p = Buffer.allocUnsafe(size + 1);
    this.partialLen = chunk.copy(p, 0, from);
    this.partial = p;
    this.type = type;
    this.channel = channel;
  }

  private checkSize(size: number): number {
    if (size > this.maxPayload) {
      this.fail(`frame payload of ${size} bytes exceeds frame_max ${this.maxPayload + 8}`);
    }
    return size;
  }

  private fail(message: string): never {
    this.partial = null;
    this.headerLen = 0;
    this.failed = new AmqpCodecError(501, message);
    throw this.failed;
  }
}
