// What QNAME minimisation taught about each zone (RFC 9156 §2.3, RFC 8020), kept for a while across queries:
// zones where a minimised query failed, or was denied for a name that then existed, are asked the full name
// (it costs their answers nothing); zones that denied a minimised name and the full name alike are trusted to
// mean an NXDOMAIN for an intermediate name, so resolution stops there.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';
import { canonical } from '../wire/names.js';

/** How long a zone's verdict is kept, ms (as long as the infrastructure cache keeps a server's lameness). */
export const MINIMISE_MEMORY_MS = 900_000;

type Verdict = 'do-not-minimise' | 'nxdomain-means-it';

export class MinimiseMemory {
  private readonly zones: LRUCache<string, { verdict: Verdict; untilMs: number }>;

  constructor(
    private readonly clock: Clock,
    maxZones = 10_000,
  ) {
    this.zones = new LRUCache({ max: maxZones });
  }

  /** Minimisation failed in the zone: its servers choke on minimised names or deny empty non-terminals. */
  failed(zone: string): void {
    this.set(zone, 'do-not-minimise');
  }

  /** A minimised NXDOMAIN in the zone was confirmed by the full name (RFC 8020 holds there). */
  confirmedNxdomain(zone: string): void {
    if (this.verdict(zone) !== 'do-not-minimise') this.set(zone, 'nxdomain-means-it');
  }

  shouldMinimise(zone: string): boolean {
    return this.verdict(zone) !== 'do-not-minimise';
  }

  trustsNxdomain(zone: string): boolean {
    return this.verdict(zone) === 'nxdomain-means-it';
  }

  private set(zone: string, verdict: Verdict): void {
    this.zones.set(canonical(zone), { verdict, untilMs: this.clock.nowMs() + MINIMISE_MEMORY_MS });
  }

  private verdict(zone: string): Verdict | null {
    const e = this.zones.get(canonical(zone));
    return e && e.untilMs > this.clock.nowMs() ? e.verdict : null;
  }
}
