// The dashboard's query log ring: bounded, newest first, filters, and the merge of several workers' rows.
import { describe, expect, it } from 'vitest';
import { answerKey } from '../../../src/cache/answer-cache.js';
import { buildQuery } from '../../helpers/client.js';
import { fromAnswerKey, mergeRows, QueryRing } from '../../../src/observe/query-ring.js';

describe('QueryRing', () => {
  it('keeps exactly the last N queries, newest first', () => {
    const r = new QueryRing(3);
    for (let i = 0; i < 5; i++) r.push('192.0.2.1', 'udp', `n${i}.example`, 'A', 0, 1, i, false);
    expect(r.length).toBe(3);
    expect(r.recent({}, 10).map((q) => q.name)).toEqual(['n4.example', 'n3.example', 'n2.example']);
    expect(r.recent({}, 2).map((q) => q.name)).toEqual(['n4.example', 'n3.example']);
  });

  it('filters by client, name part, type, rcode, blocked and cached', () => {
    const r = new QueryRing(100);
    r.push('192.0.2.1', 'udp', 'www.Example.com', 'A', 0, 1, 0, true);
    r.push('192.0.2.2', 'tcp', 'ads.tracker.net', 'AAAA', 3, 0, 0.5, false, 'blocklist', '15 blocked by /l.txt line 4: tracker.net');
    r.push('192.0.2.1', 'udp', 'broken.example', 'A', 2, 0, 40, false);
    r.push('192.0.2.3', 'udp', 'x.example', 'A', 'dropped', 0, 0, false, 'ratelimit');
    const names = (f: Parameters<QueryRing['recent']>[0]): string[] => r.recent(f, 100).map((q) => q.name);
    expect(names({ client: '192.0.2.1' })).toEqual(['broken.example', 'www.Example.com']);
    expect(names({ name: 'EXAMPLE' })).toEqual(['x.example', 'broken.example', 'www.Example.com']);
    expect(names({ type: 'aaaa' })).toEqual(['ads.tracker.net']);
    expect(names({ rcode: 2 })).toEqual(['broken.example']);
    expect(names({ rcode: 'dropped' })).toEqual(['x.example']);
    expect(names({ blocked: true })).toEqual(['ads.tracker.net']);
    expect(names({ cached: true })).toEqual(['www.Example.com']);
    expect(r.recent({ blocked: true }, 1)[0]).toEqual({
      time: expect.any(Number), client: '192.0.2.2', transport: 'tcp', name: 'ads.tracker.net', type: 'AAAA', rcode: 3, answers: 0, ms: 0.5, cached: false,
      policy: 'blocklist', ede: '15 blocked by /l.txt line 4: tracker.net',
    });
    expect(r.recent({ rcode: 'dropped' }, 1)[0]!.rcode).toBe('dropped');
  });

  it('a cache hit leaves its answer-cache key; the log reads the name and type out of it, and filters on them', () => {
    const r = new QueryRing(10);
    const q = buildQuery('WWW.Example.COM', 'AAAA', { edns: true });
    const key = answerKey(q, q.length - 11, false, false, true);
    r.pushHit('192.0.2.9', 'tcp', key, 0, 2);
    r.push('192.0.2.9', 'udp', 'other.example', 'A', 0, 1, 3, false);
    expect(r.recent({ type: 'AAAA' }, 10)).toEqual([{ time: expect.any(Number), client: '192.0.2.9', transport: 'tcp', name: 'www.example.com', type: 'AAAA', rcode: 0, answers: 2, ms: 0, cached: true }]);
    expect(r.recent({ name: 'www' }, 10).map((x) => x.name)).toEqual(['www.example.com']);
    expect(r.recent({}, 10).map((x) => x.name)).toEqual(['other.example', 'www.example.com']);
    expect(fromAnswerKey(answerKey(buildQuery('.', 'NS'), buildQuery('.', 'NS').length, false, false, false))).toEqual({ name: '.', type: 'NS' });
    r.close();
  });

  it('size 0 keeps nothing', () => {
    const r = new QueryRing(0);
    r.push('192.0.2.1', 'udp', 'a.example', 'A', 0, 1, 0, false);
    expect(r.recent({}, 10)).toEqual([]);
  });

  it('merges workers newest first, cut to the limit', () => {
    const row = (time: number) => ({ time, client: 'c', transport: 'udp', name: `t${time}`, type: 'A', rcode: 0, answers: 1, ms: 0, cached: false });
    expect(mergeRows([[row(5), row(1)], [row(4), row(3)]], 3).map((r) => r.time)).toEqual([5, 4, 3]);
  });
});
