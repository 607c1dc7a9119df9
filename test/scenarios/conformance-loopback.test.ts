// Loopback upstreams (issue 12, behaviour 10; Unbound's do-not-query-localhost): with root hints on the internet,
// an address in 127.0.0.0/8 or ::1 learned from a delegation is never asked — it would turn a public zone into a
// way to query services on this host. A lab whose root hints are on loopback, or do-not-query-localhost: false,
// asks them. (The fake network routes any address; nothing here leaves the process.)
import { describe, expect, it } from 'vitest';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '198.51.100.1';
const COM = '198.51.100.2';
const PUBLIC_NS = '198.51.100.3';
const LOCAL_NS = '127.0.0.1';

function hierarchy(config: Parameters<typeof makeResolver>[1] = {}, glue: [string, string][] = [['ns1.example.com', LOCAL_NS], ['ns2.example.com', PUBLIC_NS]]) {
  const t = makeResolver(ROOT, config);
  const ns = glue.flatMap(([name, address]) => [rr.ns('example.com', name), rr.a(name, address)]);
  const zone = authoritative('example.com', [...ns, rr.a('www.example.com', '192.0.2.1')]);
  t.net
    .on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', COM)]))
    .on(COM, authoritative('com', [rr.ns('com', 'ns.nic.com'), ...ns]))
    .on(PUBLIC_NS, zone)
    .on(LOCAL_NS, zone)
    .on('::1', zone);
  return t;
}

describe('loopback upstreams (do-not-query-localhost)', () => {
  it('a loopback address from a delegation is not asked: the zone other server is', async () => {
    const t = hierarchy();
    for (const name of ['www.example.com', 'example.com']) {
      const r = await t.resolver.resolve({ name, type: 'A', class: 'IN' });
      expect(r.rcode).toBe(Rcode.NOERROR);
    }
    expect(t.net.countTo(LOCAL_NS)).toBe(0);
    expect(t.net.countTo(PUBLIC_NS)).toBeGreaterThan(0);
  });

  it('a zone served only from loopback addresses fails with an EDE that says why', async () => {
    const t = hierarchy({ useIpv6: true }, [['ns1.example.com', LOCAL_NS], ['ns2.example.com', '127.9.9.9']]);
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/loopback/);
    expect(t.net.log.filter((l) => l.to.startsWith('127.') || l.to === '::1')).toEqual([]);
  });

  it('do-not-query-localhost: false asks them', async () => {
    const t = hierarchy({ config: { doNotQueryLocalhost: false } }, [['ns1.example.com', LOCAL_NS]]);
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(t.net.countTo(LOCAL_NS)).toBe(1);
  });

  it('root hints on loopback make a lab: loopback servers are asked', async () => {
    const t = makeResolver('127.3.0.1');
    t.net
      .on('127.3.0.1', authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', '127.3.0.1'), rr.ns('example', 'ns.example'), rr.a('ns.example', '127.3.1.1')]))
      .on('127.3.1.1', authoritative('example', [rr.ns('example', 'ns.example'), rr.a('www.example', '192.0.2.5')]));
    const r = await t.resolver.resolve({ name: 'www.example', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.5']);
  });
});
