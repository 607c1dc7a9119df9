// The infrastructure cache on a manual clock: RFC 6298 SRTT/RTTVAR/RTO with bounds, RTO back-off on timeouts,
// lame hold-down per zone, entry expiry after infra-ttl, and the LRU bound.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INFRA_LIMITS, InfraCache, type InfraLimits } from '../../../src/cache/infra-cache.js';
import { ManualClock } from '../../../src/util/clock.js';

const S = '127.0.0.1:53';
const T = '127.0.0.2:53';

function make(limits: Partial<InfraLimits> = {}, maxEntries?: number): { clock: ManualClock; infra: InfraCache } {
  const clock = new ManualClock();
  return { clock, infra: new InfraCache(clock, { ...DEFAULT_INFRA_LIMITS, ...limits }, maxEntries) };
}

describe('InfraCache RTT estimation (RFC 6298 §2)', () => {
  it('knows nothing about a new server: no SRTT, the unknown-server RTO, no timeouts', () => {
    const { infra } = make({ unknownRtoMs: 376 });
    expect(infra.srtt(S)).toBeNull();
    expect(infra.rto(S)).toBe(376);
    expect(infra.timeouts(S)).toBe(0);
  });

  it('first sample: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4·RTTVAR', () => {
    const { infra } = make();
    infra.reportRtt(S, 100);
    expect(infra.srtt(S)).toBe(100);
    expect(infra.rto(S)).toBe(100 + 4 * 50);
    // Another server is not affected.
    expect(infra.srtt(T)).toBeNull();
    expect(infra.rto(T)).toBe(DEFAULT_INFRA_LIMITS.unknownRtoMs);
  });

  it('later samples: RTTVAR = 3/4·RTTVAR + 1/4·|SRTT − R|, SRTT = 7/8·SRTT + 1/8·R', () => {
    const { infra } = make();
    infra.reportRtt(S, 100);
    infra.reportRtt(S, 200);
    // RTTVAR 0.75·50 + 0.25·100 = 62.5; SRTT 87.5 + 25 = 112.5
    expect(infra.srtt(S)).toBeCloseTo(112.5, 9);
    expect(infra.rto(S)).toBeCloseTo(112.5 + 4 * 62.5, 9);
    infra.reportRtt(S, 112.5);
    // RTTVAR 0.75·62.5 + 0 = 46.875; SRTT unchanged
    expect(infra.srtt(S)).toBeCloseTo(112.5, 9);
    expect(infra.rto(S)).toBeCloseTo(112.5 + 4 * 46.875, 9);
  });

  it('steady samples converge: SRTT toward the RTT, RTO toward SRTT as the variance decays', () => {
    const { infra } = make({ minRtoMs: 1 });
    for (let i = 0; i < 200; i++) infra.reportRtt(S, 80);
    expect(infra.srtt(S)).toBeCloseTo(80, 6);
    expect(infra.rto(S)).toBeCloseTo(80, 3);
  });

  it('keeps the RTO within [minRto, maxRto]', () => {
    const { infra } = make({ minRtoMs: 50, maxRtoMs: 3000 });
    infra.reportRtt(S, 1); // 1 + 4·0.5 = 3
    expect(infra.srtt(S)).toBe(1);
    expect(infra.rto(S)).toBe(50);
    infra.reportRtt(T, 2000); // 2000 + 4·1000 = 6000
    expect(infra.srtt(T)).toBe(2000);
    expect(infra.rto(T)).toBe(3000);
    const other = make({ minRtoMs: 10, maxRtoMs: 100_000 }).infra;
    other.reportRtt(S, 1);
    expect(other.rto(S)).toBe(10);
    other.reportRtt(T, 2000);
    expect(other.rto(T)).toBe(6000);
  });
});

describe('InfraCache timeouts (RFC 6298 §5.5 back-off)', () => {
  it('doubles the RTO on each consecutive timeout, up to maxRto, and counts them', () => {
    const { infra } = make({ unknownRtoMs: 400, maxRtoMs: 3000 });
    const seen: [number, number][] = [];
    for (let i = 0; i < 5; i++) {
      infra.reportTimeout(S, infra.rto(S));
      seen.push([infra.rto(S), infra.timeouts(S)]);
    }
    expect(seen).toEqual([[800, 1], [1600, 2], [3000, 3], [3000, 4], [3000, 5]]);
  });

  it('backs off from a measured RTO, and a reply resets the count and recomputes the RTO from SRTT', () => {
    const { infra } = make();
    infra.reportRtt(S, 60); // RTO 60 + 120 = 180
    infra.reportTimeout(S, infra.rto(S));
    infra.reportTimeout(S, infra.rto(S));
    expect(infra.rto(S)).toBe(720);
    expect(infra.timeouts(S)).toBe(2);
    expect(infra.srtt(S)).toBe(60); // a timeout is not an RTT sample
    infra.reportRtt(S, 60); // RTTVAR 0.75·30 = 22.5, SRTT 60
    expect(infra.timeouts(S)).toBe(0);
    expect(infra.rto(S)).toBeCloseTo(60 + 4 * 22.5, 9);
  });
});

describe('InfraCache lame hold-down', () => {
  it('marks a server lame for one zone only, until the hold time has passed', () => {
    const { clock, infra } = make({ lameHoldMs: 60_000, ttlMs: 900_000 });
    infra.reportLame(S, 'example.com', 'A');
    expect(infra.isLame(S, 'example.com', 'A')).toBe(true);
    expect(infra.isLame(S, 'example.net', 'A')).toBe(false);
    expect(infra.isLame(T, 'example.com', 'A')).toBe(false);
    clock.advance(59_999);
    expect(infra.isLame(S, 'example.com', 'A')).toBe(true);
    clock.advance(1);
    expect(infra.isLame(S, 'example.com', 'A')).toBe(false);
  });

  it('lameness is per query type: lame for AAAA says nothing of A in the same zone', () => {
    const { infra } = make({ lameHoldMs: 60_000, ttlMs: 900_000 });
    infra.reportLame(S, 'example.com', 'AAAA');
    expect(infra.isLame(S, 'example.com', 'AAAA')).toBe(true);
    expect(infra.isLame(S, 'example.com', 'A')).toBe(false);
  });

  it('a later report starts a new hold time', () => {
    const { clock, infra } = make({ lameHoldMs: 60_000, ttlMs: 900_000 });
    infra.reportLame(S, 'example.com', 'A');
    clock.advance(61_000);
    expect(infra.isLame(S, 'example.com', 'A')).toBe(false);
    infra.reportLame(S, 'example.com', 'A');
    clock.advance(59_000);
    expect(infra.isLame(S, 'example.com', 'A')).toBe(true);
  });
});

describe('InfraCache expiry and bounds', () => {
  it('forgets what it learnt about a server once infra-ttl has passed since the last update', () => {
    const { clock, infra } = make({ ttlMs: 900_000, unknownRtoMs: 400 });
    infra.reportRtt(S, 30);
    infra.reportTimeout(S, infra.rto(S));
    infra.setEdns(S, false);
    infra.setPreservesCase(S, false);
    const rto = infra.rto(S);
    expect(rto).not.toBe(400);
    clock.advance(900_000);
    expect(infra.rto(S)).toBe(rto);
    expect(infra.timeouts(S)).toBe(1);
    expect(infra.useEdns(S)).toBe(false);
    expect(infra.useCaseRandomisation(S)).toBe(false);
    clock.advance(1);
    expect(infra.srtt(S)).toBeNull();
    expect(infra.rto(S)).toBe(400);
    expect(infra.timeouts(S)).toBe(0);
    expect(infra.useEdns(S)).toBe(true);
    expect(infra.useCaseRandomisation(S)).toBe(true);
  });

  it('each RTT sample or timeout restarts the entry lifetime', () => {
    const { clock, infra } = make({ ttlMs: 1_000 });
    infra.reportRtt(S, 30);
    clock.advance(800);
    infra.reportRtt(S, 30);
    clock.advance(800);
    expect(infra.srtt(S)).toBe(30);
    infra.reportTimeout(S, infra.rto(S));
    clock.advance(800);
    expect(infra.timeouts(S)).toBe(1);
    clock.advance(201);
    expect(infra.timeouts(S)).toBe(0);
    expect(infra.srtt(S)).toBeNull();
  });

  it('after expiry, a new sample starts afresh (first-sample rule)', () => {
    const { clock, infra } = make({ ttlMs: 1_000 });
    infra.reportRtt(S, 500);
    clock.advance(1_001);
    infra.reportRtt(S, 20);
    expect(infra.srtt(S)).toBe(20);
    expect(infra.rto(S)).toBe(Math.max(DEFAULT_INFRA_LIMITS.minRtoMs, 20 + 4 * 10));
  });

  it('EDNS and 0x20 default to on and are remembered per server', () => {
    const { infra } = make();
    expect(infra.useEdns(S)).toBe(true);
    expect(infra.useCaseRandomisation(S)).toBe(true);
    infra.setEdns(S, false);
    infra.setPreservesCase(T, false);
    expect(infra.useEdns(S)).toBe(false);
    expect(infra.useCaseRandomisation(S)).toBe(true);
    expect(infra.useEdns(T)).toBe(true);
    expect(infra.useCaseRandomisation(T)).toBe(false);
    infra.setEdns(S, true);
    expect(infra.useEdns(S)).toBe(true);
  });

  it('holds at most maxEntries servers, evicting the least recently used', () => {
    const { infra } = make({}, 2);
    infra.reportRtt('a', 10);
    infra.reportRtt('b', 20);
    infra.reportRtt('a', 10); // a is now the most recently used
    infra.reportRtt('c', 30);
    expect(infra.size).toBe(2);
    expect(infra.srtt('a')).toBe(10);
    expect(infra.srtt('b')).toBeNull();
    expect(infra.srtt('c')).toBe(30);
  });

  it('a lameness, EDNS or 0x20 report keeps the entry for another TTL, so the fact is not forgotten early', () => {
    const { clock, infra } = make();
    infra.reportRtt('s', 20);
    clock.advance(800_000);
    infra.reportLame('s', 'example', 'A');
    infra.setPreservesCase('s', false);
    clock.advance(100_001); // 900 s after the RTT sample, 100 s after the reports
    expect(infra.isLame('s', 'example', 'A')).toBe(true);
    expect(infra.useCaseRandomisation('s')).toBe(false);
  });
});
