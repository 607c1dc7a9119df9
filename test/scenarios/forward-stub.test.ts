// Forward and stub zones against a scripted hierarchy: where resolution starts, RD on the wire, fallback both
// ways, TCP-only servers, and a forwarder that cannot plant data outside the zone it was configured for.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZoneEntry } from '../../src/config/schema.js';
import { RecordingTrace } from '../../src/resolver/trace.js';
import { Flag } from '../../src/wire/question.js';
import { Rcode, type RR } from '../../src/wire/types.js';
import { authoritative, reply, rr, type Handler } from '../helpers/fake-net.js';
import { makeResolver, type TestResolver } from '../helpers/resolver.js';

const ROOT = '127.2.0.1';
const COM = '127.2.1.1';
const EXAMPLE = '127.2.2.1';
const FORWARDER = '127.2.9.1';
const INTERNAL = '127.2.9.2';
const SUB = '127.2.9.3';

const PUBLIC = { root: authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('com', 'ns.nic.com'), rr.a('ns.nic.com', COM)]) };

/** A recursive resolver's way of answering: RA set, AA clear, and only when asked with RD. */
function recursing(records: RR[], extra: (name: string) => Partial<{ answers: RR[]; additionals: RR[] }> = () => ({})): Handler {
  const inner = authoritative('', records);
  return async (q, o) => {
    if (((q.flags ?? 0) & Flag.RD) === 0) return reply.rcode(Rcode.REFUSED);
    const r = await inner(q, o);
    if (Buffer.isBuffer(r) || typeof r === 'string') return r;
    const more = extra(q.questions![0]!.name.toLowerCase());
    return {
      ...r,
      flags: ((r.flags ?? 0) & ~0x400) | Flag.RA | Flag.RD,
      answers: [...(r.answers ?? []), ...((more.answers ?? []) as never[])],
      additionals: [...(r.additionals ?? []), ...((more.additionals ?? []) as never[])],
    };
  };
}

function zone(name: string, address: string, more: Partial<ZoneEntry> = {}): ZoneEntry {
  return { name, servers: [{ address, port: 53 }], fallback: 'servfail', tcp: false, ...more };
}

function withHierarchy(t: TestResolver): TestResolver {
  t.net
    .on(ROOT, PUBLIC.root)
    .on(COM, authoritative('com', [rr.ns('com', 'ns.nic.com'), rr.ns('example.com', 'ns1.example.com'), rr.a('ns1.example.com', EXAMPLE)]))
    .on(EXAMPLE, authoritative('example.com', [rr.ns('example.com', 'ns1.example.com'), rr.a('ns1.example.com', EXAMPLE), rr.a('www.example.com', '192.0.2.10')]));
  return t;
}

/** Queries to one address, not counting root priming (RFC 8109), which an iterating resolver does once anyway. */
const asked = (t: TestResolver, address: string): number => t.net.log.filter((l) => l.to === address && !(l.name === '.' && l.type === 'NS')).length;

const addresses = (answer: RR[]): string[] => answer.filter((r) => r.type === 'A').map((r) => String(r.data));

describe('forward zones', () => {
  let t: TestResolver;
  let rdSeen: boolean[];
  beforeEach(() => {
    t = withHierarchy(makeResolver(ROOT, { config: { forwardZones: [zone('corp', FORWARDER)] } }));
    rdSeen = [];
    const forwarder = recursing(
      [rr.a('www.corp', '10.1.2.3'), rr.cname('wiki.corp', 'www.example.com'), rr.a('www.example.com', '6.6.6.6'), rr.a('empty.corp', '10.9.9.9')],
      (name) => (name === 'www.corp' ? { additionals: [rr.a('www.example.com', '6.6.6.6'), rr.ns('example.com', 'evil.corp')] } : {}),
    );
    t.net.on(FORWARDER, (q, o) => {
      rdSeen.push(((q.flags ?? 0) & Flag.RD) !== 0);
      return forwarder(q, o);
    });
  });

  it('sends the whole name to the forwarder with RD=1 and never asks the root for it', async () => {
    const trace = new RecordingTrace();
    const r = await t.resolver.resolve({ name: 'a.b.www.corp', type: 'A', class: 'IN' }, trace);
    expect(r.rcode).toBe(Rcode.NXDOMAIN);
    const ok = await t.resolver.resolve({ name: 'www.corp', type: 'A', class: 'IN' });
    expect([ok.rcode, addresses(ok.answer)]).toEqual([Rcode.NOERROR, ['10.1.2.3']]);
    expect(t.net.log.filter((l) => l.to !== ROOT).map((l) => `${l.to} ${l.name.toLowerCase()}`)).toEqual([`${FORWARDER} a.b.www.corp`, `${FORWARDER} www.corp`]);
    expect(asked(t, ROOT)).toBe(0);
    expect(rdSeen).toEqual([true, true]);
    expect(trace.events.find((e) => e.kind === 'configured')).toMatchObject({ zone: 'corp', mode: 'forward', action: 'use' });
  });

  it('answers the next question for the zone from the cache', async () => {
    await t.resolver.resolve({ name: 'www.corp', type: 'A', class: 'IN' });
    const again = await t.resolver.resolve({ name: 'www.corp', type: 'A', class: 'IN' });
    expect(addresses(again.answer)).toEqual(['10.1.2.3']);
    expect(t.net.countTo(FORWARDER)).toBe(1);
  });

  it('keeps what the forwarder says about other zones out of the cache', async () => {
    await t.resolver.resolve({ name: 'www.corp', type: 'A', class: 'IN' });
    const wiki = await t.resolver.resolve({ name: 'wiki.corp', type: 'A', class: 'IN' });
    // The CNAME is the forwarder's to give; its target is outside corp, so it is resolved by iteration.
    expect(wiki.answer.map((r) => `${r.type} ${String(r.data)}`)).toEqual(['CNAME www.example.com', 'A 192.0.2.10']);
    const www = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(addresses(www.answer)).toEqual(['192.0.2.10']);
    expect(t.rrsets.get('example.com', 'NS', 1)?.records.map((r) => r.data)).toEqual(['ns1.example.com']);
  });

  it('takes an empty NOERROR from a forwarder as NODATA', async () => {
    const r = await t.resolver.resolve({ name: 'empty.corp', type: 'AAAA', class: 'IN' });
    expect([r.rcode, r.answer.length]).toEqual([Rcode.NOERROR, 0]);
  });

  it('fails with SERVFAIL naming the zone when every forwarder fails and fallback is servfail', async () => {
    t.net.on(FORWARDER, () => 'drop');
    const r = await t.resolver.resolve({ name: 'www.corp', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/no forward server for corp answered/);
    expect(asked(t, ROOT)).toBe(0);
  });

  it('treats a referral from a forwarder as a failure, not a delegation', async () => {
    t.net.on(FORWARDER, () => reply.referral([rr.ns('www.corp', 'ns.www.corp')], [rr.a('ns.www.corp', '127.2.9.99')]));
    const r = await t.resolver.resolve({ name: 'www.corp', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(t.net.countTo('127.2.9.99')).toBe(0);
  });
});

describe('forward zone fallback and transport', () => {
  it('resolves from the root when every forwarder fails and fallback is recurse', async () => {
    const t = withHierarchy(makeResolver(ROOT, { config: { forwardZones: [zone('example.com', FORWARDER, { fallback: 'recurse' })] } }));
    t.net.on(FORWARDER, () => 'drop');
    const trace = new RecordingTrace();
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' }, trace);
    expect([r.rcode, addresses(r.answer)]).toEqual([Rcode.NOERROR, ['192.0.2.10']]);
    expect(t.net.countTo(FORWARDER)).toBeGreaterThan(0);
    expect(trace.events.some((e) => e.kind === 'configured' && e.action === 'fallback')).toBe(true);
  });

  it("forwards everything with '.', and asks over TCP only when the zone says tcp", async () => {
    const t = withHierarchy(makeResolver(ROOT, { config: { forwardZones: [zone('.', FORWARDER, { tcp: true })] } }));
    t.net.on(FORWARDER, recursing([rr.a('www.example.com', '192.0.2.77'), rr.a('www.example.org', '192.0.2.78')]));
    const com = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    const org = await t.resolver.resolve({ name: 'www.example.org', type: 'A', class: 'IN' });
    expect([addresses(com.answer), addresses(org.answer)]).toEqual([['192.0.2.77'], ['192.0.2.78']]);
    // Nothing to the root at all, not even priming: with '.' forwarded the hints are never used.
    expect(t.net.countTo(ROOT)).toBe(0);
    expect(t.net.log.every((l) => l.to === FORWARDER && l.tcp)).toBe(true);
  });
});

describe('stub zones', () => {
  let t: TestResolver;
  beforeEach(() => {
    // An internal view of example.com, served by its own authoritative server, with a delegation below it.
    t = withHierarchy(makeResolver(ROOT, { config: { stubZones: [zone('example.com', INTERNAL)] } }));
    t.net
      .on(INTERNAL, authoritative('example.com', [rr.ns('example.com', 'ns.internal'), rr.a('www.example.com', '10.0.0.5'), rr.ns('sub.example.com', 'ns.sub.example.com'), rr.a('ns.sub.example.com', SUB)]))
      .on(SUB, authoritative('sub.example.com', [rr.ns('sub.example.com', 'ns.sub.example.com'), rr.a('host.sub.example.com', '10.0.1.1')]));
  });

  it('iterates from the stub servers with RD=0 instead of from the root', async () => {
    const flags: number[] = [];
    const inner = authoritative('example.com', [rr.ns('example.com', 'ns.internal'), rr.a('www.example.com', '10.0.0.5')]);
    t.net.on(INTERNAL, (q, o) => (flags.push(q.flags ?? 0), inner(q, o)));
    const r = await t.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(addresses(r.answer)).toEqual(['10.0.0.5']);
    expect(asked(t, ROOT) + asked(t, COM) + asked(t, EXAMPLE)).toBe(0);
    expect(flags.every((f) => (f & Flag.RD) === 0)).toBe(true);
  });

  it('follows delegations below the stub zone and then starts from them', async () => {
    const r = await t.resolver.resolve({ name: 'host.sub.example.com', type: 'A', class: 'IN' });
    expect(addresses(r.answer)).toEqual(['10.0.1.1']);
    const before = t.net.countTo(INTERNAL);
    const again = await t.resolver.resolve({ name: 'other.sub.example.com', type: 'A', class: 'IN' });
    expect(again.rcode).toBe(Rcode.NXDOMAIN);
    expect(t.net.countTo(INTERNAL)).toBe(before);
  });

  it('never starts from an NS set cached above the stub zone', async () => {
    // Learn the public delegation of example.com first (through a name the stub does not cover).
    const pub = withHierarchy(makeResolver(ROOT, { config: { stubZones: [zone('www.example.com', INTERNAL)] } }));
    pub.net.on(INTERNAL, authoritative('www.example.com', [rr.ns('www.example.com', 'ns.internal'), rr.a('www.example.com', '10.0.0.6')]));
    await pub.resolver.resolve({ name: 'example.com', type: 'NS', class: 'IN' });
    const r = await pub.resolver.resolve({ name: 'www.example.com', type: 'A', class: 'IN' });
    expect(addresses(r.answer)).toEqual(['10.0.0.6']);
  });
});
