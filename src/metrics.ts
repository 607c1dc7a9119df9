// Counters of what the server did: plain integer fields bumped on the hot path (no maps, no allocation), summed
// across workers by the primary process.
import type { LimitName } from './resolver/limits.js';

export interface Counters {
  queries: number;
  answerCacheHits: number;
  noerror: number;
  nxdomain: number;
  servfail: number;
  refused: number;
  formerr: number;
  notimp: number;
  dropped: number;
  staleAnswers: number;
  /** Queries answered as blocked (by name or by CNAME target), on the full path. */
  blocked: number;
  /** Queries dropped or truncated by the per-client rate limit. */
  ratelimited: number;
  /** Limit hits, one counter per limit (src/resolver/limits.ts says what each one stops). */
  limitQueryTime: number;
  limitUpstreamQueries: number;
  limitOutstanding: number;
  limitOutstandingPerZone: number;
  limitCnameChain: number;
  limitReferrals: number;
  limitNsLookups: number;
  limitSubqueryDepth: number;
  /** Dropped for the PROXY protocol (proxy-gate.ts): no header from a listed source, a bad one, too big, unlisted. */
  proxyHeaderMissing: number;
  proxyHeaderInvalid: number;
  proxyHeaderOversized: number;
  proxyHeaderUnlisted: number;
  /** Upstream queries sent as plain DNS because TLS to a forwarder failed (tls-fallback: plain). */
  upstreamTlsFallbacks: number;
}

export function newCounters(): Counters {
  return {
    queries: 0,
    answerCacheHits: 0,
    noerror: 0,
    nxdomain: 0,
    servfail: 0,
    refused: 0,
    formerr: 0,
    notimp: 0,
    dropped: 0,
    staleAnswers: 0,
    blocked: 0,
    ratelimited: 0,
    limitQueryTime: 0,
    limitUpstreamQueries: 0,
    limitOutstanding: 0,
    limitOutstandingPerZone: 0,
    limitCnameChain: 0,
    limitReferrals: 0,
    limitNsLookups: 0,
    limitSubqueryDepth: 0,
    proxyHeaderMissing: 0,
    proxyHeaderInvalid: 0,
    proxyHeaderOversized: 0,
    proxyHeaderUnlisted: 0,
    upstreamTlsFallbacks: 0,
  };
}

export function addCounters(into: Counters, from: Counters): Counters {
  for (const k of Object.keys(into) as (keyof Counters)[]) into[k] += from[k] ?? 0;
  return into;
}

/** Counts a response by its rcode (RFC 1035 §4.1.1). */
export function countRcode(c: Counters, rcode: number): void {
  switch (rcode) {
    case 0:
      c.noerror++;
      break;
    case 1:
      c.formerr++;
      break;
    case 2:
      c.servfail++;
      break;
    case 3:
      c.nxdomain++;
      break;
    case 4:
      c.notimp++;
      break;
    case 5:
      c.refused++;
      break;
    default:
      break;
  }
}

/** The counter of each limit. */
const LIMIT_COUNTER: Record<LimitName, keyof Counters> = {
  'query-time': 'limitQueryTime',
  'upstream-queries': 'limitUpstreamQueries',
  outstanding: 'limitOutstanding',
  'outstanding-per-zone': 'limitOutstandingPerZone',
  'cname-chain': 'limitCnameChain',
  referrals: 'limitReferrals',
  'ns-lookups': 'limitNsLookups',
  'subquery-depth': 'limitSubqueryDepth',
};

export function countLimit(c: Counters, limit: LimitName): void {
  c[LIMIT_COUNTER[limit]]++;
}
