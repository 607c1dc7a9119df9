// The authenticated-denial records a signer adds to a zone: the NSEC chain (RFC 4034 §4, RFC 4035 §2.3) or the
// NSEC3 chain with its NSEC3PARAM (RFC 5155 §7.1), built from the zone's owner names and the types at each.
import type { Nsec3Data } from 'dns-packet';
import { canonical, isInZone, parentOf } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import { compareCanonicalNames } from './canonical.js';
import { base32hex, nsec3Hash } from './nsec3.js';

/** One owner name of the zone as the chain sees it: its types, and what kind of name it is. */
export interface ChainOwner {
  name: string;
  /** The RRset types at the name (at a zone cut only NS and DS: the rest there is glue). */
  types: string[];
  /** 'signed-cut' has a DS RRset, 'unsigned-cut' has none (RFC 5155 §6: opt-out may leave it out). */
  kind: 'apex' | 'data' | 'signed-cut' | 'unsigned-cut';
}

export interface Nsec3Params {
  iterations: number;
  salt: Buffer;
  /** RFC 5155 §6: unsigned delegations get no NSEC3 record, and every NSEC3 has its Opt-Out flag set. */
  optOut?: boolean;
}

export type Denial = 'nsec' | { nsec3: Nsec3Params };

/** RFC 5155 §3.1.2.1: bit 0 of the NSEC3 Flags field. */
export const NSEC3_OPT_OUT = 0x01;
/** RFC 5155 §11: SHA-1, the only NSEC3 hash algorithm. */
const SHA1 = 1;

/** Whether the RRSIGs at an owner exist (the RRSIG bit): every name but an unsigned cut has a signed RRset. */
const hasSignatures = (o: ChainOwner): boolean => o.kind !== 'unsigned-cut';

/**
 * RFC 4034 §4 and RFC 4035 §2.3: one NSEC per owner name in canonical order, each naming the next (the last names
 * the apex), listing the types at its owner plus NSEC and RRSIG (the NSEC itself is signed, also at a cut).
 * TTL: the SOA minimum (RFC 4034 §4, as RFC 9077 reads it with the SOA TTL).
 */
export function nsecChain(owners: readonly ChainOwner[], ttl: number): RR[] {
  const sorted = [...owners].sort((a, b) => compareCanonicalNames(a.name, b.name));
  return sorted.map((o, i) => ({
    name: o.name,
    type: 'NSEC',
    class: 'IN',
    ttl,
    data: { nextDomain: sorted[(i + 1) % sorted.length]!.name, rrtypes: withTypes(o.types, 'NSEC', 'RRSIG') },
  }));
}

function withTypes(types: readonly string[], ...more: string[]): string[] {
  return [...new Set([...types, ...more])];
}

/** The empty non-terminals (RFC 5155 §7.1): ancestors of owner names, below the apex, that own nothing. */
function emptyNonTerminals(origin: string, owners: readonly ChainOwner[]): string[] {
  const named = new Set(owners.map((o) => canonical(o.name)));
  const ents = new Set<string>();
  for (const o of owners) {
    for (let n = parentOf(o.name); !named.has(n) && isInZone(n, origin) && n !== canonical(origin); n = parentOf(n)) {
      ents.add(n);
    }
  }
  return [...ents];
}

/**
 * RFC 5155 §7.1: one NSEC3 per owner name and empty non-terminal (opt-out: not for unsigned delegations), owned by
 * the base32hex hash under the apex, in hash order, each holding the next hash; plus the NSEC3PARAM at the apex
 * (Flags 0, §4.1.2) that tells an authoritative server which parameters the chain uses.
 */
export function nsec3Chain(origin: string, owners: readonly ChainOwner[], params: Nsec3Params, ttl: number): RR[] {
  const kept = params.optOut ? owners.filter((o) => o.kind !== 'unsigned-cut') : owners;
  const entries = [
    ...kept.map((o) => ({ name: o.name, types: withTypes(o.types, ...(hasSignatures(o) ? ['RRSIG'] : []), ...(o.kind === 'apex' ? ['NSEC3PARAM'] : [])) })),
    ...emptyNonTerminals(origin, kept).map((name) => ({ name, types: [] as string[] })),
  ]
    .map((e) => ({ ...e, hash: nsec3Hash(e.name, params.salt, params.iterations)! }))
    .sort((a, b) => Buffer.compare(a.hash, b.hash));
  const flags = params.optOut ? NSEC3_OPT_OUT : 0;
  const apex = canonical(origin);
  const records: RR[] = entries.map((e, i) => {
    const data: Nsec3Data = {
      algorithm: SHA1,
      flags,
      iterations: params.iterations,
      salt: params.salt,
      nextDomain: entries[(i + 1) % entries.length]!.hash,
      rrtypes: e.types,
    };
    return { name: apex === '.' ? base32hex(e.hash) : `${base32hex(e.hash)}.${apex}`, type: 'NSEC3', class: 'IN', ttl, data };
  });
  return [...records, nsec3ParamRecord(apex, params)];
}

/** RFC 5155 §4.2: Hash Algorithm | Flags | Iterations | Salt Length | Salt (dns-packet has no codec for it). */
export function nsec3ParamRecord(apex: string, params: Nsec3Params): RR {
  const rdata = Buffer.alloc(5 + params.salt.length);
  rdata.writeUInt8(SHA1, 0);
  rdata.writeUInt8(0, 1);
  rdata.writeUInt16BE(params.iterations, 2);
  rdata.writeUInt8(params.salt.length, 4);
  params.salt.copy(rdata, 5);
  // RFC 5155 §4: the NSEC3PARAM TTL is 0 by common practice (BIND, Knot), it is never meant to be cached.
  return { name: apex, type: 'NSEC3PARAM', class: 'IN', ttl: 0, data: rdata };
}

/** The NSEC3PARAM fields back from its RDATA, or null when malformed. */
export function parseNsec3Param(rdata: Buffer): { algorithm: number; iterations: number; salt: Buffer } | null {
  if (rdata.length < 5 || rdata.length !== 5 + rdata[4]!) return null;
  return { algorithm: rdata[0]!, iterations: rdata.readUInt16BE(2), salt: rdata.subarray(5) };
}
