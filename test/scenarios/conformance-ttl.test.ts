// TTL edge cases (issue 12, behaviour 9): a negative answer without an SOA is kept a short while (5 s, Unbound's
// NORR_TTL) and then asked again; records with TTL 0 answer the query that fetched them but are not cached;
// min-ttl / max-ttl bound every RRset the cache keeps and the first answer alike, through a CNAME chain too.
import type { Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { Rcode } from '../../src/wire/types.js';
import { conformanceHierarchy, exampleZone, NS1, NS2, sentTo } from '../helpers/conformance.js';
import { reply, rr, type Handler } from '../helpers/fake-net.js';

const aaEmpty: Packet = { type: 'response', flags: 0x400, answers: [], authorities: [], additionals: [] };
const aaNxdomainNoSoa: Packet = { type: 'response', flags: 0x400 | 3, answers: [], authorities: [], additionals: [] };

describe('TTL edge cases', () => {
  it('a NODATA without SOA is cached for 5 s, then asked again', async () => {
    const t = conformanceHierarchy({ ns1: () => aaEmpty, ns2: () => aaEmpty });
    const q = { name: 'www.example.com', type: 'TXT', class: 'IN' };
    const first = await t.resolver.resolve(q);
    expect(first.rcode).toBe(Rcode.NOERROR);
    expect(first.answer).toEqual([]);
    expect(sentTo(t, NS1, NS2)).toHaveLength(1);
    t.clock.advance(4_000);
    expect((await t.resolver.resolve(q)).rcode).toBe(Rcode.NOERROR);
    expect(sentTo(t, NS1, NS2)).toHaveLength(1);
    t.clock.advance(1_500);
    await t.resolver.resolve(q);
    expect(sentTo(t, NS1, NS2)).toHaveLength(2);
  });

  it('an NXDOMAIN without SOA is cached for 5 s too', async () => {
    const nx: Handler = (q, o) => (q.questions![0]!.name.toLowerCase() === 'gone.example.com' ? aaNxdomainNoSoa : exampleZone()(q, o));
    const t = conformanceHierarchy({ ns1: nx, ns2: nx });
    const q = { name: 'gone.example.com', type: 'A', class: 'IN' };
    expect((await t.resolver.resolve(q)).rcode).toBe(Rcode.NXDOMAIN);
    t.clock.advance(4_000);
    expect((await t.resolver.resolve({ ...q, type: 'AAAA' })).rcode).toBe(Rcode.NXDOMAIN);
    expect(sentTo(t, NS1, NS2)).toHaveLength(1);
    t.clock.advance(1_500);
    expect((await t.resolver.resolve(q)).rcode).toBe(Rcode.NXDOMAIN);
    expect(sentTo(t, NS1, NS2)).toHaveLength(2);
  });

  it('records with TTL 0 are answered but not cached beyond the query', async () => {
    const zone = exampleZone([rr.cname('zero.example.com', 'target.example.com', 0), rr.a('target.example.com', '192.0.2.8', 0)]);
    const t = conformanceHierarchy({ ns1: zone, ns2: zone });
    const q = { name: 'zero.example.com', type: 'A', class: 'IN' };
    const first = await t.resolver.resolve(q);
    expect(first.answer.map((x) => `${x.type} ${String(x.data)} ${x.ttl}`)).toEqual(['CNAME target.example.com 0', 'A 192.0.2.8 0']);
    const sent = sentTo(t, NS1, NS2).length;
    const again = await t.resolver.resolve(q);
    expect(again.answer.map((x) => x.ttl)).toEqual([0, 0]);
    expect(sentTo(t, NS1, NS2).length).toBeGreaterThan(sent);
  });

  it('in-zone glue with TTL 0 still reaches the servers it came with', async () => {
    const child = authoritativeChild();
    const t = conformanceHierarchy({
      com: [rr.ns('zeroglue.com', 'ns.zeroglue.com'), rr.a('ns.zeroglue.com', '127.3.4.1', 0)],
    });
    t.net.on('127.3.4.1', child);
    const r = await t.resolver.resolve({ name: 'www.zeroglue.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.44']);
  });

  it('max-ttl caps the first answer and every RRset of the chain, min-ttl raises them', async () => {
    const zone = exampleZone([rr.cname('alias.example.com', 'www.example.com', 3600), rr.a('short.example.com', '192.0.2.9', 5)]);
    const t = conformanceHierarchy({ ns1: zone, ns2: zone, config: { config: { maxTtl: 60, minTtl: 30 } } });
    const capped = await t.resolver.resolve({ name: 'alias.example.com', type: 'A', class: 'IN' });
    expect(capped.answer.map((x) => `${x.type} ${x.ttl}`)).toEqual(['CNAME 60', 'A 60']);
    const raised = await t.resolver.resolve({ name: 'short.example.com', type: 'A', class: 'IN' });
    expect(raised.answer.map((x) => x.ttl)).toEqual([30]);
    const sent = sentTo(t, NS1, NS2).length;
    t.clock.advance(20_000);
    const cached = await t.resolver.resolve({ name: 'short.example.com', type: 'A', class: 'IN' });
    expect(cached.answer.map((x) => x.ttl)).toEqual([10]);
    const chain = await t.resolver.resolve({ name: 'alias.example.com', type: 'A', class: 'IN' });
    expect(chain.answer.map((x) => `${x.type} ${x.ttl}`)).toEqual(['CNAME 39', 'A 39']);
    expect(sentTo(t, NS1, NS2).length).toBe(sent);
  });
});

function authoritativeChild(): Handler {
  return (q) => {
    const name = q.questions![0]!.name.toLowerCase();
    if (name === 'www.zeroglue.com') return reply.answer([rr.a('www.zeroglue.com', '192.0.2.44')]);
    if (name === 'zeroglue.com' || name === 'ns.zeroglue.com') return reply.nodata(rr.soa('zeroglue.com'));
    return reply.nxdomain(rr.soa('zeroglue.com'));
  };
}
