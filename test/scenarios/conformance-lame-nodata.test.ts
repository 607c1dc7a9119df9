// Replies that look like a negative answer but are lame (issue 12, behaviour 6): no SOA of the zone, AA clear, no
// referral. Such a reply says nothing about the name: the zone's other servers are asked, and only a reply with
// the zone's SOA (or AA set) counts as NODATA / NXDOMAIN.
import type { Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { serverKey } from '../../src/wire/types.js';
import { Rcode } from '../../src/wire/types.js';
import { conformanceHierarchy, NS1, NS2, sentTo } from '../helpers/conformance.js';
import { rr } from '../helpers/fake-net.js';

const emptyNoAa: Packet = { type: 'response', flags: 0, answers: [], authorities: [], additionals: [] };
const nxdomainNoAaNoSoa: Packet = { type: 'response', flags: 3, answers: [], authorities: [], additionals: [] };

describe('NODATA-looking lame replies', () => {
  it('an empty NOERROR without SOA or AA is lame: the other server gives the real NODATA', async () => {
    const t = conformanceHierarchy({ ns1: () => emptyNoAa });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'AAAA', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer).toEqual([]);
    expect(r.authority.map((x) => `${x.name} ${x.type}`)).toEqual(['example.com SOA']);
    expect(sentTo(t, NS1, NS2)).toEqual([`${NS1} www.example.com AAAA`, `${NS2} www.example.com AAAA`]);
    // Lame for that zone and type only (RFC 1034 §4.2.1).
    expect(t.infra.isLame(serverKey({ address: NS1, port: 53 }), 'example.com', 'AAAA')).toBe(true);
    expect(t.infra.isLame(serverKey({ address: NS1, port: 53 }), 'example.com', 'A')).toBe(false);
  });

  it('an NXDOMAIN without SOA or AA is lame too: the name exists on the other server', async () => {
    const t = conformanceHierarchy({ ns1: () => nxdomainNoAaNoSoa });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
    expect(sentTo(t, NS1, NS2)).toEqual([`${NS1} www.example.com A`, `${NS2} www.example.com A`]);
  });

  it('when every server of the zone is lame that way the answer is SERVFAIL, not a negative answer', async () => {
    const t = conformanceHierarchy({ ns1: () => emptyNoAa, ns2: () => nxdomainNoAaNoSoa });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/not authoritative/);
    expect(t.negatives.get('www.example.com', 'A')).toBeNull();
  });

  it('a NODATA with the zone SOA counts even with AA clear, and so does an AA NODATA without SOA', async () => {
    const soaNoAa: Packet = { type: 'response', flags: 0, answers: [], authorities: [rr.soa('example.com')] as never, additionals: [] };
    const t = conformanceHierarchy({ ns1: () => soaNoAa, ns2: () => soaNoAa });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'TXT', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.authority.map((x) => x.type)).toEqual(['SOA']);
    expect(sentTo(t, NS1, NS2)).toHaveLength(1);

    const aaNoSoa: Packet = { type: 'response', flags: 0x400, answers: [], authorities: [], additionals: [] };
    const u = conformanceHierarchy({ ns1: () => aaNoSoa, ns2: () => aaNoSoa });
    const nodata = await u.resolver.resolve({ name: 'www.example.com', type: 'TXT', class: 'IN' });
    expect(nodata.rcode).toBe(Rcode.NOERROR);
    expect(nodata.answer).toEqual([]);
    expect(sentTo(u, NS1, NS2)).toHaveLength(1);
  });
});
