// Which clients may query: CIDR allow-list (loopback and private networks by default: not an open resolver).
// Networks are parsed once (util/cidr.ts) and decisions remembered, so a check per query is a map lookup.
import { ErrorCode, RootlineError } from '../errors.js';
import { badNetworkMessage, inAnyCidr, parseCidr, type Cidr } from '../util/cidr.js';
import { CONTINUE, REFUSE, type Gate } from './stage.js';

export interface Acl {
  allows(address: string): boolean;
}

const MEMO_LIMIT = 4096;

export function createAcl(cidrs: readonly string[]): Acl {
  const networks: Cidr[] = [];
  for (const text of cidrs) {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new RootlineError(ErrorCode.CONFIG_VALUE, badNetworkMessage('allow', text, parsed.reason));
    networks.push(parsed.cidr);
  }
  // Clients are few and come back: remember decisions (bounded, cleared when full).
  const memo = new Map<string, boolean>();
  return {
    allows(address: string): boolean {
      let ok = memo.get(address);
      if (ok === undefined) {
        ok = inAnyCidr(networks, address);
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(address, ok);
      }
      return ok;
    },
  };
}

/** The ACL as a gate: clients outside it are refused (after the protocol checks), never served from a cache. */
export function aclGate(acl: Acl): Gate {
  return {
    name: 'acl',
    decide: (client) => (acl.allows(client.address) ? CONTINUE : REFUSE),
  };
}
