/**
 * Topic exchange (RabbitMQ `rabbit_exchange_type_topic` semantics).
 *
 * Keys and patterns are dot-separated words ('' is zero words, "a..b" has an
 * empty middle word). In a binding key '*' matches exactly one word and '#'
 * zero or more words. Bindings live in a trie keyed by word; matching walks
 * literal, '*' and '#' children. Results are cached per routing key in a
 * bounded map (NATS Sublist style) that is dropped whenever the generation
 * counter moves, i.e. on every bind/unbind.
 */
import type { Binding, ExchangeRouter, RouteSink } from './exchange.js';
import { addDestination } from './exchange.js';

export const TOPIC_CACHE_MAX = 4096;

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  readonly bindings: Set<Binding>;
}

function node(): TrieNode {
  return { children: new Map(), bindings: new Set() };
}

/** RabbitMQ's split_topic_key: '' → [], otherwise split on '.' */
export function topicWords(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

export class TopicRouter implements ExchangeRouter {
  private readonly root = node();
  private readonly cache = new Map<string, readonly Binding[]>();
  private cacheGeneration = 0;
  /** bumped on every binding change; the cache is valid for one generation */
  generation = 0;

  validate(): void {}

  get cacheSize(): number {
    return this.cacheGeneration === this.generation ? this.cache.size : 0;
  }

  bind(b: Binding): void {
    let n = this.root;
    for (const w of topicWords(b.routingKey)) {
      let c = n.children.get(w);
      if (!c) n.children.set(w, (c = node()));
      n = c;
    }
    n.bindings.add(b);
    this.generation++;
  }

  unbind(b: Binding): void {
    const words = topicWords(b.routingKey);
    const path: TrieNode[] = [this.root];
    let n: TrieNode | undefined = this.root;
    for (const w of words) {
      n = n.children.get(w);
      if (!n) return;
      path.push(n);
    }
    n.bindings.delete(b);
    this.generation++;
    // prune empty branches bottom-up
    for (let i = words.length; i > 0; i--) {
      const child = path[i]!;
      if (child.bindings.size > 0 || child.children.size > 0) break;
      path[i - 1]!.children.delete(words[i - 1]!);
    }
  }

  route(routingKey: string, _headers: unknown, out: RouteSink): void {
    for (const b of this.match(routingKey)) addDestination(b, out);
  }

  /** Bindings whose pattern matches `routingKey` (cached). */
  match(routingKey: string): readonly Binding[] {
    if (this.cacheGeneration !== this.generation) {
      this.cache.clear();
      this.cacheGeneration = this.generation;
    }
    const hit = this.cache.get(routingKey);
    if (hit) return hit;
    const found = new Set<Binding>();
    this.collect(this.root, topicWords(routingKey), 0, found);
    const result = [...found];
    if (this.cache.size >= TOPIC_CACHE_MAX) {
      // evict the oldest entry (Map keeps insertion order)
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(routingKey, result);
    return result;
  }

  private collect(n: TrieNode, words: readonly string[], i: number, out: Set<Binding>): void {
    const hash = n.children.get('#');
    if (i === words.length) {
      for (const b of n.bindings) out.add(b);
      if (hash) this.collect(hash, words, i, out); // '#' matches zero words
      return;
    }
    const exact = n.children.get(words[i]!);
    if (exact) this.collect(exact, words, i + 1, out);
    const star = n.children.get('*');
    if (star) this.collect(star, words, i + 1, out);
    if (hash) {
      // '#' swallows words i..j-1 for every j, including none
      for (let j = i; j <= words.length; j++) this.collect(hash, words, j, out);
    }
  }
}
