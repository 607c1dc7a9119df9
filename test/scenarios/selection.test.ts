// Scenarios for server selection and per-server fallbacks: RTT preference, lame hold-down, EDNS and 0x20.
import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, reply, rr } from '../helpers/fake-net.js';
import { makeResolver, type TestResolver } from '../helpers/resolver.js';

const ROOT = '127.3.0.1';
const A1 = '127.3.1.1';
const A2 = '127.3.1.2';

function twoServers(t: TestResolver): ReturnType<typeof authoritative> {
  t.net.on(ROOT, authoritative('.', [
    rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT),
    rr.ns('example', 'ns1.example'), rr.ns('example', 'ns2.example'), rr.a('ns1.example', A1), rr.a('ns2.example', A2),
  ]));
  const zone = authoritative('example', [rr.ns('example', 'ns1.example'), rr.ns('example', 'ns2.example'), rr.a('www.example', '192.0.2.1'), rr.a('a.example', '192.0.2.2'), rr.a('b.example', '192.0.2.3'), rr.a('c.example', '192.0.2.4')]);
  t.net.on(A1, zone).on(A2, zone);
  return zone;
}

describe('server selection', () => {
  it('holds a lame server down: after one REFUSED it is not asked again for that zone', async () => {
    const t = makeResolver(ROOT);
    twoServers(t);
    t.net.on(A1, () => reply.rcode(Rcode.REFUSED));
    for (const n of ['www', 'a', 'b', 'c']) {
      const r = await t.resolver.resolve({ name: `${n}.example`, type: 'A', class: 'IN' });
      expect(r.rcode).toBe(Rcode.NOERROR);
    }
    expect(t.net.countTo(A1)).toBeLessThanOrEqual(1);
  });

  it('backs off from a server that keeps timing out', async () => {
    const t = makeResolver(ROOT);
    twoServers(t);
    t.net.on(A1, () => 'drop');
    for (const n of ['www', 'a', 'b', 'c']) {
      const r = await t.resolver.resolve({ name: `${n}.example`, type: 'A', class: 'IN' });
      expect(r.rcode).toBe(Rcode.NOERROR);
    }
    expect(t.net.countTo(A1)).toBeLessThanOrEqual(2);
  });

  it('retries a single server once after a timeout before giving up', async () => {
    const t = makeResolver(ROOT);
    const zone = twoServers(t);
    let first = true;
    const flaky = (q: Parameters<typeof zone>[0], o: Parameters<typeof zone>[1]) => {
      if (first) {
        first = false;
        return 'drop' as const;
      }
      return zone(q, o);
    };
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns1.example'), rr.a('ns1.example', A1)]));
    t.net.on(A1, flaky);
    const r = await t.resolver.resolve({ name: 'www.example', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(t.net.countTo(A1)).toBe(2);
  });
});

describe('per-server fallbacks', () => {
  it('retries without EDNS when a server answers FORMERR to EDNS, and remembers it', async () => {
    const t = makeResolver(ROOT);
    const zone = twoServers(t);
    let ednsQueries = 0;
    const oldServer = (q: Parameters<typeof zone>[0], o: Parameters<typeof zone>[1]) => {
      if ((q.additionals ?? []).some((a) => a.type === 'OPT')) {
        ednsQueries++;
        return reply.rcode(Rcode.FORMERR);
      }
      return zone(q, o);
    };
    t.net.on(A1, oldServer).on(A2, oldServer);
    for (const n of ['www', 'a', 'b']) {
      const r = await t.resolver.resolve({ name: `${n}.example`, type: 'A', class: 'IN' });
      expect(r.rcode).toBe(Rcode.NOERROR);
    }
    expect(ednsQueries).toBeLessThanOrEqual(2);
  });

  it('sends mixed-case names (0x20) and falls back for a server that lower-cases them', async () => {
    const t = makeResolver(ROOT);
    const zone = twoServers(t);
    const lowerCaser = (q: Parameters<typeof zone>[0], o: Parameters<typeof zone>[1]) => {
      const out = zone(q, o) as dnsPacket.Packet;
      return { ...out, questions: q.questions!.map((x) => ({ ...x, name: x.name.toLowerCase() })) };
    };
    t.net.on(A1, lowerCaser).on(A2, lowerCaser);
    const r = await t.resolver.resolve({ name: 'www.example', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    const sentToRoot = t.net.log.filter((l) => l.to === ROOT).map((l) => l.name);
    expect(sentToRoot.some((n) => n !== n.toLowerCase())).toBe(true);
    // Once known, that server gets plain lower-case names.
    t.net.log.length = 0;
    await t.resolver.resolve({ name: 'abcdefgh.example', type: 'A', class: 'IN' });
    const toServers = t.net.log.filter((l) => l.to === A1 || l.to === A2);
    expect(toServers.at(-1)!.name).toBe('abcdefgh.example');
  });
});

describe('QNAME minimisation', () => {
  it('tells the root and the TLD only the labels they need', async () => {
    const t = makeResolver(ROOT);
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns1.example'), rr.a('ns1.example', A1)]));
    t.net.on(A1, authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('deep.www.example', '192.0.2.8')]));
    const r = await t.resolver.resolve({ name: 'deep.www.example', type: 'A', class: 'IN' });
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.8']);
    const toRoot = t.net.log.filter((l) => l.to === ROOT && l.name.toLowerCase() !== '.');
    expect(toRoot.map((l) => l.name.toLowerCase())).toEqual(['example']);
    // Inside the zone: www.example is an empty non-terminal (NODATA), then the full name.
    expect(t.net.log.filter((l) => l.to === A1).map((l) => l.name.toLowerCase())).toEqual(['www.example', 'deep.www.example']);
  });

  it('falls back to the full name when a server answers NXDOMAIN for an empty non-terminal', async () => {
    const t = makeResolver(ROOT);
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns1.example'), rr.a('ns1.example', A1)]));
    const honest = authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('deep.www.example', '192.0.2.8')]);
    t.net.on(A1, (q, o) => (q.questions![0]!.name.toLowerCase() === 'www.example' ? reply.nxdomain(rr.soa('example')) : honest(q, o)));
    const r = await t.resolver.resolve({ name: 'deep.www.example', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.8']);
  });
});

describe('parallel side lookups', () => {
  it('resolves the addresses of several glueless NS names at once', async () => {
    const { RecordingTrace } = await import('../../src/resolver/trace.js');
    const t = makeResolver(ROOT);
    const NET = '127.3.2.1';
    const B = '127.3.2.2';
    t.net.on(ROOT, authoritative('.', [
      rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT),
      rr.ns('example', 'ns1.example'), rr.a('ns1.example', A1), rr.ns('net', 'ns.net'), rr.a('ns.net', NET),
    ]));
    t.net.on(A1, authoritative('example', [rr.ns('victim.example', 'ns.a.net'), rr.ns('victim.example', 'ns.b.net')]));
    t.net.on(NET, authoritative('net', [rr.ns('a.net', 'ns.dead.net'), rr.a('ns.dead.net', '127.3.9.9'), rr.ns('b.net', 'ns.b.net'), rr.a('ns.b.net', B)]));
    t.net.on(B, (q, o) =>
      q.questions![0]!.name.toLowerCase().endsWith('victim.example')
        ? authoritative('victim.example', [rr.a('www.victim.example', '192.0.2.77')])(q, o)
        : authoritative('b.net', [rr.a('ns.b.net', B)])(q, o),
    );
    const trace = new RecordingTrace();
    const r = await t.resolver.resolve({ name: 'www.victim.example', type: 'A', class: 'IN' }, trace);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.77']);
    const kinds = trace.events.map((e) => e.kind);
    const firstLookup = kinds.indexOf('ns-lookup');
    expect(kinds[firstLookup + 1]).toBe('ns-lookup');
  });
});
