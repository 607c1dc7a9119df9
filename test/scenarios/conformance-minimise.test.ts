// QNAME minimisation that never costs an answer (issue 12, behaviour 1; RFC 9156 §2.3, §3, RFC 8020): a minimised
// query that fails is retried with the full name and the zone is remembered as one not to minimise in; an
// NXDOMAIN for an intermediate name stops the resolution once the zone has shown it denies only names that
// really do not exist; the extra queries stay within MAX_MINIMISE_COUNT.
import { describe, expect, it } from 'vitest';
import { MAX_MINIMISE_COUNT } from '../../src/resolver/minimise.js';
import { Rcode } from '../../src/wire/types.js';
import { conformanceHierarchy, exampleZone, NS1, NS2, sentTo } from '../helpers/conformance.js';
import { reply, rr, type Handler, type Reply } from '../helpers/fake-net.js';

const zone = exampleZone([rr.a('a.b.example.com', '192.0.2.11'), rr.a('c.b.example.com', '192.0.2.12')]);
/** The zone, except that the empty non-terminal b.example.com gets `bad`. */
const choking = (bad: Reply): Handler => (q, o) => (q.questions![0]!.name.toLowerCase() === 'b.example.com' ? bad : zone(q, o));
/** The names asked of example.com's servers, in order, from the `from`th query on. */
const asked = (t: Parameters<typeof sentTo>[0], from = 0): string[] => sentTo(t, NS1, NS2).slice(from).map((s) => s.slice(s.indexOf(' ') + 1));

describe('QNAME minimisation that never costs an answer', () => {
  it.each([
    ['REFUSED', reply.rcode(Rcode.REFUSED)],
    ['FORMERR', reply.rcode(Rcode.FORMERR)],
    ['NOTIMP', reply.rcode(Rcode.NOTIMP)],
    ['NXDOMAIN for an empty non-terminal', reply.nxdomain(rr.soa('example.com'))],
  ] as [string, Reply][])('after %s to a minimised name: the full name answers, and the zone is not minimised in again', async (_what, bad) => {
    const h = choking(bad);
    const t = conformanceHierarchy({ ns1: h, ns2: h });
    const first = await t.resolver.resolve({ name: 'a.b.example.com', type: 'A', class: 'IN' });
    expect(first.rcode).toBe(Rcode.NOERROR);
    expect(first.answer.map((x) => x.data)).toEqual(['192.0.2.11']);
    expect(asked(t).at(0)).toBe('b.example.com A');
    expect(asked(t).at(-1)).toBe('a.b.example.com A');
    const before = sentTo(t, NS1, NS2).length;
    const second = await t.resolver.resolve({ name: 'c.b.example.com', type: 'A', class: 'IN' });
    expect(second.answer.map((x) => x.data)).toEqual(['192.0.2.12']);
    expect(asked(t, before)).toEqual(['c.b.example.com A']);
  });

  it('an NXDOMAIN for an intermediate name ends the resolution once the zone is known to mean it (RFC 8020)', async () => {
    const t = conformanceHierarchy();
    const first = await t.resolver.resolve({ name: 'x.gone.example.com', type: 'A', class: 'IN' });
    expect(first.rcode).toBe(Rcode.NXDOMAIN);
    // The first minimised NXDOMAIN in a zone is checked with the full name (relaxed mode, RFC 9156 §2.3).
    expect(asked(t)).toEqual(['gone.example.com A', 'x.gone.example.com A']);
    const before = sentTo(t, NS1, NS2).length;
    const second = await t.resolver.resolve({ name: 'y.none.example.com', type: 'AAAA', class: 'IN' });
    expect(second.rcode).toBe(Rcode.NXDOMAIN);
    expect(second.authority.map((x) => x.type)).toEqual(['SOA']);
    expect(asked(t, before)).toEqual(['none.example.com A']);
    // The denied intermediate name itself is cached as NXDOMAIN for every type (RFC 2308 §5).
    expect((await t.resolver.resolve({ name: 'none.example.com', type: 'TXT', class: 'IN' })).rcode).toBe(Rcode.NXDOMAIN);
    expect(sentTo(t, NS1, NS2).length).toBe(before + 1);
  });

  it(`sends at most ${MAX_MINIMISE_COUNT} minimised queries for a long name (RFC 9156 §2.3)`, async () => {
    const long = 'l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11.l12.l13.l14.example.com';
    const t = conformanceHierarchy({ ns1: exampleZone([rr.a(long, '192.0.2.14')]), ns2: exampleZone([rr.a(long, '192.0.2.14')]) });
    const r = await t.resolver.resolve({ name: long, type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.14']);
    expect(asked(t).length).toBeLessThanOrEqual(MAX_MINIMISE_COUNT + 1);
    expect(asked(t).at(-1)).toBe(`${long} A`);
  });
});
