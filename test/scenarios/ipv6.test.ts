// IPv6 upstream servers: used when the host can reach IPv6 (ipv6-upstream true, or auto with a global address),
// skipped without a query when it cannot, and an unreachable IPv6 address just moves on to the next server.
import { describe, expect, it } from 'vitest';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.9.0.1';
const V4 = '127.9.1.1';
const V6 = '2001:db8::53';

function setUp(useIpv6: boolean, v6Reachable: boolean) {
  const t = makeResolver(ROOT, { useIpv6 });
  t.net.on(ROOT, authoritative('.', [
    rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT),
    // example has one server with only an IPv6 address and one with only an IPv4 address.
    rr.ns('example', 'ns6.example'), rr.aaaa('ns6.example', V6),
    rr.ns('example', 'ns4.example'), rr.a('ns4.example', V4),
    rr.ns('only6', 'ns.only6'), rr.aaaa('ns.only6', V6),
  ]));
  const names = ['www', 'a', 'b', 'c', 'd', 'e'].map((l) => rr.a(`${l}.example`, '192.0.2.6'));
  const zones = authoritative('example', [rr.ns('example', 'ns6.example'), ...names]);
  t.net.on(V4, zones);
  t.net.on(V6, v6Reachable
    ? (q, o) => (q.questions![0]!.name.toLowerCase().endsWith('only6') ? authoritative('only6', [rr.a('www.only6', '192.0.2.66')])(q, o) : zones(q, o))
    : () => 'neterror');
  return t;
}

describe('IPv6 upstream', () => {
  it('asks a server that has only an IPv6 address when IPv6 is on', async () => {
    const t = setUp(true, true);
    const r = await t.resolver.resolve({ name: 'www.only6', type: 'A', class: 'IN' });
    expect(r.answer.map((a) => a.data)).toEqual(['192.0.2.66']);
    expect(t.net.countTo(V6)).toBeGreaterThan(0);
  });

  it('with IPv6 off, never sends to an IPv6 address: the IPv4 server answers, an IPv6-only zone fails', async () => {
    const t = setUp(false, true);
    const r = await t.resolver.resolve({ name: 'www.example', type: 'A', class: 'IN' });
    expect(r.answer.map((a) => a.data)).toEqual(['192.0.2.6']);
    expect((await t.resolver.resolve({ name: 'www.only6', type: 'A', class: 'IN' })).rcode).toBe(Rcode.SERVFAIL);
    expect(t.net.countTo(V6)).toBe(0);
  });

  it('an unreachable IPv6 address (network error) moves on to the IPv4 server', async () => {
    const t = setUp(true, false);
    for (const label of ['a', 'b', 'c', 'd', 'e']) {
      const r = await t.resolver.resolve({ name: `${label}.example`, type: 'A', class: 'IN' });
      expect(r.answer.map((a) => a.data)).toEqual(['192.0.2.6']);
    }
    // The IPv6 server was tried (and failed) along the way, without failing any query.
    expect(t.net.countTo(V6)).toBeGreaterThan(0);
  });
});
