// Choosing which server of a zone to ask next (after Unbound's selection): servers lame for this zone and query
// type last, servers held down for timing out again and again (infra-cache.ts) before them, and among the rest any whose RTO is within a band of the
// fastest, at random — so the fastest is preferred but the others keep being measured.
import type { InfraCache } from '../cache/infra-cache.js';
import type { Random } from '../util/random.js';
import { serverKey, type ServerAddr } from '../wire/types.js';

/** Servers within this many ms of the best RTO are equally good (Unbound uses 400 ms). */
export const RTT_BAND_MS = 400;

export interface Candidate {
  nsName: string;
  addr: ServerAddr;
}

export function orderCandidates<T extends Candidate>(candidates: readonly T[], zone: string, qtype: string, infra: InfraCache, random: Random): T[] {
  const scored = random.shuffle(candidates).map((c) => {
    const key = serverKey(c.addr);
    const tier = infra.isLame(key, zone, qtype) ? 2 : infra.isHeldDown(key) ? 1 : 0;
    return { c, tier, rto: infra.rto(key) };
  });
  const best = Math.min(...scored.filter((s) => s.tier === 0).map((s) => s.rto));
  // Within the top tier, everything inside the band of the best counts as equal (order stays random).
  for (const s of scored) if (s.tier === 0 && s.rto <= best + RTT_BAND_MS) s.rto = best;
  scored.sort((a, b) => a.tier - b.tier || a.rto - b.rto);
  return scored.map((s) => s.c);
}
