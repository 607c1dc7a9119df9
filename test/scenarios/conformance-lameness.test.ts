// Lameness per query type and the recursion-lame last resort (issue 12, behaviour 5). A server lame for one type of
// a zone stays first choice for the others (RFC 1034 §4.2.1 is per zone; Unbound keeps it per zone and type). A
// server answering from a cache (RA set, AA clear) is asked last; when every server of the zone answers that way,
// the best of those answers is used at the lowest rank a client is ever served, as Unbound does.
import type { Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { Rank } from '../../src/cache/rank.js';
import { Rcode, serverKey } from '../../src/wire/types.js';
import { conformanceHierarchy, exampleZone, NS1, NS2, preferNs1, sentTo } from '../helpers/conformance.js';
import { rr, type Handler } from '../helpers/fake-net.js';

const RA = 0x80;

/** Answers like a recursive resolver: the zone's data, RA set, AA clear. */
function recursionLame(inner: Handler = exampleZone()): Handler {
  return async (q, o) => {
    const r = (await inner(q, o)) as Packet;
    return { ...r, flags: ((r.flags ?? 0) & ~0x400) | RA };
  };
}

/** A server that answers A but is lame for AAAA (an empty, non-authoritative reply). */
const lameForAaaa: Handler = (q, o) =>
  q.questions![0]!.type === 'AAAA' ? { type: 'response', flags: 0, answers: [], authorities: [], additionals: [] } : exampleZone([rr.a('mail.example.com', '192.0.2.25')])(q, o);

const key = (address: string): string => serverKey({ address, port: 53 });

describe('lameness per query type', () => {
  it('a server lame for AAAA is asked last for AAAA and still first for A', async () => {
    const t = preferNs1(conformanceHierarchy({ ns1: lameForAaaa, ns2: exampleZone([rr.a('mail.example.com', '192.0.2.25')]) }));
    const aaaa = await t.resolver.resolve({ name: 'www.example.com', type: 'AAAA', class: 'IN' });
    expect(aaaa.rcode).toBe(Rcode.NOERROR);
    expect(sentTo(t, NS1, NS2)).toEqual([`${NS1} www.example.com AAAA`, `${NS2} www.example.com AAAA`]);
    expect(t.infra.isLame(key(NS1), 'example.com', 'AAAA')).toBe(true);

    const before = t.net.log.length;
    await t.resolver.resolve({ name: 'mail.example.com', type: 'AAAA', class: 'IN' });
    await t.resolver.resolve({ name: 'mail.example.com', type: 'A', class: 'IN' });
    expect(t.net.log.slice(before).map((l) => `${l.to} ${l.type}`)).toEqual([`${NS2} AAAA`, `${NS1} A`]);
  });
});

describe('recursion-lame servers as the last resort', () => {
  it('an authoritative server is preferred over a recursion-lame one', async () => {
    const t = preferNs1(conformanceHierarchy({ ns1: recursionLame() }));
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
    expect(sentTo(t, NS1, NS2)).toEqual([`${NS1} www.example.com A`, `${NS2} www.example.com A`]);
    expect(t.rrsets.get('www.example.com', 'A', Rank.ADDITIONAL)?.entry.rank).toBe(Rank.ANSWER_AUTH);
  });

  it('when every server is recursion-lame, the best of their answers is used at a low rank instead of SERVFAIL', async () => {
    const t = conformanceHierarchy({ ns1: recursionLame(), ns2: recursionLame() });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
    expect(sentTo(t, NS1, NS2)).toHaveLength(2);
    expect(t.rrsets.get('www.example.com', 'A', Rank.ADDITIONAL)?.entry.rank).toBe(Rank.ANSWER_NONAUTH);
    expect(t.infra.isLame(key(NS1), 'example.com', 'A')).toBe(true);
    expect(t.infra.isLame(key(NS2), 'example.com', 'A')).toBe(true);
  });

  it('an answer beats a denial among recursion-lame replies', async () => {
    const denies = recursionLame(() => ({ type: 'response', flags: 3, answers: [], authorities: [rr.soa('example.com')] as never, additionals: [] }));
    const t = preferNs1(conformanceHierarchy({ ns1: denies, ns2: recursionLame() }));
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
    expect(sentTo(t, NS1, NS2)).toEqual([`${NS1} www.example.com A`, `${NS2} www.example.com A`]);
  });
});
