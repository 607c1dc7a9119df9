// The signed lab (issue 19): every signature of every lab zone verifies with its zone's key, each DS in a parent
// matches its child's key, the trust anchor is the root's DS, and the broken cases are broken exactly as the lab
// says — expired.com's signatures expired, wrong-ds.net's DS matching none of its keys, insecure.org with no DS
// and the NSEC that proves it. Signing is timed and bounded.
import type { DnskeyData, DsData, NsecData, RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { matchDs } from '../../../src/dnssec/ds.js';
import { rrsigTimeStatus } from '../../../src/dnssec/verify.js';
import { answerQuestion } from '../../../src/lab/answerer.js';
import { LAB_SIGNING, labServers } from '../../../src/lab/lab-zones.js';
import { dsLine, signLab } from '../../../src/lab/sign-lab.js';
import { canonical } from '../../../src/wire/names.js';
import type { RR } from '../../../src/wire/types.js';
import { keyRing, rrsetsOf, rrsigsOver, signatureProblem } from '../../helpers/dnssec-check.js';

const NOW_MS = Date.UTC(2026, 11, 6, 21, 0, 0);
const NOW = NOW_MS / 1000;
const lab = signLab(labServers('127.53'), LAB_SIGNING, NOW_MS);
const zones = new Map(lab.servers.flatMap((s) => s.zones).map((z) => [canonical(z.origin), z]));
const zoneOf = (origin: string) => zones.get(origin)!;
const keys = keyRing([...zones.values()]);
const dnskeys = (origin: string) => zoneOf(origin).records.filter((r) => r.type === 'DNSKEY').map((r) => r.data as DnskeyData);
const dsIn = (parent: string, child: string) => zoneOf(parent).records.filter((r) => r.type === 'DS' && r.name === child);
const PARENT: Record<string, string> = {
  com: '.', net: '.', org: '.', 'example.com': 'com', 'expired.com': 'com', 'example.net': 'net', 'wrong-ds.net': 'net',
  'example.org': 'org', 'glueless.org': 'org', 'insecure.org': 'org',
};

describe('the signed lab', () => {
  it('signs the planned zones with fresh keys of the planned algorithm, every server holding the signed copy', () => {
    expect([...lab.signed.keys()].sort()).toEqual(Object.keys(LAB_SIGNING).sort());
    for (const [origin, how] of Object.entries(LAB_SIGNING)) expect(dnskeys(origin).map((k) => k.algorithm), origin).toEqual([how.algorithm]);
    expect(new Set(dnskeys('.').map((k) => k.algorithm))).toEqual(new Set([13]));
    expect(dnskeys('net')[0]!.algorithm).toBe(15);
    // Both root servers and both example.com servers serve one and the same signed zone.
    const holders = lab.servers.filter((s) => s.zones.some((z) => z.origin === 'example.com'));
    expect(holders).toHaveLength(2);
    expect(holders[0]!.zones.find((z) => z.origin === 'example.com')).toBe(holders[1]!.zones.find((z) => z.origin === 'example.com'));
    const again = signLab(labServers('127.53'), LAB_SIGNING, NOW_MS);
    expect(again.rootDs[0]!.data).not.toEqual(lab.rootDs[0]!.data); // fresh keys each start
  });

  it('every RRSIG of every zone but expired.com verifies and is current; expired.com is signed but expired', () => {
    for (const [origin, z] of zones) {
      if (!lab.signed.has(origin)) continue;
      for (const set of rrsetsOf(z.records)) {
        const sigs = rrsigsOver(z.records, set);
        if (sigs.length === 0) continue;
        const problem = signatureProblem(z.records, set, keys, NOW);
        if (origin === 'expired.com') expect(problem, `${set[0]!.name} ${set[0]!.type}`).toMatch(/RRSIG expired$/);
        else expect(problem).toBeNull();
      }
    }
    const expiredSigs = zoneOf('expired.com').records.filter((r) => r.type === 'RRSIG');
    expect(expiredSigs.length).toBeGreaterThan(0);
    expect(expiredSigs.every((r) => rrsigTimeStatus(r.data as RrsigData, NOW) === 'expired')).toBe(true);
  });

  it('signatures start an hour before the clock given', () => {
    const sig = zoneOf('example.com').records.find((r) => r.type === 'RRSIG')!.data as RrsigData;
    expect(sig.inception).toBe(NOW - 3600);
    expect(sig.expiration).toBe(NOW + 14 * 86400);
  });

  it('links every signed child to its parent by a signed DS matching its key; wrong-ds.net by one that matches none', () => {
    for (const [child, parent] of Object.entries(PARENT)) {
      const ds = dsIn(parent, child);
      if (child === 'insecure.org') {
        expect(ds).toEqual([]);
        continue;
      }
      expect(ds, child).toHaveLength(1);
      expect(signatureProblem(zoneOf(parent).records, ds, keys, NOW), child).toBeNull();
      const matches = dnskeys(child).map((k) => matchDs(ds[0]!.data as DsData, child, k));
      expect(matches, child).toEqual([child === 'wrong-ds.net' ? 'no-match' : 'match']);
    }
    // No DS for lame.com either (no zone behind it), and none for the root in any zone.
    expect(dsIn('com', 'lame.com')).toEqual([]);
  });

  it('the trust anchor is the root DS, in zone-file form, matching the root key', () => {
    expect(lab.rootDs).toHaveLength(1);
    expect(matchDs(lab.rootDs[0]!.data as DsData, '.', dnskeys('.')[0]!)).toBe('match');
    const ds = lab.rootDs[0]!.data as DsData;
    expect(dsLine(lab.rootDs[0]!)).toBe(`. 3600 IN DS ${ds.keyTag} 13 2 ${ds.digest.toString('hex').toUpperCase()}`);
  });

  it("insecure.org is provably insecure: org's NSEC at the cut has NS and no DS, and it is signed", () => {
    const org = zoneOf('org');
    const nsec = org.records.filter((r) => r.type === 'NSEC' && r.name === 'insecure.org');
    expect((nsec[0]!.data as NsecData).rrtypes).toContain('NS');
    expect((nsec[0]!.data as NsecData).rrtypes).not.toContain('DS');
    expect(signatureProblem(org.records, nsec, keys, NOW)).toBeNull();
    expect(zoneOf('insecure.org').records.some((r) => r.type === 'RRSIG' || r.type === 'DNSKEY')).toBe(false);
    const referral = answerQuestion([org], 'www.insecure.org', 'A', { dnssec: true });
    expect((referral.authorities as unknown as RR[]).map((r) => r.type)).toEqual(['NS', 'NSEC', 'RRSIG']);
  });

  it('com and net use NSEC3 with opt-out, example.net NSEC3 without', () => {
    const flagsOf = (origin: string) => new Set(zoneOf(origin).records.filter((r) => r.type === 'NSEC3').map((r) => (r.data as { flags: number }).flags));
    expect(flagsOf('com')).toEqual(new Set([1]));
    expect(flagsOf('net')).toEqual(new Set([1]));
    expect(flagsOf('example.net')).toEqual(new Set([0]));
    expect(zoneOf('example.com').records.some((r) => r.type === 'NSEC3')).toBe(false);
  });

  it('signs the whole lab in well under a second', () => {
    expect(lab.signingMs).toBeLessThan(1000);
  });
});
