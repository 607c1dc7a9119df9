// The journey of a resolution, event by event: which server was asked, how long it took, what it said.
// Recorded only when someone asked for it (`rootline query --trace`, debug logs).

export type TraceOutcome =
  | { kind: 'referral'; zone: string; servers: string[]; glue: number }
  | { kind: 'answer'; records: number }
  | { kind: 'cname'; target: string }
  | { kind: 'nxdomain' }
  | { kind: 'nodata' }
  | { kind: 'truncated' }
  | { kind: 'timeout' }
  | { kind: 'neterror'; error: string }
  | { kind: 'lame'; reason: string }
  | { kind: 'garbage'; reason: string };

export type TraceEvent =
  | { kind: 'upstream'; server: string; address: string; zone: string; qname: string; qtype: string; tcp: boolean; rttMs: number | null; outcome: TraceOutcome; depth: number }
  /** `synthesised`: a denial made from cached NSEC ranges (RFC 8198), not a cached answer to this question. */
  | { kind: 'cache'; qname: string; qtype: string; what: 'answer' | 'cname' | 'nxdomain' | 'nodata'; depth: number; synthesised?: true }
  | { kind: 'ns-lookup'; nsName: string; zone: string; depth: number }
  /** A forward or stub zone from the config decides where resolution starts; `fallback`: its servers all failed. */
  | { kind: 'configured'; zone: string; mode: 'forward' | 'stub'; action: 'use' | 'fallback'; depth: number }
  /** Every server of the zone answered from a cache (recursion-lame): the best of those answers is used. */
  | { kind: 'last-resort'; zone: string; qname: string; qtype: string; depth: number }
  | { kind: 'fail'; qname: string; qtype: string; reason: string; depth: number }
  /** One link of the chain of trust checked (RFC 4035 §5): a DS, a zone's DNSKEY, an RRSIG, a denial proof. */
  | { kind: 'dnssec'; zone: string; check: 'ds' | 'dnskey' | 'rrsig' | 'denial'; result: 'secure' | 'insecure' | 'bogus'; detail: string; depth: number };

export interface Trace {
  step(e: TraceEvent): void;
}

export class RecordingTrace implements Trace {
  readonly events: TraceEvent[] = [];
  step(e: TraceEvent): void {
    this.events.push(e);
  }
}
