#!/usr/bin/env node
// Serves this example and the two browser bundles from node_modules:
//   node examples/browser/serve.mjs [PORT]      (default 8080)
// then open http://127.0.0.1:PORT/?stomp=15674&mqtt=15675 with a broker
// running (Web STOMP on 15674, Web MQTT on 15675, user guest/guest).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const js = 'text/javascript; charset=utf-8';
const files = {
  '/': [join(here, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(here, 'app.js'), js],
  '/stomp.umd.min.js': [join(root, 'node_modules/@stomp/stompjs/bundles/stomp.umd.min.js'), js],
  '/mqtt.min.js': [join(root, 'node_modules/mqtt/dist/mqtt.min.js'), js],
};
const port = Number(process.argv[2] ?? 8080);
createServer((req, res) => {
  const hit = files[new URL(req.url ?? '/', 'http://x').pathname];
  if (!hit) return void res.writeHead(404).end('not found\n');
  res.writeHead(200, { 'Content-Type': hit[1] }).end(readFileSync(hit[0]));
}).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/?stomp=15674&mqtt=15675`));
