// Retransmission timeouts on a manual clock (issue 18): the RTO doubles per timeout from Unbound's 376 ms start
// within a 50 ms floor and a 120 s cap, timeouts of tries sent together back off once, a reply brings the RTO back
// down from the measured RTT, and only a run of timeouts with no reply in between holds a server down.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INFRA_LIMITS, HOLD_DOWN_AFTER_TIMEOUTS, InfraCache } from '../../../src/cache/infra-cache.js';
import { ManualClock } from '../../../src/util/clock.js';

const S = '127.0.0.1:53';

function make(): { clock: ManualClock; infra: InfraCache } {
  const clock = new ManualClock();
  return { clock, infra: new InfraCache(clock) };
}

/** One try of `infra`'s server that timed out, sent with the RTO of the moment. */
const timeOut = (infra: InfraCache): void => infra.reportTimeout(S, infra.rto(S));

describe('RTO back-off (RFC 6298 §5.5)', () => {
  it('starts at 376 ms without data, with a 50 ms floor and a 120 s cap (Unbound util/rtt.h)', () => {
    expect(DEFAULT_INFRA_LIMITS).toMatchObject({ unknownRtoMs: 376, minRtoMs: 50, maxRtoMs: 120_000 });
    const { infra } = make();
    expect(infra.rto(S)).toBe(376);
    infra.reportRtt(S, 2);
    expect(infra.rto(S)).toBe(50);
  });

  it('doubles on each timeout, 376 → 752 → 1504 …, and stops at the cap', () => {
    const { infra } = make();
    const seen: number[] = [];
    for (let i = 0; i < 11; i++) {
      timeOut(infra);
      seen.push(infra.rto(S));
    }
    expect(seen).toEqual([752, 1504, 3008, 6016, 12_032, 24_064, 48_128, 96_256, 120_000, 120_000, 120_000]);
  });

  it('backs off once for tries sent together with the same RTO (forty queries losing to one outage)', () => {
    const { infra } = make();
    const sentWith = infra.rto(S);
    for (let i = 0; i < 40; i++) infra.reportTimeout(S, sentWith);
    expect(infra.rto(S)).toBe(2 * sentWith);
    expect(infra.timeouts(S)).toBe(1);
  });

  it('ignores the timeout of a try sent before a reply brought the RTO down', () => {
    const { infra } = make();
    const sentWith = infra.rto(S); // 376, in flight while another query's reply comes back
    infra.reportRtt(S, 40); // RTO 40 + 4·20 = 120
    infra.reportTimeout(S, sentWith);
    expect(infra.rto(S)).toBe(120);
    expect(infra.timeouts(S)).toBe(0);
  });

  it('decays back after replies: the first reply recomputes the RTO from SRTT, steady replies bring it to the RTT', () => {
    const { infra } = make();
    infra.reportRtt(S, 40); // SRTT 40, RTTVAR 20: 120
    for (let i = 0; i < 4; i++) timeOut(infra);
    expect(infra.rto(S)).toBe(120 * 16);
    infra.reportRtt(S, 40); // RTTVAR 15, SRTT 40
    expect(infra.rto(S)).toBe(40 + 4 * 15);
    for (let i = 0; i < 30; i++) infra.reportRtt(S, 40);
    expect(infra.rto(S)).toBe(DEFAULT_INFRA_LIMITS.minRtoMs);
    expect(infra.srtt(S)).toBe(40);
  });

  it('a late reply is an RTT sample of the try it answers: the RTO grows to cover the slow path', () => {
    const { infra } = make();
    infra.reportRtt(S, 40); // RTO 120
    timeOut(infra); // the try waited 120 ms; its reply comes 300 ms after it was sent
    infra.reportRtt(S, 300);
    // RTTVAR 0.75·20 + 0.25·260 = 80, SRTT 35 + 37.5 = 72.5: RTO 392.5, above the 300 ms the reply took.
    expect(infra.rto(S)).toBeCloseTo(72.5 + 4 * 80, 9);
    expect(infra.rto(S)).toBeGreaterThan(300);
    expect(infra.timeouts(S)).toBe(0);
  });
});

describe('hold-down', () => {
  it('holds a server down only after HOLD_DOWN_AFTER_TIMEOUTS timeouts in a row', () => {
    const { infra } = make();
    for (let i = 1; i < HOLD_DOWN_AFTER_TIMEOUTS; i++) {
      timeOut(infra);
      expect(infra.isHeldDown(S)).toBe(false);
    }
    timeOut(infra);
    expect(infra.isHeldDown(S)).toBe(true);
  });

  it('a reply lifts it, and losses spread between replies never add up to it', () => {
    const { infra } = make();
    for (let i = 0; i < HOLD_DOWN_AFTER_TIMEOUTS; i++) timeOut(infra);
    infra.reportRtt(S, 30);
    expect(infra.isHeldDown(S)).toBe(false);
    expect(infra.timeouts(S)).toBe(0);
    for (let i = 0; i < 100; i++) {
      timeOut(infra);
      infra.reportRtt(S, 30);
    }
    expect(infra.isHeldDown(S)).toBe(false);
  });

  it('is forgotten with the entry after infra-ttl', () => {
    const { clock, infra } = make();
    for (let i = 0; i < HOLD_DOWN_AFTER_TIMEOUTS; i++) timeOut(infra);
    clock.advance(DEFAULT_INFRA_LIMITS.ttlMs + 1);
    expect(infra.isHeldDown(S)).toBe(false);
    expect(infra.rto(S)).toBe(376);
  });
});
