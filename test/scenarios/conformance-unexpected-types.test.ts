// Records of a type that was not asked in an answer section (issue 12, behaviour 2): they are scrubbed from the
// reply — neither served nor cached — and what is left is used; they never turn the reply into SERVFAIL.
import { describe, expect, it } from 'vitest';
import { Rank } from '../../src/cache/rank.js';
import { Rcode } from '../../src/wire/types.js';
import { conformanceHierarchy, NS1, NS2, sentTo } from '../helpers/conformance.js';
import { reply, rr, type Handler } from '../helpers/fake-net.js';

/** A server that answers every question about www.example.com with its TXT and an A of another name. */
const offTopic: Handler = (q) => {
  const { name, type } = q.questions![0]!;
  if (type === 'A') return reply.answer([rr.a(name, '192.0.2.1'), rr.txt(name, 'not asked'), rr.a('other.example.com', '192.0.2.99')]);
  return reply.answer([rr.txt(name, 'not asked'), rr.a('other.example.com', '192.0.2.99')]);
};

describe('unexpected record types in an answer', () => {
  it('an answer holding only RRsets that were not asked is NODATA, not a lame server', async () => {
    const t = conformanceHierarchy({ ns1: offTopic, ns2: offTopic });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'AAAA', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer).toEqual([]);
    expect(sentTo(t, NS1, NS2)).toHaveLength(1);
    expect(t.rrsets.get('www.example.com', 'TXT', Rank.ADDITIONAL)).toBeNull();
    expect(t.rrsets.get('other.example.com', 'A', Rank.ADDITIONAL)).toBeNull();
  });

  it('the asked RRset is used and the others are dropped', async () => {
    const t = conformanceHierarchy({ ns1: offTopic, ns2: offTopic });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => `${x.name} ${x.type} ${String(x.data)}`)).toEqual(['www.example.com A 192.0.2.1']);
    expect(t.rrsets.get('www.example.com', 'TXT', Rank.ADDITIONAL)).toBeNull();
    // A TXT question afterwards goes to the zone: nothing of the dropped RRset was kept.
    const before = sentTo(t, NS1, NS2).length;
    await t.resolver.resolve({ name: 'www.example.com', type: 'TXT', class: 'IN' });
    expect(sentTo(t, NS1, NS2).length).toBe(before + 1);
  });

  it('ANY takes every RRset at the name (RFC 1035 §3.2.3)', async () => {
    const t = conformanceHierarchy({ ns1: offTopic, ns2: offTopic });
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'ANY', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => `${x.name.toLowerCase()} ${x.type}`)).toEqual([`www.example.com TXT`]);
  });
});
