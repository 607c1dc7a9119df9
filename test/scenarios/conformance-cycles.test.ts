// Dependency cycles (issue 12, behaviour 7): a.example's server is named in b.test, whose server is named in
// a.example. Glue from a parent breaks the cycle and the names resolve; without glue the resolver stops at the
// first repeat of a lookup already under way, quickly, with an EDE naming the cycle.
import { describe, expect, it } from 'vitest';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.3.0.1';
const TLD_EXAMPLE = '127.3.1.1';
const TLD_TEST = '127.3.1.2';
const A_HOST = '127.3.7.1';
const B_HOST = '127.3.7.2';

function hierarchy() {
  const t = makeResolver(ROOT);
  const zoneA = authoritative('a.example', [rr.ns('a.example', 'ns.b.test'), rr.a('www.a.example', '192.0.2.70'), rr.a('ns.a.example', A_HOST)]);
  const zoneB = authoritative('b.test', [rr.ns('b.test', 'ns.a.example'), rr.a('ns.b.test', B_HOST)]);
  t.net
    .on(ROOT, authoritative('.', [
      rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT),
      rr.ns('example', 'ns.tld-example.root'), rr.a('ns.tld-example.root', TLD_EXAMPLE),
      rr.ns('test', 'ns.tld-test.root'), rr.a('ns.tld-test.root', TLD_TEST),
    ]))
    .on(TLD_EXAMPLE, authoritative('example', [rr.ns('a.example', 'ns.b.test')]))
    .on(TLD_TEST, authoritative('test', [rr.ns('b.test', 'ns.a.example')]))
    // Both hosts serve both zones, as the operators of a cycle usually do.
    .on(A_HOST, (q, o) => (q.questions![0]!.name.toLowerCase().endsWith('b.test') ? zoneB(q, o) : zoneA(q, o)))
    .on(B_HOST, (q, o) => (q.questions![0]!.name.toLowerCase().endsWith('b.test') ? zoneB(q, o) : zoneA(q, o)));
  return t;
}

describe('dependency cycles between NS names', () => {
  it('without glue: a fast SERVFAIL whose EDE names the cycle', async () => {
    const t = hierarchy();
    const r = await t.resolver.resolve({ name: 'www.a.example', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/dependency cycle/);
    expect(r.ede?.text).toContain('ns.b.test → ns.a.example → ns.b.test');
    // Root priming, a.example and b.test referrals (minimised), nothing to any host: no server can be reached.
    expect(t.net.log.filter((l) => l.to === A_HOST || l.to === B_HOST)).toEqual([]);
    expect(t.net.log.length).toBeLessThanOrEqual(8);
  });

  it('glue from a parent breaks the cycle', async () => {
    const t = makeResolver(ROOT);
    const zoneA = authoritative('a.example', [rr.ns('a.example', 'ns.b.example'), rr.a('www.a.example', '192.0.2.70')]);
    const zoneB = authoritative('b.example', [rr.ns('b.example', 'ns.a.example'), rr.a('ns.b.example', B_HOST)]);
    t.net
      .on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.tld-example.root'), rr.a('ns.tld-example.root', TLD_EXAMPLE)]))
      // Sibling glue: ns.b.example is inside the example zone, so its address comes with the a.example referral.
      .on(TLD_EXAMPLE, authoritative('example', [rr.ns('a.example', 'ns.b.example'), rr.ns('b.example', 'ns.a.example'), rr.a('ns.b.example', B_HOST)]))
      .on(B_HOST, (q, o) => (q.questions![0]!.name.toLowerCase().endsWith('b.example') ? zoneB(q, o) : zoneA(q, o)));
    const r = await t.resolver.resolve({ name: 'www.a.example', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.70']);
  });
});
