// Parent and child NS sets (issue 12, behaviour 3; RFC 2181 §5.4.1): the child's authoritative NS set and its
// addresses replace the parent's delegation and glue in the cache, but never outlive the delegation the parent
// gave — so a domain moved to new servers at the parent (a "domain sale") leaves the old operator, which keeps
// answering with its old NS set, once the parent's TTL is up.
import { describe, expect, it } from 'vitest';
import { Rank } from '../../src/cache/rank.js';
import { Rcode, type RR } from '../../src/wire/types.js';
import { authoritative, rr, type Handler } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.3.0.1';
const COM = '127.3.1.1';
const OLD = '127.3.8.1';
const CHILD_NS3 = '127.3.8.3';
const NEW = '127.3.8.2';

/** An authoritative server that puts its zone's NS set (and their addresses) in every positive answer, as BIND does. */
function withApexNs(origin: string, records: RR[]): Handler {
  const inner = authoritative(origin, records);
  const ns = records.filter((r) => r.type === 'NS' && r.name === origin);
  const glue = records.filter((r) => r.type === 'A' && ns.some((n) => n.data === r.name));
  return async (q, o) => {
    const r = await inner(q, o);
    if (Buffer.isBuffer(r) || typeof r === 'string' || (r.answers ?? []).length === 0) return r;
    return { ...r, authorities: ns as never, additionals: glue as never };
  };
}

function hierarchy(delegation: RR[]) {
  const t = makeResolver(ROOT);
  let com = delegation;
  t.net
    .on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', COM)]))
    .on(COM, (q, o) => authoritative('com', [rr.ns('com', 'ns.nic.com'), ...com])(q, o));
  return { t, redelegate: (next: RR[]) => void (com = next) };
}

const oldZone = withApexNs('example.com', [
  rr.ns('example.com', 'ns1.example.com', 86400), rr.ns('example.com', 'ns3.example.com', 86400),
  rr.a('ns1.example.com', OLD, 86400), rr.a('ns3.example.com', CHILD_NS3, 86400),
  rr.a('www.example.com', '192.0.2.1', 300),
]);

describe('parent and child NS sets', () => {
  it("the child's NS set and addresses replace the parent's delegation and glue", async () => {
    // The parent names one server, with a stale glue address for it; the child names two, at their real addresses.
    const { t } = hierarchy([rr.ns('example.com', 'ns1.example.com', 3600), rr.ns('example.com', 'ns3.example.com', 3600), rr.a('ns1.example.com', OLD), rr.a('ns3.example.com', '127.3.8.99')]);
    t.net.on(OLD, oldZone).on(CHILD_NS3, oldZone);
    expect((await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' })).rcode).toBe(Rcode.NOERROR);
    const ns = t.rrsets.get('example.com', 'NS', Rank.ADDITIONAL);
    expect(ns?.entry.rank).toBe(Rank.AUTHORITY_AUTH);
    expect(ns?.records.map((r) => r.data).sort()).toEqual(['ns1.example.com', 'ns3.example.com']);
    // The child's TTL (86400) is capped by the delegation's: it cannot outlive what the parent said.
    expect(ns?.ttl).toBeLessThanOrEqual(3600);
    expect(t.rrsets.get('ns3.example.com', 'A', Rank.ADDITIONAL)?.records.map((r) => r.data)).toEqual([CHILD_NS3]);
  });

  it('a domain moved at the parent leaves the old servers once the delegation TTL is up', async () => {
    const { t, redelegate } = hierarchy([rr.ns('example.com', 'ns1.example.com', 3600), rr.a('ns1.example.com', OLD, 3600)]);
    t.net.on(OLD, oldZone).on(CHILD_NS3, oldZone);
    const newZone = withApexNs('example.com', [rr.ns('example.com', 'ns2.example.com'), rr.a('ns2.example.com', NEW), rr.a('www.example.com', '198.51.100.1')]);
    t.net.on(NEW, newZone);
    expect((await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' })).answer[0]!.data).toBe('192.0.2.1');
    // The sale: the parent now delegates to the new operator; the old one keeps serving its old zone.
    redelegate([rr.ns('example.com', 'ns2.example.com', 3600), rr.a('ns2.example.com', NEW, 3600)]);
    // Within the delegation's TTL the old servers are still asked — and keep sending their NS set with AA.
    for (let minutes = 10; minutes < 60; minutes += 10) {
      t.clock.advance(600_000);
      await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
      await t.resolver.resolve({ name: 'example.com', type: 'NS', class: 'IN' });
    }
    t.clock.advance(700_000);
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['198.51.100.1']);
    expect(t.net.log.at(-1)?.to).toBe(NEW);
  });

  it("when the servers of the child's NS set do not answer, the parent's delegation is asked", async () => {
    // The parent names ns1; the child's own NS set names ns3 only.
    const childOnly = withApexNs('example.com', [rr.ns('example.com', 'ns3.example.com'), rr.a('ns3.example.com', CHILD_NS3), rr.a('www.example.com', '192.0.2.1'), rr.a('mail.example.com', '192.0.2.2')]);
    const { t } = hierarchy([rr.ns('example.com', 'ns1.example.com', 3600), rr.a('ns1.example.com', OLD, 3600)]);
    t.net.on(OLD, childOnly).on(CHILD_NS3, childOnly);
    await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(t.rrsets.get('example.com', 'NS', Rank.ADDITIONAL)?.records.map((r) => r.data)).toEqual(['ns3.example.com']);
    // The child's server goes silent: the parent's delegation (ns1) still answers.
    t.net.on(CHILD_NS3, () => 'drop');
    const viaParent = await t.resolver.resolve({ name: 'mail.example.com', type: 'A', class: 'IN' });
    expect(viaParent.rcode).toBe(Rcode.NOERROR);
    expect(viaParent.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
    expect(t.net.log.at(-1)?.to).toBe(OLD);
  });
});
