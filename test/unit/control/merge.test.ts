import { describe, expect, it } from 'vitest';
import type { ServerHealth } from '../../../src/cache/infra-cache.js';
import { mergeHealth, mergeReplies } from '../../../src/control/merge.js';
import { newCounters } from '../../../src/metrics.js';

const health = (over: Partial<ServerHealth>): ServerHealth => ({
  server: '192.0.2.1:53',
  zones: ['com'],
  srttMs: 10,
  rttVarMs: 5,
  rtoMs: 50,
  sent: 1,
  timeouts: 0,
  timeoutsInARow: 0,
  heldDown: false,
  lame: {},
  edns: true,
  preservesCase: true,
  ...over,
});

describe('merging workers’ control answers', () => {
  it('sums a server’s counts, keeps the busiest worker’s RTT and any worker’s bad marks', () => {
    const merged = mergeHealth([
      health({ sent: 10, srttMs: 12, zones: ['com'] }),
      health({ sent: 2, srttMs: 400, zones: ['net'], timeouts: 3, timeoutsInARow: 3, lame: { 'net|A': 1000 }, edns: false }),
      health({ server: '192.0.2.2:53', sent: 50 }),
    ]);
    expect(merged.map((h) => h.server)).toEqual(['192.0.2.2:53', '192.0.2.1:53']);
    expect(merged[1]).toMatchObject({ sent: 12, srttMs: 12, timeouts: 3, timeoutsInARow: 3, zones: ['com', 'net'], lame: { 'net|A': 1000 }, edns: false, preservesCase: true });
  });

  it('sums counters, fails when one worker failed or did not answer', () => {
    const a = { ...newCounters(), queries: 3 };
    const b = { ...newCounters(), queries: 4 };
    expect(mergeReplies({ cmd: 'stats' }, [{ ok: true, result: a }, { ok: true, result: b }], 2)).toMatchObject({ ok: true, result: { queries: 7 } });
    expect(mergeReplies({ cmd: 'reload' }, [{ ok: true, result: { needsRestart: [] } }, { ok: false, error: 'line 3: bad' }], 2)).toEqual({ ok: false, error: 'line 3: bad' });
    expect(mergeReplies({ cmd: 'stats' }, [{ ok: true, result: a }], 2)).toEqual({ ok: false, error: '1 of 2 workers did not answer' });
  });
});
