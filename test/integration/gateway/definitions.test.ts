/**
 * Boot-time definitions import (`load_definitions`, `definitions.local.path`)
 * through the real gateway: a user with a topic permission is imported and
 * enforced, the default user is not created (RabbitMQ), the imported topic
 * permissions are saved to data_dir and come back after a restart without the
 * file, and an unreadable, invalid or partly inapplicable file fails start-up
 * naming the key.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../core/password.js';
import * as h from '../../helpers/broker.js';

const tmp = mkdtempSync(join(tmpdir(), 'polyport-defs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function definitions(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    users: [{ name: 'dev', password_hash: hashPassword('pw'), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' }],
    vhosts: [{ name: '/' }],
    permissions: [{ user: 'dev', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
    topic_permissions: [{ user: 'dev', vhost: '/', exchange: 'amq.topic', write: '^dev\\.', read: '^dev\\.' }],
    ...extra,
  };
}

function writeJson(name: string, body: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

/** Publishes on a fresh channel and resolves with the channel error text, or 'ok' once confirmed. */
async function publishAs(port: number, user: string, key: string): Promise<string> {
  const conn = await amqp.connect(`amqp://${user}:pw@127.0.0.1:${port}`);
  conn.on('error', () => {});
  try {
    const ch = await conn.createConfirmChannel();
    const failed = new Promise<string>((resolve) => ch.once('error', (e: Error) => resolve(e.message)));
    ch.publish('amq.topic', key, Buffer.from('x'));
    return await Promise.race([ch.waitForConfirms().then(() => 'ok'), failed]);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

describe('load_definitions at boot', () => {
  it('imports a user with a topic permission, enforces it, skips the default user, and persists it', async () => {
    const file = writeJson('defs.json', definitions());
    const dataDir = join(tmp, 'data-1');
    const b = await h.startBroker({ config: { load_definitions: file, data_dir: dataDir } });
    try {
      expect(b.core.users.listTopicPermissions()).toEqual([{ user: 'dev', vhost: '/', exchange: 'amq.topic', write: '^dev\\.', read: '^dev\\.' }]);
      expect(b.core.users.authenticate('dev', 'pw')).not.toBeNull();
      // RabbitMQ maybe_insert_default_data: no default user when definitions are imported at boot
      expect(b.core.users.listUsers().map((u) => u.name)).toEqual(['dev']);
      expect(await publishAs(b.amqpPort, 'dev', 'dev.ok')).toBe('ok');
      expect(await publishAs(b.amqpPort, 'dev', 'other.key')).toContain(
        "ACCESS_REFUSED - write access to topic 'other.key' in exchange 'amq.topic' in vhost '/' refused for user 'dev'",
      );
    } finally {
      await b.stop();
    }
    const saved = JSON.parse(readFileSync(join(dataDir, 'definitions.json'), 'utf8')) as { topic_permissions: unknown[] };
    expect(saved.topic_permissions).toEqual([{ user: 'dev', vhost: '/', exchange: 'amq.topic', write: '^dev\\.', read: '^dev\\.' }]);
    // restart on the same data_dir without the file: the stored definitions bring the topic permission back
    const again = await h.startBroker({ config: { data_dir: dataDir } });
    try {
      expect(again.core.users.listTopicPermissions()).toHaveLength(1);
      expect(await publishAs(again.amqpPort, 'dev', 'other.key')).toContain('403');
    } finally {
      await again.stop();
    }
  });

  it('definitions.import_backend = local_filesystem + definitions.local.path (a directory of *.json files)', async () => {
    const dir = join(tmp, 'defs-dir');
    mkdirSync(dir);
    writeFileSync(join(dir, '01-users.json'), JSON.stringify(definitions({ topic_permissions: [] })));
    writeFileSync(join(dir, '02-topics.json'), JSON.stringify({ topic_permissions: [{ user: 'dev', vhost: '/', exchange: 'amq.topic', write: '^x', read: '^x' }] }));
    writeFileSync(join(dir, 'README.txt'), 'not json, ignored');
    const b = await h.startBroker({ config: { 'definitions.import_backend': 'local_filesystem', 'definitions.local.path': dir } });
    try {
      expect(b.core.users.listTopicPermissions().map((t) => t.write)).toEqual(['^x']);
    } finally {
      await b.stop();
    }
  });

  it('a missing file, invalid JSON, a non-object or an entry that cannot be applied fails start-up naming the key', async () => {
    await expect(h.startBroker({ config: { load_definitions: join(tmp, 'missing.json') } })).rejects.toThrow(
      /^load_definitions: cannot read .*missing\.json: ENOENT/,
    );
    await expect(h.startBroker({ config: { load_definitions: writeJson('bad.json', '{"users": [') } })).rejects.toThrow(
      /^load_definitions: .*bad\.json is not valid JSON/,
    );
    await expect(h.startBroker({ config: { load_definitions: writeJson('array.json', '[]') } })).rejects.toThrow(
      /^load_definitions: .*array\.json is not a JSON object/,
    );
    const bad = writeJson('bad-entry.json', definitions({ topic_permissions: [{ user: 'dev', vhost: '/', exchange: 'amq.topic', write: '(', read: '.*' }] }));
    await expect(
      h.startBroker({ config: { 'definitions.import_backend': 'local_filesystem', 'definitions.local.path': bad } }),
    ).rejects.toThrow(/^definitions\.local\.path: .*bad-entry\.json: 1 definition\(s\) could not be imported: .*invalid write topic permission regex '\('/);
  });
});
