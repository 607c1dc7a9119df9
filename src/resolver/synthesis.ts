// RFC 8198 aggressive use of the DNSSEC-validated cache: denials synthesised from cached NSEC ranges. The
// resolver knows only this interface; the store and the proofs live in dnssec/aggressive.ts (wired in main.ts).
import type { RR } from '../wire/types.js';

/** A denial made from cached, validated NSEC records: what a cache step needs to answer. */
export interface SynthesisedDenial {
  kind: 'nxdomain' | 'nodata';
  soa: RR;
  /** The NSEC records used, with their RRSIGs and the SOA's (for DO=1 clients). */
  proof: RR[];
}

export interface DenialSynthesiser {
  /** Remembers the validated NSEC records (and SOA) of a secure denial or wildcard answer from `zone`. */
  learn(zone: string, soa: RR | null, records: readonly RR[]): void;
  /** A secure NXDOMAIN or NODATA for (name, type), when cached NSEC records prove it; null otherwise. */
  synthesise(name: string, type: string): SynthesisedDenial | null;
}
