/**
 * StompProcessor: the STOMP state machine of one connection.
 *
 * - before CONNECT only CONNECT/STOMP is allowed (ERROR "Illegal command" and
 *   close), unless `implicitConnect` is on: then the default user connects
 *   silently (no CONNECTED), as RabbitMQ's stomp.implicit_connect;
 * - after CONNECT: SEND, SUBSCRIBE, UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT,
 *   ABORT, DISCONNECT; anything else → ERROR "Bad command" and close;
 * - SEND/ACK/NACK with `transaction` are buffered (transactions.ts) and
 *   replayed on COMMIT;
 * - `receipt` on any frame → RECEIPT (receipts.ts orders them; SEND waits
 *   for the core's confirm); DISCONNECT answers once all earlier receipts
 *   were sent, then closes;
 * - any error (StompError, BrokerError) → ERROR with `message`, body and
 *   receipt-id, then close;
 * - SessionEvents: confirmed/rejected → receipts; blocked/unblocked → stop /
 *   resume reading the socket (resource alarms).
 */
import type { Core, CoreConnection, CoreSession, Logger, SessionEvents } from '../../core/index.js';
import type { StompFrame } from './codec.js';
import { connect } from './connect.js';
import { Errors, toStompError } from './errors.js';
import { Receipts } from './receipts.js';
import { Publisher } from './send.js';
import { Subscriptions } from './subscriptions.js';
import { Transactions } from './transactions.js';
import type { FrameOut, ResolvedStompOptions } from './types.js';

interface Running {
  readonly conn: CoreConnection;
  readonly session: CoreSession;
  readonly subs: Subscriptions;
  readonly publisher: Publisher;
}

export class StompProcessor {
  private readonly out: FrameOut;
  private readonly core: Core;
  private readonly opts: ResolvedStompOptions;
  private readonly log: Logger;
  private readonly receipts: Receipts;
  private readonly tx: Transactions;
  private running: Running | undefined;
  private closed = false;
  private disconnecting = false;

  constructor(out: FrameOut, core: Core, opts: ResolvedStompOptions, log: Logger) {
    this.out = out;
    this.core = core;
    this.opts = opts;
    this.log = log;
    this.receipts = new Receipts(out);
    this.tx = new Transactions(opts.maxTransactions, opts.maxTxActions);
  }

  handle(f: StompFrame): void {
    if (this.closed || this.disconnecting) return;
    try {
      if (this.running === undefined) this.handleFirst(f);
      else this.dispatch(f, this.running, false);
    } catch (e) {
      this.out.error(toStompError(e), f.headers['receipt']);
    }
  }

  private handleFirst(f: StompFrame): void {
    if (f.command === 'CONNECT' || f.command === 'STOMP') {
      this.doConnect(f.headers, true);
      return;
    }
    if (!this.opts.implicitConnect) throw Errors.notConnected();
    this.doConnect(f.headers, false);
    this.dispatch(f, this.running!, false);
  }

  private doConnect(h: Record<string, string>, reply: boolean): void {
    const c = connect(h, this.core, this.opts, this.out);
    this.out.setVersion(c.version);
    const events: SessionEvents = {
      confirmed: (ids) => this.receipts.confirmed(ids),
      rejected: (ids, code) => this.receipts.rejected(ids, code),
      blocked: (reason) => {
        this.log.info({ reason }, 'publisher blocked');
        this.out.pauseReading();
      },
      unblocked: () => this.out.resumeReading(),
    };
    const session = c.conn.openSession(events);
    const subs = new Subscriptions({
      out: this.out,
      session,
      version: c.version,
      sessionId: c.sessionId,
      topicExchange: this.opts.topicExchange,
    });
    this.running = { conn: c.conn, session, subs, publisher: new Publisher(session, this.receipts, subs, this.opts.topicExchange) };
    if (reply) {
      const headers: [string, string][] = [];
      if (this.opts.serverName !== undefined) headers.push(['server', this.opts.serverName]);
      headers.push(['session', c.sessionId], ['heart-beat', c.heartbeat.header], ['version', c.version]);
      this.out.send('CONNECTED', headers);
    }
    this.out.startHeartbeats(c.heartbeat.sendMs, c.heartbeat.recvMs);
    this.log.debug({ user: c.conn.user.name, vhost: c.conn.vhost, version: c.version }, 'STOMP connection opened');
  }

  /** One frame of a connected session. `replay` = replayed by COMMIT (transaction header ignored, no receipt). */
  private dispatch(f: StompFrame, r: Running, replay: boolean): void {
    const h = f.headers;
    const txId = replay ? undefined : h['transaction'];
    const receipt = replay ? undefined : h['receipt'];
    switch (f.command) {
      case 'SEND':
        if (txId !== undefined) {
          this.tx.add(txId, f);
          break;
        }
        // a replayed SEND had its receipt answered when it was buffered
        r.publisher.send(replay ? withoutReceipt(h) : h, f.body);
        return; // the RECEIPT follows the confirm
      case 'SUBSCRIBE':
        r.subs.subscribe(h);
        break;
      case 'UNSUBSCRIBE':
        r.subs.unsubscribe(h);
        break;
      case 'ACK':
      case 'NACK':
        if (txId !== undefined) {
          this.tx.add(txId, f);
          break;
        }
        r.subs.settle(f.command, h, f.command === 'ACK' ? true : this.requeue(h));
        break;
      case 'BEGIN':
        this.tx.begin(this.txHeader(f));
        break;
      case 'COMMIT':
        for (const g of this.tx.commit(this.txHeader(f))) this.dispatch(g, r, true);
        break;
      case 'ABORT':
        this.tx.abort(this.txHeader(f));
        break;
      case 'DISCONNECT':
        this.disconnecting = true;
        this.receipts.whenIdle(() => {
          if (receipt !== undefined) this.out.send('RECEIPT', [['receipt-id', receipt]]);
          this.out.end();
        });
        return;
      case 'CONNECT':
      case 'STOMP':
        throw Errors.alreadyConnected();
      default:
        throw Errors.badCommand(f.command);
    }
    if (receipt !== undefined) this.receipts.ready(receipt);
  }

  private txHeader(f: StompFrame): string {
    const t = f.headers['transaction'];
    if (t === undefined) throw Errors.missingHeader(f.command, 'transaction');
    return t;
  }

  private requeue(h: Record<string, string>): boolean {
    const v = h['requeue'];
    if (v === undefined) return this.opts.defaultNackRequeue;
    if (v !== 'true' && v !== 'false') throw Errors.invalidHeader('requeue', v, "expected 'true' or 'false'");
    return v === 'true';
  }

  /** the transport drained: resume paused consumers */
  drained(): void {
    this.running?.subs.resumeAll();
  }

  /** Close the core side: unacked deliveries are requeued, exclusive queues deleted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tx.clear();
    const r = this.running;
    this.running = undefined;
    if (r !== undefined) {
      try {
        r.session.close();
        r.conn.close();
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'closing the core connection failed');
      }
    }
  }
}

function withoutReceipt(h: Record<string, string>): Record<string, string> {
  if (h['receipt'] === undefined) return h;
  const out = Object.create(null) as Record<string, string>;
  for (const k in h) if (k !== 'receipt') out[k] = h[k]!;
  return out;
}
