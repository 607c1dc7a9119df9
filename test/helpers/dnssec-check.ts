// Checks on signed data for tests, built on src/dnssec's RFC-vector-tested pieces: every RRset of a section
// verified against the signer's DNSKEYs, and whether an NSEC or NSEC3 record covers or matches a name.
import type { DnskeyData, Nsec3Data, NsecData, RrsigData } from 'dns-packet';
import { compareCanonicalNames } from '../../src/dnssec/canonical.js';
import { base32hex, nsec3Hash } from '../../src/dnssec/nsec3.js';
import { rrsigTimeStatus, verifyRrsig } from '../../src/dnssec/verify.js';
import { canonical, labels } from '../../src/wire/names.js';
import type { RR } from '../../src/wire/types.js';

/** The non-RRSIG records grouped into RRsets by owner and type, in first-seen order. */
export function rrsetsOf(records: readonly RR[]): RR[][] {
  const sets = new Map<string, RR[]>();
  for (const r of records) {
    if (r.type === 'RRSIG' || r.type === 'OPT') continue;
    const k = `${canonical(r.name)}|${r.type}`;
    sets.set(k, [...(sets.get(k) ?? []), r]);
  }
  return [...sets.values()];
}

/** The RRSIGs among `records` that sit at the RRset's owner and cover its type. */
export function rrsigsOver(records: readonly RR[], rrset: readonly RR[]): RR[] {
  const first = rrset[0]!;
  return records.filter((r) => r.type === 'RRSIG' && canonical(r.name) === canonical(first.name) && (r.data as RrsigData).typeCovered === first.type);
}

/** The DNSKEYs a zone publishes, by zone name. */
export type KeyRing = ReadonlyMap<string, DnskeyData[]>;

export function keyRing(zones: readonly { origin: string; records: readonly RR[] }[]): KeyRing {
  return new Map(zones.map((z) => [canonical(z.origin), z.records.filter((r) => r.type === 'DNSKEY' && canonical(r.name) === canonical(z.origin)).map((r) => r.data as DnskeyData)]));
}

/**
 * Why this RRset is not signed by a key of its signer's zone with a signature current at `nowSeconds`, or null when
 * at least one of its RRSIGs is (and every RRSIG present checks out).
 */
export function signatureProblem(records: readonly RR[], rrset: readonly RR[], keys: KeyRing, nowSeconds: number): string | null {
  const sigs = rrsigsOver(records, rrset);
  const what = `${rrset[0]!.name} ${rrset[0]!.type}`;
  if (sigs.length === 0) return `${what}: no RRSIG`;
  for (const s of sigs) {
    const rrsig = s.data as RrsigData;
    const zoneKeys = keys.get(canonical(rrsig.signersName)) ?? [];
    const ok = zoneKeys.some((k) => verifyRrsig(rrset, rrsig, { name: rrsig.signersName, data: k }).status === 'valid');
    if (!ok) return `${what}: RRSIG by ${rrsig.signersName} key ${rrsig.keyTag} does not verify`;
    const time = rrsigTimeStatus(rrsig, nowSeconds);
    if (time !== 'current') return `${what}: RRSIG ${time}`;
  }
  return null;
}

/** Every RRset in `records` that `mustBeSigned` selects, checked; the problems found (none: all verify). */
export function sectionProblems(records: readonly RR[], keys: KeyRing, nowSeconds: number, mustBeSigned: (rrset: RR[]) => boolean = () => true): string[] {
  return rrsetsOf(records)
    .filter(mustBeSigned)
    .map((set) => signatureProblem(records, set, keys, nowSeconds))
    .filter((p): p is string => p !== null);
}

/** RFC 4034 §4.1.1: the NSEC's owner sorts before `name`, and its next name after it (the last NSEC wraps). */
export function nsecCovers(nsec: RR, name: string): boolean {
  const next = (nsec.data as NsecData).nextDomain;
  const afterOwner = compareCanonicalNames(nsec.name, name) < 0;
  const beforeNext = compareCanonicalNames(name, next) < 0;
  return compareCanonicalNames(next, nsec.name) <= 0 ? afterOwner || beforeNext : afterOwner && beforeNext;
}

function nsec3Labels(nsec3: RR, name: string): { owner: string; next: string; hash: string } {
  const d = nsec3.data as Nsec3Data;
  return { owner: labels(nsec3.name)[0]!, next: base32hex(d.nextDomain), hash: base32hex(nsec3Hash(name, d.salt, d.iterations)!) };
}

/** RFC 5155 §7.2: the NSEC3's owner is the hash of `name`. */
export function nsec3Matches(nsec3: RR, name: string): boolean {
  const l = nsec3Labels(nsec3, name);
  return l.owner === l.hash;
}

/** RFC 5155 §1.3: the hash of `name` falls strictly between the NSEC3's owner hash and its next hash. */
export function nsec3Covers(nsec3: RR, name: string): boolean {
  const { owner, next, hash } = nsec3Labels(nsec3, name);
  return next <= owner ? hash > owner || hash < next : hash > owner && hash < next;
}
