// Which clients may query: CIDR allow-list (loopback and private networks by default: not an open resolver).
// Networks are parsed once (util/cidr.ts) and decisions remembered, so a check per query is a map lookup.
import { inAnyCidr, parseCidrs } from '../util/cidr.js';
import { CONTINUE, DROP, REFUSE, type Gate } from './stage.js';

export interface Acl {
  allows(address: string): boolean;
}

const MEMO_LIMIT = 4096;

/** Clients in `allow` and not in `deny` may query: deny wins (a host or a guest subnet inside an allowed range). */
export function createAcl(allow: readonly string[], deny: readonly string[] = []): Acl {
  const networks = parseCidrs('allow', allow);
  const denied = parseCidrs('deny', deny);
  // Clients are few and come back: remember decisions (bounded, cleared when full).
  const memo = new Map<string, boolean>();
  return {
    allows(address: string): boolean {
      let ok = memo.get(address);
      if (ok === undefined) {
        ok = inAnyCidr(networks, address) && !inAnyCidr(denied, address);
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(address, ok);
      }
      return ok;
    },
  };
}

/**
 * The ACL as a gate: clients outside it are refused (after the protocol checks) or, with `outside-clients: drop`,
 * get no answer at all (Unbound's deny); either way never an answer from a cache.
 */
export function aclGate(acl: Acl, outside: 'refuse' | 'drop' = 'refuse'): Gate {
  const verdict = Object.freeze({ ...(outside === 'drop' ? DROP : REFUSE), by: 'acl' });
  return {
    name: 'acl',
    decide: (client) => (acl.allows(client.address) ? CONTINUE : verdict),
  };
}
