// What `rootline top` shows beyond the counters: answer times as a histogram, and the names, clients and
// SERVFAIL reasons seen most lately. Cheap on purpose: the full path notes every answer it makes; a hit costs
// one count on its answer-cache entry (taken when `top` asks) and, one hit in HIT_SAMPLE, its client. A hit's
// answer time is the histogram's first bucket.

/** Upper bounds of the answer-time buckets, ms; the last bucket is everything slower. */
export const LATENCY_BOUNDS_MS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** One hit in this many is sampled for the top clients (and counted that many times); a power of two. */
export const HIT_SAMPLE = 256;

/** Counts decay by half every HALF_LIFE_MS: "lately" means the last minute or so. */
const HALF_LIFE_MS = 30_000;
/** Distinct keys kept per table; past it the least counted half goes. */
const MAX_KEYS = 2000;

class DecayingCounts {
  private readonly counts = new Map<string, number>();
  private decayedAt = Date.now();

  add(key: string, weight: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + weight);
    if (this.counts.size > MAX_KEYS) this.prune();
  }

  top(n: number): { key: string; count: number }[] {
    this.decay();
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, count]) => ({ key, count: Math.round(count) }));
  }

  private decay(): void {
    const now = Date.now();
    const factor = 0.5 ** ((now - this.decayedAt) / HALF_LIFE_MS);
    this.decayedAt = now;
    for (const [k, v] of this.counts) {
      const next = v * factor;
      if (next < 0.5) this.counts.delete(k);
      else this.counts.set(k, next);
    }
  }

  private prune(): void {
    const kept = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_KEYS / 2);
    this.counts.clear();
    for (const [k, v] of kept) this.counts.set(k, v);
  }
}

export interface LiveSnapshot {
  /** Answers per LATENCY_BOUNDS_MS bucket on the full path (hits are added by the reader: all in bucket 0). */
  latency: number[];
  topNames: { key: string; count: number }[];
  topClients: { key: string; count: number }[];
  topServfail: { key: string; count: number }[];
}

export class LiveView {
  private readonly latency = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  private readonly names = new DecayingCounts();
  private readonly clients = new DecayingCounts();
  private readonly servfail = new DecayingCounts();

  /** A full-path answer: its name, client, answer time and, for SERVFAIL, why. */
  noteAnswer(name: string, client: string, ms: number, servfailReason: string | null): void {
    let b = 0;
    while (b < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[b]!) b++;
    this.latency[b]!++;
    this.names.add(name.toLowerCase(), 1);
    this.clients.add(client, 1);
    if (servfailReason !== null) this.servfail.add(servfailReason, 1);
  }

  /** The client of one sampled answer-cache hit, standing for HIT_SAMPLE of them. */
  sampleHitClient(client: string): void {
    this.clients.add(client, HIT_SAMPLE);
  }

  /** Answer-cache hits per name since the last look (AnswerCache.takeHits). */
  addHits(hits: readonly { name: string; hits: number }[]): void {
    for (const h of hits) this.names.add(h.name.toLowerCase(), h.hits);
  }

  snapshot(n = 10): LiveSnapshot {
    return { latency: [...this.latency], topNames: this.names.top(n), topClients: this.clients.top(n), topServfail: this.servfail.top(n) };
  }
}

/** A percentile (0..1) of answer time from histogram counts: the upper bound of the bucket it falls in. */
export function percentileMs(latency: readonly number[], p: number): number | null {
  const total = latency.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let b = 0; b < latency.length; b++) {
    seen += latency[b]!;
    if (seen >= p * total) return LATENCY_BOUNDS_MS[b] ?? Infinity;
  }
  return Infinity;
}

/** Adds top lists from several workers: counts of the same key summed, the n largest kept. */
export function mergeTops(lists: readonly { key: string; count: number }[][], n = 10): { key: string; count: number }[] {
  const sum = new Map<string, number>();
  for (const list of lists) for (const { key, count } of list) sum.set(key, (sum.get(key) ?? 0) + count);
  return [...sum.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, count]) => ({ key, count }));
}
