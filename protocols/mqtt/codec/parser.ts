/**
 * Resumable MQTT packet reader over mqtt-packet.
 *
 * Responsibilities
 * - frame packets itself from the fixed header (type byte + Remaining Length
 *   varint) so the Maximum Packet Size is checked BEFORE any body is buffered
 *   (mqtt-packet has no size guard); a 5th length byte is malformed
 *   [MQTT-1.5.5-1] / [MQTT-2.2.3];
 * - hand each complete packet (one buffer, copied only when it was split over
 *   chunks) to mqtt-packet's parser, which checks reserved header flags
 *   [MQTT-2.2.2-1] [MQTT-2.2.2-2], QoS 3 [MQTT-3.3.1-4], CONNECT reserved flag
 *   [MQTT-3.1.2-3] and will flags [MQTT-3.1.2-11] [MQTT-3.1.2-13];
 * - extra checks mqtt-packet does not do: ill-formed UTF-8 in strings
 *   [MQTT-1.5.3-1] (Node decodes those to U+FFFD; a U+FFFD whose UTF-8 bytes
 *   are not in the packet came from ill-formed input), and v5 properties given
 *   twice [MQTT-2.2.2-2 (v5)] (protocol error).
 * After the first error the reader stops; the connection closes.
 *
 * Memory: mqtt-packet's parser is a stream with buffers and state (over 1 KiB
 * per instance); since the reader hands it exactly one complete packet at a
 * time, parsing is synchronous and stateless between packets, so all
 * connections share one parser per protocol version (the version comes from
 * the connection's CONNECT; before it, a settings-free parser is used).
 */
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';

export type ReadErrorKind = 'malformed' | 'too_large' | 'protocol';

export interface ReaderHandlers {
  packet(p: Packet): void;
  error(kind: ReadErrorKind, message: string, cmd: string | undefined): void;
}

const CMD_NAMES = [
  'reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth',
] as const;

/** v5 properties that may appear more than once */
const REPEATABLE = new Set(['userProperties', 'subscriptionIdentifier']);

interface SharedParser {
  readonly parser: ReturnType<typeof mqttPacket.parser>;
  parsed: Packet | undefined;
  error: string | undefined;
}

/** key: protocol version (0 = before CONNECT) */
const shared = new Map<number, SharedParser>();

function sharedParser(version: number): SharedParser {
  let sp = shared.get(version);
  if (sp) return sp;
  const parser = mqttPacket.parser(version === 0 ? undefined : { protocolVersion: version });
  const made: SharedParser = { parser, parsed: undefined, error: undefined };
  parser.on('packet', (p: Packet) => {
    made.parsed = p;
  });
  parser.on('error', (e: unknown) => {
    made.error = e instanceof Error ? e.message : String(e);
  });
  shared.set(version, (sp = made));
  return sp;
}

/** Parses one complete packet with the shared parser of `version`. */
function parseOne(version: number, raw: Buffer): { packet: Packet | undefined; error: string | undefined } {
  const sp = sharedParser(version);
  sp.parsed = undefined;
  sp.error = undefined;
  try {
    sp.parser.parse(raw);
  } catch (e) {
    sp.error = e instanceof Error ? e.message : String(e);
  }
  const out = { packet: sp.parsed as Packet | undefined, error: sp.error as string | undefined };
  sp.parsed = undefined;
  // a CONNECT replaces the parser's settings; leftovers after an error stay in its buffer list: start afresh
  if (out.error !== undefined || out.packet === undefined || (version !== 0 && out.packet.cmd === 'connect')) shared.delete(version);
  return out;
}

export class MqttReader {
  private readonly h: ReaderHandlers;
  private chunks: Buffer[] | undefined;
  /** bytes of chunks[0] already consumed (packets are decoded in place, not sliced off) */
  private off = 0;
  private avail = 0;
  /** total length of the packet being read, or -1 while the fixed header is incomplete */
  private need = -1;
  private stopped = false;
  /** protocol version of the connection's CONNECT (0 before it) */
  private version = 0;
  /**
   * The last PUBLISH topic (fast path) and its bytes: a publisher usually
   * repeats its topic, and comparing a few bytes is cheaper than decoding a
   * new string; the same string also lets later per-topic caches (routing
   * key, delivery topic) hit by identity. Unset until the first PUBLISH.
   */
  private topic: TopicCache | undefined;
  /** largest accepted packet (whole packet, fixed header included) */
  maxPacketSize: number;

  constructor(maxPacketSize: number, h: ReaderHandlers) {
    this.maxPacketSize = maxPacketSize;
    this.h = h;
  }

  /** bytes held while waiting for the rest of a packet */
  get buffered(): number {
    return this.avail;
  }

  stop(): void {
    this.stopped = true;
    this.chunks = undefined;
    this.off = 0;
    this.avail = 0;
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    (this.chunks ??= []).push(chunk);
    this.avail += chunk.length;
    while (!this.stopped) {
      if (this.need < 0) {
        const total = this.header();
        if (total < 0) return; // need more bytes (or stopped on error)
        if (total > this.maxPacketSize) {
          this.fail('too_large', `packet of ${total} bytes exceeds the maximum packet size ${this.maxPacketSize}`, undefined);
          return;
        }
        this.need = total;
      }
      const n = this.need;
      if (this.avail < n) return;
      this.need = -1;
      const chunks = this.chunks!;
      const first = chunks[0]!;
      const at = this.off;
      if (first.length - at >= n) {
        // the whole packet is in the first chunk: decode it where it is
        this.off = at + n;
        this.avail -= n;
        if (this.off === first.length) {
          chunks.shift();
          this.off = 0;
        }
        // an idle connection holds no array (and no reference to the last read buffer)
        if (this.avail === 0) this.chunks = undefined;
        this.decode(first, at, at + n);
      } else {
        this.decode(this.take(n), 0, n);
      }
    }
  }

  /** Total packet length from the fixed header; -1 when incomplete or on error. */
  private header(): number {
    let value = 0;
    let mul = 1;
    let idx = 0;
    const chunks = this.chunks;
    if (!chunks) return -1;
    // iterate bytes across chunks without copying
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci]!;
      for (let i = ci === 0 ? this.off : 0; i < c.length; i++, idx++) {
        if (idx === 0) continue; // the type byte
        const b = c[i]!;
        value += (b & 0x7f) * mul;
        if ((b & 0x80) === 0) return 1 + idx + value;
        if (idx === 4) {
          this.fail('malformed', 'malformed Remaining Length', CMD_NAMES[chunks[0]![this.off]! >> 4]); // [MQTT-1.5.5-1]
          return -1;
        }
        mul *= 128;
      }
    }
    return -1;
  }

  /** Copies a packet split over chunks into one buffer. */
  private take(n: number): Buffer {
    const chunks = this.chunks!;
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const c = chunks[0]!;
      const k = Math.min(c.length - this.off, n - done);
      c.copy(out, done, this.off, this.off + k);
      done += k;
      if (this.off + k === c.length) {
        chunks.shift();
        this.off = 0;
      } else this.off += k;
    }
    this.avail -= n;
    if (this.avail === 0) this.chunks = undefined;
    return out;
  }

  /** Decodes the packet buf[start, end). */
  private decode(buf: Buffer, start: number, end: number): void {
    const type = buf[start]! >> 4;
    const cmd = CMD_NAMES[type];
    if (type === 0) {
      this.fail('malformed', 'reserved packet type 0', cmd);
      return;
    }
    // hot path (v3.1/v3.1.1): PUBLISH and PUBACK decoded here; anything unusual falls back to mqtt-packet
    if (this.version === 4 || this.version === 3) {
      if (type === 4 && end - start === 4 && buf[start] === 0x40) {
        this.h.packet(ackPacket(buf.readUInt16BE(start + 2)));
        return;
      }
      if (type === 3) {
        const fast = this.fastPublish(buf, start, end);
        if (typeof fast === 'string') {
          this.fail('malformed', fast, cmd);
          return;
        }
        if (fast) {
          this.h.packet(fast);
          return;
        }
      }
    }
    const raw = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
    const r = parseOne(this.version, raw);
    const p = r.packet;
    if (r.error !== undefined || p === undefined) {
      this.fail('malformed', r.error ?? 'incomplete packet', cmd);
      return;
    }
    if (p.cmd === 'connect' && this.version === 0) this.version = p.protocolVersion ?? 4;
    const bad = validateStrings(p, raw);
    if (bad) {
      this.fail('malformed', bad, cmd);
      return;
    }
    const dup = duplicateProperty(p);
    if (dup) {
      this.fail('protocol', `property ${dup} included more than once`, cmd);
      return;
    }
    this.h.packet(p);
  }

  /**
   * v3/v4 PUBLISH without mqtt-packet (same packet shape). QoS 3 returns
   * undefined (mqtt-packet reports it); a truncated topic or packet id, or an
   * ill-formed UTF-8 topic, returns the error (mqtt-packet would hand out
   * packet id -1).
   */
  private fastPublish(buf: Buffer, start: number, end: number): Packet | string | undefined {
    const b0 = buf[start]!;
    const qos = (b0 >> 1) & 3;
    if (qos === 3) return undefined;
    const at = bodyStart(buf, start);
    if (at + 2 > end) return 'Cannot parse topic';
    const tlen = buf.readUInt16BE(at);
    let pos = at + 2 + tlen;
    if (pos > end) return 'Cannot parse topic';
    const topic = this.topicAt(buf, at + 2, pos);
    if (topic === undefined) return 'ill-formed UTF-8 string';
    let messageId: number | undefined;
    if (qos > 0) {
      if (pos + 2 > end) return 'Cannot parse messageId';
      messageId = buf.readUInt16BE(pos);
      pos += 2;
    }
    const p = { cmd: 'publish', retain: (b0 & 1) !== 0, qos, dup: (b0 & 8) !== 0, length: end - at, topic, payload: buf.subarray(pos, end) } as Packet & { messageId?: number };
    if (messageId !== undefined) p.messageId = messageId;
    return p;
  }

  /** The topic in buf[from, to): the cached string when the bytes repeat; undefined for ill-formed UTF-8. */
  private topicAt(buf: Buffer, from: number, to: number): string | undefined {
    const c = this.topic;
    const len = to - from;
    if (c !== undefined && c.bytes.length === len) {
      const b = c.bytes;
      let i = 0;
      while (i < len && b[i] === buf[from + i]) i++;
      if (i === len) return c.topic;
    }
    const topic = buf.toString('utf8', from, to);
    if (badString(topic, buf.subarray(from, to))) return undefined;
    if (len <= TOPIC_CACHE_BYTES) {
      if (c !== undefined && c.bytes.length === len) {
        buf.copy(c.bytes, 0, from, to);
        c.topic = topic;
      } else {
        // not from the shared pool: a cached slice would pin a whole 8 KiB pool block per connection
        const bytes = Buffer.allocUnsafeSlow(len);
        buf.copy(bytes, 0, from, to);
        this.topic = { bytes, topic };
      }
    }
    return topic;
  }

  private fail(kind: ReadErrorKind, message: string, cmd: string | undefined): void {
    if (this.stopped) return;
    this.stop();
    this.h.error(kind, message, cmd);
  }
}

/** topics longer than this are decoded every time (the byte compare would cost as much) */
const TOPIC_CACHE_BYTES = 256;

interface TopicCache {
  /** a copy: the read buffer is not kept alive by the cache */
  readonly bytes: Buffer;
  topic: string;
}

/** Offset of the body of the packet starting at `start` (after the Remaining Length varint). */
function bodyStart(buf: Buffer, start: number): number {
  let i = start + 1;
  while (buf[i]! & 0x80) i++;
  return i + 1;
}

/** v3/v4 PUBACK (4 bytes, reserved flags 0). */
function ackPacket(messageId: number): Packet {
  return { cmd: 'puback', retain: false, qos: 0, dup: false, length: 2, topic: null, payload: null, messageId } as unknown as Packet;
}

/** CONNECT's protocol version as soon as the parser saw one (for error replies before CONNECT completes). */
export function peekConnectVersion(raw: Buffer): number | undefined {
  // fixed header + varint, then 2-byte length + name + level
  let i = 1;
  while (i < raw.length && raw[i]! & 0x80) i++;
  i++;
  if (i + 2 > raw.length) return undefined;
  const n = raw.readUInt16BE(i);
  const at = i + 2 + n;
  return at < raw.length ? raw[at] : undefined;
}

function badString(s: unknown, raw: Buffer): boolean {
  return typeof s === 'string' && s.includes('\uFFFD') && raw.indexOf(Buffer.from(s, 'utf8')) < 0;
}

function badProps(props: Record<string, unknown> | undefined, raw: Buffer): boolean {
  if (!props) return false;
  for (const [k, v] of Object.entries(props)) {
    if (k === 'userProperties' && v && typeof v === 'object') {
      for (const [name, val] of Object.entries(v as Record<string, unknown>)) {
        if (badString(name, raw)) return true;
        if (Array.isArray(val) ? val.some((x) => badString(x, raw)) : badString(val, raw)) return true;
      }
    } else if (badString(v, raw)) return true;
  }
  return false;
}

/** [MQTT-1.5.3-1] ill-formed UTF-8 in any string field → error text. */
function validateStrings(p: Packet, raw: Buffer): string | null {
  let bad = false;
  switch (p.cmd) {
    case 'publish':
      bad = badString(p.topic, raw) || badProps(p.properties as Record<string, unknown> | undefined, raw);
      break;
    case 'connect':
      bad =
        badString(p.clientId, raw) ||
        badString(p.username, raw) ||
        badString(p.will?.topic, raw) ||
        badProps(p.properties as Record<string, unknown> | undefined, raw) ||
        badProps(p.will?.properties as Record<string, unknown> | undefined, raw);
      break;
    case 'subscribe':
      bad = p.subscriptions.some((s) => badString(s.topic, raw)) || badProps(p.properties as Record<string, unknown> | undefined, raw);
      break;
    case 'unsubscribe':
      bad = p.unsubscriptions.some((t) => badString(t, raw));
      break;
    default:
      bad = badProps((p as { properties?: Record<string, unknown> }).properties, raw);
  }
  return bad ? 'ill-formed UTF-8 string' : null;
}

function duplicateProperty(p: Packet): string | null {
  const check = (props: object | undefined): string | null => {
    if (!props) return null;
    for (const [k, v] of Object.entries(props)) if (Array.isArray(v) && !REPEATABLE.has(k)) return k;
    return null;
  };
  const own = check((p as { properties?: object }).properties);
  if (own) return own;
  if (p.cmd === 'connect') return check(p.will?.properties);
  return null;
}
