/**
 * Retained messages: an index owned by the MQTT adapter, one per vhost
 * (RabbitMQ keeps them node-local per vhost too). The trie is in memory;
 * with a `persist` hook (durable-state.ts) every change is also written to
 * disk and `set` returns the promise of that write.
 *
 * - set(topic, msg) replaces; an empty payload clears [MQTT-3.3.1-6] [MQTT-3.3.1-7];
 * - lookup(filter) answers exact AND wildcard filters (a trie walked by level,
 *   '+' one level, '#' the rest including the parent), honouring the '$' rule
 *   [MQTT-4.7.2-1] — RabbitMQ answers exact filters only (rabbitmq-server#8824);
 * - limits on message count and total payload bytes; a new topic over the
 *   limit is refused (the publish itself still routes);
 * - expired messages (v5 Message Expiry Interval) are dropped on lookup
 *   [MQTT-3.3.2-5].
 */
import type { Message } from '../../core/index.js';

export interface RetainedEntry {
  readonly topic: string;
  readonly message: Message;
  /** ms epoch when stored */
  readonly storedAt: number;
  /** ms epoch after which it is dropped, if the message had an expiry */
  readonly expiresAt: number | undefined;
}

export interface RetainedLimits {
  /** max retained messages per vhost; default 1,000,000 */
  maxMessages?: number;
  /** max total payload bytes per vhost; default 1 GiB */
  maxBytes?: number;
}

export interface RetainedStore {
  /**
   * store (non-empty body) or clear (empty body). false = refused by the
   * limits; true = done (in memory only); a promise = done, on disk when it resolves
   */
  set(topic: string, message: Message): boolean | Promise<void>;
  /** puts back an entry read from disk at start (no limits, no write) */
  restore(entry: RetainedEntry): void;
  lookup(filter: string): RetainedEntry[];
  readonly size: number;
  readonly bytes: number;
}

export interface RetainedIndex {
  forVhost(vhost: string): RetainedStore;
}

/** Writes a change of one vhost's retained messages (entry undefined = cleared). */
export type RetainedPersist = (topic: string, entry: RetainedEntry | undefined) => Promise<void>;

interface Node {
  children: Map<string, Node>;
  entry: RetainedEntry | undefined;
}

const node = (): Node => ({ children: new Map(), entry: undefined });

export class MemoryRetainedStore implements RetainedStore {
  private readonly root = node();
  private count = 0;
  private total = 0;
  private readonly maxMessages: number;
  private readonly maxBytes: number;

  private readonly persist: RetainedPersist | undefined;

  constructor(limits: RetainedLimits = {}, persist?: RetainedPersist) {
    this.maxMessages = limits.maxMessages ?? 1_000_000;
    this.maxBytes = limits.maxBytes ?? 1024 * 1024 * 1024;
    this.persist = persist;
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.total;
  }

  set(topic: string, message: Message): boolean | Promise<void> {
    const levels = topic.split('/');
    if (message.body.length === 0) {
      const had = this.remove(levels);
      return had && this.persist ? this.persist(topic, undefined) : true;
    }
    const n = this.nodeFor(levels);
    const old = n.entry;
    const addCount = old ? 0 : 1;
    const addBytes = message.body.length - (old ? old.message.body.length : 0);
    if (this.count + addCount > this.maxMessages || this.total + addBytes > this.maxBytes) {
      if (!old) this.prune(levels);
      return false;
    }
    const now = Date.now();
    const exp = message.properties.expiration;
    const entry: RetainedEntry = { topic, message, storedAt: now, expiresAt: exp === undefined ? undefined : now + Number(exp) };
    n.entry = entry;
    this.count += addCount;
    this.total += addBytes;
    return this.persist ? this.persist(topic, entry) : true;
  }

  restore(entry: RetainedEntry): void {
    const n = this.nodeFor(entry.topic.split('/'));
    if (n.entry) {
      this.count--;
      this.total -= n.entry.message.body.length;
    }
    n.entry = entry;
    this.count++;
    this.total += entry.message.body.length;
  }

  private nodeFor(levels: string[]): Node {
    let n = this.root;
    for (const l of levels) {
      let c = n.children.get(l);
      if (!c) n.children.set(l, (c = node()));
      n = c;
    }
    return n;
  }

  lookup(filter: string): RetainedEntry[] {
    const out: RetainedEntry[] = [];
    const f = filter.split('/');
    const now = Date.now();
    const walk = (n: Node, i: number, depth: number): void => {
      if (i === f.length) {
        if (n.entry) out.push(n.entry);
        return;
      }
      const l = f[i]!;
      if (l === '#') {
        if (n.entry && depth > 0) out.push(n.entry); // 'a/#' matches 'a'
        this.collect(n, depth === 0, out);
        return;
      }
      if (l === '+') {
        for (const [name, c] of n.children) {
          if (depth === 0 && name.startsWith('$')) continue; // [MQTT-4.7.2-1]
          walk(c, i + 1, depth + 1);
        }
        return;
      }
      const c = n.children.get(l);
      if (c) walk(c, i + 1, depth + 1);
    };
    walk(this.root, 0, 0);
    const live = out.filter((e) => e.expiresAt === undefined || e.expiresAt > now);
    if (live.length !== out.length) {
      for (const e of out) {
        if (e.expiresAt !== undefined && e.expiresAt <= now && this.remove(e.topic.split('/')) && this.persist) {
          this.persist(e.topic, undefined).catch(() => undefined); // logged by the store; a stale copy expires again after a restart
        }
      }
    }
    return live;
  }

  private collect(n: Node, atRoot: boolean, out: RetainedEntry[]): void {
    for (const [name, c] of n.children) {
      if (atRoot && name.startsWith('$')) continue; // [MQTT-4.7.2-1]
      if (c.entry) out.push(c.entry);
      this.collect(c, false, out);
    }
  }

  /** true when there was an entry */
  private remove(levels: string[]): boolean {
    let n: Node | undefined = this.root;
    for (const l of levels) {
      n = n.children.get(l);
      if (!n) return false;
    }
    const had = n.entry !== undefined;
    if (n.entry) {
      this.count--;
      this.total -= n.entry.message.body.length;
      n.entry = undefined;
    }
    this.prune(levels);
    return had;
  }

  /** drop empty nodes along the path */
  private prune(levels: string[]): void {
    const path: Node[] = [this.root];
    let n: Node | undefined = this.root;
    for (const l of levels) {
      n = n.children.get(l);
      if (!n) return;
      path.push(n);
    }
    for (let i = levels.length; i > 0; i--) {
      const c = path[i]!;
      if (c.entry || c.children.size > 0) return;
      path[i - 1]!.children.delete(levels[i - 1]!);
    }
  }
}

/** One store per vhost; `persist` (durable-state.ts) makes every change durable. */
export function memoryRetainedIndex(limits: RetainedLimits = {}, persist?: (vhost: string, topic: string, entry: RetainedEntry | undefined) => Promise<void>): RetainedIndex {
  const stores = new Map<string, RetainedStore>();
  return {
    forVhost(vhost: string): RetainedStore {
      let s = stores.get(vhost);
      if (!s) stores.set(vhost, (s = new MemoryRetainedStore(limits, persist ? (t, e) => persist(vhost, t, e) : undefined)));
      return s;
    },
  };
}
