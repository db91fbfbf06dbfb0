// What every broker launcher returns.

export interface BrokerHandle {
  /** "polyport", "rabbitmq" or "external". */
  name: string;
  host: string;
  amqpPort: number;
  /** The broker OS process (beam.smp for RabbitMQ) for CPU/RSS sampling; undefined for external brokers. */
  pid: number | undefined;
  /** Other listener ports by key (e.g. "management", "mqtt"). */
  ports: Record<string, number>;
  /** Stop the broker and everything it started; safe to call twice. */
  stop(): Promise<void>;
}
