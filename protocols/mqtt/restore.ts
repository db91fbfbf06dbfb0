/**
 * Start-up: puts what durable-state.ts read from disk back into the adapter.
 *
 * - retained messages go back into their vhost's trie;
 * - delayed wills are re-armed for what is left of their delay (overdue ones
 *   are published now), before the sessions, so a will due with its
 *   session's end is published first;
 * - persistent sessions come back offline with their subscriptions and
 *   packet ids; their expiry runs from when they went offline (a session
 *   that was connected when the broker stopped starts its expiry now);
 *   expired ones end now (queues deleted). Shared-group membership is
 *   rebuilt from their subscriptions.
 * Users are looked up by name; a user deleted meanwhile keeps the name only
 * (the core then refuses what it is not permitted to do).
 */
import type { AuthUser } from '../../core/index.js';
import { AdapterContext } from './context.js';
import type { LoadedMqttState } from './durable-state.js';
import { newSessionState } from './session.js';

export function restoreState(ctx: AdapterContext, loaded: LoadedMqttState, now = Date.now()): { sessions: number; retained: number; wills: number } {
  const userOf = (name: string): AuthUser => ctx.core.users.lookup(name) ?? { name, tags: [] };
  for (const { vhost, entry } of loaded.retained) {
    ctx.retained.forVhost(vhost).restore(entry);
    if (entry.expiresAt !== undefined) ctx.publishedAt.set(entry.message, entry.storedAt); // remaining Message Expiry Interval
  }
  for (const w of loaded.wills) {
    ctx.scheduleWill(w.vhost, userOf(w.user), w.clientId, w.will, w.fireAt - now, false);
  }
  for (const stored of loaded.sessions) {
    const state = newSessionState(stored.vhost, stored.clientId, userOf(stored.user));
    state.expirySeconds = stored.expirySeconds;
    for (const sub of stored.subscriptions) {
      state.subscriptions.set(sub.raw, sub);
      if (sub.kind === 'shared') ctx.joinShared(stored.vhost, sub.queue, stored.clientId);
    }
    for (const id of stored.inboundQos2) state.inboundQos2.add(id);
    for (const id of stored.outboundPubrel) state.outboundPubrel.add(id);
    ctx.sessions.put(state);
    const left = stored.expirySeconds * 1000 - (stored.offlineAt === undefined ? 0 : now - stored.offlineAt);
    if (left <= 0) {
      ctx.wills.fireNow(AdapterContext.key(stored.vhost, stored.clientId));
      ctx.endSession(state);
    } else {
      if (stored.offlineAt === undefined) ctx.saveSession(state, now);
      ctx.scheduleExpiry(state, left);
    }
  }
  return { sessions: loaded.sessions.length, retained: loaded.retained.length, wills: loaded.wills.length };
}
