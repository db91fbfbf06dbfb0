import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../../src/config/load.js';
import { KEYS, matchKey, parseEndpoint } from '../../../../src/config/schema.js';

const cfg = (...lines: string[]) => loadConfigText(lines.join('\n'));
const cfgFile = (...lines: string[]) => loadConfigText(lines.join('\n'), 'polyport.conf');

describe('defaults (RabbitMQ values)', () => {
  const c = cfg();
  it('AMQP listener on 5672, no TLS listener', () => {
    expect(c.listeners).toEqual({ tcp: [{ name: 'default', port: 5672 }], ssl: [] });
  });
  it('users, vhost, loopback', () => {
    expect([c.defaultUser, c.defaultPass, c.defaultVhost]).toEqual(['guest', 'guest', '/']);
    expect(c.loopbackUsers).toEqual(['guest']);
  });
  it('AMQP tuning', () => {
    expect(c.heartbeat).toBe(60);
    expect(c.frameMax).toBe(131072);
    expect(c.channelMax).toBe(2047);
    expect(c.maxMessageSize).toBe(134217728);
    expect(c.handshakeTimeout).toBe(10000);
  });
  it('logging, data dir, TLS options', () => {
    expect(c.log).toEqual({ console: true, level: 'info' });
    expect(c.dataDir).toBe('./data');
    expect(c.sslOptions).toEqual({ certfile: undefined, keyfile: undefined, cacertfile: undefined, verify: 'verify_none', failIfNoPeerCert: false });
  });
  it('later protocols', () => {
    expect(c.mqtt.listeners).toEqual({ tcp: [{ name: 'default', port: 1883 }], ssl: [] });
    expect(c.stomp.listeners).toEqual({ tcp: [{ name: '1', port: 61613 }], ssl: [] });
    expect(c.webStomp.port).toBe(15674);
    expect(c.webMqtt.port).toBe(15675);
    expect(c.management.port).toBe(15672);
    expect(c.prometheus.port).toBe(15692);
  });
});

describe('every key is accepted and typed', () => {
  it('listeners', () => {
    const c = cfg(
      'listeners.tcp.default = 5673',
      'listeners.tcp.local = 127.0.0.1:5674',
      'listeners.tcp.v6 = ::1:5675',
      'listeners.ssl.default = 5671',
      'ssl_options.certfile = /c.pem',
      'ssl_options.keyfile = /k.pem',
      'ssl_options.cacertfile = /ca.pem',
      'ssl_options.verify = verify_peer',
      'ssl_options.fail_if_no_peer_cert = true',
    );
    expect(c.listeners.tcp).toEqual([
      { name: 'default', port: 5673 },
      { name: 'local', host: '127.0.0.1', port: 5674 },
      { name: 'v6', host: '::1', port: 5675 },
    ]);
    expect(c.listeners.ssl).toEqual([{ name: 'default', port: 5671 }]);
    expect(c.sslOptions).toEqual({ certfile: '/c.pem', keyfile: '/k.pem', cacertfile: '/ca.pem', verify: 'verify_peer', failIfNoPeerCert: true });
  });

  it('a named tcp listener replaces the default one (RabbitMQ)', () => {
    expect(cfg('listeners.tcp.local = 127.0.0.1:5672').listeners.tcp).toEqual([{ name: 'local', host: '127.0.0.1', port: 5672 }]);
  });

  it('listeners.tcp = none disables TCP', () => {
    expect(cfg('listeners.tcp = none').listeners.tcp).toEqual([]);
  });

  it('users, vhost, tuning, logging, data_dir', () => {
    const c = cfg(
      'default_user = admin',
      'default_pass = s3cret',
      'default_vhost = prod',
      'heartbeat = 0',
      'frame_max = 4096',
      'channel_max = 16',
      'max_message_size = 1048576',
      'handshake_timeout = 2500',
      'log.console = false',
      'log.console.level = debug',
      'data_dir = /var/lib/polyport',
      'product.name = RabbitMQ',
      'product.version = 3.13.7',
    );
    expect(c).toMatchObject({
      defaultUser: 'admin',
      defaultPass: 's3cret',
      defaultVhost: 'prod',
      heartbeat: 0,
      frameMax: 4096,
      channelMax: 16,
      maxMessageSize: 1048576,
      handshakeTimeout: 2500,
      log: { console: false, level: 'debug' },
      dataDir: '/var/lib/polyport',
      product: { name: 'RabbitMQ', version: '3.13.7' },
    });
  });

  it.each(['debug', 'info', 'warning', 'error', 'critical', 'none'] as const)('log level %s', (level) => {
    expect(cfg(`log.console.level = ${level}`).log.level).toBe(level);
  });

  it('loopback_users', () => {
    expect(cfg('loopback_users = none').loopbackUsers).toEqual([]);
    expect(cfg('loopback_users.guest = false').loopbackUsers).toEqual([]);
    expect(cfg('loopback_users.guest = true').loopbackUsers).toEqual(['guest']);
    expect(cfg('loopback_users.alice = true', 'loopback_users.bob = true').loopbackUsers).toEqual(['alice', 'bob']);
    expect(cfg('loopback_users.alice = true').loopbackUsers).toEqual(['alice']);
  });

  it('later protocols', () => {
    const c = cfg(
      'mqtt.listeners.tcp.default = 1884',
      'mqtt.listeners.ssl.default = 8883',
      'stomp.listeners.tcp.1 = 61614',
      'stomp.listeners.ssl.1 = 61615',
      'web_stomp.tcp.port = 1',
      'web_mqtt.tcp.port = 2',
      'management.tcp.port = 3',
      'prometheus.tcp.port = 4',
      'ssl_options.certfile = c',
      'ssl_options.keyfile = k',
    );
    expect(c.mqtt.listeners).toEqual({ tcp: [{ name: 'default', port: 1884 }], ssl: [{ name: 'default', port: 8883 }] });
    expect(c.stomp.listeners).toEqual({ tcp: [{ name: '1', port: 61614 }], ssl: [{ name: '1', port: 61615 }] });
    expect([c.webStomp.port, c.webMqtt.port, c.management.port, c.prometheus.port]).toEqual([1, 2, 3, 4]);
  });

  it('STOMP and Web STOMP / Web MQTT keys (RabbitMQ names)', () => {
    const c = cfg(
      'stomp.default_user = svc',
      'stomp.default_pass = pw',
      'stomp.default_vhost = iot',
      'stomp.implicit_connect = true',
      'stomp.max_frame_size = 65536',
      'stomp.default_topic_exchange = events',
      'stomp.default_nack_requeue = false',
      'stomp.hide_server_info = true',
      'web_stomp.ssl.port = 15673',
      'web_stomp.ws_frame = binary',
      'web_stomp.ws_path = /stomp',
      'web_stomp.allow_origins.1 = https://app.example',
      'web_stomp.allow_origins.2 = https://admin.example',
      'web_mqtt.ws_path = /mqtt',
      'ssl_options.certfile = c',
      'ssl_options.keyfile = k',
    );
    expect(c.stomp).toMatchObject({
      defaultUser: 'svc',
      defaultPass: 'pw',
      defaultVhost: 'iot',
      implicitConnect: true,
      maxFrameSize: 65536,
      defaultTopicExchange: 'events',
      defaultNackRequeue: false,
      hideServerInfo: true,
    });
    expect(c.webStomp).toEqual({
      port: 15674,
      sslPort: 15673,
      path: '/stomp',
      wsFrame: 'binary',
      allowOrigins: ['https://app.example', 'https://admin.example'],
    });
    expect(c.webMqtt).toEqual({ port: 15675, sslPort: undefined, path: '/mqtt', allowOrigins: undefined });
    expect(() => cfg('web_stomp.ws_frame = json')).toThrow(/web_stomp.ws_frame: expected text or binary/);
    expect(() => cfg('web_mqtt.ssl.port = 15676')).toThrow(/web_mqtt.ssl.port: needs ssl_options.certfile/);
    expect(cfg('stomp.listeners.tcp = none').stomp.listeners.tcp).toEqual([]);
  });

  it('port 0 (any free port) is valid everywhere', () => {
    const c = cfg('listeners.tcp.default = 0', 'mqtt.listeners.tcp.default = 0', 'management.tcp.port = 0', 'listeners.tcp.lo = 127.0.0.1:0');
    expect(c.listeners.tcp.map((l) => l.port)).toEqual([0, 0]);
    expect(c.mqtt.listeners.tcp[0]?.port).toBe(0);
    expect(c.management.port).toBe(0);
  });

  it('a later duplicate wins', () => {
    expect(cfg('heartbeat = 5', 'heartbeat = 7').heartbeat).toBe(7);
  });

  it('every table key is matched by itself', () => {
    for (const k of Object.keys(KEYS)) expect(matchKey(k.replaceAll('*', 'x'))).toBe(k);
  });
});

describe('errors name the key and the line', () => {
  it('unknown key', () => {
    expect(() => cfgFile('heartbeat = 1', '', '# c', '', '', '', 'listners.tcp.default = 5672')).toThrow(
      "polyport.conf:7: unknown key 'listners.tcp.default'",
    );
    expect(() => cfg('listeners.tcp.a.b = 1')).toThrow("line 1: unknown key 'listeners.tcp.a.b'");
    expect(() => cfg('mqtt.port = 1')).toThrow("line 1: unknown key 'mqtt.port'");
  });

  it.each([
    ['heartbeat = -1', 'heartbeat: expected a non-negative integer'],
    ['heartbeat = abc', 'heartbeat: expected a non-negative integer'],
    ['heartbeat = 1.5', 'heartbeat: expected a non-negative integer'],
    ['heartbeat = 70000', 'heartbeat: expected an integer from 0 to 65535'],
    ['channel_max = 65536', 'channel_max: expected an integer from 0 to 65535'],
    ['frame_max = 100', 'frame_max: expected 0 or at least 4096'],
    ['max_message_size = 0', 'max_message_size: expected an integer from 1 to 536870912'],
    ['max_message_size = 999999999', 'max_message_size: expected an integer from 1 to 536870912'],
    ['handshake_timeout = soon', 'handshake_timeout: expected a non-negative integer'],
    ['listeners.tcp.default = 70000', 'listeners.tcp.default: expected a port (0-65535) or ip:port'],
    ['listeners.tcp.default = localhost:5672', 'listeners.tcp.default: expected a port (0-65535) or ip:port'],
    ['listeners.tcp.default = 1.2.3.4:', 'listeners.tcp.default: expected a port (0-65535) or ip:port'],
    ['listeners.tcp = all', "listeners.tcp: expected 'none'"],
    ['loopback_users = guest', "loopback_users: expected 'none'"],
    ['loopback_users.guest = yes', 'loopback_users.guest: expected true or false'],
    ['log.console = 1', 'log.console: expected true or false'],
    ['log.console.level = warn', 'log.console.level: expected one of debug, info, warning, error, critical, none'],
    ['ssl_options.verify = verify_all', 'ssl_options.verify: expected verify_none or verify_peer'],
    ['ssl_options.fail_if_no_peer_cert = maybe', 'ssl_options.fail_if_no_peer_cert: expected true or false'],
    ['management.tcp.port = 99999', 'management.tcp.port: expected an integer from 0 to 65535'],
  ])('%s', (line, message) => {
    expect(() => cfg('# first line', '', line)).toThrow(`line 3: ${message}`);
  });

  it('a TLS listener without certfile/keyfile names the listener line', () => {
    expect(() => cfgFile('listeners.ssl.default = 5671', 'ssl_options.certfile = c.pem')).toThrow(
      'polyport.conf:1: listeners.ssl.default: needs ssl_options.certfile and ssl_options.keyfile',
    );
    expect(() => cfg('', 'mqtt.listeners.ssl.default = 8883')).toThrow('line 2: mqtt.listeners.ssl.default: needs ssl_options');
  });

  it('never echoes a value in the message', () => {
    expect(() => cfg('default_passwd = hunter2')).toThrow(/^line 1: unknown key 'default_passwd'$/);
  });
});

describe('parseEndpoint', () => {
  it.each([
    ['5672', { port: 5672 }],
    ['0', { port: 0 }],
    ['127.0.0.1:5672', { host: '127.0.0.1', port: 5672 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['::1:5672', { host: '::1', port: 5672 }],
    ['[::1]:5672', { host: '::1', port: 5672 }],
    ['::ffff:127.0.0.1:5672', { host: '::ffff:127.0.0.1', port: 5672 }],
  ])('%s', (s, e) => expect(parseEndpoint(s)).toEqual(e));

  it.each(['', 'x', '65536', ':5672', 'host:5672', '1.2.3:5672', '127.0.0.1:99999', '127.0.0.1:-1'])('rejects %j', (s) =>
    expect(parseEndpoint(s)).toBeNull(),
  );
});

describe('mqtt.* keys (RabbitMQ names and defaults)', () => {
  it('defaults: anonymous allowed as guest, amq.topic, prefetch 10, 256 MiB packets, 86400 s sessions, 16 aliases', () => {
    const m = cfg().mqtt;
    expect(m).toEqual({
      listeners: { tcp: [{ name: 'default', port: 1883 }], ssl: [] },
      allowAnonymous: true,
      defaultUser: 'guest',
      defaultPass: 'guest',
      vhost: undefined,
      exchange: 'amq.topic',
      prefetch: 10,
      maxPacketSize: 268435456,
      topicEscaping: false,
      sslCertLogin: false,
      maxSessionExpirySeconds: 86400,
      topicAliasMaximum: 16,
      serverKeepAlive: undefined,
      receiveMaximum: 65535,
      loginTimeout: 10000,
      retained: { maxMessages: 1000000, maxBytes: 1073741824 },
    });
  });

  it('every key is read', () => {
    const m = cfg(
      'mqtt.allow_anonymous = false',
      'mqtt.default_user = anon',
      'mqtt.default_pass = anonpw',
      'mqtt.vhost = iot',
      'mqtt.exchange = mqtt.x',
      'mqtt.prefetch = 50',
      'mqtt.max_packet_size = 65536',
      'mqtt.topic_escaping = true',
      'mqtt.ssl_cert_login = true',
      'mqtt.max_session_expiry_interval_seconds = 3600',
      'mqtt.topic_alias_maximum = 0',
      'mqtt.server_keep_alive = 60',
      'mqtt.receive_maximum = 100',
      'mqtt.login_timeout = 2000',
      'mqtt.retained_message_store.max_messages = 10',
      'mqtt.retained_message_store.max_size_bytes = 4096',
    ).mqtt;
    expect(m).toMatchObject({
      allowAnonymous: false,
      defaultUser: 'anon',
      defaultPass: 'anonpw',
      vhost: 'iot',
      exchange: 'mqtt.x',
      prefetch: 50,
      maxPacketSize: 65536,
      topicEscaping: true,
      sslCertLogin: true,
      maxSessionExpirySeconds: 3600,
      topicAliasMaximum: 0,
      serverKeepAlive: 60,
      receiveMaximum: 100,
      loginTimeout: 2000,
      retained: { maxMessages: 10, maxBytes: 4096 },
    });
  });

  it("max_session_expiry_interval_seconds accepts 'infinity' (RabbitMQ) as the v5 maximum", () => {
    expect(cfg('mqtt.max_session_expiry_interval_seconds = infinity').mqtt.maxSessionExpirySeconds).toBe(4294967295);
  });

  it('mqtt.listeners.tcp = none disables the MQTT listener; ssl listeners are named', () => {
    expect(cfg('mqtt.listeners.tcp = none').mqtt.listeners.tcp).toEqual([]);
    const c = cfg('mqtt.listeners.ssl.default = 8883', 'ssl_options.certfile = c.pem', 'ssl_options.keyfile = k.pem');
    expect(c.mqtt.listeners.ssl).toEqual([{ name: 'default', port: 8883 }]);
  });

  it.each([
    ['mqtt.allow_anonymous = yes', 'mqtt.allow_anonymous: expected true or false'],
    ['mqtt.prefetch = 0', 'mqtt.prefetch: expected an integer from 1 to 65535'],
    ['mqtt.max_packet_size = 268435457', 'mqtt.max_packet_size: expected an integer from 1 to 268435456'],
    ['mqtt.topic_alias_maximum = 65536', 'mqtt.topic_alias_maximum: expected an integer from 0 to 65535'],
    ['mqtt.max_session_expiry_interval_seconds = forever', 'mqtt.max_session_expiry_interval_seconds:'],
    ['mqtt.exchange =', 'mqtt.exchange:'],
    ['mqtt.default_users = x', "unknown key 'mqtt.default_users'"],
  ])('%s is refused', (line, message) => {
    expect(() => cfg(line)).toThrow(message);
  });
});
