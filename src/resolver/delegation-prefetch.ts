// Prefetch of popular delegations: a zone cut asked through often (a TLD, a big hoster's zone) is fetched again
// from its parent shortly before its NS set expires, so no client query pays that referral's round trip again
// (Unbound prefetches answers only; an expired TLD delegation costs the next names under it a root round trip).
// Only a parent-side NS set can be renewed this way: a zone's own (child) NS set is never extended past the cached
// one (learn.ts, the ghost-domain rule), and the root's NS set is renewed by priming.
import { LRUCache } from 'lru-cache';
import { Rank } from '../cache/rank.js';
import { RRsetCache } from '../cache/rrset-cache.js';
import { canonical } from '../wire/names.js';
import type { ZoneCut } from './step.js';

/** Refresh when less than this fraction of the delegation's TTL is left (as answer prefetch: Unbound's 10%). */
export const DELEGATION_PREFETCH_FRACTION = 0.1;
/** Zone queries through a delegation during its current lifetime that make it popular enough to refresh. */
export const POPULAR_DELEGATION_USES = 8;

export class DelegationPrefetch {
  /** Per zone: which cached NS set was counted (its store time), how often it was used, whether refreshed. */
  private readonly uses: LRUCache<string, { storedAtMs: number; n: number; refreshed: boolean }>;

  constructor(
    private readonly rrsets: RRsetCache,
    /** Fetches the zone's delegation from its parent again (the resolver, in the background). */
    private readonly refresh: (zone: string) => void,
    maxZones = 10_000,
  ) {
    this.uses = new LRUCache({ max: maxZones });
  }

  /** A zone query is about to ask the servers of `cut`: count the use, refresh once per NS set when due. */
  used(cut: ZoneCut): void {
    if (cut.configured || cut.side !== 'parent') return;
    const zone = canonical(cut.zone);
    if (zone === '.') return;
    const hit = this.rrsets.get(zone, 'NS', Rank.ADDITIONAL);
    if (!hit || hit.entry.rank >= Rank.AUTHORITY_AUTH) return;
    let u = this.uses.get(zone);
    if (!u || u.storedAtMs !== hit.entry.storedAtMs) {
      u = { storedAtMs: hit.entry.storedAtMs, n: 0, refreshed: false };
      this.uses.set(zone, u);
    }
    u.n++;
    if (u.refreshed || u.n < POPULAR_DELEGATION_USES || RRsetCache.remainingFraction(hit) >= DELEGATION_PREFETCH_FRACTION) return;
    u.refreshed = true;
    this.refresh(zone);
  }
}
