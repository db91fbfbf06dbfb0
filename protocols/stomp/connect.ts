/**
 * CONNECT / STOMP handling (rabbit_stomp_processor process_connect):
 * - version: the highest common `accept-version` (absent → 1.0); none →
 *   ERROR "Version mismatch" / "Supported versions are 1.0,1.1,1.2";
 * - credentials: `login`/`passcode`, else the configured default user;
 *   loopback-only users from loopback addresses only;
 * - `host` selects the vhost (default `/`), also for 1.0;
 * - heart-beat `cx,cy`: the server sends every cy and expects traffic every
 *   cx, each rounded down to whole seconds with anything in (0, 1 s) → 1 s;
 *   CONNECTED answers `heart-beat: cy,cx`.
 */
import { randomBytes } from 'node:crypto';
import type { Core, CoreConnection } from '../../core/index.js';
import { isLoopback } from '../shared/transport.js';
import type { StompVersion } from './codec.js';
import { Errors } from './errors.js';
import type { FrameOut, ResolvedStompOptions } from './types.js';

export const SUPPORTED_VERSIONS: readonly StompVersion[] = ['1.0', '1.1', '1.2'];

export function negotiateVersion(accept: string | undefined): StompVersion {
  if (accept === undefined) return '1.0';
  const offered = new Set(accept.split(',').map((v) => v.trim()));
  for (let i = SUPPORTED_VERSIONS.length - 1; i >= 0; i--) {
    if (offered.has(SUPPORTED_VERSIONS[i]!)) return SUPPORTED_VERSIONS[i]!;
  }
  throw Errors.versionMismatch();
}

/** RabbitMQ millis_to_seconds: ≤0 → 0, <1000 → 1 s, else whole seconds. */
export function heartbeatMillis(ms: number): number {
  if (ms <= 0) return 0;
  if (ms < 1000) return 1000;
  return Math.floor(ms / 1000) * 1000;
}

export interface Heartbeat {
  /** header value for CONNECTED */
  readonly header: string;
  readonly sendMs: number;
  readonly recvMs: number;
}

export function negotiateHeartbeat(v: string | undefined): Heartbeat {
  if (v === undefined) return { header: '0,0', sendMs: 0, recvMs: 0 };
  const m = /^\s*(\d{1,9})\s*,\s*(\d{1,9})\s*$/.exec(v);
  if (m === null) throw Errors.invalidHeader('heart-beat', v, "expected '<cx>,<cy>' in milliseconds");
  const cx = Number(m[1]);
  const cy = Number(m[2]);
  return { header: `${cy},${cx}`, sendMs: heartbeatMillis(cy), recvMs: heartbeatMillis(cx) };
}

export interface Connected {
  readonly version: StompVersion;
  readonly conn: CoreConnection;
  readonly sessionId: string;
  readonly heartbeat: Heartbeat;
}

export function connect(h: Record<string, string>, core: Core, opts: ResolvedStompOptions, out: FrameOut): Connected {
  const version = negotiateVersion(h['accept-version']);
  const heartbeat = negotiateHeartbeat(h['heart-beat']);
  let login: string | undefined = h['login'];
  let passcode: string | undefined = h['passcode'];
  if (login === undefined) {
    login = opts.defaultUser;
    passcode = opts.defaultPass;
  }
  if (login === undefined) throw Errors.missingCredentials();
  const user = core.users.authenticate(login, passcode ?? '');
  if (user === null) throw Errors.badCredentials(login);
  if (core.users.isLoopbackOnly(user.name) && !isLoopback(out.remoteAddress)) throw Errors.nonLoopback();
  const vhost = h['host'] ?? opts.defaultVhost;
  let conn: CoreConnection;
  try {
    conn = core.openConnection({
      vhost,
      user,
      protocol: 'stomp',
      remoteAddress: out.remoteAddress,
      remotePort: out.remotePort,
      clientProperties: { version, transport: out.kind },
    });
  } catch {
    throw Errors.vhostDenied(vhost);
  }
  return { version, conn, sessionId: 'session-' + randomBytes(16).toString('base64url'), heartbeat };
}
