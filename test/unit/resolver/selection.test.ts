// orderCandidates: lame servers last, servers in timeout back-off before them, the rest by RTO with every server
// inside the band of the fastest in random order.
import { describe, expect, it } from 'vitest';
import { HOLD_DOWN_AFTER_TIMEOUTS, InfraCache } from '../../../src/cache/infra-cache.js';
import { orderCandidates, RTT_BAND_MS, type Candidate } from '../../../src/resolver/selection.js';
import { ManualClock } from '../../../src/util/clock.js';
import { SeededRandom, type Random } from '../../../src/util/random.js';
import { serverKey } from '../../../src/wire/types.js';

const cand = (nsName: string, address: string): Candidate => ({ nsName, addr: { address, port: 53 } });
const key = (c: Candidate): string => serverKey(c.addr);
const names = (cs: readonly Candidate[]): string[] => cs.map((c) => c.nsName);

/** Keeps the input order (and reversed: the opposite), so only the scoring decides. */
const keepOrder: Random = { u16: () => 0, below: () => 0, shuffle: (xs) => xs.slice() };
const reverseOrder: Random = { u16: () => 0, below: () => 0, shuffle: (xs) => xs.slice().reverse() };

function setUp(): { clock: ManualClock; infra: InfraCache } {
  const clock = new ManualClock();
  return { clock, infra: new InfraCache(clock) };
}

/** First-sample rule: RTO = 3·RTT (bounded below by 50 ms). */
const rtoFor = (infra: InfraCache, c: Candidate, rttMs: number): void => infra.reportRtt(key(c), rttMs);

describe('orderCandidates', () => {
  it('puts servers outside the band in ascending RTO order, whatever the input order', () => {
    const { infra } = setUp();
    const fast = cand('fast', '127.0.0.1');
    const mid = cand('mid', '127.0.0.2');
    const slow = cand('slow', '127.0.0.3');
    rtoFor(infra, fast, 5); // 50
    rtoFor(infra, mid, 200); // 600
    rtoFor(infra, slow, 1000); // 3000
    for (const r of [keepOrder, reverseOrder]) {
      expect(names(orderCandidates([slow, mid, fast], 'example', 'A', infra, r))).toEqual(['fast', 'mid', 'slow']);
      expect(names(orderCandidates([fast, slow, mid], 'example', 'A', infra, r))).toEqual(['fast', 'mid', 'slow']);
    }
    for (let seed = 0; seed < 20; seed++) {
      expect(names(orderCandidates([slow, mid, fast], 'example', 'A', infra, new SeededRandom(seed)))).toEqual(['fast', 'mid', 'slow']);
    }
  });

  it(`treats every server within ${RTT_BAND_MS} ms of the best RTO as equal and leaves their order to chance`, () => {
    const { infra } = setUp();
    const a = cand('a', '127.0.0.1');
    const b = cand('b', '127.0.0.2');
    const far = cand('far', '127.0.0.3');
    rtoFor(infra, a, 5); // 50
    rtoFor(infra, b, 100); // 300: within 50 + 400
    rtoFor(infra, far, 200); // 600: outside
    // Input order decides between a and b; 'far' stays last either way.
    expect(names(orderCandidates([b, a, far], 'example', 'A', infra, keepOrder))).toEqual(['b', 'a', 'far']);
    expect(names(orderCandidates([b, a, far], 'example', 'A', infra, reverseOrder))).toEqual(['a', 'b', 'far']);
    const firsts = new Map<string, number>();
    for (let seed = 0; seed < 200; seed++) {
      const out = names(orderCandidates([a, b, far], 'example', 'A', infra, new SeededRandom(seed)));
      expect(out[2]).toBe('far');
      firsts.set(out[0]!, (firsts.get(out[0]!) ?? 0) + 1);
    }
    expect(firsts.get('a')).toBeGreaterThan(50);
    expect(firsts.get('b')).toBeGreaterThan(50);
  });

  it('has an inclusive band edge: best + band is in, anything above is out', () => {
    const { infra } = setUp();
    const best = cand('best', '127.0.0.1');
    const edge = cand('edge', '127.0.0.2');
    const past = cand('past', '127.0.0.3');
    rtoFor(infra, best, 5); // 50
    rtoFor(infra, edge, (50 + RTT_BAND_MS) / 3); // exactly 450
    rtoFor(infra, past, (50 + RTT_BAND_MS + 3) / 3); // 453
    expect(infra.rto(key(edge))).toBeCloseTo(50 + RTT_BAND_MS, 9);
    // reversed input: edge comes before best only if it counts as equal to it.
    expect(names(orderCandidates([best, edge, past], 'example', 'A', infra, reverseOrder))).toEqual(['edge', 'best', 'past']);
    expect(names(orderCandidates([past, best], 'example', 'A', infra, keepOrder))).toEqual(['best', 'past']);
  });

  it('puts servers lame for this zone last, servers in time-out back-off before them, and the healthy first', () => {
    const { infra } = setUp();
    const lame = cand('lame', '127.0.0.1');
    const backoff = cand('backoff', '127.0.0.2');
    const oneTimeout = cand('one-timeout', '127.0.0.3');
    const fast = cand('fast', '127.0.0.4');
    const slow = cand('slow', '127.0.0.5');
    rtoFor(infra, lame, 5); // 50, but lame for example
    infra.reportLame(key(lame), 'example', 'A');
    // Held down only after HOLD_DOWN_AFTER_TIMEOUTS in a row; one (or two) timeouts leave a server in the healthy tier.
    for (let i = 0; i < HOLD_DOWN_AFTER_TIMEOUTS; i++) infra.reportTimeout(key(backoff), infra.rto(key(backoff)));
    infra.reportTimeout(key(oneTimeout), infra.rto(key(oneTimeout))); // one: 752, still healthy
    rtoFor(infra, fast, 5); // 50
    rtoFor(infra, slow, 300); // 900
    const all = [lame, backoff, oneTimeout, fast, slow];
    for (const r of [keepOrder, reverseOrder, new SeededRandom(7)]) {
      expect(names(orderCandidates(all, 'example', 'A', infra, r))).toEqual(['fast', 'one-timeout', 'slow', 'backoff', 'lame']);
    }
    // Lameness is per zone: for another zone the lame server is as good as the fastest.
    const other = names(orderCandidates(all, 'other', 'A', infra, keepOrder));
    expect(other.slice(0, 2)).toEqual(['lame', 'fast']);
    expect(other.slice(2)).toEqual(['one-timeout', 'slow', 'backoff']);
  });

  it('orders within the back-off and lame tiers by RTO, and does not let them set the band', () => {
    const { infra } = setUp();
    const lameFast = cand('lame-fast', '127.0.0.1');
    const lameSlow = cand('lame-slow', '127.0.0.2');
    const boShort = cand('bo-short', '127.0.0.3');
    const boLong = cand('bo-long', '127.0.0.4');
    const healthyA = cand('healthy-a', '127.0.0.5');
    const healthyB = cand('healthy-b', '127.0.0.6');
    rtoFor(infra, lameFast, 5);
    rtoFor(infra, lameSlow, 600);
    infra.reportLame(key(lameFast), 'example', 'A');
    infra.reportLame(key(lameSlow), 'example', 'A');
    rtoFor(infra, boShort, 20); // 60 → 1920 after five timeouts
    for (let i = 0; i < HOLD_DOWN_AFTER_TIMEOUTS; i++) infra.reportTimeout(key(boShort), infra.rto(key(boShort)));
    for (let i = 0; i < HOLD_DOWN_AFTER_TIMEOUTS; i++) infra.reportTimeout(key(boLong), infra.rto(key(boLong))); // 376 → 12032
    rtoFor(infra, healthyA, 200); // 600
    rtoFor(infra, healthyB, 320); // 960: within 600 + 400 of healthy-a, not of a lame 50
    const input = [lameSlow, lameFast, boLong, boShort, healthyA, healthyB];
    expect(names(orderCandidates(input, 'example', 'A', infra, reverseOrder))).toEqual(['healthy-b', 'healthy-a', 'bo-short', 'bo-long', 'lame-fast', 'lame-slow']);
    expect(names(orderCandidates(input, 'example', 'A', infra, keepOrder))).toEqual(['healthy-a', 'healthy-b', 'bo-short', 'bo-long', 'lame-fast', 'lame-slow']);
  });

  it('still returns every server when all are lame', () => {
    const { infra } = setUp();
    const a = cand('a', '127.0.0.1');
    const b = cand('b', '127.0.0.2');
    rtoFor(infra, a, 300);
    rtoFor(infra, b, 5);
    infra.reportLame(key(a), 'example', 'A');
    infra.reportLame(key(b), 'example', 'A');
    expect(names(orderCandidates([a, b], 'example', 'A', infra, keepOrder))).toEqual(['b', 'a']);
  });

  it('returns the same objects, leaves the input alone, and handles an empty list', () => {
    const { infra } = setUp();
    const a = { ...cand('a', '127.0.0.1'), extra: 1 };
    const b = { ...cand('b', '127.0.0.2'), extra: 2 };
    rtoFor(infra, b, 5);
    rtoFor(infra, a, 300);
    const input = [a, b];
    const out = orderCandidates(input, 'example', 'A', infra, keepOrder);
    expect(out[0]).toBe(b);
    expect(out[1]).toBe(a);
    expect(input).toEqual([a, b]);
    expect(orderCandidates([], 'example', 'A', infra, keepOrder)).toEqual([]);
  });

  it('lets a lame server back to the front once its hold-down has passed', () => {
    const clock = new ManualClock();
    const infra = new InfraCache(clock, { unknownRtoMs: 400, minRtoMs: 50, maxRtoMs: 3000, ttlMs: 900_000, lameHoldMs: 10_000 });
    const a = cand('a', '127.0.0.1');
    const b = cand('b', '127.0.0.2');
    rtoFor(infra, a, 5);
    rtoFor(infra, b, 300);
    infra.reportLame(key(a), 'example', 'A');
    expect(names(orderCandidates([a, b], 'example', 'A', infra, keepOrder))).toEqual(['b', 'a']);
    clock.advance(10_000);
    expect(names(orderCandidates([a, b], 'example', 'A', infra, keepOrder))).toEqual(['a', 'b']);
  });
});
