// Every limit the resolver enforces, with its default and the abuse it stops. Configurable via Config.
import type { Config } from '../config/schema.js';

export interface Limits {
  /** Total time for one client query, ms. Stops: a slow or silent hierarchy holding a client forever. */
  queryTimeoutMs: number;
  /** One upstream try, ms. Stops: waiting on a dead server instead of trying the next. */
  upstreamTimeoutMs: number;
  /** Longest CNAME chain (RFC 1034 §3.6.2 allows chains; loops and long chains are an amplification tool). */
  maxCnameChain: number;
  /** Referrals followed for one name. Stops: referral loops and absurdly deep delegation chains. */
  maxReferrals: number;
  /** Side resolutions of glueless NS names per delegation. Stops: NXNSAttack-style fan-out (CVE-2020-12662). */
  maxNsLookups: number;
  /** Upstream queries for one client query. Stops: any remaining amplification. */
  maxUpstreamQueries: number;
  /** Records in one upstream RRset. Stops: cache and CPU exhaustion by huge RRsets (cf. CVE-2024-1737). */
  maxRrsetSize: number;
  /** Upstream queries in flight in total. Stops: one flood of client queries exhausting sockets and memory. */
  maxOutstanding: number;
  /** Upstream queries in flight to one zone. Stops: random-subdomain floods against one victim zone. */
  maxOutstandingPerZone: number;
  /** Depth of nested side resolutions (an NS name whose zone needs another NS name …). */
  maxSubqueryDepth: number;
}

export function limitsFromConfig(c: Config): Limits {
  return {
    queryTimeoutMs: c.queryTimeoutMs,
    upstreamTimeoutMs: c.upstreamTimeoutMs,
    maxCnameChain: c.maxCnameChain,
    maxReferrals: c.maxReferrals,
    maxNsLookups: c.maxNsLookups,
    maxUpstreamQueries: c.maxUpstreamQueries,
    maxRrsetSize: c.maxRrsetSize,
    maxOutstanding: c.maxOutstanding,
    maxOutstandingPerZone: c.maxOutstandingPerZone,
    maxSubqueryDepth: c.maxSubqueryDepth,
  };
}

/** Which limit stopped or cut short a resolution: one name per Limits field that can be hit while resolving. */
export type LimitName =
  | 'query-time'
  | 'upstream-queries'
  | 'outstanding'
  | 'outstanding-per-zone'
  | 'cname-chain'
  | 'referrals'
  | 'ns-lookups'
  | 'subquery-depth';

export interface LimitHit {
  limit: LimitName;
  /** For people: the numbers, e.g. "upstream query limit of 32 reached". */
  detail: string;
}
