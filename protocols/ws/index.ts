/**
 * WebSocket endpoint for Web STOMP and Web MQTT: turns HTTP upgrades into
 * Transports. It never imports an adapter; src/ hands each Transport to the
 * STOMP or MQTT adapter (the same processors as over TCP).
 *
 * `createWsEndpoint(o)` → `handleUpgrade(req, socket, head, onTransport)` for
 * an http(s) server's 'upgrade' event, `handleRequest(req, res)` for plain
 * HTTP requests (426 Upgrade Required: a GET never becomes a session),
 * `attach(server, onTransport)` wiring both, and `close()`.
 *
 * Upgrade checks, in order: path (404), origin allow-list (403), subprotocol
 * (subprotocol.ts: MQTT without `mqtt`/`mqttv3.1` → 400). permessage-deflate is
 * on by default; `maxMessageSize` closes oversized messages with 1009.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Transport } from '../shared/transport.js';
import { chooseSubprotocol, parseOffered } from './subprotocol.js';
import type { WsProtocol } from './subprotocol.js';
import { wsTransport } from './websocket.js';

export { chooseSubprotocol, parseOffered } from './subprotocol.js';
export type { WsProtocol } from './subprotocol.js';
export { wsTransport } from './websocket.js';

/** pino-compatible subset */
export interface WsLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface WsEndpointOptions {
  /** web_stomp.ws_path / web_mqtt.ws_path; default '/ws' */
  path?: string;
  protocols: WsProtocol;
  /** message type for writes; default 'text' for STOMP, always 'binary' for MQTT */
  frame?: 'text' | 'binary';
  /** largest accepted WebSocket message; default 4 MiB (STOMP) / 268435456+4096 (MQTT) */
  maxMessageSize?: number;
  /** exact Origin values allowed; undefined = any */
  allowOrigins?: readonly string[];
  /** permessage-deflate; default true */
  compress?: boolean;
  /** server ping interval; 0 = off; default 30000 */
  pingIntervalMs?: number;
  /** transport high-water mark */
  highWaterMark?: number;
  /** 'ws' or 'wss' (for TransportInfo.kind); default 'ws' */
  kind?: 'ws' | 'wss';
  logger: WsLogger;
}

export interface WsEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, onTransport: (t: Transport) => void): void;
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  attach(server: HttpServer | HttpsServer, onTransport: (t: Transport) => void): void;
  /** close every WebSocket (1001 going away) */
  close(): void;
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.on('error', () => {});
}

export function createWsEndpoint(o: WsEndpointOptions): WsEndpoint {
  const path = o.path ?? '/ws';
  const kind = o.protocols;
  const frame = kind === 'mqtt' ? 'binary' : (o.frame ?? 'text');
  const maxPayload = o.maxMessageSize ?? (kind === 'mqtt' ? 268_435_456 + 4096 : 4 * 1024 * 1024);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    perMessageDeflate: o.compress ?? true,
    clientTracking: true,
    handleProtocols: (offered) => chooseSubprotocol(kind, offered) ?? false,
  });
  const log = o.logger;

  const endpoint: WsEndpoint = {
    handleUpgrade(req, socket, head, onTransport) {
      socket.on('error', () => {});
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== path) {
        refuse(socket, 404, 'Not Found');
        return;
      }
      const origin = req.headers.origin;
      if (o.allowOrigins !== undefined && (origin === undefined || !o.allowOrigins.includes(origin))) {
        log.warn({ origin }, 'WebSocket upgrade refused: origin not allowed');
        refuse(socket, 403, 'Forbidden');
        return;
      }
      const offered = parseOffered(req.headers['sec-websocket-protocol']);
      if (chooseSubprotocol(kind, offered) === false) {
        log.debug({ offered: [...offered] }, 'WebSocket upgrade refused: no acceptable subprotocol');
        refuse(socket, 400, 'Bad Request');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const t = wsTransport(ws, req, {
          frame,
          kind: o.kind ?? 'ws',
          ...(o.highWaterMark === undefined ? {} : { highWaterMark: o.highWaterMark }),
          ...(o.pingIntervalMs === undefined ? {} : { pingIntervalMs: o.pingIntervalMs }),
        });
        onTransport(t);
      });
    },
    handleRequest(_req, res) {
      const body = 'This endpoint only accepts WebSocket upgrades.\n';
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    },
    attach(server, onTransport) {
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => endpoint.handleUpgrade(req, socket, head, onTransport));
      server.on('request', (req: IncomingMessage, res: ServerResponse) => endpoint.handleRequest(req, res));
    },
    close() {
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      wss.close();
    },
  };
  return endpoint;
}
