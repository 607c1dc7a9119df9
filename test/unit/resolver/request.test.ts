// The Request: one budget per request, shared by its side resolutions; the in-progress set grows along a
// path only; limits are reported once each, and only stopping limits stop the request.
import { describe, expect, it } from 'vitest';
import type { LimitHit } from '../../../src/resolver/limits.js';
import { Request, type Recursion } from '../../../src/resolver/request.js';
import type { Resolution } from '../../../src/resolver/resolution.js';
import { RecordingTrace } from '../../../src/resolver/trace.js';
import type { Question } from '../../../src/wire/types.js';

const EMPTY: Resolution = { rcode: 0, answer: [], authority: [] };

function recursion(): Recursion & { seen: Request[]; prefetched: Question[]; limits: LimitHit[] } {
  const r = {
    seen: [] as Request[],
    prefetched: [] as Question[],
    limits: [] as LimitHit[],
    resolve: (_name: string, _type: string, req: Request) => {
      r.seen.push(req);
      return Promise.resolve(EMPTY);
    },
    prefetch: (q: Question) => void r.prefetched.push(q),
    onLimit: (hit: LimitHit) => void r.limits.push(hit),
  };
  return r;
}

describe('Request', () => {
  it('starts with a budget of its own, at depth 0, nothing in progress', () => {
    const rec = recursion();
    const a = Request.start({ deadlineMs: 1000 }, rec);
    const b = Request.start({ deadlineMs: 1000 }, rec);
    a.budget.upstreamQueries++;
    a.budget.nsLookupsByZone.set('example', 1);
    expect(b.budget.upstreamQueries).toBe(0);
    expect(b.budget.nsLookupsByZone.size).toBe(0);
    expect(a.depth).toBe(0);
    expect(a.isInProgress('ns1.example', 'A')).toBe(false);
    expect(a.timeLeftMs(400)).toBe(600);
  });

  it('sub() resolves one level deeper on the same budget with (name, type) in progress on that path only', async () => {
    const rec = recursion();
    const top = Request.start({ deadlineMs: 1000 }, rec);
    await top.sub('NS1.Example.', 'A');
    const child = rec.seen[0]!;
    expect(child.depth).toBe(1);
    expect(child.budget).toBe(top.budget);
    expect(child.isInProgress('ns1.example', 'A')).toBe(true);
    expect(child.isInProgress('ns1.example', 'AAAA')).toBe(false);
    expect(top.isInProgress('ns1.example', 'A')).toBe(false);
    await child.sub('ns2.example', 'AAAA');
    const grandchild = rec.seen[1]!;
    expect(grandchild.depth).toBe(2);
    expect(grandchild.isInProgress('ns1.example', 'A')).toBe(true);
    expect(grandchild.isInProgress('ns2.example', 'AAAA')).toBe(true);
    expect(child.isInProgress('ns2.example', 'AAAA')).toBe(false);
  });

  it('keeps the trace and the refresh flag in side resolutions', async () => {
    const rec = recursion();
    const trace = new RecordingTrace();
    const top = Request.start({ deadlineMs: 1000, trace, refreshing: true }, rec);
    await top.sub('ns.example', 'A');
    expect(rec.seen[0]!.trace).toBe(trace);
    expect(rec.seen[0]!.refreshing).toBe(true);
    rec.seen[0]!.step({ kind: 'ns-lookup', nsName: 'ns.example', zone: 'example', depth: 1 });
    expect(trace.events).toHaveLength(1);
  });

  it('stop() ends the request for every path; skip() only records why one path was cut short', () => {
    const rec = recursion();
    const req = Request.start({ deadlineMs: 1000 }, rec);
    req.skip({ limit: 'ns-lookups', detail: 'NS lookup limit 4 for example' }, 'ns5.example (NS lookup limit 4 for example)');
    expect(req.budget.limitHit).toBeNull();
    expect(req.budget.failures).toEqual(['ns5.example (NS lookup limit 4 for example)']);
    req.stop({ limit: 'upstream-queries', detail: 'upstream query limit of 32 reached' });
    expect(req.budget.limitHit?.limit).toBe('upstream-queries');
    expect(rec.limits.map((l) => l.limit)).toEqual(['ns-lookups', 'upstream-queries']);
  });

  it('prefetch() goes back to the resolver', () => {
    const rec = recursion();
    Request.start({ deadlineMs: 1000 }, rec).prefetch({ name: 'www.example', type: 'A', class: 'IN' });
    expect(rec.prefetched).toEqual([{ name: 'www.example', type: 'A', class: 'IN' }]);
  });
});
