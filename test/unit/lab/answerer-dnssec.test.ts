// The lab answerer with DO=1 (RFC 4035 §3.1) on zones signed by signZone: every reply goes through the wire
// (encode → decode) and is checked with src/dnssec — signatures verify with the zone's DNSKEY, the DS matches the
// child's key, NSEC/NSEC3 records cover or match what the RFC says they must. Without DO nothing changes.
import * as dnsPacket from 'dns-packet';
import type { Nsec3Data, NsecData, RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { NSEC3_OPT_OUT } from '../../../src/dnssec/denial-chain.js';
import { matchDs } from '../../../src/dnssec/ds.js';
import { windowAround } from '../../../src/dnssec/sign.js';
import { signZone, withDelegationDs } from '../../../src/dnssec/zone-signer.js';
import { answerQuery, answerQuestion, zone, type Zone } from '../../../src/lab/answerer.js';
import { decodePacket } from '../../../src/wire/decode.js';
import type { RR } from '../../../src/wire/types.js';
import { keyRing, nsec3Covers, nsec3Matches, nsecCovers, sectionProblems } from '../../helpers/dnssec-check.js';

const NOW_MS = Date.UTC(2026, 11, 6, 12, 0, 0);
const NOW = NOW_MS / 1000;
const window = windowAround(NOW_MS);
const soa = '@ 3600 SOA ns hostmaster 1 7200 900 1209600 300';

const unsignedSigned = zone('signed.test', [soa, '@ NS ns', 'ns A 127.0.0.2', 'www A 192.0.2.80', 'www AAAA 2001:db8::80', 'a.b A 192.0.2.1', '*.wild TXT from the wildcard', 'alias CNAME www', '*.x CNAME www', 'old DNAME signed.test.']);
const signed = signZone(unsignedSigned, { denial: 'nsec', window });
const n3 = signZone(
  zone('n3.test', [soa, '@ NS ns', 'ns A 127.0.0.3', 'www A 192.0.2.3', '*.w A 192.0.2.33', 'child NS ns.child', 'ns.child A 127.0.0.4']),
  { denial: { nsec3: { iterations: 2, salt: Buffer.from('beef', 'hex'), optOut: true } }, window, algorithm: 15 },
);
const unsignedParent = zone('test', [soa, '@ NS ns', 'ns A 127.0.0.1', 'signed NS ns.signed', 'ns.signed A 127.0.0.2', 'plain NS ns.plain', 'ns.plain A 127.0.0.5', 'n3 NS ns.n3', 'ns.n3 A 127.0.0.3']);
const parent = signZone(withDelegationDs(withDelegationDs(unsignedParent, 'signed.test', signed.ds), 'n3.test', n3.ds), { denial: 'nsec', window });
const keys = keyRing([parent.zone, signed.zone, n3.zone]);

interface Reply {
  rcode: string;
  aa: boolean;
  answers: RR[];
  authorities: RR[];
  additionals: RR[];
  opt?: { flags?: number };
}

/** Asks the answerer over the wire, as a resolver would, with DO set or not. */
function ask(zones: Zone[], name: string, type: string, dnssec = true): Reply {
  const query = dnsPacket.decode(
    dnsPacket.encode({ type: 'query', id: 7, questions: [{ name, type: type as 'A', class: 'IN' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnssec ? dnsPacket.DNSSEC_OK : 0 } as dnsPacket.Answer] }),
  );
  const d = decodePacket(dnsPacket.encode(answerQuery(zones, query as never)));
  if (!d.ok) throw new Error(d.reason);
  const p = d.packet as unknown as { rcode: string; flags: number; answers: RR[]; authorities: RR[]; additionals: RR[] };
  return {
    rcode: p.rcode,
    aa: (p.flags & 0x0400) !== 0,
    answers: p.answers,
    authorities: p.authorities,
    additionals: p.additionals.filter((r) => r.type !== 'OPT'),
    opt: p.additionals.find((r) => r.type === 'OPT') as { flags?: number } | undefined,
  };
}

const of = (rrs: readonly RR[], type: string) => rrs.filter((r) => r.type === type);
const allSigned = (rrs: readonly RR[]) => expect(sectionProblems(rrs, keys, NOW)).toEqual([]);

describe('answers with DO=1 from a signed zone', () => {
  it('carry the RRSIG with each RRset, verifying with the zone DNSKEY; DO is echoed', () => {
    const r = ask([signed.zone], 'www.signed.test', 'A');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers.map((a) => a.type)).toEqual(['A', 'RRSIG']);
    allSigned(r.answers);
    expect((r.opt?.flags ?? 0) & dnsPacket.DNSSEC_OK).toBe(dnsPacket.DNSSEC_OK);
    const cname = ask([signed.zone], 'alias.signed.test', 'A');
    expect(cname.answers.map((a) => a.type)).toEqual(['CNAME', 'RRSIG', 'A', 'RRSIG']);
    allSigned(cname.answers);
  });

  it('a DNAME comes with its RRSIG; the CNAME synthesised from it is unsigned (RFC 6672 §5.3.1)', () => {
    const r = ask([signed.zone], 'www.old.signed.test', 'A');
    expect(r.answers.map((a) => `${a.name} ${a.type}`)).toEqual([
      'old.signed.test DNAME', 'old.signed.test RRSIG', 'www.old.signed.test CNAME', 'www.signed.test A', 'www.signed.test RRSIG',
    ]);
    allSigned(r.answers.filter((a) => a.type !== 'CNAME'));
  });

  it('answer DNSKEY at the apex, self-signed, and the parent DS matches that key', () => {
    const r = ask([signed.zone], 'signed.test', 'DNSKEY');
    expect(of(r.answers, 'DNSKEY')).toHaveLength(1);
    allSigned(r.answers);
    const ds = ask([parent.zone], 'signed.test', 'DS');
    expect(ds.aa).toBe(true);
    expect(of(ds.answers, 'DS').map((d) => matchDs(d.data as never, 'signed.test', of(r.answers, 'DNSKEY')[0]!.data as never))).toEqual(['match']);
    allSigned(ds.answers);
  });

  it('NXDOMAIN: the SOA, the NSEC covering the name and the NSEC covering the wildcard, all signed (RFC 4035 §3.1.3.2)', () => {
    const r = ask([signed.zone], 'nope.signed.test', 'A');
    expect(r.rcode).toBe('NXDOMAIN');
    expect(of(r.authorities, 'SOA')).toHaveLength(1);
    const nsecs = of(r.authorities, 'NSEC');
    expect(nsecs.some((n) => nsecCovers(n, 'nope.signed.test'))).toBe(true);
    expect(nsecs.some((n) => nsecCovers(n, '*.signed.test'))).toBe(true);
    allSigned(r.authorities);
  });

  it('NODATA: the NSEC at the name without the type; for an empty non-terminal the NSEC covering it', () => {
    const r = ask([signed.zone], 'www.signed.test', 'MX');
    expect([r.rcode, r.answers.length]).toEqual(['NOERROR', 0]);
    const nsec = of(r.authorities, 'NSEC');
    expect(nsec.map((n) => n.name)).toEqual(['www.signed.test']);
    expect((nsec[0]!.data as NsecData).rrtypes).not.toContain('MX');
    allSigned(r.authorities);
    const ent = ask([signed.zone], 'b.signed.test', 'A');
    expect([ent.rcode, ent.answers.length]).toEqual(['NOERROR', 0]);
    expect(of(ent.authorities, 'NSEC').some((n) => nsecCovers(n, 'b.signed.test'))).toBe(true);
    allSigned(ent.authorities);
  });

  it('wildcard answer: the expanded RRset, its RRSIG with the wildcard label count, and the NSEC proving no closer name', () => {
    const r = ask([signed.zone], 'x.wild.signed.test', 'TXT');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers.map((a) => `${a.name} ${a.type}`)).toEqual(['x.wild.signed.test TXT', 'x.wild.signed.test RRSIG']);
    expect((of(r.answers, 'RRSIG')[0]!.data as RrsigData).labels).toBe(3); // wild.signed.test: "*" not counted
    allSigned(r.answers);
    expect(of(r.authorities, 'NSEC').some((n) => nsecCovers(n, 'x.wild.signed.test'))).toBe(true);
    allSigned(r.authorities);
    // Without DO the wildcard still answers, with nothing else.
    const plain = ask([signed.zone], 'x.wild.signed.test', 'TXT', false);
    expect(plain.answers.map((a) => a.type)).toEqual(['TXT']);
    expect(plain.authorities).toEqual([]);
  });

  it('a wildcard CNAME is expanded and followed inside the zone', () => {
    const r = ask([signed.zone], 'q.x.signed.test', 'A');
    expect(r.answers.map((a) => `${a.name} ${a.type}`)).toEqual(['q.x.signed.test CNAME', 'q.x.signed.test RRSIG', 'www.signed.test A', 'www.signed.test RRSIG']);
    allSigned(r.answers);
  });

  it('wildcard NODATA: the NSEC covering the name and the wildcard NSEC without the type (RFC 4035 §3.1.3.4)', () => {
    const r = ask([signed.zone], 'x.wild.signed.test', 'A');
    expect([r.rcode, r.answers.length]).toEqual(['NOERROR', 0]);
    const nsecs = of(r.authorities, 'NSEC');
    expect(nsecs.some((n) => nsecCovers(n, 'x.wild.signed.test'))).toBe(true);
    const wild = nsecs.find((n) => n.name === '*.wild.signed.test')!;
    expect((wild.data as NsecData).rrtypes).not.toContain('A');
    allSigned(r.authorities);
  });
});

describe('answers with DO=1 from an NSEC3 zone (RFC 5155 §7.2)', () => {
  it('NXDOMAIN: closest encloser proof (matching NSEC3, covering the next closer name) and the wildcard covered', () => {
    const r = ask([n3.zone], 'a.nope.n3.test', 'A');
    expect(r.rcode).toBe('NXDOMAIN');
    const nsec3s = of(r.authorities, 'NSEC3');
    expect(nsec3s.some((n) => nsec3Matches(n, 'n3.test'))).toBe(true);
    expect(nsec3s.some((n) => nsec3Covers(n, 'nope.n3.test'))).toBe(true);
    expect(nsec3s.some((n) => nsec3Covers(n, '*.n3.test'))).toBe(true);
    expect(of(r.authorities, 'SOA')).toHaveLength(1);
    allSigned(r.authorities);
  });

  it('NODATA: the NSEC3 matching the name, its bitmap without the type', () => {
    const r = ask([n3.zone], 'www.n3.test', 'MX');
    const nsec3s = of(r.authorities, 'NSEC3');
    expect(nsec3s).toHaveLength(1);
    expect(nsec3Matches(nsec3s[0]!, 'www.n3.test')).toBe(true);
    expect((nsec3s[0]!.data as Nsec3Data).rrtypes).toEqual(expect.arrayContaining(['A', 'RRSIG']));
    expect((nsec3s[0]!.data as Nsec3Data).rrtypes).not.toContain('MX');
    allSigned(r.authorities);
  });

  it('wildcard answer: the NSEC3 covering the next closer name', () => {
    const r = ask([n3.zone], 'x.w.n3.test', 'A');
    expect(r.answers.map((a) => a.type)).toEqual(['A', 'RRSIG']);
    allSigned(r.answers);
    expect(of(r.authorities, 'NSEC3').some((n) => nsec3Covers(n, 'x.w.n3.test'))).toBe(true);
    allSigned(r.authorities);
  });

  it('a referral to an opted-out unsigned child: closest provable encloser and an Opt-Out NSEC3 covering the cut', () => {
    const r = ask([n3.zone], 'www.child.n3.test', 'A');
    expect(r.aa).toBe(false);
    expect(of(r.authorities, 'NS')).toHaveLength(1);
    expect(of(r.authorities, 'DS')).toEqual([]);
    const nsec3s = of(r.authorities, 'NSEC3');
    expect(nsec3s.some((n) => nsec3Matches(n, 'n3.test'))).toBe(true);
    const cover = nsec3s.find((n) => nsec3Covers(n, 'child.n3.test'))!;
    expect((cover.data as Nsec3Data).flags & NSEC3_OPT_OUT).toBe(NSEC3_OPT_OUT);
    allSigned(r.authorities.filter((a) => a.type !== 'NS'));
  });
});

describe('referrals and DS with DO=1', () => {
  it('to a signed child: NS, DS and RRSIG(DS) in authority, glue unsigned', () => {
    const r = ask([parent.zone], 'www.signed.test', 'A');
    expect(r.aa).toBe(false);
    expect(r.authorities.map((a) => a.type)).toEqual(['NS', 'DS', 'RRSIG']);
    expect(matchDs(of(r.authorities, 'DS')[0]!.data as never, 'signed.test', signed.keys[0]!.dnskey)).toBe('match');
    allSigned(of(r.authorities, 'DS').concat(of(r.authorities, 'RRSIG')));
    expect(r.additionals.map((a) => a.type)).toEqual(['A']);
  });

  it('to an unsigned child: the NSEC at the cut, without DS in its bitmap, signed', () => {
    const r = ask([parent.zone], 'www.plain.test', 'A');
    const nsec = of(r.authorities, 'NSEC');
    expect(nsec.map((n) => n.name)).toEqual(['plain.test']);
    expect((nsec[0]!.data as NsecData).rrtypes).not.toContain('DS');
    expect((nsec[0]!.data as NsecData).rrtypes).toContain('NS');
    allSigned(r.authorities.filter((a) => a.type !== 'NS'));
  });

  it('a DS query is answered from the parent even by a server holding the child too (RFC 4035 §3.1.4.1)', () => {
    const both = [parent.zone, signed.zone];
    const ds = ask(both, 'signed.test', 'DS');
    expect(ds.aa).toBe(true);
    expect(ds.answers.map((a) => a.type)).toEqual(['DS', 'RRSIG']);
    expect((of(ds.answers, 'RRSIG')[0]!.data as RrsigData).signersName).toBe('test');
    allSigned(ds.answers);
    // No DS at an insecure cut: NODATA from the parent, with the NSEC at the cut.
    const none = ask([parent.zone], 'plain.test', 'DS');
    expect([none.rcode, none.aa, none.answers.length]).toEqual(['NOERROR', true, 0]);
    expect(of(none.authorities, 'NSEC').map((n) => n.name)).toEqual(['plain.test']);
    allSigned(none.authorities);
    // Other types at the child apex still come from the child.
    expect(of(ask(both, 'signed.test', 'DNSKEY').answers, 'DNSKEY')).toHaveLength(1);
  });
});

describe('without DO', () => {
  it('a signed zone answers exactly as its unsigned self', () => {
    const questions: [string, string][] = [
      ['www.signed.test', 'A'], ['alias.signed.test', 'A'], ['nope.signed.test', 'A'], ['www.signed.test', 'MX'],
      ['b.signed.test', 'A'], ['x.wild.signed.test', 'TXT'], ['x.wild.signed.test', 'A'], ['signed.test', 'NS'],
    ];
    for (const [name, type] of questions) {
      expect(answerQuestion([signed.zone], name, type), `${name} ${type}`).toEqual(answerQuestion([unsignedSigned], name, type));
    }
    expect(answerQuestion([parent.zone], 'www.signed.test', 'A').authorities!.map((a) => a.type)).toEqual(['NS']);
    const r = ask([signed.zone], 'www.signed.test', 'A', false);
    expect(r.answers.map((a) => a.type)).toEqual(['A']);
    expect((r.opt?.flags ?? 0) & dnsPacket.DNSSEC_OK).toBe(0);
  });

  it('NSEC3 owner names are not names of the zone (RFC 5155 §7.2.8)', () => {
    const hashed = of(n3.zone.records, 'NSEC3')[0]!.name;
    expect(answerQuestion([n3.zone], hashed, 'NSEC3').flags! & 0x0f).toBe(3);
  });
});
