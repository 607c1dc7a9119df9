import * as dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { classifyReply } from '../../../src/resolver/classify.js';
import { decodePacket, type WirePacket } from '../../../src/wire/decode.js';
import { reply, rr } from '../../helpers/fake-net.js';

/** Through real bytes, as the resolver sees replies. */
function wire(p: Packet, qname: string, qtype: string): WirePacket {
  const bytes = dnsPacket.encode({ ...p, id: 1, questions: [{ name: qname, type: qtype as 'A', class: 'IN' }] });
  const d = decodePacket(bytes);
  if (!d.ok) throw new Error(d.reason);
  return d.packet;
}

describe('classifyReply', () => {
  it('finds the answer, following in-zone CNAMEs', () => {
    const p = wire(reply.answer([rr.cname('www.example.com', 'web.example.com'), rr.a('web.example.com', '192.0.2.1')]), 'www.example.com', 'A');
    const c = classifyReply(p, 'example.com', 'www.example.com', 'A');
    expect(c.kind).toBe('answer');
    if (c.kind !== 'answer') return;
    expect(c.cnames).toHaveLength(1);
    expect(c.records.map((r) => r.data)).toEqual(['192.0.2.1']);
    expect(c.authoritative).toBe(true);
  });

  it('stops a CNAME chain at the zone edge: the target must be asked elsewhere', () => {
    // The target's A record is out of bailiwick for example.com and must be ignored, not used.
    const p = wire(reply.answer([rr.cname('www.example.com', 'cdn.other.net'), rr.a('cdn.other.net', '6.6.6.6')]), 'www.example.com', 'A');
    const c = classifyReply(p, 'example.com', 'www.example.com', 'A');
    expect(c).toMatchObject({ kind: 'cname', target: 'cdn.other.net' });
  });

  it('recognises a referral and keeps only in-bailiwick glue', () => {
    const p = wire(
      reply.referral([rr.ns('example.com', 'ns1.example.com'), rr.ns('example.com', 'ns.elsewhere.org')], [rr.a('ns1.example.com', '192.0.2.53'), rr.a('ns.elsewhere.org', '6.6.6.6')]),
      'www.example.com', 'A',
    );
    const c = classifyReply(p, 'com', 'www.example.com', 'A');
    expect(c.kind).toBe('referral');
    if (c.kind !== 'referral') return;
    expect(c.zone).toBe('example.com');
    expect(c.ns).toHaveLength(2);
    // ns.elsewhere.org is outside 'com': a com server has no say over it.
    expect(c.glue.map((g) => g.name)).toEqual(['ns1.example.com']);
  });

  it('calls an upward or sideways referral lame', () => {
    const up = wire(reply.referral([rr.ns('.', 'a.root.test')]), 'www.example.com', 'A');
    expect(classifyReply(up, 'example.com', 'www.example.com', 'A').kind).toBe('lame');
    const sideways = wire(reply.referral([rr.ns('other.com', 'ns.other.com')]), 'www.example.com', 'A');
    expect(classifyReply(sideways, 'com', 'www.example.com', 'A').kind).toBe('lame');
  });

  it('reads NXDOMAIN and NODATA with their SOA', () => {
    const nx = classifyReply(wire(reply.nxdomain(rr.soa('example.com')), 'x.example.com', 'A'), 'example.com', 'x.example.com', 'A');
    expect(nx).toMatchObject({ kind: 'nxdomain', name: 'x.example.com' });
    const nd = classifyReply(wire(reply.nodata(rr.soa('example.com')), 'www.example.com', 'AAAA'), 'example.com', 'www.example.com', 'AAAA');
    expect(nd.kind).toBe('nodata');
  });

  it('calls a recursive answer (RA set, AA clear) lame, but takes a plain non-AA answer', () => {
    const RA = dnsPacket.RECURSION_AVAILABLE;
    const cached = wire({ ...reply.answer([rr.a('www.example.com', '192.0.2.1')]), flags: RA }, 'www.example.com', 'A');
    expect(classifyReply(cached, 'example.com', 'www.example.com', 'A')).toMatchObject({ kind: 'lame' });
    const nx = wire({ ...reply.nxdomain(rr.soa('example.com')), flags: RA | 3 }, 'x.example.com', 'A');
    expect(classifyReply(nx, 'example.com', 'x.example.com', 'A').kind).toBe('lame');
    const nodata = wire({ ...reply.nodata(rr.soa('example.com')), flags: RA }, 'www.example.com', 'AAAA');
    expect(classifyReply(nodata, 'example.com', 'www.example.com', 'AAAA').kind).toBe('lame');
    // Some authorities forget AA; without RA their answer is still used, at the lower non-authoritative rank.
    const noAa = wire({ ...reply.answer([rr.a('www.example.com', '192.0.2.1')]), flags: 0 }, 'www.example.com', 'A');
    expect(classifyReply(noAa, 'example.com', 'www.example.com', 'A')).toMatchObject({ kind: 'answer', authoritative: false });
    // A referral carries neither AA nor (from an authority) RA, and stays a referral even with RA.
    const referral = wire({ ...reply.referral([rr.ns('example.com', 'ns1.example.com')], [rr.a('ns1.example.com', '192.0.2.53')]), flags: RA }, 'www.example.com', 'A');
    expect(classifyReply(referral, 'com', 'www.example.com', 'A').kind).toBe('referral');
  });

  it('treats SERVFAIL and REFUSED as lame', () => {
    for (const code of [2, 5]) {
      expect(classifyReply(wire(reply.rcode(code), 'a.example.com', 'A'), 'example.com', 'a.example.com', 'A').kind).toBe('lame');
    }
  });

  it('ignores an SOA for a zone it does not serve', () => {
    const p = wire({ type: 'response', flags: 0, authorities: [rr.soa('evil.net')] as never }, 'www.example.com', 'A');
    expect(classifyReply(p, 'example.com', 'www.example.com', 'A').kind).toBe('lame');
  });
});

describe('DNAME (RFC 6672)', () => {
  it('synthesises the CNAME from the DNAME and ignores a forged one', () => {
    const dname = { name: 'old.example', type: 'DNAME', class: 'IN', ttl: 600, data: 'new.example' };
    const forged = rr.cname('www.old.example', 'evil.example');
    const p = wire(reply.answer([dname, forged, rr.a('www.new.example', '192.0.2.5')]), 'www.old.example', 'A');
    const c = classifyReply(p, 'example', 'www.old.example', 'A');
    expect(c.kind).toBe('answer');
    if (c.kind !== 'answer') return;
    expect(c.cnames.map((r) => `${r.type} ${r.name} ${r.data}`)).toEqual(['DNAME old.example new.example', 'CNAME www.old.example www.new.example']);
    expect(c.records.map((r) => r.data)).toEqual(['192.0.2.5']);
  });
});

describe('classifyReply from a forwarder', () => {
  const RA = 0x80;
  const recursive = (p: Packet): Packet => ({ ...p, flags: RA });
  const fwd = { forwarded: true };

  it('takes a recursive answer (RA set, AA clear) that an authority would be lame for', () => {
    const p = wire(recursive(reply.answer([rr.a('www.lan', '192.168.1.5')])), 'www.lan', 'A');
    expect(classifyReply(p, 'lan', 'www.lan', 'A').kind).toBe('lame');
    expect(classifyReply(p, 'lan', 'www.lan', 'A', fwd)).toMatchObject({ kind: 'answer', authoritative: false });
  });

  it('calls an empty NOERROR NODATA, with or without an SOA, and a referral lame', () => {
    expect(classifyReply(wire(recursive(reply.answer([])), 'x.lan', 'AAAA'), 'lan', 'x.lan', 'AAAA', fwd)).toMatchObject({ kind: 'nodata', soa: null });
    expect(classifyReply(wire(recursive(reply.nodata(rr.soa('lan'))), 'x.lan', 'AAAA'), 'lan', 'x.lan', 'AAAA', fwd)).toMatchObject({ kind: 'nodata' });
    const referral = wire(reply.referral([rr.ns('sub.lan', 'ns.sub.lan')]), 'a.sub.lan', 'A');
    expect(classifyReply(referral, 'lan', 'a.sub.lan', 'A', fwd)).toMatchObject({ kind: 'lame', reason: 'forwarder sent a referral instead of an answer' });
  });

  it('ends a CNAME chain that stays in the zone with NODATA, and drops records outside the forward zone', () => {
    const chain = wire(recursive({ ...reply.nodata(rr.soa('lan')), answers: [rr.cname('a.lan', 'b.lan')] as never }), 'a.lan', 'A');
    expect(classifyReply(chain, 'lan', 'a.lan', 'A', fwd)).toMatchObject({ kind: 'nodata', name: 'b.lan' });
    const out = wire(recursive(reply.answer([rr.cname('a.lan', 'www.example.com'), rr.a('www.example.com', '6.6.6.6')])), 'a.lan', 'A');
    expect(classifyReply(out, 'lan', 'a.lan', 'A', fwd)).toMatchObject({ kind: 'cname', target: 'www.example.com' });
  });
});
