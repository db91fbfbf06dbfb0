/**
 * AmqpConnection: one AMQP 0-9-1 client connection (RabbitMQ's rabbit_reader).
 *
 * Responsibilities
 * - Protocol header check: anything but "AMQP\0\0\x09\x01" gets our header
 *   back and the socket closed (spec §4.2.2).
 * - Handshake: start → start-ok (PLAIN/AMQPLAIN login, loopback-only users,
 *   authentication_failure_close) → tune → tune-ok (RabbitMQ's negotiation
 *   checks) → open (vhost/permission check in the core) → open-ok; the whole
 *   handshake must finish within `handshakeTimeoutMs`.
 * - Frame demultiplexing onto channels (channel.ts), channel_max accounting,
 *   504 CHANNEL_ERROR for frames on channels that were never opened.
 * - Hard errors: connection.close(code, text, class, method), then ignore
 *   everything but close/close-ok; the socket goes after close-ok or 1 s.
 * - Heartbeats (heartbeat.ts), connection.blocked/unblocked (only when the
 *   client advertised the capability) and publisher throttling: after a
 *   publish while blocked we stop reading the socket, as RabbitMQ does.
 * - Output backpressure: consumers whose delivery hit the transport HWM are
 *   resumed on drain; reading pauses while the output is over the HWM.
 */
import type { AuthUser, Core, CoreConnection, FieldTable, Logger } from '../../core/index.js';
import { tableToPlain } from '../../core/index.js';
import type { Transport } from '../shared/transport.js';
import { isLoopback } from '../shared/transport.js';
import { Channel } from './channel.js';
import { ChannelTable } from './channels.js';
import type { ConnectionHost } from './channel.js';
import {
  FRAME_HEARTBEAT, FRAME_METHOD, FrameParser, HEARTBEAT_FRAME, PROTOCOL_HEADER, decodeMethod, encodeMethod,
} from './codec/index.js';
import type { Method } from './codec/index.js';
import type { AmqpConsumer } from './consumer.js';
import { AmqpError, channelError, notAllowed, toAmqpError, unexpectedFrame } from './errors.js';
import { checkProtocolHeader, clientCapabilities, parseSasl, startMethod, validateTuneOk } from './handshake.js';
import type { ClientCapabilities } from './handshake.js';
import { ConnectionFlow } from './flow.js';
import { Heartbeat } from './heartbeat.js';

export interface ConnectionOptions {
  frameMax: number;
  channelMax: number;
  heartbeat: number;
  handshakeTimeoutMs: number;
  maxMessageSize: number;
  product: string;
  version: string;
  clusterName: string;
  logger: Logger;
}

/** RabbitMQ's connection_state names, used in its error texts. */
type State = 'header' | 'starting' | 'tuning' | 'opening' | 'running' | 'closing' | 'closed';

const CLOSE_OK_TIMEOUT_MS = 1000;

const NO_CAPS: ClientCapabilities = {
  connectionBlocked: false,
  consumerCancelNotify: false,
  authenticationFailureClose: false,
  publisherConfirms: false,
};

export class AmqpConnection implements ConnectionHost {
  readonly log: Logger;
  readonly maxMessageSize: number;
  frameMax: number;
  caps: ClientCapabilities = NO_CAPS;

  private readonly transport: Transport;
  private readonly core: Core;
  private readonly opts: ConnectionOptions;
  private readonly onGone: (c: AmqpConnection) => void;
  private state: State = 'header';
  private header: Buffer | null = null;
  private readonly parser: FrameParser;
  private readonly heartbeat: Heartbeat;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private user: AuthUser | undefined;
  private clientProperties: FieldTable = {};
  private readonly channels = new ChannelTable();
  private coreConn: CoreConnection | undefined;
  private readonly flow: ConnectionFlow;
  private readonly closeWaiters: (() => void)[] = [];

  constructor(transport: Transport, core: Core, opts: ConnectionOptions, onGone: (c: AmqpConnection) => void) {
    this.transport = transport;
    this.core = core;
    this.opts = opts;
    this.onGone = onGone;
    this.frameMax = opts.frameMax;
    this.maxMessageSize = opts.maxMessageSize;
    this.log = opts.logger.child({
      protocol: 'amqp091',
      remote: `${transport.info.remoteAddress}:${transport.info.remotePort}`,
    });
    // until tune-ok, accept frames up to the server's own frame_max
    this.parser = new FrameParser({ frameMax: opts.frameMax, onFrame: (t, c, p) => this.onFrame(t, c, p) });
    this.heartbeat = new Heartbeat(
      () => this.write(HEARTBEAT_FRAME),
      () => {
        // RabbitMQ: "missed heartbeats from client, timeout: Ns" and a silent close
        this.log.warn({ timeoutSeconds: this.heartbeatSeconds }, 'missed heartbeats from client, closing connection');
        this.transport.destroy();
      },
    );
    this.flow = new ConnectionFlow({
      pauseReading: () => this.transport.pauseReading(),
      resumeReading: () => this.transport.resumeReading(),
      canNotifyBlocked: () => this.caps.connectionBlocked && this.state === 'running',
      sendBlocked: (reason) => this.write(encodeMethod(0, 'connection.blocked', { reason })),
      sendUnblocked: () => {
        if (this.state === 'running') this.write(encodeMethod(0, 'connection.unblocked'));
      },
      monitorPaused: (paused) => this.heartbeat.setPaused(paused),
    });
  }

  private heartbeatSeconds = 0;

  /** Start reading; the client speaks first (protocol header). */
  start(): void {
    this.handshakeTimer = setTimeout(() => {
      this.log.warn({ timeoutMs: this.opts.handshakeTimeoutMs, state: this.state }, 'handshake timeout, closing connection');
      this.transport.destroy();
    }, this.opts.handshakeTimeoutMs);
    this.transport.start({
      onData: (chunk) => this.onData(chunk),
      onDrain: () => this.flow.drained(),
      onClose: (err) => this.onTransportClose(err),
    });
  }

  get isOpen(): boolean {
    return this.state === 'running';
  }

  // ------------------------------------------------------------ ConnectionHost

  write(buf: Buffer): boolean {
    this.heartbeat.markWritten();
    const ok = this.transport.write(buf);
    if (!ok) this.flow.overHighWaterMark();
    return ok;
  }

  freeChannel(id: number): void {
    this.channels.free(id);
  }

  consumerPaused(c: AmqpConsumer): void {
    this.flow.consumerPaused(c);
  }

  sessionBlocked(reason: string): void {
    this.flow.channelBlocked(reason);
  }

  sessionUnblocked(): void {
    this.flow.channelUnblocked();
  }

  publishSeen(): void {
    this.flow.publishSeen();
  }

  // ------------------------------------------------------------ shutdown

  /** Server-initiated close (broker shutdown, management): 320 CONNECTION_FORCED etc. */
  forceClose(replyCode: number, text: string): Promise<void> {
    const done = new Promise<void>((resolve) => {
      if (this.state === 'closed') resolve();
      else this.closeWaiters.push(resolve);
    });
    if (this.state === 'running') this.hardError(new AmqpError(replyCode, text));
    else if (this.state !== 'closing' && this.state !== 'closed') this.transport.destroy();
    return done;
  }

  // ------------------------------------------------------------ inbound

  private onData(chunk: Buffer): void {
    this.heartbeat.markRead();
    if (this.state === 'closed') return;
    try {
      if (this.state === 'header') {
        const rest = this.readHeader(chunk);
        if (rest === null || rest.length === 0) return;
        chunk = rest;
      }
      this.parser.feed(chunk);
    } catch (e) {
      try {
        this.hardError(toAmqpError(e, 0, 0));
      } catch (fatal) {
        // never let a bug escape into the socket's 'data' emitter
        this.log.error({ err: fatal }, 'cannot close connection cleanly');
        this.transport.destroy();
      }
    }
    this.flow.afterInbound();
  }

  /** Returns the bytes after the header, or null while it is incomplete / was wrong. */
  private readHeader(chunk: Buffer): Buffer | null {
    const have = this.header === null ? chunk : Buffer.concat([this.header, chunk]);
    const verdict = checkProtocolHeader(have);
    if (verdict === 'partial') {
      this.header = have;
      return null;
    }
    if (verdict === 'bad') {
      // spec §4.2.2: reply with the header we support, then close
      this.state = 'closed';
      this.transport.write(PROTOCOL_HEADER);
      this.transport.end();
      return null;
    }
    this.header = null;
    this.state = 'starting';
    this.write(startMethod(this.opts));
    return have.subarray(8);
  }

  private onFrame(type: number, ch: number, payload: Buffer): void {
    const state = this.state;
    if (state === 'closing') return this.onFrameWhileClosing(type, ch, payload);
    if (state === 'closed') return;
    if (type === FRAME_HEARTBEAT) {
      // rabbit_reader: a heartbeat on a non-zero channel is an unexpected frame
      if (ch !== 0) throw unexpectedFrame(`heartbeat frame on channel ${ch}`);
      return;
    }
    if (ch === 0) {
      if (type !== FRAME_METHOD) throw unexpectedFrame(`unexpected frame type ${type} on channel 0`);
      this.onConnectionMethod(decodeMethod(payload));
      return;
    }
    if (state !== 'running') throw unexpectedFrame(`unexpected frame on channel ${ch} in connection state ${state}`);
    const channel = this.channels.get(ch);
    if (channel !== undefined) {
      channel.handleFrame(type, payload);
      return;
    }
    if (type !== FRAME_METHOD) throw channelError("expected 'channel.open'");
    const m = decodeMethod(payload);
    if (m.name !== 'channel.open') throw channelError("expected 'channel.open'", m.classId, m.methodId);
    this.openChannel(ch);
  }

  private onFrameWhileClosing(type: number, ch: number, payload: Buffer): void {
    if (type !== FRAME_METHOD || ch !== 0) return;
    let m: Method;
    try {
      m = decodeMethod(payload);
    } catch {
      return;
    }
    if (m.name === 'connection.close-ok') {
      this.state = 'closed';
      this.transport.end();
    } else if (m.name === 'connection.close') {
      // both sides closed at once
      this.write(encodeMethod(0, 'connection.close-ok'));
      this.state = 'closed';
      this.transport.end();
    }
  }

  private onConnectionMethod(m: Method): void {
    if (m.name === 'connection.close') return this.onClientClose();
    switch (this.state) {
      case 'starting':
        if (m.name === 'connection.start-ok') return this.onStartOk(m);
        break;
      case 'tuning':
        if (m.name === 'connection.tune-ok') return this.onTuneOk(m);
        break;
      case 'opening':
        if (m.name === 'connection.open') return this.onOpen(m);
        break;
      case 'running':
        if (m.name === 'connection.update-secret') return this.onUpdateSecret(m);
        // a client never sends these; RabbitMQ ignores them
        if (m.name === 'connection.blocked' || m.name === 'connection.unblocked') return;
        if (m.name === 'connection.close-ok') return;
        break;
      default:
        break;
    }
    // rabbit_reader handle_method0/2 fallback, also for non-connection methods on channel 0:
    // 504 "unexpected method in connection state ~w"
    throw channelError(`unexpected method in connection state ${this.state}`, m.classId, m.methodId);
  }

  private onStartOk(m: Extract<Method, { name: 'connection.start-ok' }>): void {
    this.clientProperties = m.clientProperties;
    this.caps = clientCapabilities(m.clientProperties);
    const creds = parseSasl(m.mechanism, m.response); // unknown mechanism → 503
    const user = creds === null ? null : this.core.users.authenticate(creds.username, creds.password);
    if (user === null) {
      this.log.warn({ user: creds?.username, mechanism: m.mechanism }, 'login refused: invalid credentials');
      return this.authFail(m.mechanism, `Login was refused using authentication mechanism ${m.mechanism}. For details see the broker logfile.`);
    }
    if (this.core.users.isLoopbackOnly(user.name) && !isLoopback(this.transport.info.remoteAddress)) {
      this.log.warn({ user: user.name }, 'login refused: user can only connect via localhost');
      return this.authFail(m.mechanism, `${m.mechanism} login refused: user '${user.name}' can only connect via localhost`);
    }
    this.user = user;
    this.state = 'tuning';
    this.write(
      encodeMethod(0, 'connection.tune', {
        channelMax: this.opts.channelMax,
        frameMax: this.opts.frameMax,
        heartbeat: this.opts.heartbeat,
      }),
    );
  }

  /** RabbitMQ auth_fail: close 403 only when the client advertised authentication_failure_close. */
  private authFail(_mechanism: string, text: string): void {
    if (this.caps.authenticationFailureClose) {
      this.hardError(new AmqpError(403, text, 10, 11));
    } else {
      this.state = 'closed';
      this.transport.end();
    }
  }

  private onTuneOk(m: Extract<Method, { name: 'connection.tune-ok' }>): void {
    validateTuneOk(
      { frameMax: this.opts.frameMax, channelMax: this.opts.channelMax },
      { frameMax: m.frameMax, channelMax: m.channelMax },
    );
    this.frameMax = m.frameMax;
    this.channels.setMax(m.channelMax);
    this.parser.setFrameMax(m.frameMax);
    this.heartbeatSeconds = m.heartbeat;
    this.heartbeat.start(m.heartbeat);
    this.state = 'opening';
  }

  private onOpen(m: Extract<Method, { name: 'connection.open' }>): void {
    const info = this.transport.info;
    try {
      this.coreConn = this.core.openConnection({
        vhost: m.virtualHost,
        user: this.user!,
        protocol: 'amqp091',
        remoteAddress: info.remoteAddress,
        remotePort: info.remotePort,
        clientProperties: tableToPlain(this.clientProperties),
      });
    } catch (e) {
      // NOT_ALLOWED "vhost x not found" (530); ACCESS_REFUSED on channel 0 → connection.close 403
      throw toAmqpError(e, 10, 40);
    }
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.state = 'running';
    this.write(encodeMethod(0, 'connection.open-ok', { knownHosts: '' }));
    this.log.debug({ vhost: m.virtualHost, user: this.user!.name }, 'connection opened');
  }

  private onUpdateSecret(_m: Extract<Method, { name: 'connection.update-secret' }>): void {
    // RabbitMQ hands the new secret to the auth backend's update_state; the
    // internal user store keeps no expiring credential and accepts it as is
    // (amqplib's own suite relies on this). A token backend would validate it
    // here and refuse with 530 NOT_ALLOWED "New secret was refused…".
    this.write(encodeMethod(0, 'connection.update-secret-ok'));
  }

  private onClientClose(): void {
    this.shutdownChannels();
    this.write(encodeMethod(0, 'connection.close-ok'));
    this.state = 'closed';
    this.transport.end();
  }

  private openChannel(id: number): void {
    this.channels.checkCanOpen();
    const ch = new Channel(this, id);
    ch.attach(this.coreConn!.openSession(ch));
    this.channels.add(ch);
    this.write(encodeMethod(id, 'channel.open-ok', { channelId: '' }));
  }

  // ------------------------------------------------------------ errors & close

  /** Hard error: connection.close, drop channels, wait for close-ok (or 1 s). */
  private hardError(err: AmqpError): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const fields = { code: err.replyCode, text: err.replyText, classId: err.classId, methodId: err.methodId };
    if (err.replyCode === 320) this.log.info(fields, 'closing connection');
    else this.log.warn(fields, 'connection error');
    this.state = 'closing';
    this.write(
      encodeMethod(0, 'connection.close', {
        replyCode: err.replyCode,
        replyText: err.replyText,
        failingClassId: err.classId,
        failingMethodId: err.methodId,
      }),
    );
    this.shutdownChannels();
    // keep reading so that close-ok can arrive
    this.flow.release();
    this.closeTimer = setTimeout(() => this.transport.destroy(), CLOSE_OK_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  private shutdownChannels(): void {
    this.channels.teardownAll();
    const cc = this.coreConn;
    this.coreConn = undefined;
    if (cc !== undefined) {
      try {
        cc.close();
      } catch (e) {
        this.log.error({ err: e }, 'core connection close failed');
      }
    }
  }

  private onTransportClose(err?: Error): void {
    const was = this.state;
    this.state = 'closed';
    this.flow.disable();
    this.heartbeat.stop();
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.closeTimer);
    this.shutdownChannels();
    if (err !== undefined && was !== 'closing') this.log.debug({ err: err.message }, 'socket error');
    this.onGone(this);
    for (const w of this.closeWaiters.splice(0)) w();
  }
}
