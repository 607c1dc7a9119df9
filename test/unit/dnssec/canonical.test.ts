// RFC 4034 §6 canonical form: names, RDATA case (§6.2 as amended by RFC 6840 §5.1), RRset order (§6.3), wildcard
// owners (RFC 4035 §5.3.2) and the signed data of an RRSIG (§3.1.8.1), byte for byte.
import type { RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import {
  canonicalNameWire,
  canonicalRdata,
  canonicalRdataOrder,
  compareCanonicalNames,
  rrsigLabelCount,
  rrsigSignedData,
  signedOwnerName,
} from '../../../src/dnssec/canonical.js';
import { hex, rr } from './rfc-vectors.js';

describe('canonical names (RFC 4034 §6.1, §6.2)', () => {
  it('writes names uncompressed in lower case, the root as one zero octet', () => {
    expect(canonicalNameWire('WWW.Example.COM.').toString('hex')).toBe('03777777076578616d706c6503636f6d00');
    expect(canonicalNameWire('.').toString('hex')).toBe('00');
  });

  it('lowers US-ASCII letters only', () => {
    expect(canonicalNameWire('Ä.example')).toEqual(Buffer.concat([Buffer.from([2]), Buffer.from('Ä'), canonicalNameWire('example')]));
  });

  it('orders names as the RFC 4034 §6.1 example does', () => {
    // \200 is written as U+0080 (two octets in dns-packet's UTF-8 labels); it still sorts after "*" and \001.
    const ordered = ['example', 'a.example', 'yljkjljk.a.example', 'Z.a.example', 'zABC.a.EXAMPLE', 'z.example',
      '\x01.z.example', '*.z.example', '\u0080.z.example'];
    const shuffled = [...ordered].reverse();
    shuffled.push(shuffled.shift()!);
    expect(shuffled.sort(compareCanonicalNames)).toEqual(ordered);
    expect(compareCanonicalNames('EXAMPLE.', 'example')).toBe(0);
  });

  it('counts RRSIG labels without the root or a leading "*" (RFC 4034 §3.1.3)', () => {
    expect(rrsigLabelCount('.')).toBe(0);
    expect(rrsigLabelCount('www.example.com.')).toBe(3);
    expect(rrsigLabelCount('*.example.com')).toBe(2);
    expect(rrsigLabelCount('a.*.example.com')).toBe(4);
  });

  it('rebuilds the signed owner of a wildcard expansion (RFC 4035 §5.3.2)', () => {
    expect(signedOwnerName('a.z.w.example', 4)).toBe('a.z.w.example');
    expect(signedOwnerName('a.z.w.example', 2)).toBe('*.w.example');
    expect(signedOwnerName('a.z.w.example', 0)).toBe('*');
    expect(signedOwnerName('*.w.example', 2)).toBe('*.w.example');
    expect(signedOwnerName('w.example', 3)).toBeNull();
  });
});

describe('canonical RDATA (RFC 4034 §6.2 item 3, RFC 6840 §5.1)', () => {
  const lowered = (type: string, data: unknown, expected: unknown) =>
    expect(canonicalRdata(rr('x.example', type, 60, data))).toEqual(canonicalRdata(rr('x.example', type, 60, expected)));

  it('lowers the names inside NS, CNAME, DNAME, PTR, MX, SOA, SRV, RP, NAPTR and RRSIG', () => {
    lowered('NS', 'NS1.Example', 'ns1.example');
    lowered('CNAME', 'Target.EXAMPLE', 'target.example');
    lowered('DNAME', 'Target.EXAMPLE', 'target.example');
    lowered('PTR', 'Host.Example', 'host.example');
    lowered('MX', { preference: 10, exchange: 'MAIL.Example' }, { preference: 10, exchange: 'mail.example' });
    const soa = { mname: 'NS.Example', rname: 'Host\\.Master.Example', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 };
    lowered('SOA', soa, { ...soa, mname: 'ns.example', rname: 'host\\.master.example' });
    lowered('SRV', { priority: 1, weight: 2, port: 3, target: 'SIP.Example' }, { priority: 1, weight: 2, port: 3, target: 'sip.example' });
    lowered('RP', { mbox: 'Admin.Example', txt: 'TXT.Example' }, { mbox: 'admin.example', txt: 'txt.example' });
    const naptr = { order: 1, preference: 2, flags: 'U', services: 'E2U+sip', regexp: '!^.*$!sip:X@Example!', replacement: 'Repl.EXAMPLE' };
    lowered('NAPTR', naptr, { ...naptr, replacement: 'repl.example' });
    const sig = { typeCovered: 'A', algorithm: 13, labels: 2, originalTTL: 60, expiration: 2, inception: 1, keyTag: 7, signersName: 'Example', signature: Buffer.from([1]) };
    lowered('RRSIG', sig, { ...sig, signersName: 'example' });
  });

  it('keeps the case of an NSEC next name (RFC 6840 §5.1), of HINFO and of TXT', () => {
    const nsec = canonicalRdata(rr('a.example', 'NSEC', 60, { nextDomain: 'B.Example', rrtypes: ['A'] }));
    expect(nsec.subarray(0, 11).toString('latin1')).toBe('\x01B\x07Example\x00');
    const hinfo = canonicalRdata(rr('a.example', 'HINFO', 60, { cpu: 'CPU', os: 'OS' }));
    expect(hinfo.toString('latin1')).toBe('\x03CPU\x02OS');
    const txt = canonicalRdata(rr('a.example', 'TXT', 60, [Buffer.from('Hello')]));
    expect(txt.toString('latin1')).toBe('\x05Hello');
  });

  it('lowers names in raw RDATA of the listed types dns-packet leaves undecoded (AFSDB here)', () => {
    const afsdb = Buffer.concat([Buffer.from([0, 1]), Buffer.from('\x03AFS\x07Example\x00', 'latin1')]);
    expect(canonicalRdata(rr('a.example', 'AFSDB', 60, afsdb)).toString('latin1')).toBe('\x00\x01\x03afs\x07example\x00');
    const unknown = Buffer.from('\x03ABC', 'latin1');
    expect(canonicalRdata(rr('a.example', 'UNKNOWN_65280', 60, unknown))).toEqual(unknown);
  });

  it('cannot canonicalise a compressed name in raw RDATA, and says so instead of signing wrong bytes', () => {
    const compressed = Buffer.from([0, 1, 0xc0, 0x0c]);
    const rrsig = { typeCovered: 'AFSDB', algorithm: 13, labels: 2, originalTTL: 60, expiration: 2, inception: 1, keyTag: 7, signersName: 'example', signature: Buffer.alloc(0) };
    expect(rrsigSignedData([rr('a.example', 'AFSDB', 60, compressed)], rrsig)).toEqual({ ok: false, reason: 'compressed name in AFSDB RDATA' });
  });
});

describe('canonical RRset order (RFC 4034 §6.3)', () => {
  it('sorts RDATA as unsigned octet strings, shorter first on a common prefix, and drops duplicates', () => {
    const txt = (s: string) => rr('t.example', 'TXT', 60, [Buffer.from(s, 'latin1')]);
    const order = canonicalRdataOrder([txt('b'), txt('ab'), txt('a'), txt('b'), txt('\xff')]).map((d) => d.toString('latin1'));
    expect(order).toEqual(['\x01a', '\x01b', '\x01\xff', '\x02ab']);
  });

  it('compares lowered RDATA, so records differing only in case are duplicates', () => {
    expect(canonicalRdataOrder([rr('x', 'NS', 60, 'A.example'), rr('x', 'NS', 60, 'a.EXAMPLE')])).toHaveLength(1);
  });

  it('orders A records by address octets, not by their text', () => {
    const a = (ip: string) => rr('h.example', 'A', 60, ip);
    const order = canonicalRdataOrder([a('10.0.0.2'), a('9.0.0.1'), a('10.0.0.10')]).map((d) => [...d].join('.'));
    expect(order).toEqual(['9.0.0.1', '10.0.0.2', '10.0.0.10']);
  });
});

describe('the data an RRSIG signs (RFC 4034 §3.1.8.1)', () => {
  const rrsig: RrsigData = {
    typeCovered: 'A', algorithm: 13, labels: 2, originalTTL: 3600, expiration: 0x5f5e1000, inception: 0x5f000000,
    keyTag: 0x1234, signersName: 'Example.COM', signature: Buffer.from('not part of the signed data'),
  };

  it('is the RRSIG RDATA without the signature, then each record with the original TTL, in canonical order', () => {
    const signed = rrsigSignedData([rr('WWW.example.com', 'A', 60, '192.0.2.2'), rr('www.example.com', 'A', 60, '192.0.2.1')], { ...rrsig, labels: 3 });
    const expected = hex(`
      0001 0d 03 00000e10 5f5e1000 5f000000 1234 076578616d706c6503636f6d00
      03777777076578616d706c6503636f6d00 0001 0001 00000e10 0004 c0000201
      03777777076578616d706c6503636f6d00 0001 0001 00000e10 0004 c0000202`);
    expect(signed).toEqual({ ok: true, data: expected });
  });

  it('uses the wildcard as owner when the Labels field says the records were expanded from one', () => {
    const expanded = rrsigSignedData([rr('a.b.example.com', 'A', 60, '192.0.2.1')], rrsig);
    const literal = rrsigSignedData([rr('*.example.com', 'A', 60, '192.0.2.1')], rrsig);
    expect(expanded).toEqual(literal);
    expect(expanded.ok && expanded.data.includes(canonicalNameWire('*.example.com'))).toBe(true);
  });

  it('refuses records that are not one RRset, or that the RRSIG cannot cover', () => {
    expect(rrsigSignedData([rr('a.example.com', 'A', 60, '192.0.2.1'), rr('b.example.com', 'A', 60, '192.0.2.1')], rrsig))
      .toEqual({ ok: false, reason: 'records of more than one RRset' });
    expect(rrsigSignedData([rr('example.com', 'A', 60, '192.0.2.1')], { ...rrsig, labels: 3 }).ok).toBe(false);
    expect(rrsigSignedData([rr('example.com', 'TXT', 60, [Buffer.from('x')])], rrsig)).toEqual({ ok: false, reason: 'RRSIG covers A, not TXT' });
  });
});
