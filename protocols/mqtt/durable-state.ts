/**
 * What the MQTT adapter keeps on disk, in a core `StateMap` the gateway opens
 * (`<data_dir>/state/mqtt.kv`), so that a restart — even `kill -9` — keeps:
 *
 *   ["s", vhost, clientId]       a persistent session: user, expiry, when it
 *                                went offline, its subscriptions with their
 *                                MQTT options (JSON). Its queues and bindings
 *                                are durable core objects in definitions.json;
 *   ["q", vhost, clientId, id]   an inbound QoS 2 packet id routed and not yet
 *                                released by PUBREL: written before PUBREC,
 *                                so a re-sent PUBLISH after a restart is not
 *                                routed twice [MQTT-4.3.3-10];
 *   ["p", vhost, clientId, id]   an outbound packet id awaiting PUBCOMP: the
 *                                PUBREL is re-sent on resume [MQTT-4.4.0-1];
 *   ["r", vhost, topic]          a retained message [MQTT-3.3.1-5] (a topic too long
 *                                for a key: ["r", vhost, "#" + sha256(topic)]; the
 *                                value carries the topic either way);
 *   ["w", vhost, clientId]       a delayed will and when it fires [MQTT-3.1.3-9].
 *
 * Keys are JSON arrays (unambiguous for any vhost/client id/topic). Messages
 * are stored in the core's message record format (exact property and header
 * types). Only persistent sessions (clean session 0 / expiry > 0) are written.
 * Writes are group-committed by the StateMap; the processor waits for the
 * ones an acknowledgement depends on (processor.holdLastPublish).
 */
import { createHash } from 'node:crypto';
import type { AuthUser, Logger, Message, StateMap } from '../../core/index.js';
import { decodeMessage, encodeMessage } from '../../core/index.js';
import type { RetainedEntry } from './retained.js';
import type { SessionState, Subscription } from './session.js';
import type { WillSpec } from './will.js';

export interface StoredSession {
  readonly vhost: string;
  readonly clientId: string;
  readonly user: string;
  readonly expirySeconds: number;
  /** ms epoch the session went offline; undefined = it was connected when the broker stopped */
  readonly offlineAt: number | undefined;
  readonly subscriptions: Subscription[];
  readonly inboundQos2: number[];
  readonly outboundPubrel: number[];
}

export interface StoredWill {
  readonly vhost: string;
  readonly clientId: string;
  readonly user: string;
  /** ms epoch it is due */
  readonly fireAt: number;
  readonly will: WillSpec;
}

export interface LoadedMqttState {
  readonly sessions: StoredSession[];
  readonly retained: { vhost: string; entry: RetainedEntry }[];
  readonly wills: StoredWill[];
}

const key = (parts: (string | number)[]): string => JSON.stringify(parts);
const EMPTY = Buffer.alloc(0);
/** StateMap keys are at most 65535 UTF-8 bytes; topics may be as long (JSON escaping makes them longer) */
const MAX_KEY_BYTES = 60_000;

function retainedKey(vhost: string, topic: string): string {
  const k = key(['r', vhost, topic]);
  return Buffer.byteLength(k) <= MAX_KEY_BYTES ? k : key(['r', vhost, '#' + createHash('sha256').update(topic).digest('hex')]);
}

/** A StateMap call whose synchronous throw (bad key, closed map) becomes a rejected promise. */
function attempt(f: () => Promise<void>): Promise<void> {
  try {
    return f();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

export class MqttDurableState {
  private readonly map: StateMap;
  private readonly log: Logger;

  constructor(map: StateMap, log: Logger) {
    this.map = map;
    this.log = log;
  }

  /** Reads everything (once, when the adapter starts). Damaged entries are logged and skipped. */
  load(): LoadedMqttState {
    type Head = Omit<StoredSession, 'inboundQos2' | 'outboundPubrel'>;
    const sessions = new Map<string, Head>(); // by key([vhost, clientId])
    const idsOf = new Map<string, { q: number[]; p: number[] }>();
    const retained: { vhost: string; entry: RetainedEntry }[] = [];
    const wills: StoredWill[] = [];
    for (const [k, v] of this.map.load()) {
      try {
        const parts = JSON.parse(k) as unknown[];
        const [kind, vhost, name] = parts as [string, string, string];
        switch (kind) {
          case 's': {
            const j = JSON.parse(v.toString('utf8')) as Omit<StoredSession, 'vhost' | 'clientId'>;
            sessions.set(key([vhost, name]), { ...j, vhost, clientId: name, offlineAt: j.offlineAt ?? undefined });
            break;
          }
          case 'q':
          case 'p': {
            const k2 = key([vhost, name]);
            let ids = idsOf.get(k2);
            if (!ids) idsOf.set(k2, (ids = { q: [], p: [] }));
            (kind === 'q' ? ids.q : ids.p).push(Number(parts[3]));
            break;
          }
          case 'r':
            retained.push({ vhost, entry: decodeRetained(v) });
            break;
          case 'w':
            wills.push(decodeWill(vhost, name, v));
            break;
          default:
            throw new Error(`unknown entry kind ${String(kind)}`);
        }
      } catch (err) {
        this.log.warn({ key: k, err: String(err) }, 'mqtt: stored state entry skipped');
      }
    }
    // packet ids of a session that no longer exists (it ended while a write was in flight) go
    for (const [k2, ids] of idsOf) {
      if (sessions.has(k2)) continue;
      const [vhost, clientId] = JSON.parse(k2) as [string, string];
      for (const id of ids.q) this.drop(attempt(() => this.map.delete(key(['q', vhost, clientId, id]))));
      for (const id of ids.p) this.drop(attempt(() => this.map.delete(key(['p', vhost, clientId, id]))));
    }
    const none = { q: [], p: [] };
    return {
      sessions: [...sessions].map(([k2, s]) => {
        const ids = idsOf.get(k2) ?? none;
        return { ...s, inboundQos2: ids.q, outboundPubrel: ids.p };
      }),
      retained,
      wills,
    };
  }

  /** Writes a persistent session's record (on connect, on subscription changes, offline). */
  saveSession(state: SessionState, offlineAt?: number): Promise<void> {
    const j = {
      user: state.user.name,
      expirySeconds: state.expirySeconds,
      offlineAt: offlineAt ?? null,
      subscriptions: [...state.subscriptions.values()],
    };
    return this.drop(attempt(() => this.map.set(key(['s', state.vhost, state.clientId]), Buffer.from(JSON.stringify(j)))));
  }

  /** The session ended: its record and packet ids go. */
  deleteSession(state: SessionState): void {
    this.drop(attempt(() => this.map.delete(key(['s', state.vhost, state.clientId]))));
    for (const id of state.inboundQos2) this.drop(attempt(() => this.map.delete(key(['q', state.vhost, state.clientId, id]))));
    for (const id of state.outboundPubrel) this.drop(attempt(() => this.map.delete(key(['p', state.vhost, state.clientId, id]))));
  }

  /** Inbound QoS 2 packet id routed: the promise is what PUBREC waits for. */
  addInboundQos2(state: SessionState, id: number): Promise<void> {
    return this.drop(attempt(() => this.map.set(key(['q', state.vhost, state.clientId, id]), EMPTY)));
  }

  removeInboundQos2(state: SessionState, id: number): void {
    this.drop(attempt(() => this.map.delete(key(['q', state.vhost, state.clientId, id]))));
  }

  addOutboundPubrel(state: SessionState, id: number): void {
    this.drop(attempt(() => this.map.set(key(['p', state.vhost, state.clientId, id]), EMPTY)));
  }

  removeOutboundPubrel(state: SessionState, id: number): void {
    this.drop(attempt(() => this.map.delete(key(['p', state.vhost, state.clientId, id]))));
  }

  /** A retained message stored (entry) or cleared (undefined). */
  retained(vhost: string, topic: string, entry: RetainedEntry | undefined): Promise<void> {
    const k = retainedKey(vhost, topic);
    return this.drop(attempt(() => (entry ? this.map.set(k, encodeRetained(entry)) : this.map.delete(k))));
  }

  putWill(vhost: string, clientId: string, user: AuthUser, fireAt: number, will: WillSpec): void {
    this.drop(attempt(() => this.map.set(key(['w', vhost, clientId]), encodeWill(user.name, fireAt, will))));
  }

  deleteWill(vhost: string, clientId: string): void {
    this.drop(attempt(() => this.map.delete(key(['w', vhost, clientId]))));
  }

  /** For writes nobody waits on: a failure is logged (the disk alarm is raised by the store). */
  private drop(p: Promise<void>): Promise<void> {
    p.catch((err: unknown) => this.log.warn({ err: String(err) }, 'mqtt: state write failed'));
    return p;
  }
}

// ---------------------------------------------------------------- value formats

/** retained: [u32 topic length][topic][f64 storedAt][f64 expiresAt | NaN][message record] */
function encodeRetained(e: RetainedEntry): Buffer {
  const topic = Buffer.from(e.topic, 'utf8');
  const head = Buffer.allocUnsafe(20);
  head.writeUInt32LE(topic.length, 0);
  head.writeDoubleLE(e.storedAt, 4);
  head.writeDoubleLE(e.expiresAt ?? Number.NaN, 12);
  return Buffer.concat([head.subarray(0, 4), topic, head.subarray(4), encodeMessage(e.message)]);
}

function decodeRetained(v: Buffer): RetainedEntry {
  const n = v.readUInt32LE(0);
  const topic = v.subarray(4, 4 + n).toString('utf8');
  const storedAt = v.readDoubleLE(4 + n);
  const exp = v.readDoubleLE(12 + n);
  return { topic, message: decodeMessage(v.subarray(20 + n)).message, storedAt, expiresAt: Number.isNaN(exp) ? undefined : exp };
}

/** will: [u32 header length][header JSON][message record] */
function encodeWill(user: string, fireAt: number, w: WillSpec): Buffer {
  const header = Buffer.from(JSON.stringify({ user, fireAt, topic: w.topic, retain: w.retain, delaySeconds: w.delaySeconds }));
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32LE(header.length, 0);
  return Buffer.concat([len, header, encodeMessage(w.message)]);
}

function decodeWill(vhost: string, clientId: string, v: Buffer): StoredWill {
  const n = v.readUInt32LE(0);
  const h = JSON.parse(v.subarray(4, 4 + n).toString('utf8')) as { user: string; fireAt: number; topic: string; retain: boolean; delaySeconds: number };
  const message: Message = decodeMessage(v.subarray(4 + n)).message;
  return { vhost, clientId, user: h.user, fireAt: h.fireAt, will: { topic: h.topic, retain: h.retain, delaySeconds: h.delaySeconds, message } };
}
