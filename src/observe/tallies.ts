// Breakdowns for the metrics endpoint, kept the way Counters are: plain numbers in small fixed arrays indexed
// by code, bumped in place on the hot path (no maps, no strings, no allocation), read only when scraped.
// Transport index: 0 = UDP, 1 = TCP, and for clients 2 = DNS over TLS, 3 = DNS over HTTPS.
import { countRcode, type Counters } from '../metrics.js';

/** Query types with a slot of their own; every other type counts as OTHER. */
export const QTYPE_NAMES = ['A', 'NS', 'CNAME', 'SOA', 'PTR', 'MX', 'TXT', 'AAAA', 'SRV', 'NAPTR', 'DS', 'DNSKEY', 'SVCB', 'HTTPS', 'CAA', 'ANY', 'OTHER'] as const;
const QTYPE_CODES = [1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 43, 48, 64, 65, 257, 255];
export const QTYPE_SLOTS = QTYPE_NAMES.length;
const OTHER_SLOT = QTYPE_SLOTS - 1;
/** qtype → slot for codes below 512 (CAA is 257); larger codes are OTHER. */
const SLOT_OF = new Uint8Array(512).fill(OTHER_SLOT);
QTYPE_CODES.forEach((code, slot) => (SLOT_OF[code] = slot));

export function qtypeSlot(qtype: number): number {
  return qtype < 512 ? SLOT_OF[qtype]! : OTHER_SLOT;
}

/** The 4-bit header rcode (RFC 1035 §4.1.1, RFC 6895): one slot each. */
export const RCODE_SLOTS = 16;
export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE', 'DSOTYPENI', 'RCODE12', 'RCODE13', 'RCODE14', 'RCODE15'];

/** RFC 8914 info-codes 0..EDE_SLOTS-2; the last slot: a SERVFAIL without EDE (or with a code past that). */
export const EDE_SLOTS = 33;
export const NO_EDE_SLOT = EDE_SLOTS - 1;

/** How upstream queries travel. */
export const TRANSPORTS = ['udp', 'tcp'] as const;
/** How client queries arrive (ClientInfo.transport). */
export const CLIENT_TRANSPORTS = ['udp', 'tcp', 'tls', 'https'] as const;

export function transportIndex(transport: (typeof CLIENT_TRANSPORTS)[number]): number {
  switch (transport) {
    case 'udp':
      return 0;
    case 'tcp':
      return 1;
    case 'tls':
      return 2;
    case 'https':
      return 3;
  }
}

/** What the pipeline counts beyond Counters. */
export interface PipelineTallies {
  /** [transport × QTYPE_SLOTS + slot]: queries with a readable question. */
  queries: Float64Array;
  /** [transport × RCODE_SLOTS + rcode]: responses sent. */
  responses: Float64Array;
  /** [EDE code, or NO_EDE_SLOT]: SERVFAIL answers by their Extended DNS Error. */
  servfailByEde: Float64Array;
}

export function newPipelineTallies(): PipelineTallies {
  return {
    queries: new Float64Array(CLIENT_TRANSPORTS.length * QTYPE_SLOTS),
    responses: new Float64Array(CLIENT_TRANSPORTS.length * RCODE_SLOTS),
    servfailByEde: new Float64Array(EDE_SLOTS),
  };
}

/** One response sent: the rcode counter and the transport × rcode tally. */
export function countResponse(counters: Counters, tallies: PipelineTallies, via: number, rcode: number): void {
  countRcode(counters, rcode);
  tallies.responses[via * RCODE_SLOTS + rcode]!++;
}

export function edeSlot(code: number | undefined): number {
  return code === undefined || code < 0 || code >= NO_EDE_SLOT ? NO_EDE_SLOT : code;
}

/** Upstream tries by how they ended (TryReport kinds in upstream/exchange.ts). */
export const TRY_RESULTS = ['reply', 'timeout', 'neterror', 'case-mismatch', 'malformed', 'edns-rejected', 'truncated'] as const;
export type TryResult = (typeof TRY_RESULTS)[number];
const TRY_SLOT: Record<TryResult, number> = Object.fromEntries(TRY_RESULTS.map((r, i) => [r, i])) as Record<TryResult, number>;

/** Upper bounds of the upstream RTT histogram, seconds (the last bucket, +Inf, is implicit). */
export const RTT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface UpstreamTallies {
  /** [transport × TRY_RESULTS.length + result]: every send to an upstream server. */
  tries: Float64Array;
  /** Per bucket (not cumulative), the last one for RTTs past every bound. */
  rttBuckets: Float64Array;
  rttSumSeconds: number;
  rttCount: number;
  /** Background refreshes started (prefetch). */
  prefetches: number;
}

export function newUpstreamTallies(): UpstreamTallies {
  return {
    tries: new Float64Array(TRANSPORTS.length * TRY_RESULTS.length),
    rttBuckets: new Float64Array(RTT_BUCKETS.length + 1),
    rttSumSeconds: 0,
    rttCount: 0,
    prefetches: 0,
  };
}

/** One upstream send: its result, and its RTT when a reply came back. */
export function countTry(t: UpstreamTallies, kind: TryResult, tcp: boolean, rttMs: number | null): void {
  t.tries[(tcp ? 1 : 0) * TRY_RESULTS.length + TRY_SLOT[kind]]!++;
  if (rttMs === null) return;
  const s = rttMs / 1000;
  let i = 0;
  while (i < RTT_BUCKETS.length && s > RTT_BUCKETS[i]!) i++;
  t.rttBuckets[i]!++;
  t.rttSumSeconds += s;
  t.rttCount++;
}

/** Client TCP connections, summed over every listen address. */
export interface TcpTallies {
  accepted: number;
  /** Closed at once: past tcp-max-connections, or while shutting down. */
  rejected: number;
  closed: number;
}

export function newTcpTallies(): TcpTallies {
  return { accepted: 0, rejected: 0, closed: 0 };
}

/** Lookups of a cache. */
export interface CacheTallies {
  hits: number;
  misses: number;
  evictions: number;
}
