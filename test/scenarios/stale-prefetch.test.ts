// Serve-stale (RFC 8767) and prefetch, on a manual clock.
import { describe, expect, it } from 'vitest';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { makeResolver, type TestResolver } from '../helpers/resolver.js';

const ROOT = '127.4.0.1';
const AUTH = '127.4.1.1';
const q = { name: 'www.example', type: 'A', class: 'IN' };

function setUp(config = {}): TestResolver {
  const t = makeResolver(ROOT, { config });
  t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns1.example'), rr.a('ns1.example', AUTH, 86400)]));
  t.net.on(AUTH, authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('ns1.example', AUTH, 86400), rr.a('www.example', '192.0.2.1', 300)]));
  return t;
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('serve-stale', () => {
  it('answers from expired cache with TTL 30 and EDE 3 when the authority has gone away', async () => {
    const t = setUp();
    expect((await t.resolver.resolve(q)).rcode).toBe(Rcode.NOERROR);
    t.clock.advance(400_000);
    t.net.on(AUTH, () => 'drop');
    const r = await t.resolver.resolve(q);
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => [x.data, x.ttl])).toEqual([['192.0.2.1', 30]]);
    expect(r.ede?.code).toBe(3);
    expect(r.stale).toBe(true);
  });

  it('gives up on data older than the stale window, and can be switched off', async () => {
    const t = setUp({ staleWindow: 600 });
    await t.resolver.resolve(q);
    t.clock.advance(1_000_000);
    t.net.on(AUTH, () => 'drop');
    expect((await t.resolver.resolve(q)).rcode).toBe(Rcode.SERVFAIL);
    const off = setUp({ serveStale: false });
    await off.resolver.resolve(q);
    off.clock.advance(400_000);
    off.net.on(AUTH, () => 'drop');
    expect((await off.resolver.resolve(q)).rcode).toBe(Rcode.SERVFAIL);
  });
});

describe('prefetch', () => {
  it('refreshes an RRset asked for in the last 10% of its TTL, so it never goes cold', async () => {
    const t = setUp();
    await t.resolver.resolve(q);
    const before = t.net.countTo(AUTH);
    t.clock.advance(280_000); // 20 s of 300 left
    const hit = await t.resolver.resolve(q);
    expect(hit.answer[0]!.ttl).toBeLessThanOrEqual(20);
    await settle();
    expect(t.net.countTo(AUTH)).toBe(before + 1);
    t.clock.advance(30_000); // past the original expiry
    const after = await t.resolver.resolve(q);
    expect(after.answer[0]!.ttl).toBeGreaterThan(250);
    expect(t.net.countTo(AUTH)).toBe(before + 1);
  });

  it('does nothing when switched off', async () => {
    const t = setUp({ prefetch: false });
    await t.resolver.resolve(q);
    const before = t.net.countTo(AUTH);
    t.clock.advance(280_000);
    await t.resolver.resolve(q);
    await settle();
    expect(t.net.countTo(AUTH)).toBe(before);
  });
});

describe('robustness', () => {
  it('a failure inside resolution becomes one SERVFAIL, never a client left waiting (serve-stale on)', async () => {
    const t = setUp();
    t.net.on(AUTH, () => {
      throw new Error('boom');
    });
    const r = await t.resolver.resolve(q);
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/internal error: boom/);
  });
});
