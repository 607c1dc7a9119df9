import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { HIT_SAMPLE, LATENCY_BOUNDS_MS, LiveView, mergeTops, percentileMs } from '../../../src/observe/live-view.js';

describe('the live view behind rootline top', () => {
  it('buckets answer times and reads percentiles off the histogram', () => {
    const live = new LiveView();
    for (let i = 0; i < 98; i++) live.noteAnswer('a.example', '192.0.2.1', 0.05, null);
    live.noteAnswer('b.example', '192.0.2.1', 40, null);
    live.noteAnswer('c.example', '192.0.2.2', 9000, 'no server for c.example answered');
    const { latency, topNames, topClients, topServfail } = live.snapshot();
    expect(latency).toHaveLength(LATENCY_BOUNDS_MS.length + 1);
    expect(percentileMs(latency, 0.5)).toBe(0.1);
    expect(percentileMs(latency, 0.99)).toBe(50);
    expect(percentileMs(latency, 1)).toBe(Infinity);
    expect(percentileMs([0, 0], 0.5)).toBeNull();
    expect(topNames[0]).toEqual({ key: 'a.example', count: 98 });
    expect(topClients.map((c) => c.key)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(topServfail).toEqual([{ key: 'no server for c.example answered', count: 1 }]);
  });

  it('counts a sampled hit as HIT_SAMPLE hits, and merges workers’ tops', () => {
    const live = new LiveView();
    const query = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'WWW.Example.com', type: 'A', class: 'IN' }] });
    live.sampleHit(query, '192.0.2.9');
    expect(live.snapshot().topNames).toEqual([{ key: 'www.example.com', count: HIT_SAMPLE }]);
    expect(mergeTops([[{ key: 'x', count: 2 }, { key: 'y', count: 5 }], [{ key: 'x', count: 4 }]])).toEqual([
      { key: 'x', count: 6 },
      { key: 'y', count: 5 },
    ]);
  });
});
