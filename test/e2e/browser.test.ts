/**
 * A real browser: Debian's headless Chromium (driven by puppeteer-core) loads
 * examples/browser/, which talks to Polyport with @stomp/stompjs over Web
 * STOMP and mqtt.js over Web MQTT, as browser apps do with RabbitMQ.
 *
 * One in-process broker: createCore, the AMQP adapter on a TCP listener
 * (amqplib is the "other side"), the MQTT adapter, and src/stomp-web.ts for
 * STOMP + Web STOMP + Web MQTT. Port 0 everywhere; a fresh --user-data-dir.
 *
 * Nothing is skipped: without /usr/bin/chromium the test FAILS and says how
 * to install it (`npm test` installs it in scripts/test.mjs ensurePeers()).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../core/index.js';
import type { Core } from '../../core/index.js';
import { createAmqpAdapter } from '../../protocols/amqp091/index.js';
import type { AmqpAdapter } from '../../protocols/amqp091/index.js';
import { createMqttAdapter } from '../../protocols/mqtt/index.js';
import type { MqttAdapter } from '../../protocols/mqtt/index.js';
import { socketTransport } from '../../protocols/shared/tcp.js';
import { Listeners } from '../../src/listeners.js';
import { startStompAndWeb } from '../../src/stomp-web.js';
import type { StompWeb } from '../../src/stomp-web.js';
import { memoryLogger } from '../helpers/amqp-server.js';
import { startStaticServer } from './static-server.js';
import type { StaticServer } from './static-server.js';

const CHROMIUM = process.env['POLYPORT_CHROMIUM'] ?? '/usr/bin/chromium';
const LOCAL = '127.0.0.1';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // no traffic to Google or anywhere else
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication',
  '--metrics-recording-only',
  '--no-first-run',
  '--no-default-browser-check',
  '--no-pings',
];

let core: Core;
let listeners: Listeners;
let amqpAdapter: AmqpAdapter;
let mqttAdapter: MqttAdapter;
let web: StompWeb;
let files: StaticServer;
let amqpPort: number;
let userDataDir: string | undefined;
let browser: Browser | undefined;
let page: Page;
let conn: ChannelModel | undefined;
let ch: Channel;
const pageLog: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: this test needs a real browser. Install it with \`apt-get install -y chromium\` ` +
        '(npm test does so in scripts/test.mjs ensurePeers() when apt-get is available), or set POLYPORT_CHROMIUM.',
    );
  }
  const logger = memoryLogger();
  core = createCore({ logger });
  core.users.addUser('guest', 'guest', ['administrator']);
  core.users.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  core.users.setLoopbackUsers(['guest']);
  listeners = new Listeners(logger, socketTransport);
  amqpAdapter = createAmqpAdapter(core, { logger });
  amqpPort = (await listeners.start({ adapter: amqpAdapter, kind: 'tcp', name: 'default', endpoint: { host: LOCAL, port: 0 } })).port;
  mqttAdapter = createMqttAdapter(core, { logger, allowAnonymous: false });
  web = await startStompAndWeb({
    core,
    logger,
    listeners,
    mqttAdapter,
    config: {
      stomp: { listeners: { tcp: [], ssl: [] } },
      webStomp: { port: 0, host: LOCAL },
      webMqtt: { port: 0, host: LOCAL },
      sslOptions: { verify: 'verify_none', failIfNoPeerCert: false },
    },
  });
  files = await startStaticServer();
  conn = await amqp.connect(`amqp://guest:guest@${LOCAL}:${amqpPort}`);
  ch = await conn.createChannel();

  userDataDir = mkdtempSync(join(tmpdir(), 'polyport-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  page = await browser.newPage();
  page.on('console', (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageLog.push(`pageerror: ${String(e)}`));
  await page.goto(`http://${LOCAL}:${files.port}/?stomp=${web.ports.webStomp}&mqtt=${web.ports.webMqtt}&topic=browser.in`);
  await waitInPage('window.polyport && polyport.ready.stomp && polyport.ready.mqtt', 'both clients connected and subscribed');
});

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await conn?.close().catch(() => {});
  if (web === undefined) return;
  listeners.stopAccepting();
  web.stopAccepting();
  await mqttAdapter.closeAll();
  await amqpAdapter.closeAll(320, 'shutdown');
  await web.close();
  await listeners.close();
  await files.close();
  await core.shutdown();
});

/** waits for a JS expression to be truthy in the page; the page's log in the error */
async function waitInPage(expr: string, what: string, timeout = 15_000): Promise<void> {
  try {
    await page.waitForFunction(expr, { timeout, polling: 50 });
  } catch (err) {
    const state = await page.evaluate('JSON.stringify(window.polyport && { ready: polyport.ready, received: polyport.received, errors: polyport.errors })');
    throw new Error(`browser: waiting for ${what} failed (${(err as Error).message})\npage state: ${String(state)}\n${pageLog.join('\n')}`);
  }
}

interface Received {
  via: 'stomp' | 'mqtt';
  destination: string;
  body: string;
}

function consume(queue: string): { got: ConsumeMessage[]; ready: Promise<unknown> } {
  const got: ConsumeMessage[] = [];
  const ready = ch.consume(queue, (m) => m && got.push(m), { noAck: true });
  return { got, ready };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}\n${pageLog.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a real browser (headless Chromium) with @stomp/stompjs and mqtt.js over WebSocket', () => {
  it('the page shows both connections', async () => {
    const status = await page.$$eval('.status', (els) => els.map((e) => e.getAttribute('data-state')));
    expect(status).toEqual(['connected', 'connected']);
    expect(web.stomp.connectionCount()).toBe(1);
    expect(mqttAdapter.connectionCount()).toBe(1);
  });

  it('an AMQP publish to amq.topic arrives in the page over STOMP and over MQTT', async () => {
    ch.publish('amq.topic', 'browser.in', Buffer.from('hello from AMQP'), { contentType: 'text/plain' });
    await waitInPage('polyport.received.length >= 2', 'the AMQP message over STOMP and over MQTT');
    const received = (await page.evaluate('polyport.received')) as Received[];
    const byVia = Object.fromEntries(received.map((r) => [r.via, r]));
    expect(byVia['stomp']).toEqual({ via: 'stomp', destination: '/topic/browser.in', body: 'hello from AMQP' });
    expect(byVia['mqtt']).toEqual({ via: 'mqtt', destination: 'browser/in', body: 'hello from AMQP' });
    const shown = await page.$$eval('#log li', (els) => els.map((e) => e.textContent));
    expect(shown).toContain('[stomp] /topic/browser.in: hello from AMQP');
    expect(shown).toContain('[mqtt] browser/in: hello from AMQP');
  });

  it('an AMQP message to a queue arrives at the page STOMP /queue subscriber', async () => {
    await ch.assertQueue('browser-stomp-inbox', { durable: true });
    ch.sendToQueue('browser-stomp-inbox', Buffer.from('queued for the browser'));
    await waitInPage("polyport.received.some((r) => r.body === 'queued for the browser')", 'the queued message');
    const r = ((await page.evaluate('polyport.received')) as Received[]).find((x) => x.body === 'queued for the browser');
    expect(r?.destination).toBe('/queue/browser-stomp-inbox');
  });

  it('what the page sends (form: STOMP SEND and MQTT PUBLISH) arrives at AMQP consumers', async () => {
    await ch.assertQueue('from-browser', { durable: true });
    const stompQ = consume('from-browser');
    const mqttQ = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(mqttQ, 'amq.topic', 'browser.out');
    const mqttC = consume(mqttQ);
    await Promise.all([stompQ.ready, mqttC.ready]);

    // fill in the form and click, as a user would
    await page.$eval('#stomp-dest', (e) => e.setAttribute('value', '/queue/from-browser'));
    await page.$eval('#stomp-body', (e) => e.setAttribute('value', 'typed into STOMP'));
    await page.click('#stomp-send');
    await page.$eval('#mqtt-topic', (e) => e.setAttribute('value', 'browser/out'));
    await page.$eval('#mqtt-body', (e) => e.setAttribute('value', 'typed into MQTT'));
    await page.click('#mqtt-send');
    await until(() => stompQ.got.length === 1 && mqttC.got.length === 1, 'the page messages at the AMQP consumers');
    const s = stompQ.got[0]!;
    expect(s.content.toString()).toBe('typed into STOMP');
    expect(s.properties.contentType).toBe('text/plain');
    expect(s.fields.routingKey).toBe('from-browser');
    const m = mqttC.got[0]!;
    expect(m.content.toString()).toBe('typed into MQTT');
    expect(m.fields.exchange).toBe('amq.topic');
    expect(m.fields.routingKey).toBe('browser.out');

    // and through the page API, which waits for the RECEIPT / PUBACK
    await page.evaluate("polyport.sendStomp('/queue/from-browser', 'with a receipt')");
    await page.evaluate("polyport.publishMqtt('browser/out', 'with a puback')");
    await until(() => stompQ.got.length === 2 && mqttC.got.length === 2, 'the confirmed page messages');
    expect(stompQ.got[1]!.content.toString()).toBe('with a receipt');
    expect(mqttC.got[1]!.content.toString()).toBe('with a puback');
  });
});
