// The Overview figures from control replies: rates over the interval, hit ratio, percentiles with hits in the
// first bucket, an hour of history bounded at HISTORY_POINTS, and at most one round of requests a second.
import { describe, expect, it } from 'vitest';
import type { ControlReply, ControlRequest } from '../../../src/control/protocol.js';
import { newCounters } from '../../../src/metrics.js';
import { HISTORY_POINTS, OverviewSampler, weightedRtt } from '../../../src/web/overview.js';

function fake() {
  const state = { queries: 0, hits: 0, asked: [] as string[] };
  const control = async (req: ControlRequest): Promise<ControlReply> => {
    state.asked.push(req.cmd);
    switch (req.cmd) {
      case 'stats':
        return { ok: true, result: { ...newCounters(), queries: state.queries, answerCacheHits: state.hits } };
      case 'servers':
        return { ok: true, result: [{ server: 'a', srttMs: 10, sent: 3 }, { server: 'b', srttMs: 40, sent: 1 }, { server: 'c', srttMs: null, sent: 0 }] };
      case 'top':
        return {
          ok: true,
          result: { uptimeSeconds: 5, addresses: ['127.0.0.1:53'], workers: 2, counters: { ...newCounters(), queries: state.queries, answerCacheHits: state.hits, blocked: 1 }, latency: [0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0], topNames: [], topClients: [], topServfail: [{ key: 'no reachable server', count: 2 }], slowServers: [] },
        };
      case 'status':
        return { ok: true, result: { memory: { rrsets: 1, negative: 2, answers: 3 } } };
      default:
        return { ok: false, error: 'unexpected' };
    }
  };
  return { state, control };
}

describe('OverviewSampler', () => {
  it('turns two stats replies into a history point: queries/s and the hit ratio of the step', async () => {
    let now = 0;
    const f = fake();
    const o = new OverviewSampler(f.control, () => now);
    await o.step();
    f.state.queries = 200;
    f.state.hits = 150;
    now = 10_000;
    await o.step();
    const v = await o.current();
    expect(v.history).toEqual([{ t: 10_000, qps: 20, hitRatio: 0.75 }]);
    expect(v.upstreamRttMs).toBe(17.5);
    expect(v.hitRatio).toBe(0.75);
    expect(v.blockedShare).toBe(0.005);
    // 150 hits in the first bucket, 10 full-path answers in the 50–100 ms bucket: the median is a hit, p99 is slow.
    expect(v.p50Ms).toBe(0.1);
    expect(v.p99Ms).toBe(100);
    expect(v.servfailReasons).toEqual([{ key: 'no reachable server', count: 2 }]);
    expect(v.workers).toBe(2);
    expect(v.memory.caches).toEqual({ rrsets: 1, negative: 2, answers: 3 });
  });

  it('keeps an hour of points, no more', async () => {
    let now = 0;
    const o = new OverviewSampler(fake().control, () => now);
    for (let i = 0; i < HISTORY_POINTS + 50; i++) {
      now += 10_000;
      await o.step();
    }
    const v = await o.current();
    expect(v.history.length).toBe(HISTORY_POINTS);
    expect(v.history.at(-1)!.t).toBe(now);
  });

  it('makes the figures at most once a second, however many ask', async () => {
    let now = 0;
    const f = fake();
    const o = new OverviewSampler(f.control, () => now);
    await Promise.all([o.current(), o.current(), o.current()]);
    const once = f.state.asked.filter((c) => c === 'top').length;
    expect(once).toBe(1);
    now = 500;
    await o.current();
    expect(f.state.asked.filter((c) => c === 'top').length).toBe(1);
    now = 1000;
    f.state.queries = 30;
    const v = await o.current();
    expect(f.state.asked.filter((c) => c === 'top').length).toBe(2);
    expect(v.qps).toBe(30);
  });
});

describe('weightedRtt', () => {
  it('weights each server by what it was sent; none asked: null', () => {
    expect(weightedRtt([])).toBeNull();
    expect(weightedRtt([{ srttMs: 10, sent: 1 }, { srttMs: 20, sent: 1 }] as never)).toBe(15);
  });
});
