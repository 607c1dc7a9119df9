// DNAME scrubbing (issue 12, behaviour 8; RFC 6672 §2.4, §3): only a single-record DNAME owned by an ancestor of the
// name redirects it; the CNAME for the name is synthesised from it, never taken from the reply as sent.
import { describe, expect, it } from 'vitest';
import { Rank } from '../../src/cache/rank.js';
import { Rcode, type RR } from '../../src/wire/types.js';
import { conformanceHierarchy, exampleZone, NS1, NS2, preferNs1, sentTo } from '../helpers/conformance.js';
import { reply, rr, type Handler } from '../helpers/fake-net.js';

const dname = (owner: string, target: string, ttl = 300): RR => ({ name: owner, type: 'DNAME', class: 'IN', ttl, data: target });
const real = exampleZone([rr.a('www.real.example.com', '192.0.2.7')]);

/**
 * The example.com zone with dn.example.com DNAME real.example.com: replies for names below dn are `below`; the
 * owner itself has no A (a DNAME does not redirect its owner), which a minimised query for it finds.
 */
function withDname(below: (qname: string) => RR[]): Handler {
  return (q, o) => {
    const name = q.questions![0]!.name.toLowerCase();
    if (name === 'dn.example.com') return reply.nodata(rr.soa('example.com'));
    return name.endsWith('.dn.example.com') ? reply.answer(below(name)) : real(q, o);
  };
}
const asked = (t: Parameters<typeof sentTo>[0]): string[] => sentTo(t, NS1, NS2).map((s) => s.slice(s.indexOf(' ') + 1));

const answered = (answer: RR[]): string[] => answer.map((x) => `${x.name.toLowerCase()} ${x.type} ${String(x.data)}`);

describe('DNAME scrubbing', () => {
  it('a correct DNAME without a CNAME still redirects: the CNAME is synthesised', async () => {
    const h = withDname(() => [dname('dn.example.com', 'real.example.com')]);
    const t = conformanceHierarchy({ ns1: h, ns2: h });
    const r = await t.resolver.resolve({ name: 'www.dn.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(answered(r.answer)).toEqual([
      'dn.example.com DNAME real.example.com',
      'www.dn.example.com CNAME www.real.example.com',
      'www.real.example.com A 192.0.2.7',
    ]);
    // dn.example.com first: QNAME minimisation (RFC 9156) asks one label at a time.
    expect(asked(t)).toEqual(['dn.example.com A', 'www.dn.example.com A', 'real.example.com A', 'www.real.example.com A']);
  });

  it('a CNAME that disagrees with the DNAME is dropped: the synthesised one is followed', async () => {
    const h = withDname((name) => [dname('dn.example.com', 'real.example.com'), rr.cname(name, 'www.elsewhere.example.com')]);
    const t = conformanceHierarchy({ ns1: h, ns2: h });
    const r = await t.resolver.resolve({ name: 'www.dn.example.com', type: 'A', class: 'IN' });
    expect(answered(r.answer)).toContain('www.dn.example.com CNAME www.real.example.com');
    expect(answered(r.answer).join()).not.toContain('elsewhere');
    expect(sentTo(t, NS1, NS2).join()).not.toContain('elsewhere');
  });

  it('a DNAME owned by a name that is not an ancestor of the query name is neither served nor cached', async () => {
    const h: Handler = () => reply.answer([dname('other.example.com', 'evil.example.com'), rr.a('www.example.com', '192.0.2.1')]);
    const t = conformanceHierarchy({ ns1: h, ns2: h });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(answered(r.answer)).toEqual(['www.example.com A 192.0.2.1']);
    expect(t.rrsets.get('other.example.com', 'DNAME', Rank.ADDITIONAL)).toBeNull();
  });

  it('a DNAME RRset of more than one record makes the reply unusable (RFC 6672 §2.4): the other server is asked', async () => {
    const broken = withDname((name) => [dname('dn.example.com', 'real.example.com'), dname('dn.example.com', 'elsewhere.example.com'), rr.cname(name, 'www.real.example.com')]);
    const good = withDname(() => [dname('dn.example.com', 'real.example.com')]);
    const t = preferNs1(conformanceHierarchy({ ns1: broken, ns2: good }));
    const r = await t.resolver.resolve({ name: 'www.dn.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(answered(r.answer)).toEqual([
      'dn.example.com DNAME real.example.com',
      'www.dn.example.com CNAME www.real.example.com',
      'www.real.example.com A 192.0.2.7',
    ]);
    expect(sentTo(t, NS1, NS2).filter((s) => s.includes('www.dn'))).toEqual([`${NS1} www.dn.example.com A`, `${NS2} www.dn.example.com A`]);
    const cached = t.rrsets.get('dn.example.com', 'DNAME', Rank.ADDITIONAL);
    expect(cached?.records.map((x) => x.data)).toEqual(['real.example.com']);

    const u = conformanceHierarchy({ ns1: broken, ns2: broken });
    const failed = await u.resolver.resolve({ name: 'www.dn.example.com', type: 'A', class: 'IN' });
    expect(failed.rcode).toBe(Rcode.SERVFAIL);
    expect(failed.ede?.text).toMatch(/DNAME/);
  });
});
