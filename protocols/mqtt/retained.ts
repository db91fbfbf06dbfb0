/**
 * Retained messages: an index owned by the MQTT adapter, one per vhost
 * (RabbitMQ keeps them node-local per vhost too). In memory for now, behind
 * `RetainedStore` so a durable implementation over the core store can
 * replace it.
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
  /** store (non-empty body) or clear (empty body). false = refused by the limits */
  set(topic: string, message: Message): boolean;
  lookup(filter: string): RetainedEntry[];
  readonly size: number;
  readonly bytes: number;
}

export interface RetainedIndex {
  forVhost(vhost: string): RetainedStore;
}

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

  constructor(limits: RetainedLimits = {}) {
    this.maxMessages = limits.maxMessages ?? 1_000_000;
    this.maxBytes = limits.maxBytes ?? 1024 * 1024 * 1024;
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.total;
  }

  set(topic: string, message: Message): boolean {
    const levels = topic.split('/');
    if (message.body.length === 0) {
      this.remove(levels);
      return true;
    }
    let n = this.root;
    for (const l of levels) {
      let c = n.children.get(l);
      if (!c) n.children.set(l, (c = node()));
      n = c;
    }
    const old = n.entry;
    const addCount = old ? 0 : 1;
    const addBytes = message.body.length - (old ? old.message.body.length : 0);
    if (this.count + addCount > this.maxMessages || this.total + addBytes > this.maxBytes) {
      if (!old) this.prune(levels);
      return false;
    }
    const now = Date.now();
    const exp = message.properties.expiration;
    n.entry = { topic, message, storedAt: now, expiresAt: exp === undefined ? undefined : now + Number(exp) };
    this.count += addCount;
    this.total += addBytes;
    return true;
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
    if (live.length !== out.length) for (const e of out) if (e.expiresAt !== undefined && e.expiresAt <= now) this.remove(e.topic.split('/'));
    return live;
  }

  private collect(n: Node, atRoot: boolean, out: RetainedEntry[]): void {
    for (const [name, c] of n.children) {
      if (atRoot && name.startsWith('$')) continue; // [MQTT-4.7.2-1]
      if (c.entry) out.push(c.entry);
      this.collect(c, false, out);
    }
  }

  private remove(levels: string[]): void {
    let n: Node | undefined = this.root;
    for (const l of levels) {
      n = n.children.get(l);
      if (!n) return;
    }
    if (n.entry) {
      this.count--;
      this.total -= n.entry.message.body.length;
      n.entry = undefined;
    }
    this.prune(levels);
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

export function memoryRetainedIndex(limits: RetainedLimits = {}): RetainedIndex {
  const stores = new Map<string, RetainedStore>();
  return {
    forVhost(vhost: string): RetainedStore {
      let s = stores.get(vhost);
      if (!s) stores.set(vhost, (s = new MemoryRetainedStore(limits)));
      return s;
    },
  };
}
