/**
 * Read-only views of the core for tests and the management API
 * (CoreInspector in api.ts). Bindings include the default exchange's implicit
 * one-per-queue bindings, as RabbitMQ's binding listings do.
 */
import type { BindingSummary, ConnectionSummary, CoreInspector, ExchangeSummary, QueueSummary } from './api.js';
import type { Connection } from './connection.js';
import { BrokerError } from './errors.js';
import type { VHost } from './vhost.js';

export class Inspector implements CoreInspector {
  private readonly vhosts: ReadonlyMap<string, VHost>;
  private readonly connections: ReadonlyMap<string, Connection>;

  constructor(vhosts: ReadonlyMap<string, VHost>, connections: ReadonlyMap<string, Connection>) {
    this.vhosts = vhosts;
    this.connections = connections;
  }

  private vhost(name: string): VHost {
    const vh = this.vhosts.get(name);
    if (!vh) throw new BrokerError('NOT_FOUND', `no vhost '${name}'`);
    return vh;
  }

  listQueues(vhost: string): QueueSummary[] {
    return [...this.vhost(vhost).queues.values()].map((q) => q.summary());
  }

  listExchanges(vhost: string): ExchangeSummary[] {
    return [...this.vhost(vhost).exchanges.values()].map((x) => x.summary());
  }

  listBindings(vhost: string): BindingSummary[] {
    const vh = this.vhost(vhost);
    const out: BindingSummary[] = [];
    for (const q of vh.queues.values()) {
      out.push({ source: '', destination: q.name, destinationType: 'queue', routingKey: q.name, args: {} });
    }
    for (const x of vh.exchanges.values()) {
      for (const b of x.bindings.values()) {
        out.push({
          source: b.source,
          destination: b.destination,
          destinationType: b.destinationType,
          routingKey: b.routingKey,
          args: b.args,
        });
      }
    }
    return out;
  }

  listConnections(): ConnectionSummary[] {
    return [...this.connections.values()].map((c) => c.summary());
  }
}
