import { describe, expect, it } from 'vitest';
import { LocalData } from '../../src/policy/local-data.js';
import { LocalZones } from '../../src/policy/local-zones.js';
import { parseRecordText } from '../../src/wire/record-text.js';
import { Rcode } from '../../src/wire/types.js';

const q = (name: string, type = 'A') => ({ name, type, class: 'IN' });

describe('locally served zones (RFC 6761, RFC 6303)', () => {
  const local = new LocalZones(true);
  it('answers localhost and names below it with loopback addresses', () => {
    expect(local.answer(q('localhost'))!.answer[0]!.data).toBe('127.0.0.1');
    expect(local.answer(q('app.localhost', 'AAAA'))!.answer[0]!.data).toBe('::1');
    expect(local.answer(q('localhost', 'MX'))!.answer).toEqual([]);
  });
  it('answers private reverse zones with NXDOMAIN and the RFC 6303 SOA', () => {
    const r = local.answer(q('1.1.168.192.in-addr.arpa', 'PTR'))!;
    expect(r.rcode).toBe(Rcode.NXDOMAIN);
    expect(r.authority[0]!.name).toBe('168.192.in-addr.arpa');
    expect(local.answer(q('5.0.20.172.in-addr.arpa', 'PTR'))!.rcode).toBe(Rcode.NXDOMAIN);
    expect(local.answer(q('5.0.32.172.in-addr.arpa', 'PTR'))).toBeNull();
    expect(local.answer(q('10.in-addr.arpa', 'SOA'))!.answer[0]!.type).toBe('SOA');
  });
  it('keeps invalid. and home.arpa. local and lets everything else through', () => {
    expect(local.answer(q('anything.invalid'))!.rcode).toBe(Rcode.NXDOMAIN);
    expect(local.answer(q('printer.home.arpa'))!.rcode).toBe(Rcode.NXDOMAIN);
    expect(local.answer(q('www.example.com'))).toBeNull();
    expect(local.answer(q('8.8.8.8.in-addr.arpa', 'PTR'))).toBeNull();
  });
  it('can be switched off', () => {
    expect(new LocalZones(false).answer(q('localhost'))).toBeNull();
  });
});

describe('local-zones rules (Unbound types)', () => {
  const data = new LocalData();
  for (const text of ['ads.example. 60 A 0.0.0.0', 'ads.example. 60 AAAA ::', 'ok.refused.example. A 192.0.2.1', 'www.static.example. A 192.0.2.2']) {
    const p = parseRecordText(text);
    if (!p.ok) throw new Error(p.reason);
    data.add(p.rr);
  }
  const zones = new LocalZones([
    { name: 'static.example', type: 'static' },
    { name: 'open.static.example', type: 'transparent' },
    { name: 'ads.example', type: 'redirect' },
    { name: 'refused.example', type: 'refuse' },
    { name: 'denied.example', type: 'deny' },
    { name: 'home.arpa', type: 'nodefault' },
    { name: '168.192.in-addr.arpa', type: 'transparent' },
  ]);

  it('static: NXDOMAIN with the SOA for names without data, NODATA above local data', () => {
    expect(zones.decide(q('nope.static.example'), data)).toMatchObject({ kind: 'answer', answer: { rcode: Rcode.NXDOMAIN, authority: [{ type: 'SOA', name: 'static.example' }] } });
    expect(zones.decide(q('static.example', 'MX'), data)).toMatchObject({ kind: 'answer', answer: { rcode: Rcode.NOERROR, answer: [] } });
  });

  it('transparent, nodefault: resolved as usual (the deepest zone decides)', () => {
    expect(zones.decide(q('x.open.static.example'), data)).toBeNull();
    expect(zones.decide(q('printer.home.arpa'), data)).toBeNull();
    expect(zones.decide(q('1.1.168.192.in-addr.arpa', 'PTR'), data)).toBeNull();
    expect(zones.decide(q('1.1.10.in-addr.arpa', 'PTR'), data)?.kind).toBe('answer');
  });

  it('redirect: every name below answers the apex data, with the asked name as owner', () => {
    const v = zones.decide(q('Tracker.Ads.Example'), data);
    expect(v).toMatchObject({ kind: 'answer', answer: { rcode: Rcode.NOERROR, answer: [{ name: 'Tracker.Ads.Example', type: 'A', data: '0.0.0.0', ttl: 60 }] } });
    expect(zones.decide(q('a.b.ads.example', 'TXT'), data)).toMatchObject({ kind: 'answer', answer: { rcode: Rcode.NOERROR, answer: [], authority: [{ type: 'SOA' }] } });
  });

  it('refuse and deny: REFUSED or nothing', () => {
    expect(zones.decide(q('x.refused.example'), data)).toEqual({ kind: 'refuse', zone: 'refused.example' });
    expect(zones.decide(q('denied.example', 'AAAA'), data)).toEqual({ kind: 'drop' });
  });

  it('leaves names a forward or stub zone claims to the resolver', () => {
    const handed = new LocalZones([{ name: 'lan', type: 'refuse' }], (name) => name.endsWith('fwd.lan'));
    expect(handed.decide(q('pc.fwd.lan'))).toBeNull();
    expect(handed.decide(q('pc.other.lan'))).toEqual({ kind: 'refuse', zone: 'lan' });
  });
});
