/**
 * A tiny HTTP server for the browser example: examples/browser/{index.html,
 * app.js} and the two UMD bundles from node_modules, on 127.0.0.1, port 0.
 * Anything else is a 404.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** URL path → [file, content type] */
export const FILES: Record<string, readonly [string, string]> = {
  '/': [join(root, 'examples/browser/index.html'), 'text/html; charset=utf-8'],
  '/index.html': [join(root, 'examples/browser/index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(root, 'examples/browser/app.js'), 'text/javascript; charset=utf-8'],
  '/stomp.umd.min.js': [join(root, 'node_modules/@stomp/stompjs/bundles/stomp.umd.min.js'), 'text/javascript; charset=utf-8'],
  '/mqtt.min.js': [join(root, 'node_modules/mqtt/dist/mqtt.min.js'), 'text/javascript; charset=utf-8'],
};

export interface StaticServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startStaticServer(): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const hit = FILES[path];
    if (req.method !== 'GET' || hit === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = readFileSync(hit[0]);
    res.writeHead(200, { 'Content-Type': hit[1], 'Content-Length': body.length, 'Cache-Control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
