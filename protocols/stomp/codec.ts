/**
 * STOMP 1.0 / 1.1 / 1.2 frame codec (pure, resumable, Buffer.indexOf based).
 *
 * Responsibilities
 * - `StompParser.push(chunk)` accepts bytes split at any offset (one byte at a
 *   time or many frames per chunk) and emits frames and heart-beats:
 *   frame = command EOL *(header EOL) EOL body NUL *(EOL), EOL = [CR] LF.
 * - Header escaping per version ([STOMP 1.1 §Value Encoding], [STOMP 1.2
 *   §Value Encoding]): 1.0 none; 1.1 `\n \c \\`; 1.2 also `\r`. CONNECT and
 *   CONNECTED frames are never escaped. An undefined escape is a codec error.
 * - Repeated headers: the first one wins ([STOMP 1.2 §Repeated Header Entries]).
 * - Body: `content-length` octets followed by NUL (bodies may hold NULs), or
 *   up to the first NUL when there is no content-length.
 * - Bare EOLs between frames are heart-beats ([STOMP 1.1 §Heart-beating]).
 * - Limits: header count, header line length, frame size, body size; a breach
 *   throws `StompCodecError` and the parser refuses further input.
 * - `encodeFrame()` serialises a frame with the escaping of a version.
 *
 * `push()` never throws anything but `StompCodecError`; callbacks' own
 * exceptions pass through unchanged.
 */

export type StompVersion = '1.0' | '1.1' | '1.2';

export interface StompFrame {
  readonly command: string;
  /** first occurrence of each header wins; a null-prototype record */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface StompLimits {
  /** most headers in one frame; default 1000 */
  maxHeaders: number;
  /** longest command or header line in bytes (escaped, without EOL); default 64 KiB */
  maxHeaderLength: number;
  /** largest frame (command + headers + body); default 4 MiB (RabbitMQ stomp.max_frame_size) */
  maxFrameSize: number;
  /** largest body; default = maxFrameSize */
  maxBodySize: number;
}

export const DEFAULT_LIMITS: StompLimits = {
  maxHeaders: 1000,
  maxHeaderLength: 64 * 1024,
  maxFrameSize: 4 * 1024 * 1024,
  maxBodySize: 4 * 1024 * 1024,
};

/** Why a byte stream is not valid STOMP; `message` becomes the ERROR frame's `message` header. */
export class StompCodecError extends Error {
  readonly details: string;
  constructor(message: string, details: string) {
    super(message);
    this.name = 'StompCodecError';
    this.details = details;
  }
}

export function isStompCodecError(e: unknown): e is StompCodecError {
  return e instanceof StompCodecError;
}

const LF = 10;
const CR = 13;
const NUL = 0;
const COLON = 58;
const BACKSLASH = 92;

const S_IDLE = 0;
const S_HEAD = 1;
const S_BODY_LEN = 2;
const S_BODY_NUL = 3;
const S_DEAD = 4;

const NOT_ESCAPED = new Set(['CONNECT', 'CONNECTED']);

export interface ParserCallbacks {
  frame(f: StompFrame): void;
  heartbeat(): void;
}

export class StompParser {
  /** escaping rules; the processor switches this after CONNECT */
  version: StompVersion = '1.2';
  private readonly limits: StompLimits;
  private readonly cb: ParserCallbacks;
  private state = S_IDLE;
  /** unconsumed bytes of an incomplete command/header line */
  private rest: Buffer | null = null;
  private sawCR = false;
  private command = '';
  private headers: Record<string, string> = Object.create(null) as Record<string, string>;
  private headerCount = 0;
  private headBytes = 0;
  private bodyLen = 0;
  private bodyChunks: Buffer[] = [];
  private bodyGot = 0;

  constructor(cb: ParserCallbacks, limits: Partial<StompLimits> = {}) {
    this.cb = cb;
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    if (limits.maxBodySize === undefined) this.limits.maxBodySize = this.limits.maxFrameSize;
  }

  /** Feed bytes. Throws StompCodecError on invalid input (the parser is dead afterwards). */
  push(input: Buffer): void {
    if (this.state === S_DEAD) throw new StompCodecError('Invalid frame', 'the connection already failed');
    let chunk = input;
    if (this.rest !== null) {
      chunk = Buffer.concat([this.rest, input]);
      this.rest = null;
    }
    let pos = 0;
    const n = chunk.length;
    try {
      while (pos < n) {
        switch (this.state) {
          case S_IDLE:
            pos = this.idle(chunk, pos);
            break;
          case S_HEAD:
            pos = this.head(chunk, pos);
            break;
          case S_BODY_LEN:
            pos = this.bodyFixed(chunk, pos);
            break;
          case S_BODY_NUL:
            pos = this.bodyNul(chunk, pos);
            break;
          default:
            return;
        }
      }
    } catch (e) {
      if (e instanceof StompCodecError) {
        this.state = S_DEAD;
        this.rest = null;
        this.bodyChunks = [];
      }
      throw e;
    }
  }

  /** Between frames: EOLs are heart-beats; anything else starts a command line. */
  private idle(chunk: Buffer, pos: number): number {
    const b = chunk[pos]!;
    if (b === LF) {
      this.sawCR = false;
      this.cb.heartbeat();
      return pos + 1;
    }
    if (b === CR) {
      this.sawCR = true;
      return pos + 1;
    }
    if (this.sawCR) throw new StompCodecError('Invalid frame', 'a CR between frames must be followed by LF');
    this.state = S_HEAD;
    this.command = '';
    this.headers = Object.create(null) as Record<string, string>;
    this.headerCount = 0;
    this.headBytes = 0;
    return pos;
  }

  /** Command and header lines up to the blank line. Returns the new position. */
  private head(chunk: Buffer, start: number): number {
    let pos = start;
    const limits = this.limits;
    for (;;) {
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) {
        const partial = chunk.length - pos;
        if (partial > limits.maxHeaderLength + 1) {
          throw new StompCodecError('Header too long', `a header line exceeds ${limits.maxHeaderLength} bytes`);
        }
        if (this.headBytes + partial > limits.maxFrameSize) {
          throw new StompCodecError('Frame too large', `the frame exceeds ${limits.maxFrameSize} bytes`);
        }
        if (partial > 0) this.rest = chunk.subarray(pos);
        return chunk.length;
      }
      let end = lf;
      if (end > pos && chunk[end - 1] === CR) end--;
      const len = end - pos;
      if (len > limits.maxHeaderLength) {
        throw new StompCodecError('Header too long', `a header line exceeds ${limits.maxHeaderLength} bytes`);
      }
      this.headBytes += lf + 1 - pos;
      if (this.headBytes > limits.maxFrameSize) {
        throw new StompCodecError('Frame too large', `the frame exceeds ${limits.maxFrameSize} bytes`);
      }
      if (this.command === '') {
        if (len === 0) throw new StompCodecError('Invalid frame', 'empty command');
        this.command = chunk.toString('utf8', pos, end);
        pos = lf + 1;
        continue;
      }
      if (len === 0) {
        pos = lf + 1;
        this.startBody();
        return pos;
      }
      this.header(chunk, pos, end);
      pos = lf + 1;
    }
  }

  private header(chunk: Buffer, pos: number, end: number): void {
    if (++this.headerCount > this.limits.maxHeaders) {
      throw new StompCodecError('Too many headers', `a frame may carry at most ${this.limits.maxHeaders} headers`);
    }
    const colon = chunk.indexOf(COLON, pos);
    if (colon === -1 || colon >= end) {
      throw new StompCodecError('Invalid frame', `header line without a colon in ${this.command}`);
    }
    const escaped = this.version !== '1.0' && !NOT_ESCAPED.has(this.command);
    let key: string;
    let value: string;
    if (escaped) {
      // scan this line only: indexOf would search the rest of the chunk (many frames) for every header
      let hasEsc = false;
      for (let i = pos; i < end; i++) {
        if (chunk[i] === BACKSLASH) {
          hasEsc = true;
          break;
        }
      }
      key = hasEsc ? unescapeHeader(chunk.toString('utf8', pos, colon), this.version) : chunk.toString('utf8', pos, colon);
      value = hasEsc
        ? unescapeHeader(chunk.toString('utf8', colon + 1, end), this.version)
        : chunk.toString('utf8', colon + 1, end);
    } else {
      key = chunk.toString('utf8', pos, colon);
      value = chunk.toString('utf8', colon + 1, end);
    }
    if (!(key in this.headers)) this.headers[key] = value;
  }

  private startBody(): void {
    const cl = this.headers['content-length'];
    this.bodyChunks = [];
    this.bodyGot = 0;
    if (cl !== undefined) {
      const t = cl.trim();
      if (!/^\d{1,15}$/.test(t)) throw new StompCodecError('Invalid content-length', `content-length '${cl}' is not a non-negative integer`);
      const len = Number(t);
      this.checkBody(len);
      this.bodyLen = len;
      this.state = S_BODY_LEN;
    } else {
      this.state = S_BODY_NUL;
    }
  }

  private checkBody(len: number): void {
    if (len > this.limits.maxBodySize) {
      throw new StompCodecError('Body too large', `the body exceeds ${this.limits.maxBodySize} bytes`);
    }
    if (this.headBytes + len + 1 > this.limits.maxFrameSize) {
      throw new StompCodecError('Frame too large', `the frame exceeds ${this.limits.maxFrameSize} bytes`);
    }
  }

  private bodyFixed(chunk: Buffer, pos: number): number {
    const need = this.bodyLen - this.bodyGot;
    const avail = chunk.length - pos;
    if (avail <= need) {
      if (avail > 0) this.bodyChunks.push(chunk.subarray(pos));
      this.bodyGot += avail;
      return chunk.length;
    }
    if (need > 0) this.bodyChunks.push(chunk.subarray(pos, pos + need));
    this.bodyGot += need;
    const term = pos + need;
    if (chunk[term] !== NUL) {
      throw new StompCodecError('Invalid content-length', `the ${this.bodyLen}-byte body is not followed by NUL`);
    }
    this.emit();
    return term + 1;
  }

  private bodyNul(chunk: Buffer, pos: number): number {
    const nul = chunk.indexOf(NUL, pos);
    const end = nul === -1 ? chunk.length : nul;
    if (end > pos) {
      this.bodyChunks.push(chunk.subarray(pos, end));
      this.bodyGot += end - pos;
      this.checkBody(this.bodyGot);
    }
    if (nul === -1) return chunk.length;
    this.emit();
    return nul + 1;
  }

  private emit(): void {
    const chunks = this.bodyChunks;
    const body = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.bodyGot);
    const frame: StompFrame = { command: this.command, headers: this.headers, body };
    this.bodyChunks = [];
    this.bodyGot = 0;
    this.state = S_IDLE;
    this.sawCR = false;
    this.cb.frame(frame);
  }
}

const EMPTY = Buffer.alloc(0);

/** [STOMP 1.2 §Value Encoding]: `\r` (1.2 only), `\n`, `\c`, `\\`; anything else is fatal. */
export function unescapeHeader(s: string, version: StompVersion): string {
  if (version === '1.0' || s.indexOf('\\') === -1) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const d = s[++i];
    if (d === 'n') out += '\n';
    else if (d === 'c') out += ':';
    else if (d === '\\') out += '\\';
    else if (d === 'r' && version === '1.2') out += '\r';
    else throw new StompCodecError('Invalid header', `undefined escape sequence '\\${d ?? ''}' in a header`);
  }
  return out;
}

const ESC_11 = /[\\\n:]/g;
const ESC_12 = /[\\\n\r:]/g;
const ESC_MAP: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', ':': '\\c' };

export function escapeHeader(s: string, version: StompVersion): string {
  if (version === '1.0') return s;
  // fast path (most values): no byte that needs escaping
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 10 || c === 58 || c === 13) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  const re = version === '1.2' ? ESC_12 : ESC_11;
  re.lastIndex = 0;
  if (!re.test(s)) return s;
  re.lastIndex = 0;
  return s.replace(re, (c) => ESC_MAP[c]!);
}

/** Header list for encoding: pairs keep their order (duplicates are written as given). */
export type HeaderList = readonly (readonly [string, string])[];

/**
 * Serialise a frame. 1.0 headers are written raw, so CR/LF in them would
 * break framing: they are replaced by spaces there.
 */
export function encodeFrame(command: string, headers: HeaderList, body: Buffer | undefined, version: StompVersion): Buffer {
  const raw = version === '1.0' || NOT_ESCAPED.has(command);
  let head = command + '\n';
  for (const [k, v] of headers) {
    if (raw) head += k.replace(/[\r\n:]/g, ' ') + ':' + v.replace(/[\r\n]/g, ' ') + '\n';
    else head += escapeHeader(k, version) + ':' + escapeHeader(v, version) + '\n';
  }
  head += '\n';
  const headLen = Buffer.byteLength(head);
  const bodyLen = body === undefined ? 0 : body.length;
  const out = Buffer.allocUnsafe(headLen + bodyLen + 1);
  out.write(head, 0, 'utf8');
  if (body !== undefined && bodyLen > 0) body.copy(out, headLen);
  out[headLen + bodyLen] = NUL;
  return out;
}

/** One heart-beat: a bare EOL. */
export const HEARTBEAT = Buffer.from('\n');
