/**
 * The PolicyManager operations (api.ts) over the vhosts' PolicySets.
 *
 * set/clear validate (policy.ts compilePolicy), store the policy in the
 * vhost's set, write it through to the `PolicyPersistence` hook and make the
 * vhost recompute every queue's and exchange's effective settings at once.
 * Persistence: policies live in memory with their vhost; the default hook
 * does nothing. A durable definitions store will implement the hook and
 * replay saved policies through `setPolicy` at boot.
 */
import type { PolicyDefinition, PolicyInfo, PolicyManager } from './api.js';
import { BrokerError } from './errors.js';
import type { PolicyKind, PolicySet } from './policy.js';
import { compilePolicy, publicPolicy } from './policy.js';
import type { VHost } from './vhost.js';

export interface PolicyPersistence {
  saved(kind: PolicyKind, p: PolicyInfo): void;
  cleared(kind: PolicyKind, vhost: string, name: string): void;
}

export const MEMORY_ONLY: PolicyPersistence = { saved() {}, cleared() {} };

export class Policies implements PolicyManager {
  private readonly vhosts: ReadonlyMap<string, VHost>;
  private readonly persistence: PolicyPersistence;

  constructor(vhosts: ReadonlyMap<string, VHost>, persistence: PolicyPersistence = MEMORY_ONLY) {
    this.vhosts = vhosts;
    this.persistence = persistence;
  }

  private vhost(name: string): VHost {
    const vh = this.vhosts.get(name);
    if (!vh) throw new BrokerError('NOT_FOUND', `no vhost '${name}'`);
    return vh;
  }

  private setOf(vh: VHost, kind: PolicyKind): PolicySet {
    return kind === 'policy' ? vh.policies : vh.operatorPolicies;
  }

  private set(kind: PolicyKind, vhost: string, name: string, p: PolicyDefinition): void {
    const vh = this.vhost(vhost);
    const compiled = compilePolicy(kind, vhost, name, p);
    this.setOf(vh, kind).set(compiled);
    this.persistence.saved(kind, publicPolicy(compiled));
    vh.applyPolicies();
  }

  private clear(kind: PolicyKind, vhost: string, name: string): void {
    const vh = this.vhost(vhost);
    if (!this.setOf(vh, kind).delete(name)) {
      throw new BrokerError('NOT_FOUND', `no ${kind === 'policy' ? 'policy' : 'operator policy'} '${name}' in vhost '${vhost}'`);
    }
    this.persistence.cleared(kind, vhost, name);
    vh.applyPolicies();
  }

  private list(kind: PolicyKind, vhost: string | undefined): PolicyInfo[] {
    const vhs = vhost === undefined ? [...this.vhosts.values()] : [this.vhost(vhost)];
    return vhs.flatMap((vh) => this.setOf(vh, kind).list().map(publicPolicy));
  }

  setPolicy(vhost: string, name: string, p: PolicyDefinition): void {
    this.set('policy', vhost, name, p);
  }

  clearPolicy(vhost: string, name: string): void {
    this.clear('policy', vhost, name);
  }

  listPolicies(vhost?: string): PolicyInfo[] {
    return this.list('policy', vhost);
  }

  setOperatorPolicy(vhost: string, name: string, p: PolicyDefinition): void {
    this.set('operator', vhost, name, p);
  }

  clearOperatorPolicy(vhost: string, name: string): void {
    this.clear('operator', vhost, name);
  }

  listOperatorPolicies(vhost?: string): PolicyInfo[] {
    return this.list('operator', vhost);
  }
}
