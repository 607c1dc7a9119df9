// Upstream queries in flight, in total and per zone, against max-outstanding and max-outstanding-per-zone:
// one flood of client queries must not exhaust sockets, nor a random-subdomain flood hammer one victim zone.
import type { LimitHit, Limits } from './limits.js';

export class InFlight {
  private total = 0;
  private readonly byZone = new Map<string, number>();

  constructor(private readonly limits: Pick<Limits, 'maxOutstanding' | 'maxOutstandingPerZone'>) {}

  /** Counts one more query to zone, or says which limit forbids it. */
  acquire(zone: string): LimitHit | null {
    if (this.total >= this.limits.maxOutstanding) {
      return { limit: 'outstanding', detail: `${this.total} upstream queries already in flight (limit ${this.limits.maxOutstanding})` };
    }
    const zoneLoad = this.byZone.get(zone) ?? 0;
    if (zoneLoad >= this.limits.maxOutstandingPerZone) {
      return { limit: 'outstanding-per-zone', detail: `${zoneLoad} upstream queries to ${zone} already in flight (limit ${this.limits.maxOutstandingPerZone})` };
    }
    this.total++;
    this.byZone.set(zone, zoneLoad + 1);
    return null;
  }

  release(zone: string): void {
    this.total--;
    const left = (this.byZone.get(zone) ?? 1) - 1;
    if (left <= 0) this.byZone.delete(zone);
    else this.byZone.set(zone, left);
  }
}
