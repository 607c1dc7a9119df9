// Upstream queries in flight, in total and per zone, against max-outstanding and max-outstanding-per-zone:
// one flood of client queries must not exhaust sockets, nor a random-subdomain flood hammer one victim zone.
// A query past a limit because of our own load waits for a slot (first come, first served, bounded) for as long
// as its time budget allows, and fails only then: the limit paces us, it does not SERVFAIL healthy zones.
import type { Clock } from '../util/clock.js';
import type { LimitHit, Limits } from './limits.js';

interface Waiter {
  zone: string;
  resolve(hit: LimitHit | null): void;
}

/** Waiting queries at most, as a multiple of max-outstanding: past it a query fails at once. */
const WAITERS_PER_SLOT = 4;

export class InFlight {
  private total = 0;
  private readonly byZone = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: Pick<Limits, 'maxOutstanding' | 'maxOutstandingPerZone'>) {}

  /** Counts one more query to zone, or says which limit forbids it now. */
  acquire(zone: string): LimitHit | null {
    const hit = this.blocked(zone);
    if (hit) return hit;
    this.total++;
    this.byZone.set(zone, (this.byZone.get(zone) ?? 0) + 1);
    return null;
  }

  /**
   * Like acquire, but past a limit waits (up to `waitMs`) for a slot to free; null once the query holds one, the
   * limit that stopped it when the wait ran out or too many queries already wait.
   */
  acquireOrWait(zone: string, waitMs: number, clock: Clock): LimitHit | null | Promise<LimitHit | null> {
    const now = this.acquire(zone);
    if (!now || waitMs <= 0 || this.waiting.length >= this.limits.maxOutstanding * WAITERS_PER_SLOT) return now;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        zone,
        resolve: (hit) => {
          cancel();
          resolve(hit);
        },
      };
      const cancel = clock.setTimer(waitMs, () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve({ ...now, detail: `${now.detail}, waited ${waitMs} ms for a slot` });
      });
      this.waiting.push(waiter);
    });
  }

  release(zone: string): void {
    this.total--;
    const left = (this.byZone.get(zone) ?? 1) - 1;
    if (left <= 0) this.byZone.delete(zone);
    else this.byZone.set(zone, left);
    this.wakeNext();
  }

  /** The longest-waiting query that may go now takes the slot (a busy zone does not hold up the others). */
  private wakeNext(): void {
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i]!;
      if (this.acquire(w.zone) !== null) continue;
      this.waiting.splice(i, 1);
      w.resolve(null);
      return;
    }
  }

  private blocked(zone: string): LimitHit | null {
    if (this.total >= this.limits.maxOutstanding) {
      return { limit: 'outstanding', detail: `${this.total} upstream queries already in flight (limit ${this.limits.maxOutstanding})` };
    }
    const zoneLoad = this.byZone.get(zone) ?? 0;
    if (zoneLoad >= this.limits.maxOutstandingPerZone) {
      return { limit: 'outstanding-per-zone', detail: `${zoneLoad} upstream queries to ${zone} already in flight (limit ${this.limits.maxOutstandingPerZone})` };
    }
    return null;
  }
}
