/**
 * Network listeners: TCP and TLS servers that hand each accepted socket to a
 * protocol adapter as a `Transport`.
 *
 * Responsibilities:
 * - bind a `net` or `tls` server per configured endpoint (port 0 = any free
 *   port), log one `listener started` line with the BOUND port, and report
 *   the bound ports to the gateway;
 * - TLS options from `ssl_options` (verify_peer / fail_if_no_peer_cert with
 *   RabbitMQ's meaning);
 * - stop accepting, then (after the adapters said goodbye) destroy whatever
 *   sockets are still open and wait for the servers to close.
 *
 * The socket → Transport conversion is injected (`toTransport`), so this
 * module does not depend on a particular transport implementation and can be
 * tested with a fake adapter.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Transport } from '../protocols/shared/transport.js';
import type { Logger } from '../core/index.js';
import type { Endpoint, TlsSettings } from './config/schema.js';

/** What the listeners need of a protocol adapter (protocols/<p>/index.ts). */
export interface ProtocolAdapter {
  readonly name: string;
  accept(t: Transport): void;
  closeAll(replyCode: number, text: string): Promise<void>;
  connectionCount(): number;
}

export type TransportKind = 'tcp' | 'tls';
export type ToTransport = (socket: net.Socket, kind: TransportKind) => Transport;

export interface ListenerSpec {
  readonly adapter: ProtocolAdapter;
  readonly kind: TransportKind;
  /** config name: `default` in `listeners.tcp.default` */
  readonly name: string;
  readonly endpoint: Endpoint;
  /** required for kind 'tls' */
  readonly tls?: TlsSettings;
}

export interface BoundListener {
  readonly protocol: string;
  readonly transport: TransportKind;
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

interface Running {
  readonly server: net.Server;
  readonly bound: BoundListener;
  readonly sockets: Set<net.Socket>;
}

export class Listeners {
  readonly #logger: Logger;
  readonly #toTransport: ToTransport;
  readonly #running: Running[] = [];

  constructor(logger: Logger, toTransport: ToTransport) {
    this.#logger = logger;
    this.#toTransport = toTransport;
  }

  /** Binds one listener; rejects with a readable error (`... port 5672: EADDRINUSE`). */
  async start(spec: ListenerSpec): Promise<BoundListener> {
    const sockets = new Set<net.Socket>();
    const onSocket = (socket: net.Socket): void => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.setNoDelay(true);
      try {
        spec.adapter.accept(this.#toTransport(socket, spec.kind));
      } catch (err) {
        this.#logger.error({ err, protocol: spec.adapter.name }, 'adapter failed to accept a connection');
        socket.destroy();
      }
    };
    const server = spec.kind === 'tls' ? this.#tlsServer(spec, onSocket) : net.createServer(onSocket);
    server.on('error', (err) => this.#logger.error({ err, protocol: spec.adapter.name }, 'listener error'));

    const { host, port } = spec.endpoint;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException): void => {
        const where = host ? `${host}:${port}` : `port ${port}`;
        reject(new Error(`cannot listen for ${spec.adapter.name} (${spec.kind}) on ${where}: ${err.code ?? err.message}`));
      };
      server.once('error', fail);
      server.listen({ port, host }, () => {
        server.off('error', fail);
        resolve();
      });
    });
    const addr = server.address() as net.AddressInfo;
    const bound: BoundListener = {
      protocol: spec.adapter.name,
      transport: spec.kind,
      name: spec.name,
      address: addr.address,
      port: addr.port,
    };
    this.#running.push({ server, bound, sockets });
    this.#logger.info(
      { protocol: bound.protocol, transport: bound.transport, port: bound.port, address: bound.address },
      'listener started',
    );
    return bound;
  }

  bound(): BoundListener[] {
    return this.#running.map((r) => r.bound);
  }

  /** Open sockets over all listeners. */
  socketCount(): number {
    return this.#running.reduce((n, r) => n + r.sockets.size, 0);
  }

  /** Stops accepting new connections; open ones stay (the adapters close them). */
  stopAccepting(): void {
    for (const r of this.#running) {
      if (r.server.listening) {
        r.server.close();
        this.#logger.info({ protocol: r.bound.protocol, transport: r.bound.transport, port: r.bound.port }, 'listener stopped');
      }
    }
  }

  /** Destroys sockets still open, then resolves once every server has closed. */
  async close(): Promise<void> {
    this.stopAccepting();
    for (const r of this.#running) for (const s of r.sockets) s.destroy();
    await Promise.all(
      this.#running.map((r) => new Promise<void>((resolve) => (r.server.listening ? r.server.once('close', () => resolve()) : resolve()))),
    );
  }

  #tlsServer(spec: ListenerSpec, onSocket: (s: net.Socket) => void): tls.Server {
    const o = spec.tls;
    if (!o?.certfile || !o.keyfile) throw new Error(`${spec.adapter.name} TLS listener needs ssl_options.certfile and keyfile`);
    const verifyPeer = o.verify === 'verify_peer';
    const server = tls.createServer(
      {
        cert: readPem(o.certfile, 'certfile'),
        key: readPem(o.keyfile, 'keyfile'),
        ...(o.cacertfile ? { ca: readPem(o.cacertfile, 'cacertfile') } : {}),
        requestCert: verifyPeer,
        rejectUnauthorized: verifyPeer && o.failIfNoPeerCert,
      },
      (socket) => {
        // verify_peer without fail_if_no_peer_cert: no certificate is fine, a bad one is not (RabbitMQ)
        if (verifyPeer && !socket.authorized && hasPeerCert(socket)) {
          this.#logger.warn({ remoteAddress: socket.remoteAddress, reason: String(socket.authorizationError) }, 'TLS client certificate refused');
          socket.destroy();
          return;
        }
        onSocket(socket);
      },
    );
    server.on('tlsClientError', (err, socket) =>
      this.#logger.debug({ remoteAddress: socket.remoteAddress, reason: err.message }, 'TLS handshake failed'),
    );
    return server;
  }
}

function hasPeerCert(s: tls.TLSSocket): boolean {
  const c = s.getPeerCertificate();
  return c !== null && typeof c === 'object' && Object.keys(c).length > 0;
}

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`ssl_options.${key} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
