/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677), server side, as an MQTT 5 enhanced
 * authentication method against the core's stored SCRAM verifiers.
 *
 *   client-first  n,,n=<user>,r=<cnonce>           (CONNECT / AUTH 0x19 data)
 *   server-first  r=<cnonce+snonce>,s=<salt>,i=<n> (AUTH 0x18)
 *   client-final  c=biws,r=<nonce>,p=<proof>       (AUTH 0x18)
 *   server-final  v=<server signature>             (CONNACK / AUTH 0x00)
 *
 * - no channel binding: gs2 flag `n` or `y`; `p=` is refused;
 * - the user name may carry a vhost (`vhost:user`, as MQTT usernames do);
 * - an unknown user, or one without SCRAM credentials (imported with only a
 *   password hash, or passwordless), gets a plausible server-first from a
 *   salt derived from a per-process secret, and fails at the proof like a
 *   wrong password (RFC 5802 §9: do not reveal which users exist);
 * - failures: 0x86 Bad User Name or Password for a wrong proof, 0x82
 *   Protocol Error for a malformed message.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ScramCredentials, UserManager } from '../../core/index.js';
import type { AuthExchange, AuthMethod, AuthStep } from './handlers/auth.js';
import { RC } from './reason-codes.js';

const SECRET = randomBytes(32);
const ITERATIONS = 4096;

const hmac = (key: Buffer, s: string | Buffer): Buffer => createHmac('sha256', key).update(s).digest();

/** `a=1,b=2` → Map; null when an attribute is malformed. */
function attributes(s: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    if (part.length < 2 || part[1] !== '=' || !/^[a-zA-Z]$/.test(part[0]!)) return null;
    if (!out.has(part[0]!)) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** RFC 5802 saslname: `=2C` → `,`, `=3D` → `=`; any other `=` is invalid. */
function decodeSaslName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function fail(reason: number, message: string): AuthStep {
  return { kind: 'failure', reason, message };
}

class ScramExchange implements AuthExchange {
  private readonly users: UserManager;
  private state: 'first' | 'final' | 'done' = 'first';
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2 = '';
  private nonce = '';
  private name = '';
  private vhost: string | undefined;
  private creds: ScramCredentials | null = null;

  constructor(users: UserManager) {
    this.users = users;
  }

  next(data: Buffer | undefined): AuthStep {
    const msg = data?.toString('utf8') ?? '';
    if (this.state === 'first') return this.first(msg);
    if (this.state === 'final') return this.final(msg);
    return fail(RC.PROTOCOL_ERROR, 'SCRAM exchange already finished');
  }

  private first(msg: string): AuthStep {
    // gs2-header: cbind-flag "," [authzid] ","
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(msg);
    if (!m) return fail(RC.PROTOCOL_ERROR, 'SCRAM: malformed client-first-message');
    if (m[1]!.startsWith('p=')) return fail(RC.BAD_AUTHENTICATION_METHOD, 'SCRAM: channel binding is not supported');
    const bare = m[3]!;
    if (bare.startsWith('m=')) return fail(RC.PROTOCOL_ERROR, 'SCRAM: mandatory extensions are not supported');
    const attrs = attributes(bare);
    const rawName = attrs?.get('n');
    const cnonce = attrs?.get('r');
    if (!attrs || rawName === undefined || !cnonce || !bare.startsWith('n=')) return fail(RC.PROTOCOL_ERROR, 'SCRAM: malformed client-first-message');
    let name = decodeSaslName(rawName);
    if (name === null || name === '') return fail(RC.PROTOCOL_ERROR, 'SCRAM: malformed user name');
    const colon = name.indexOf(':');
    if (colon >= 0) {
      this.vhost = name.slice(0, colon);
      name = name.slice(colon + 1);
    }
    this.name = name;
    this.gs2 = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = bare;
    this.creds = this.users.scramCredentials(name);
    const salt = this.creds?.salt ?? hmac(SECRET, `salt:${name}`).subarray(0, 16);
    const iterations = this.creds?.iterations ?? ITERATIONS;
    this.nonce = cnonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.state = 'final';
    return { kind: 'continue', data: Buffer.from(this.serverFirst, 'utf8') };
  }

  private final(msg: string): AuthStep {
    this.state = 'done';
    const at = msg.lastIndexOf(',p=');
    if (at < 0) return fail(RC.PROTOCOL_ERROR, 'SCRAM: client-final-message without proof');
    const withoutProof = msg.slice(0, at);
    const attrs = attributes(withoutProof);
    if (!attrs) return fail(RC.PROTOCOL_ERROR, 'SCRAM: malformed client-final-message');
    if (attrs.get('c') !== Buffer.from(this.gs2, 'utf8').toString('base64')) return fail(RC.PROTOCOL_ERROR, 'SCRAM: channel binding data mismatch');
    if (attrs.get('r') !== this.nonce) return fail(RC.PROTOCOL_ERROR, 'SCRAM: nonce mismatch');
    const proof = Buffer.from(msg.slice(at + 3), 'base64');
    const creds = this.creds;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    if (!creds || proof.length !== 32) return fail(RC.BAD_USER_NAME_OR_PASSWORD, 'SCRAM: authentication failed');
    const clientSignature = hmac(creds.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const storedKey = createHash('sha256').update(clientKey).digest();
    if (!timingSafeEqual(storedKey, creds.storedKey)) return fail(RC.BAD_USER_NAME_OR_PASSWORD, 'SCRAM: authentication failed');
    const serverSignature = hmac(creds.serverKey, authMessage);
    return {
      kind: 'success',
      username: this.name,
      ...(this.vhost !== undefined ? { vhost: this.vhost } : {}),
      data: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
    };
  }
}

export const scramSha256: AuthMethod = {
  name: 'SCRAM-SHA-256',
  begin: (users) => new ScramExchange(users),
};
