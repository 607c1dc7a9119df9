// Scenario tests: the real resolver against a scripted hierarchy on a fake network with a manual clock.
import { beforeEach, describe, expect, it } from 'vitest';
import { Rank } from '../../src/cache/rank.js';
import { RecordingTrace } from '../../src/resolver/trace.js';
import { Rcode, type RR } from '../../src/wire/types.js';
import { authoritative, reply, rr } from '../helpers/fake-net.js';
import { makeResolver, type TestResolver } from '../helpers/resolver.js';

const ROOT = '127.1.0.1';
const COM = '127.1.1.1';
const NET = '127.1.2.1';
const EXAMPLE = '127.1.3.1';
const PROVIDER = '127.1.4.1';
const GLUELESS = '127.1.5.1';

function hierarchy(t: TestResolver, exampleRecords: RR[] = []): void {
  t.net
    .on(ROOT, authoritative('.', [
      rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT),
      rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', COM),
      rr.ns('net', 'ns.nic.net'), rr.a('ns.nic.net', NET),
    ]))
    .on(COM, authoritative('com', [
      rr.ns('com', 'ns.nic.com'),
      rr.ns('example.com', 'ns1.example.com'), rr.a('ns1.example.com', EXAMPLE),
      rr.ns('glueless.com', 'ns.provider.net'),
    ]))
    .on(NET, authoritative('net', [rr.ns('net', 'ns.nic.net'), rr.ns('provider.net', 'ns.provider.net'), rr.a('ns.provider.net', PROVIDER)]))
    .on(EXAMPLE, authoritative('example.com', [
      rr.ns('example.com', 'ns1.example.com'), rr.a('ns1.example.com', EXAMPLE),
      rr.a('www.example.com', '192.0.2.10'),
      rr.cname('alias.example.com', 'www.example.com'),
      rr.cname('ext.example.com', 'www.provider.net'),
      rr.a('rr.example.com', '192.0.2.1'), rr.a('rr.example.com', '192.0.2.2'), rr.a('rr.example.com', '192.0.2.3'),
      rr.cname('loop1.example.com', 'loop2.provider.net'),
      ...exampleRecords,
    ]))
    .on(PROVIDER, authoritative('provider.net', [
      rr.ns('provider.net', 'ns.provider.net'), rr.a('ns.provider.net', PROVIDER),
      rr.a('www.provider.net', '198.51.100.7'),
      rr.cname('loop2.provider.net', 'loop1.example.com'),
    ]))
    .on(GLUELESS, authoritative('glueless.com', [rr.ns('glueless.com', 'ns.provider.net'), rr.a('www.glueless.com', '203.0.113.5')]));
  // ns.provider.net serves glueless.com too: route its address to a server answering for both zones.
  t.net.on(PROVIDER, (q, o) => {
    const name = q.questions![0]!.name.toLowerCase();
    return name.endsWith('glueless.com')
      ? authoritative('glueless.com', [rr.ns('glueless.com', 'ns.provider.net'), rr.a('www.glueless.com', '203.0.113.5')])(q, o)
      : authoritative('provider.net', [
          rr.ns('provider.net', 'ns.provider.net'), rr.a('ns.provider.net', PROVIDER),
          rr.a('www.provider.net', '198.51.100.7'), rr.cname('loop2.provider.net', 'loop1.example.com'),
        ])(q, o);
  });
}

describe('iterative resolution', () => {
  let t: TestResolver;
  beforeEach(() => {
    t = makeResolver(ROOT);
    hierarchy(t);
  });

  it('walks root → TLD → authoritative and then answers from cache', async () => {
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.10']);
    expect(t.net.countTo(COM)).toBe(1);
    expect(t.net.countTo(EXAMPLE)).toBe(1);
    const before = t.net.log.length;
    t.clock.advance(10_000);
    const again = await t.resolver.resolve({ name: 'WWW.example.com', type: 'A', class: 'IN' });
    expect(again.answer[0]!.ttl).toBe(290);
    expect(t.net.log.length).toBe(before);
  });

  it('starts later queries at the deepest known zone cut', async () => {
    await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    const rootQueries = t.net.countTo(ROOT);
    await t.resolver.resolve({ name: 'alias.example.com', type: 'A', class: 'IN' });
    expect(t.net.countTo(ROOT)).toBe(rootQueries);
    expect(t.net.countTo(COM)).toBe(1);
  });

  it('follows a CNAME chain across zones and TLDs, returning the whole chain', async () => {
    const r = await t.resolver.resolve({ name: 'ext.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => `${x.type} ${x.data}`)).toEqual(['CNAME www.provider.net', 'A 198.51.100.7']);
  });

  it('resolves a glueless delegation by looking up the NS name first', async () => {
    const trace = new RecordingTrace();
    const r = await t.resolver.resolve({ name: 'www.glueless.com', type: 'A', class: 'IN' }, trace);
    expect(r.answer.map((x) => x.data)).toEqual(['203.0.113.5']);
    expect(trace.events.some((e) => e.kind === 'ns-lookup' && e.nsName === 'ns.provider.net')).toBe(true);
  });

  it('detects a CNAME loop across zones and answers SERVFAIL', async () => {
    const r = await t.resolver.resolve({ name: 'loop1.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/loop/);
  });

  it('returns NXDOMAIN and NODATA with the SOA, and caches them (RFC 2308)', async () => {
    const nx = await t.resolver.resolve({ name: 'missing.example.com', type: 'A', class: 'IN' });
    expect(nx.rcode).toBe(Rcode.NXDOMAIN);
    expect(nx.authority[0]!.type).toBe('SOA');
    expect(nx.authority[0]!.ttl).toBe(300);
    const nodata = await t.resolver.resolve({ name: 'www.example.com', type: 'AAAA', class: 'IN' });
    expect(nodata.rcode).toBe(Rcode.NOERROR);
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority[0]!.type).toBe('SOA');
    const sent = t.net.log.length;
    t.clock.advance(60_000);
    const again = await t.resolver.resolve({ name: 'missing.example.com', type: 'TXT', class: 'IN' });
    expect(again.rcode).toBe(Rcode.NXDOMAIN);
    // 300 s negative TTL, stored a few simulated ms after the start, 60 s later: 239 whole seconds left.
    expect(again.authority[0]!.ttl).toBe(239);
    expect(t.net.log.length).toBe(sent);
  });

  it('asks the parent again when in-bailiwick glue expired before its NS set', async () => {
    await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    t.clock.advance(301_000); // glue (300 s) gone, NS sets (86400 s) still cached
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(t.net.countTo(COM)).toBe(2);
  });

  it('rotates A records on every answer', async () => {
    const firsts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await t.resolver.resolve({ name: 'rr.example.com', type: 'A', class: 'IN' });
      expect(r.answer.map((x) => x.data).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
      firsts.push(r.answer[0]!.data as string);
    }
    expect(firsts.slice(0, 3).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    expect(firsts[3]).toBe(firsts[0]);
  });
});

describe('bad upstreams', () => {
  it('skips a server that times out and uses the other server of the zone', async () => {
    const t = makeResolver(ROOT);
    hierarchy(t);
    const second = '127.1.3.2';
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', COM)]));
    t.net.on(COM, authoritative('com', [
      rr.ns('example.com', 'ns1.example.com'), rr.ns('example.com', 'ns2.example.com'),
      rr.a('ns1.example.com', EXAMPLE), rr.a('ns2.example.com', second),
    ]));
    t.net.on(EXAMPLE, () => 'drop');
    t.net.on(second, authoritative('example.com', [rr.a('www.example.com', '192.0.2.10')]));
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.10']);
  });

  it('treats REFUSED/SERVFAIL as lame and fails with an explaining EDE when nothing else is left', async () => {
    const t = makeResolver(ROOT);
    hierarchy(t);
    t.net.on(EXAMPLE, () => reply.rcode(Rcode.REFUSED));
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.code).toBe(22);
    expect(r.ede?.text).toMatch(/example\.com/);
    expect(r.ede?.text).toMatch(/REFUSED/);
  });

  it('answers EDE 23 (Network Error) when every server of the zone fails at the network level', async () => {
    const t = makeResolver(ROOT);
    hierarchy(t);
    t.net.on(EXAMPLE, () => 'neterror');
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.code).toBe(23);
    expect(r.ede?.text).toMatch(/example\.com/);
  });

  it('never caches out-of-bailiwick records a server adds (poisoning attempt)', async () => {
    const t = makeResolver(ROOT);
    hierarchy(t);
    const honest = authoritative('example.com', [rr.a('www.example.com', '192.0.2.10')]);
    t.net.on(EXAMPLE, (q, o) => {
      const base = honest(q, o) as ReturnType<typeof reply.answer>;
      return { ...base, additionals: [rr.a('www.provider.net', '6.6.6.6'), rr.ns('net', 'evil.example.com')] as never };
    });
    await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(t.rrsets.get('www.provider.net', 'A', Rank.ADDITIONAL)).toBeNull();
    const r = await t.resolver.resolve({ name: 'www.provider.net', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['198.51.100.7']);
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const t = makeResolver(ROOT);
    hierarchy(t);
    const honest = authoritative('example.com', [rr.a('www.example.com', '192.0.2.10')]);
    t.net.on(EXAMPLE, (q, o) => (o.tcp ? honest(q, o) : { type: 'response', flags: 0x0400 | 0x0200 }));
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.10']);
    expect(t.net.log.filter((l) => l.to === EXAMPLE).map((l) => l.tcp)).toEqual([false, true]);
  });

  it('ignores a reply with the wrong ID and moves on', async () => {
    const t = makeResolver(ROOT);
    hierarchy(t);
    t.net.on(EXAMPLE, (q) => ({ ...reply.answer([rr.a('www.example.com', '6.6.6.6')]), id: ((q.id ?? 0) + 1) & 0xffff }));
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(t.rrsets.get('www.example.com', 'A', Rank.ADDITIONAL)).toBeNull();
  });

  it('caps CNAME chains', async () => {
    const chain: RR[] = [];
    for (let i = 0; i < 15; i++) chain.push(rr.cname(`c${i}.example.com`, `c${i + 1}.example.com`));
    chain.push(rr.a('c15.example.com', '192.0.2.99'));
    const t = makeResolver(ROOT);
    hierarchy(t, chain);
    const r = await t.resolver.resolve({ name: 'c0.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/chain longer than 12/);
    const ok = await t.resolver.resolve({ name: 'c5.example.com', type: 'A', class: 'IN' });
    expect(ok.rcode).toBe(Rcode.NOERROR);
    expect(ok.answer).toHaveLength(11);
  });

  it('stops at the NS lookup limit for a delegation to many glueless names', async () => {
    const t = makeResolver(ROOT, { limits: { maxNsLookups: 3 } });
    hierarchy(t);
    const many: RR[] = [];
    for (let i = 0; i < 100; i++) many.push(rr.ns('victim.com', `ns${i}.nowhere.net`));
    t.net.on(COM, authoritative('com', many));
    t.net.on(NET, authoritative('net', [rr.ns('nowhere.net', 'ns.provider.net'), rr.a('ns.provider.net', PROVIDER)]));
    t.net.on(PROVIDER, () => reply.nxdomain(rr.soa('nowhere.net')));
    const r = await t.resolver.resolve({ name: 'www.victim.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(t.net.log.length).toBeLessThanOrEqual(12);
  });
});
