// Hedged queries: when the server asked first has not answered within its expected RTT, a second server of the
// same zone is asked too and whichever answers first wins (the first try keeps running: its reply still counts).
// A hedge costs an upstream query, so it is bounded three ways: one per zone query, HEDGES_PER_REQUEST per
// client query, and per zone a token bucket that keeps hedges to about HEDGE_SHARE of that zone's queries (a
// zone whose servers are all slow is not asked twice for everything).
import { LRUCache } from 'lru-cache';
import { canonical } from '../wire/names.js';
import type { Budget } from './request.js';

/** Hedges per client query (its side resolutions included). */
export const HEDGES_PER_REQUEST = 2;
/** Long-run share of a zone's queries that may be hedged (each zone query earns this much of a hedge). */
export const HEDGE_SHARE = 0.1;
/** Hedges a zone may use at once before it has earned more (also where a zone starts). */
export const HEDGE_BURST = 2;
/** Expected RTT of a server never heard from: a far-away server's RTT, well below the 376 ms RTO it is given. */
export const UNKNOWN_SERVER_HEDGE_MS = 200;
/**
 * Never hedge sooner than this: a hedge is for far servers; for a near one (RTT of a few ms) a late reply is more
 * likely our own event loop's lag than the server's, and its RTO (50 ms floor) moves on soon enough.
 */
export const MIN_HEDGE_MS = 100;

export class HedgeAllowance {
  private readonly tokens: LRUCache<string, { n: number }>;
  /** Hedges used per request (keyed by its budget, shared by its side resolutions). */
  private readonly perRequest = new WeakMap<Budget, number>();

  constructor(maxZones = 10_000) {
    this.tokens = new LRUCache({ max: maxZones });
  }

  /** A zone query starts: the zone earns its share of a hedge. */
  earn(zone: string): void {
    const key = canonical(zone);
    const t = this.tokens.get(key);
    if (t) t.n = Math.min(HEDGE_BURST, t.n + HEDGE_SHARE);
    else this.tokens.set(key, { n: HEDGE_BURST });
  }

  /** Whether this request may hedge in this zone now; if so the hedge is counted. */
  take(zone: string, budget: Budget): boolean {
    const used = this.perRequest.get(budget) ?? 0;
    if (used >= HEDGES_PER_REQUEST) return false;
    const t = this.tokens.get(canonical(zone));
    if (!t || t.n < 1) return false;
    t.n -= 1;
    this.perRequest.set(budget, used + 1);
    return true;
  }
}
