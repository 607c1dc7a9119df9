// The shapes passed between the resolver's parts: what one name's resolution step gave, a zone cut, a server.
import type { ZoneEntry } from '../config/schema.js';
import type { ExtendedError } from '../wire/edns.js';
import type { RR, ServerAddr } from '../wire/types.js';
import type { LimitName } from './limits.js';

/**
 * What DNSSEC validation said of data (RFC 4033 §5, RFC 4035 §4.3): secure (a chain of trust from an anchor),
 * insecure (provably unsigned), bogus (should be signed and is not, or does not check out), or unchecked
 * (validation off, or a forwarder's or a local answer nobody judged).
 */
export type Security = 'secure' | 'insecure' | 'bogus' | 'unchecked';

/** The DNSSEC records that go with a step for a DO=1 client: RRSIGs for the answer section, proofs for authority. */
export interface SignedParts {
  /** RRSIGs of the CNAMEs and records. */
  sigs?: RR[];
  /** NSEC/NSEC3 records, their RRSIGs and the SOA's RRSIG (denials and wildcard answers). */
  proof?: RR[];
  security?: Security;
  /** Why data is insecure when that is worth telling (EDE 1, 2 or 27: RFC 8914 §4.2, §4.3, RFC 9276). */
  note?: ExtendedError;
}

/** One name resolved as far as one cache lookup or one reply takes it (CNAMEs beyond that are the chain's). */
export type Step =
  | ({ kind: 'answer'; cnames: RR[]; records: RR[] } & SignedParts)
  | ({ kind: 'continue'; cnames: RR[]; target: string } & SignedParts)
  | ({ kind: 'nxdomain'; cnames: RR[]; soa: RR | null } & SignedParts)
  | ({ kind: 'nodata'; cnames: RR[]; soa: RR | null } & SignedParts)
  | { kind: 'fail'; reason: string; ede: ExtendedError; limit?: LimitName };

const STRENGTH: Record<Security, number> = { bogus: 0, unchecked: 1, insecure: 2, secure: 3 };

/** The security of data made of parts: as weak as its weakest part (AD only when every part is secure). */
export function weakest(a: Security | undefined, b: Security | undefined): Security {
  const x = a ?? 'unchecked';
  const y = b ?? 'unchecked';
  return STRENGTH[x] <= STRENGTH[y] ? x : y;
}

/** A delegation point: the zone and the names of its servers; a forward or stub zone brings its own servers. */
export interface ZoneCut {
  zone: string;
  nsNames: string[];
  /**
   * The glue of the referral that led here, for this resolution: the cache may not keep it (TTL 0, or outranked),
   * yet the servers it names are reachable through it now.
   */
  glue?: UpstreamTarget[];
  /** Whose NS set this is: the parent's delegation, or the child's own (authoritative) one from the cache. */
  side?: 'parent' | 'child';
  configured?: ConfiguredZone;
}

/** One address of one of a zone's servers. */
export interface UpstreamTarget {
  nsName: string;
  addr: ServerAddr;
}

/** A forward zone's servers recurse for us (RD=1); a stub zone's are authoritative and iterated from (RD=0). */
export type ConfiguredMode = 'forward' | 'stub';

/** A forward or stub zone from the config (configured-zones.ts), carried by the cut it starts. */
export interface ConfiguredZone {
  zone: string;
  mode: ConfiguredMode;
  targets: UpstreamTarget[];
  fallback: 'recurse' | 'servfail';
  tcpOnly: boolean;
  /** DNS over TLS to the zone's servers (forward zones). */
  tls?: ZoneEntry['tls'];
}
