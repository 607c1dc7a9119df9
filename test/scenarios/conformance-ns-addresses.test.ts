// Reaching a zone's servers (issue 12, behaviour 4): an NS name that is a CNAME (RFC 2181 §10.3 forbids it, it is
// common) is followed to the server's address; a cached server address that stops answering is looked up again,
// so a server that moved is found at its new address instead of the zone failing.
import { describe, expect, it } from 'vitest';
import { Rcode, type RR } from '../../src/wire/types.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.3.0.1';
const COM = '127.3.1.1';
const NET = '127.3.1.2';
const PROVIDER = '127.3.5.1';
const HOST_OLD = '127.3.6.1';
const HOST_NEW = '127.3.6.2';

const example = authoritative('example.com', [rr.ns('example.com', 'ns.provider.net'), rr.a('www.example.com', '192.0.2.1'), rr.a('mail.example.com', '192.0.2.2')]);

function hierarchy(provider: RR[], exampleNs = 'ns.provider.net') {
  const t = makeResolver(ROOT);
  let providerRecords = provider;
  t.net
    .on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', COM), rr.ns('net', 'ns.nic.net'), rr.a('ns.nic.net', NET)]))
    .on(COM, authoritative('com', [rr.ns('com', 'ns.nic.com'), rr.ns('example.com', exampleNs)]))
    .on(NET, authoritative('net', [rr.ns('net', 'ns.nic.net'), rr.ns('provider.net', 'ns1.provider.net'), rr.a('ns1.provider.net', PROVIDER)]))
    .on(PROVIDER, (q, o) => authoritative('provider.net', [rr.ns('provider.net', 'ns1.provider.net'), rr.a('ns1.provider.net', PROVIDER), ...providerRecords])(q, o));
  return { t, setProvider: (records: RR[]) => void (providerRecords = records) };
}

describe('NS names behind CNAMEs', () => {
  it('follows an NS name that is a CNAME to the server address', async () => {
    const { t } = hierarchy([rr.cname('ns.provider.net', 'host.provider.net'), rr.a('host.provider.net', HOST_OLD)]);
    t.net.on(HOST_OLD, example);
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
    expect(t.net.log.filter((l) => l.to === HOST_OLD).map((l) => l.name.toLowerCase())).toEqual(['www.example.com']);
  });
});

describe('a server address that stops answering', () => {
  it('is looked up again: the server is found at its new address', async () => {
    const { t, setProvider } = hierarchy([rr.a('ns.provider.net', HOST_OLD, 86400)]);
    t.net.on(HOST_OLD, example);
    expect((await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' })).rcode).toBe(Rcode.NOERROR);
    // The operator moves the server: the old address goes silent, the provider's zone names the new one.
    t.net.on(HOST_OLD, () => 'drop').on(HOST_NEW, example);
    setProvider([rr.a('ns.provider.net', HOST_NEW, 86400)]);
    const r = await t.resolver.resolve({ name: 'mail.example.com', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
    expect(t.net.log.filter((l) => l.to === HOST_NEW).map((l) => l.name.toLowerCase())).toEqual(['mail.example.com']);
    // Once: the old address is not retried for its whole budget before the lookup.
    expect(t.net.countTo(HOST_OLD)).toBe(2);
  });

  it('an expired server address is fetched again', async () => {
    const { t } = hierarchy([rr.a('ns.provider.net', HOST_OLD, 60)]);
    t.net.on(HOST_OLD, example);
    await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    t.clock.advance(61_000);
    const before = t.net.countTo(PROVIDER);
    const r = await t.resolver.resolve({ name: 'mail.example.com', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
    expect(t.net.countTo(PROVIDER)).toBeGreaterThan(before);
  });
});
