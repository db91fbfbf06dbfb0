// MQTT load-generator process (spawned by bench/mqtt.ts, one JSON spec in
// argv[2], one JSON result line on stdout).
//
// mode "flow": P publishers and one subscriber in this process. Publishers
//   write pre-encoded PUBLISH packets in big batches (QoS 1: a ring of 4096
//   packet ids, at most `inflight` unacknowledged per publisher); an
//   end-to-end window (`window` messages sent but not yet received) keeps
//   queues in the broker bounded, so the figure is delivered msgs/s, not how
//   fast a broker can buffer. The subscriber counts PUBLISHes and answers
//   QoS 1 with PUBACKs batched per read. `rate` > 0: fixed rate, the payload
//   carries a monotonic timestamp and the subscriber records latency.
// mode "idle": opens `count` connections (keepalive 600 s), prints
//   {connected, failed}, holds them until stdin closes.
import { Histogram } from './lib/histogram.js';
import { openConn, publishPacket, subscribePacket, T_PUBACK, T_PUBLISH, T_SUBACK, writePuback, type RawConn } from './mqtt-wire.js';

export interface FlowSpec {
  mode: 'flow';
  host: string;
  port: number;
  publishers: number;
  qos: 0 | 1;
  size: number;
  warmup: number;
  seconds: number;
  /** topic of publisher i: `${prefix}/${i}`; the subscriber subscribes to `filter` */
  prefix: string;
  filter: string;
  window: number;
  inflight: number;
  batch: number;
  /** total msgs/s over all publishers; 0 = as fast as the windows allow */
  rate: number;
}

export interface IdleSpec {
  mode: 'idle';
  host: string;
  port: number;
  count: number;
  idPrefix: string;
  parallel: number;
}

export interface FlowResult {
  sent: number;
  received: number;
  seconds: number;
  sentPerSec: number;
  recvPerSec: number;
  lost: number;
  clientCpuPct: number;
  latency?: ReturnType<Histogram['summary']>;
}

const RING = 4096;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const out = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

async function flow(s: FlowSpec): Promise<void> {
  const latency = s.rate > 0;
  const hist = new Histogram();
  let sent = 0;
  let received = 0;
  let lastRecvAt = Date.now();
  let measuring = false;
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 7)}`;

  // ---- subscriber
  let acks = Buffer.allocUnsafe(4 * 4096);
  let ackLen = 0;
  let sub: RawConn | undefined = undefined;
  let subacked!: () => void;
  const subscribed = new Promise<void>((r) => (subacked = r));
  const flushAcks = (): void => {
    if (ackLen === 0 || !sub) return;
    sub.socket.write(acks.subarray(0, ackLen));
    acks = Buffer.allocUnsafe(acks.length);
    ackLen = 0;
  };
  let ackScheduled = false;
  sub = openConn(s.port, s.host, `bench-sub-${tag}`, (type, flags, b, st) => {
    if (type === T_PUBLISH) {
      received++;
      const tlen = b.readUInt16BE(st);
      let p = st + 2 + tlen;
      if (flags & 0x06) {
        if (ackLen + 4 > acks.length) flushAcks();
        writePuback(acks, ackLen, b.readUInt16BE(p));
        ackLen += 4;
        p += 2;
        if (!ackScheduled) {
          ackScheduled = true;
          setImmediate(() => {
            ackScheduled = false;
            flushAcks();
          });
        }
      }
      if (latency && measuring) hist.record(Number(process.hrtime.bigint() - b.readBigUInt64BE(p)) / 1000);
      lastRecvAt = Date.now();
      kick();
    } else if (type === T_SUBACK) subacked();
  });
  await sub.ready;
  sub.socket.write(subscribePacket(s.filter, s.qos));
  await subscribed;

  // ---- publishers
  const payload = Buffer.alloc(Math.max(s.size, 8), 0x61);
  interface Pub { conn: RawConn; ring: Buffer; pktLen: number; pos: number; unacked: number; blocked: boolean; id: number }
  const pubs: Pub[] = [];
  for (let i = 0; i < s.publishers; i++) {
    const topic = `${s.prefix}/${i}`;
    const one = publishPacket(topic, payload, s.qos, 1);
    const n = s.qos === 1 ? RING : Math.max(1, s.batch);
    const ring = Buffer.allocUnsafe(one.length * n);
    for (let k = 0; k < n; k++) {
      one.copy(ring, k * one.length);
      if (s.qos === 1) ring.writeUInt16BE(k + 1, k * one.length + one.length - payload.length - 2);
    }
    const pub: Pub = { conn: undefined as unknown as RawConn, ring, pktLen: one.length, pos: 0, unacked: 0, blocked: false, id: i };
    pub.conn = openConn(s.port, s.host, `bench-pub-${tag}-${i}`, (type) => {
      if (type === T_PUBACK) {
        pub.unacked--;
        kick();
      }
    });
    pub.conn.socket.on('drain', () => {
      pub.blocked = false;
      kick();
    });
    pubs.push(pub);
  }
  await Promise.all(pubs.map((p) => p.conn.ready));

  const ringCount = (p: Pub): number => p.ring.length / p.pktLen;
  const send = (p: Pub, n: number): void => {
    const end = Math.min(p.pos + n, ringCount(p));
    const k = end - p.pos;
    const ok = p.conn.socket.write(p.ring.subarray(p.pos * p.pktLen, end * p.pktLen));
    p.pos = end % ringCount(p);
    sent += k;
    if (s.qos === 1) p.unacked += k;
    if (!ok) p.blocked = true;
  };

  let stopped = false;
  let kicking = false;
  let rr = 0;
  function kick(): void {
    if (latency || stopped || kicking) return;
    kicking = true;
    queueMicrotask(() => {
      kicking = false;
      pump();
    });
  }
  function pump(): void {
    for (let spins = 0; spins < pubs.length * 4; spins++) {
      const room = s.window - (sent - received);
      if (room <= 0) return;
      const p = pubs[rr++ % pubs.length]!;
      if (p.blocked) continue;
      const n = Math.min(s.batch, room, s.qos === 1 ? s.inflight - p.unacked : Infinity);
      if (n > 0) send(p, n);
    }
  }
  // drop protection: a broker that discards messages would stall the window
  const leak = setInterval(() => {
    if (!latency && Date.now() - lastRecvAt > 300) {
      received = Math.max(received, sent - Math.floor(s.window / 2));
      lastRecvAt = Date.now();
      kick();
    }
  }, 100);

  let ticker: NodeJS.Timeout | undefined;
  if (latency) {
    // fixed rate: every 2 ms send rate/500 messages (spread over the publishers), each stamped
    const per = Math.max(1, Math.round(s.rate / 500));
    let due = 0;
    const t0 = Date.now();
    let id = 0;
    ticker = setInterval(() => {
      const target = Math.floor(((Date.now() - t0) / 1000) * s.rate);
      due = Math.min(target - sent, per * 20);
      for (let k = 0; k < due; k++) {
        const p = pubs[rr++ % pubs.length]!;
        payload.writeBigUInt64BE(process.hrtime.bigint(), 0);
        id = (id % 65535) + 1;
        p.conn.socket.write(publishPacket(`${s.prefix}/${p.id}`, payload, s.qos, id));
        sent++;
      }
    }, 2);
  } else kick();

  const cpu0 = process.cpuUsage();
  await sleep(s.warmup * 1000);
  measuring = true;
  const r0 = received;
  const s0 = sent;
  const c0 = process.cpuUsage(cpu0);
  const t0 = process.hrtime.bigint();
  await sleep(s.seconds * 1000);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const r1 = received;
  const s1 = sent;
  const c1 = process.cpuUsage(cpu0);
  stopped = true;
  clearInterval(leak);
  if (ticker) clearInterval(ticker);
  const res: FlowResult = {
    sent: s1 - s0,
    received: r1 - r0,
    seconds: secs,
    sentPerSec: (s1 - s0) / secs,
    recvPerSec: (r1 - r0) / secs,
    lost: Math.max(0, sent - received),
    clientCpuPct: ((c1.user + c1.system - c0.user - c0.system) / 1e6 / secs) * 100,
    ...(latency ? { latency: hist.summary() } : {}),
  };
  out(res);
  for (const p of pubs) p.conn.socket.destroy();
  sub.socket.destroy();
}

async function idle(s: IdleSpec): Promise<void> {
  const conns: RawConn[] = [];
  let connected = 0;
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < s.count) {
      const i = next++;
      const c = openConn(s.port, s.host, `${s.idPrefix}-${i}`);
      c.socket.on('error', () => undefined);
      conns.push(c);
      try {
        await c.ready;
        connected++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: s.parallel }, worker));
  out({ connected, failed });
  process.stdin.resume();
  await new Promise<void>((r) => {
    process.stdin.once('end', r);
    process.stdin.once('close', r);
  });
  for (const c of conns) c.socket.destroy();
}

const spec = JSON.parse(process.argv[2] ?? '{}') as FlowSpec | IdleSpec;
try {
  if (spec.mode === 'flow') await flow(spec);
  else await idle(spec);
  process.exit(0);
} catch (e) {
  out({ error: String(e) });
  process.exit(1);
}
