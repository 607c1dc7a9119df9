// signZone: every authoritative RRset signed (and nothing else), the NSEC and NSEC3 chains closed and complete, the
// DS matching the key, and each break option breaking the zone the way it says — all checked with verify.ts.
import type { Nsec3Data, NsecData, RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { compareCanonicalNames } from '../../../src/dnssec/canonical.js';
import { parseNsec3Param, NSEC3_OPT_OUT } from '../../../src/dnssec/denial-chain.js';
import { matchDs } from '../../../src/dnssec/ds.js';
import { base32hex, nsec3Hash } from '../../../src/dnssec/nsec3.js';
import { generateSigningKey, windowAround } from '../../../src/dnssec/sign.js';
import { rrsigTimeStatus, verifyRrsig } from '../../../src/dnssec/verify.js';
import { expiredWindow, futureWindow, signZone, withDelegationDs } from '../../../src/dnssec/zone-signer.js';
import { zone } from '../../../src/lab/answerer.js';
import type { RR } from '../../../src/wire/types.js';
import { keyRing, rrsetsOf, rrsigsOver, sectionProblems, signatureProblem } from '../../helpers/dnssec-check.js';

const NOW_MS = Date.UTC(2026, 11, 6, 12, 0, 0);
const NOW = NOW_MS / 1000;
const window = windowAround(NOW_MS);

const example = () =>
  zone('example.test', [
    '@ 3600 SOA ns1 hostmaster 1 7200 900 1209600 300',
    '@ NS ns1',
    'ns1 A 127.0.0.9',
    'www A 192.0.2.80',
    'www AAAA 2001:db8::80',
    'a.b.c A 192.0.2.1', // b.c and c are empty non-terminals
    '* TXT wildcard',
    'secure NS ns.secure',
    'ns.secure A 127.0.0.10', // glue
    'insecure NS ns.elsewhere.test.',
  ]);

const types = (rrs: readonly RR[]) => rrs.map((r) => r.type);
const at = (records: readonly RR[], name: string, type: string) => records.filter((r) => r.name === name && r.type === type);

describe('signZone', () => {
  it('signs every authoritative RRset with the zone key, and not the NS at a cut nor glue', () => {
    const signed = signZone(example(), { denial: 'nsec', window });
    const records = signed.zone.records;
    const keys = keyRing([signed.zone]);
    expect(keys.get('example.test')).toHaveLength(1);
    const unsignedOnes = rrsetsOf(records).filter((set) => rrsigsOver(records, set).length === 0);
    expect(unsignedOnes.map((s) => `${s[0]!.name} ${s[0]!.type}`).sort()).toEqual(['insecure.example.test NS', 'ns.secure.example.test A', 'secure.example.test NS']);
    expect(sectionProblems(records, keys, NOW, (set) => rrsigsOver(records, set).length > 0)).toEqual([]);
    expect(at(records, 'example.test', 'DNSKEY')[0]!.data).toEqual(signed.keys[0]!.dnskey);
    expect(signed.keys[0]!.dnskey).toMatchObject({ flags: 257, algorithm: 13 });
  });

  it('makes a closed NSEC chain in canonical order over the owner names, with the types at each (RFC 4034 §4)', () => {
    const records = signZone(example(), { denial: 'nsec', window }).zone.records;
    const nsecs = records.filter((r) => r.type === 'NSEC');
    const owners = nsecs.map((r) => r.name);
    expect([...owners].sort(compareCanonicalNames)).toEqual(owners); // emitted in order
    expect(owners).toEqual(['example.test', '*.example.test', 'a.b.c.example.test', 'insecure.example.test', 'ns1.example.test', 'secure.example.test', 'www.example.test']);
    nsecs.forEach((r, i) => expect((r.data as NsecData).nextDomain).toBe(owners[(i + 1) % owners.length]));
    const bitmap = (name: string) => [...(at(records, name, 'NSEC')[0]!.data as NsecData).rrtypes].sort();
    expect(bitmap('example.test')).toEqual(['DNSKEY', 'NS', 'NSEC', 'RRSIG', 'SOA']);
    expect(bitmap('www.example.test')).toEqual(['A', 'AAAA', 'NSEC', 'RRSIG']);
    expect(bitmap('insecure.example.test')).toEqual(['NS', 'NSEC', 'RRSIG']); // no DS: the delegation is insecure
    expect(nsecs.every((r) => r.ttl === 300)).toBe(true);
  });

  it('makes an NSEC3 chain over owners and empty non-terminals, hash-ordered and closed (RFC 5155 §7.1)', () => {
    const salt = Buffer.from('aabbccdd', 'hex');
    const records = signZone(example(), { denial: { nsec3: { iterations: 1, salt } }, window }).zone.records;
    const nsec3s = records.filter((r) => r.type === 'NSEC3');
    const names = ['example.test', '*.example.test', 'a.b.c.example.test', 'b.c.example.test', 'c.example.test', 'insecure.example.test', 'ns1.example.test', 'secure.example.test', 'www.example.test'];
    const hashes = names.map((n) => base32hex(nsec3Hash(n, salt, 1)!)).sort();
    expect(nsec3s.map((r) => r.name.split('.')[0]).sort()).toEqual(hashes);
    for (const r of nsec3s) {
      const d = r.data as Nsec3Data;
      const owner = r.name.split('.')[0]!;
      expect(base32hex(d.nextDomain)).toBe(hashes[(hashes.indexOf(owner) + 1) % hashes.length]);
      expect(d).toMatchObject({ algorithm: 1, flags: 0, iterations: 1, salt });
    }
    const bitmapOf = (name: string) => [...(nsec3s.find((r) => r.name.startsWith(base32hex(nsec3Hash(name, salt, 1)!)))!.data as Nsec3Data).rrtypes].sort();
    expect(bitmapOf('example.test')).toEqual(['DNSKEY', 'NS', 'NSEC3PARAM', 'RRSIG', 'SOA']);
    expect(bitmapOf('b.c.example.test')).toEqual([]);
    expect(bitmapOf('insecure.example.test')).toEqual(['NS']);
    const param = at(records, 'example.test', 'NSEC3PARAM')[0]!;
    expect(parseNsec3Param(param.data as Buffer)).toEqual({ algorithm: 1, iterations: 1, salt });
    expect(signatureProblem(records, [param], keyRing([{ origin: 'example.test', records }]), NOW)).toBeNull();
    expect(records.some((r) => r.type === 'NSEC')).toBe(false);
  });

  it('with opt-out leaves the unsigned delegation out of the chain and flags every NSEC3 (RFC 5155 §6)', () => {
    const salt = Buffer.alloc(0);
    const childDs = signZone(zone('secure.example.test', ['@ SOA ns hostmaster 1 7200 900 1209600 300']), { denial: 'nsec', window }).ds;
    const parent = withDelegationDs(example(), 'secure.example.test', childDs);
    const records = signZone(parent, { denial: { nsec3: { iterations: 0, salt, optOut: true } }, window }).zone.records;
    const nsec3s = records.filter((r) => r.type === 'NSEC3');
    const owners = new Set(nsec3s.map((r) => r.name.split('.')[0]));
    expect(owners.has(base32hex(nsec3Hash('insecure.example.test', salt, 0)!))).toBe(false);
    expect(owners.has(base32hex(nsec3Hash('secure.example.test', salt, 0)!))).toBe(true); // it has a DS
    expect(nsec3s).toHaveLength(8);
    expect(nsec3s.every((r) => ((r.data as Nsec3Data).flags & NSEC3_OPT_OUT) !== 0)).toBe(true);
  });

  it('gives the parent a SHA-256 DS that matches the key; the parent signs it at the cut', () => {
    const child = signZone(zone('secure.example.test', ['@ SOA ns hostmaster 1 7200 900 1209600 300', '@ NS ns', 'ns A 127.0.0.10']), { denial: 'nsec', window, algorithm: 15 });
    expect(child.ds).toHaveLength(1);
    const ds = child.ds[0]!;
    expect(ds).toMatchObject({ name: 'secure.example.test', type: 'DS', ttl: 3600 });
    expect(matchDs(ds.data as never, 'secure.example.test', child.keys[0]!.dnskey)).toBe('match');
    const parent = signZone(withDelegationDs(example(), 'secure.example.test', child.ds), { denial: 'nsec', window });
    const records = parent.zone.records;
    const dsSet = at(records, 'secure.example.test', 'DS');
    expect(dsSet).toHaveLength(1);
    expect(signatureProblem(records, dsSet, keyRing([parent.zone]), NOW)).toBeNull();
    expect((at(records, 'secure.example.test', 'NSEC')[0]!.data as NsecData).rrtypes.sort()).toEqual(['DS', 'NS', 'NSEC', 'RRSIG']);
    expect(() => withDelegationDs(example(), 'www.example.test', child.ds)).toThrow(/no delegation/);
    expect(() => withDelegationDs(example(), 'example.org', child.ds)).toThrow(/not below/);
  });

  it('with a KSK and a ZSK: the KSK signs the DNSKEY RRset, the ZSK the rest; the DS names the KSK', () => {
    const ksk = generateSigningKey('example.test', 13, 257);
    const zsk = generateSigningKey('example.test', 13, 256);
    const signed = signZone(example(), { keys: [ksk, zsk], denial: 'nsec', window });
    const tagsOver = (name: string, type: string) =>
      signed.zone.records.filter((r) => r.type === 'RRSIG' && r.name === name && (r.data as RrsigData).typeCovered === type).map((r) => (r.data as RrsigData).keyTag);
    expect(tagsOver('example.test', 'DNSKEY')).toEqual([ksk.keyTag]);
    expect(tagsOver('www.example.test', 'A')).toEqual([zsk.keyTag]);
    expect(signed.ds.map((d) => (d.data as { keyTag: number }).keyTag)).toEqual([ksk.keyTag]);
    expect(sectionProblems(signed.zone.records, keyRing([signed.zone]), NOW, (s) => rrsigsOver(signed.zone.records, s).length > 0)).toEqual([]);
    expect(() => signZone(example(), { keys: [generateSigningKey('other.test', 13)], denial: 'nsec', window })).toThrow(/belongs to other.test/);
  });

  it('re-signing replaces the DNSSEC records instead of piling them up', () => {
    const once = signZone(example(), { denial: 'nsec', window });
    const twice = signZone(once.zone, { keys: once.keys, denial: 'nsec', window });
    expect(twice.zone.records.length).toBe(once.zone.records.length);
  });
});

describe('signZone break options', () => {
  it('signs with the window given: expired and not-yet-valid signatures', () => {
    const expired = signZone(example(), { denial: 'nsec', window: expiredWindow(NOW_MS) }).zone.records.filter((r) => r.type === 'RRSIG');
    const future = signZone(example(), { denial: 'nsec', window: futureWindow(NOW_MS) }).zone.records.filter((r) => r.type === 'RRSIG');
    expect(new Set(expired.map((r) => rrsigTimeStatus(r.data as RrsigData, NOW)))).toEqual(new Set(['expired']));
    expect(new Set(future.map((r) => rrsigTimeStatus(r.data as RrsigData, NOW)))).toEqual(new Set(['not-yet-valid']));
  });

  it('a DS of a key the zone does not publish, or with a wrong digest, matches no DNSKEY', () => {
    for (const how of ['unknown-key', 'wrong-digest'] as const) {
      const signed = signZone(example(), { denial: 'nsec', window, ds: how });
      const dnskeys = signed.zone.records.filter((r) => r.type === 'DNSKEY');
      for (const ds of signed.ds) expect(dnskeys.map((k) => matchDs(ds.data as never, 'example.test', k.data as never))).toEqual(['no-match']);
    }
    const wrong = signZone(example(), { denial: 'nsec', window, ds: 'wrong-digest' });
    expect((wrong.ds[0]!.data as { keyTag: number }).keyTag).toBe(wrong.keys[0]!.keyTag);
  });

  it('strips the RRSIGs of one RRset, corrupts those of another, and refuses a reference that hits nothing', () => {
    const signed = signZone(example(), {
      denial: 'nsec',
      window,
      stripRrsigs: [{ name: 'www.example.test', type: 'A' }],
      corruptRrsigs: [{ name: 'ns1.example.test' }],
    });
    const records = signed.zone.records;
    const keys = keyRing([signed.zone]);
    expect(signatureProblem(records, at(records, 'www.example.test', 'A'), keys, NOW)).toMatch(/no RRSIG/);
    expect(signatureProblem(records, at(records, 'www.example.test', 'AAAA'), keys, NOW)).toBeNull();
    expect(signatureProblem(records, at(records, 'ns1.example.test', 'A'), keys, NOW)).toMatch(/does not verify/);
    expect(signatureProblem(records, at(records, 'ns1.example.test', 'NSEC'), keys, NOW)).toMatch(/does not verify/);
    const rrsig = at(records, 'ns1.example.test', 'RRSIG').find((r) => (r.data as RrsigData).typeCovered === 'A')!;
    expect(verifyRrsig(at(records, 'ns1.example.test', 'A'), rrsig.data as RrsigData, { name: 'example.test', data: signed.keys[0]!.dnskey })).toMatchObject({ status: 'invalid' });
    expect(() => signZone(example(), { denial: 'nsec', window, stripRrsigs: [{ name: 'nope.example.test' }] })).toThrow(/no RRSIG at nope/);
    expect(types(records).includes('RRSIG')).toBe(true);
  });
});
