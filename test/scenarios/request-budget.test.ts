// Budgets per request: a caller that joined an identical question in flight keeps its own deadline, and
// limits reach the resolver's limit hook once each.
import { describe, expect, it } from 'vitest';
import type { LimitHit } from '../../src/resolver/limits.js';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr, type Reply } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.5.0.1';
const AUTH = '127.5.1.1';
const A = { name: 'www.example', type: 'A', class: 'IN' } as const;
const rootZone = authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400)]);
const exampleZone = authoritative('example', [rr.ns('example', 'ns.example'), rr.a('www.example', '192.0.2.7')]);

describe('joined identical questions', () => {
  it('a caller who joined later still has time when the first caller’s budget ran out: it tries again', async () => {
    const t = makeResolver(ROOT, { config: { serveStale: false, qnameMinimisation: false }, limits: { queryTimeoutMs: 3000 } });
    t.net.on(ROOT, rootZone);
    const start = t.clock.nowMs();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let calls = 0;
    t.net.on(AUTH, async (q, o): Promise<Reply> => {
      if (++calls > 1) return exampleZone(q, o);
      await held;
      // The first caller's deadline passes while this server stays silent.
      t.clock.advance(start + 3000 - t.clock.nowMs() - o.timeoutMs + 1);
      return 'drop';
    });
    const first = t.resolver.resolve(A);
    await new Promise((r) => setImmediate(r));
    t.clock.advance(1000);
    const joined = t.resolver.resolve(A); // deadline 4000: 1000 ms later than the first caller's
    release();
    const [r1, r2] = await Promise.all([first, joined]);
    expect(r1.rcode).toBe(Rcode.SERVFAIL);
    expect(r1.limit).toBe('query-time');
    expect(r2.rcode).toBe(Rcode.NOERROR);
    expect(r2.answer.map((x) => x.data)).toEqual(['192.0.2.7']);
  });

  it('a joined caller whose own deadline passed too gets the shared failure, without a new resolution', async () => {
    const t = makeResolver(ROOT, { config: { serveStale: false, qnameMinimisation: false }, limits: { queryTimeoutMs: 3000 } });
    t.net.on(ROOT, rootZone);
    const start = t.clock.nowMs();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    t.net.on(AUTH, async (_q, o): Promise<Reply> => {
      await held;
      t.clock.advance(start + 5000 - t.clock.nowMs() - o.timeoutMs);
      return 'drop';
    });
    const first = t.resolver.resolve(A);
    await new Promise((r) => setImmediate(r));
    t.clock.advance(1000);
    const joined = t.resolver.resolve(A);
    release();
    const [r1, r2] = await Promise.all([first, joined]);
    expect(r1.limit).toBe('query-time');
    expect(r2).toBe(r1);
    expect(t.net.countTo(AUTH)).toBe(1);
  });
});

describe('the limit hook', () => {
  it('hears the limit that stopped a request', async () => {
    const hits: LimitHit[] = [];
    const t = makeResolver(ROOT, { config: { serveStale: false }, limits: { maxUpstreamQueries: 2 }, onLimit: (h) => hits.push(h) });
    t.net.on(ROOT, rootZone).on(AUTH, () => 'drop');
    const r = await t.resolver.resolve(A);
    expect(r.limit).toBe('upstream-queries');
    expect(hits.map((h) => h.limit)).toEqual(['upstream-queries']);
  });
});
