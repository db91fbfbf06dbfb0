/**
 * Content frames: content-header decoding, header + body frame encoding split
 * at frame_max, and the hot-path encoders that write a content-carrying
 * method (basic.deliver / basic.get-ok / basic.return) plus its header and
 * body frames into ONE buffer with a single allocation.
 *
 * `properties` arguments are the raw flags + property-list bytes (as received
 * in a content header, or from encodeProperties), copied verbatim.
 *
 * Only body frames are split at frame_max; the content header frame cannot be
 * split, so properties larger than frame_max - 20 bytes give an oversize
 * header frame (callers should reject such properties on publish). Strings
 * over 255 bytes and delivery tags that are not safe integers throw
 * AmqpCodecError 541; out-of-range channel / reply-code / message-count
 * numbers are programming errors and throw Node's RangeError.
 */
import { encodeError, frameError } from './errors.js';
import { readU16, readU64Number, shortstrLength, writeFrameHeader, writeShortstr, writeU64Number } from './wire.js';

const FRAME_END = 0xce;
/** frame header (7) + frame end (1) */
const OVERHEAD = 8;
/** class-id (2) + weight (2) + body-size (8) */
const HEADER_FIXED = 12;

/** Heartbeat frame: type 8, channel 0, size 0, frame end. Shared; do not modify. */
export const HEARTBEAT_FRAME: Buffer = Buffer.from([8, 0, 0, 0, 0, 0, 0, FRAME_END]);

/** Protocol header a 0-9-1 client sends first (and the server answers with on mismatch). Do not modify. */
export const PROTOCOL_HEADER: Buffer = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export interface ContentHeader {
  classId: number;
  bodySize: number;
  /** raw flags + property list: a view of the payload, not a copy */
  properties: Buffer;
}

/** Decodes a content-header frame payload. Body sizes ≥ 2^53 → 501. */
export function decodeContentHeader(payload: Buffer): ContentHeader {
  if (payload.length < HEADER_FIXED + 2) throw frameError('cannot decode: truncated content header');
  return {
    classId: readU16(payload, 0),
    bodySize: readU64Number(payload, 4),
    properties: payload.subarray(HEADER_FIXED),
  };
}

function bodyChunk(frameMax: number, bodyLength: number): number {
  if (frameMax === 0) return Math.max(bodyLength, 1);
  if (!(frameMax > OVERHEAD) || !Number.isInteger(frameMax)) throw encodeError(`invalid frame_max ${frameMax}`);
  return frameMax - OVERHEAD;
}

/** Bytes taken by the header frame and body frames of a message. */
function contentSize(propertiesLength: number, bodyLength: number, chunk: number): number {
  const bodyFrames = Math.ceil(bodyLength / chunk);
  return OVERHEAD + HEADER_FIXED + propertiesLength + bodyFrames * OVERHEAD + bodyLength;
}

/** Writes header + body frames at o; returns the new offset. */
function writeContent(b: Buffer, o: number, channel: number, classId: number, properties: Buffer, body: Buffer, chunk: number): number {
  o = writeFrameHeader(b, o, 2, channel, HEADER_FIXED + properties.length);
  b[o] = classId >>> 8;
  b[o + 1] = classId & 0xff;
  b[o + 2] = 0;
  b[o + 3] = 0;
  o = writeU64Number(b, o + 4, body.length);
  o += properties.copy(b, o);
  b[o++] = FRAME_END;
  const n = body.length;
  for (let s = 0; s < n; s += chunk) {
    const e = s + chunk < n ? s + chunk : n;
    o = writeFrameHeader(b, o, 3, channel, e - s);
    o += body.copy(b, o, s, e);
    b[o++] = FRAME_END;
  }
  return o;
}

/**
 * Header frame + body frames, each frame ≤ frameMax (0 = no limit). No body
 * frame for an empty body. The frames are views of one allocation.
 */
export function encodeContent(channel: number, classId: number, properties: Buffer, body: Buffer, frameMax: number): Buffer[] {
  const chunk = bodyChunk(frameMax, body.length);
  const b = Buffer.allocUnsafe(contentSize(properties.length, body.length, chunk));
  writeContent(b, 0, channel, classId, properties, body, chunk);
  const frames: Buffer[] = [];
  for (let o = 0; o < b.length; ) {
    const end = o + OVERHEAD + b.readUInt32BE(o + 3);
    frames.push(b.subarray(o, end));
    o = end;
  }
  return frames;
}

/** basic.deliver method frame + header + body frames in one buffer. */
export function encodeDeliver(
  channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean,
  exchange: string, routingKey: string, properties: Buffer, body: Buffer, frameMax: number,
): Buffer {
  const ctLen = shortstrLength(consumerTag, 'consumer-tag');
  const exLen = shortstrLength(exchange, 'exchange');
  const rkLen = shortstrLength(routingKey, 'routing-key');
  const methodSize = 4 + 1 + ctLen + 8 + 1 + 1 + exLen + 1 + rkLen;
  const chunk = bodyChunk(frameMax, body.length);
  const b = Buffer.allocUnsafe(OVERHEAD + methodSize + contentSize(properties.length, body.length, chunk));
  let o = writeFrameHeader(b, 0, 1, channel, methodSize);
  b[o] = 0; b[o + 1] = 60; b[o + 2] = 0; b[o + 3] = 60; // basic.deliver 60/60
  o = writeShortstr(b, o + 4, consumerTag, ctLen);
  o = writeU64Number(b, o, deliveryTag);
  b[o++] = redelivered ? 1 : 0;
  o = writeShortstr(b, o, exchange, exLen);
  o = writeShortstr(b, o, routingKey, rkLen);
  b[o++] = FRAME_END;
  writeContent(b, o, channel, 60, properties, body, chunk);
  return b;
}

/** basic.get-ok method frame + header + body frames in one buffer. */
export function encodeGetOk(
  channel: number, deliveryTag: number, redelivered: boolean, exchange: string, routingKey: string,
  messageCount: number, properties: Buffer, body: Buffer, frameMax: number,
): Buffer {
  const exLen = shortstrLength(exchange, 'exchange');
  const rkLen = shortstrLength(routingKey, 'routing-key');
  const methodSize = 4 + 8 + 1 + 1 + exLen + 1 + rkLen + 4;
  const chunk = bodyChunk(frameMax, body.length);
  const b = Buffer.allocUnsafe(OVERHEAD + methodSize + contentSize(properties.length, body.length, chunk));
  let o = writeFrameHeader(b, 0, 1, channel, methodSize);
  b[o] = 0; b[o + 1] = 60; b[o + 2] = 0; b[o + 3] = 71; // basic.get-ok 60/71
  o = writeU64Number(b, o + 4, deliveryTag);
  b[o++] = redelivered ? 1 : 0;
  o = writeShortstr(b, o, exchange, exLen);
  o = writeShortstr(b, o, routingKey, rkLen);
  o = b.writeUInt32BE(messageCount, o);
  b[o++] = FRAME_END;
  writeContent(b, o, channel, 60, properties, body, chunk);
  return b;
}

/** basic.return method frame + header + body frames in one buffer. */
export function encodeReturn(
  channel: number, replyCode: number, replyText: string, exchange: string, routingKey: string,
  properties: Buffer, body: Buffer, frameMax: number,
): Buffer {
  const rtLen = shortstrLength(replyText, 'reply-text');
  const exLen = shortstrLength(exchange, 'exchange');
  const rkLen = shortstrLength(routingKey, 'routing-key');
  const methodSize = 4 + 2 + 1 + rtLen + 1 + exLen + 1 + rkLen;
  const chunk = bodyChunk(frameMax, body.length);
  const b = Buffer.allocUnsafe(OVERHEAD + methodSize + contentSize(properties.length, body.length, chunk));
  let o = writeFrameHeader(b, 0, 1, channel, methodSize);
  b[o] = 0; b[o + 1] = 60; b[o + 2] = 0; b[o + 3] = 50; // basic.return 60/50
  o = b.writeUInt16BE(replyCode, o + 4);
  o = writeShortstr(b, o, replyText, rtLen);
  o = writeShortstr(b, o, exchange, exLen);
  o = writeShortstr(b, o, routingKey, rkLen);
  b[o++] = FRAME_END;
  writeContent(b, o, channel, 60, properties, body, chunk);
  return b;
}
