/**
 * Micro benchmark of the AMQP 0-9-1 codec hot paths: decode basic.publish /
 * basic.ack method payloads, content header + properties, encode basic.deliver
 * (100-byte body), FrameParser throughput. Prints ops/s per case.
 *
 * Run: npx tsx bench/micro/amqp-codec.bench.ts
 */
import {
  FrameParser, decodeContentHeader, decodeMethod, decodeProperties, encodeContent, encodeDeliver, encodeMethod,
  encodeProperties,
} from '../../protocols/amqp091/codec/index.js';

let sink = 0;

function bench(name: string, fn: () => unknown, minMs = 1000): number {
  for (let i = 0; i < 50_000; i++) fn(); // warm-up
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 10_000; i++) {
      const r = fn();
      if (r === undefined) sink++;
    }
    ops += 10_000;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const rate = (ops / elapsed) * 1000;
  console.log(`${name.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(14)} ops/s`);
  return rate;
}

const payload = (frame: Buffer): Buffer => frame.subarray(7, frame.length - 1);

const publish = payload(encodeMethod(1, 'basic.publish', { exchange: 'amq.topic', routingKey: 'orders.eu.created' }));
const publishDefault = payload(encodeMethod(1, 'basic.publish', { exchange: '', routingKey: 'task_queue' }));
const ack = payload(encodeMethod(1, 'basic.ack', { deliveryTag: 123456, multiple: false }));
const propsRaw = encodeProperties({ contentType: 'application/json', deliveryMode: 2, headers: { 'x-trace': { type: 'string', value: 'abc123' } } });
const header = payload(encodeContent(1, 60, propsRaw, Buffer.alloc(100), 131072)[0]!);
const body100 = Buffer.alloc(100, 0x61);
const body4k = Buffer.alloc(4096, 0x61);

console.log(`node ${process.version}`);
bench('decodeMethod basic.publish (amq.topic)', () => decodeMethod(publish));
bench('decodeMethod basic.publish (default exch.)', () => decodeMethod(publishDefault));
bench('decodeMethod basic.ack', () => decodeMethod(ack));
bench('decodeContentHeader', () => decodeContentHeader(header));
bench('decodeProperties (3 props + headers)', () => decodeProperties(propsRaw));
let tag = 0;
bench('encodeDeliver 100 B body', () => encodeDeliver(1, 'amq.ctag-XyZ123', ++tag, false, 'amq.topic', 'orders.eu.created', propsRaw, body100, 131072));
bench('encodeDeliver 4 KiB body', () => encodeDeliver(1, 'amq.ctag-XyZ123', ++tag, false, 'amq.topic', 'orders.eu.created', propsRaw, body4k, 131072));
bench('encodeMethod basic.ack', () => encodeMethod(1, 'basic.ack', { deliveryTag: ++tag }));

// FrameParser: a stream of publish (method + header + 100 B body) triples in 64 KiB chunks
const triple = Buffer.concat([encodeMethod(1, 'basic.publish', { exchange: 'amq.topic', routingKey: 'orders.eu.created' }), ...encodeContent(1, 60, propsRaw, body100, 131072)]);
const stream = Buffer.concat(Array.from({ length: Math.ceil(65536 / triple.length) * 16 }, () => triple));
const chunks: Buffer[] = [];
for (let o = 0; o < stream.length; o += 65536) chunks.push(stream.subarray(o, o + 65536));
let frames = 0;
const parser = new FrameParser({ frameMax: 131072, onFrame: () => { frames++; } });
const perRun = stream.length / triple.length;
const rate = bench('FrameParser 64 KiB chunks (per chunk)', () => { for (const c of chunks) parser.feed(c); return frames; }, 1000);
console.log(`${'  → publishes (3 frames each) parsed'.padEnd(44)} ${Math.round(rate * perRun).toLocaleString('en-US').padStart(14)} msg/s`);
if (sink < 0) console.log(sink);
