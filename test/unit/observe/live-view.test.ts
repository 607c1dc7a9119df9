import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { AnswerCache, answerKey } from '../../../src/cache/answer-cache.js';
import { ManualClock } from '../../../src/util/clock.js';
import { SeededRandom } from '../../../src/util/random.js';
import { peekQuery } from '../../../src/wire/question.js';
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

  it('takes hit counts from the answer cache, a sampled hit client as HIT_SAMPLE, and merges workers’ tops', () => {
    const live = new LiveView();
    const cache = new AnswerCache(100, new ManualClock(), 'fixed', new SeededRandom(1));
    const query = dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'WWW.Example.com', type: 'A', class: 'IN' }] });
    const reply = dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'WWW.Example.com', type: 'A', class: 'IN' }], answers: [{ name: 'WWW.Example.com', type: 'A', ttl: 60, data: '192.0.2.1' }] });
    const peeked = peekQuery(query)!;
    const key = answerKey(query, peeked.questionEnd, false, false, false);
    cache.store(key, reply, peeked.questionEnd);
    for (let i = 0; i < 3; i++) expect(cache.lookup(key, query, 7, true, peeked.questionEnd)).not.toBeNull();
    live.addHits(cache.takeHits());
    expect(cache.takeHits()).toEqual([]);
    live.sampleHitClient('192.0.2.9');
    expect(live.snapshot().topNames).toEqual([{ key: 'www.example.com', count: 3 }]);
    expect(live.snapshot().topClients).toEqual([{ key: '192.0.2.9', count: HIT_SAMPLE }]);
    expect(mergeTops([[{ key: 'x', count: 2 }, { key: 'y', count: 5 }], [{ key: 'x', count: 4 }]])).toEqual([
      { key: 'x', count: 6 },
      { key: 'y', count: 5 },
    ]);
  });
});
