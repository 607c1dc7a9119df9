// What a signed zone's authoritative server adds for DO=1 (RFC 4035 §3.1): the RRSIGs of an RRset, and the NSEC
// (RFC 4035 §3.1.3) or NSEC3 (RFC 5155 §7.2) records that prove a name or a type absent. Pure lookups on a zone.
import type { Nsec3Data, NsecData, RrsigData } from 'dns-packet';
import { compareCanonicalNames } from '../dnssec/canonical.js';
import { base32hex, nsec3Hash } from '../dnssec/nsec3.js';
import { canonical, labels } from '../wire/names.js';
import type { RR } from '../wire/types.js';

export interface SignedView {
  origin: string;
  records: RR[];
}

/** The RRSIGs at `owner` that cover `type`. */
export function rrsigsFor(z: SignedView, owner: string, type: string): RR[] {
  const n = canonical(owner);
  return z.records.filter((r) => r.type === 'RRSIG' && canonical(r.name) === n && (r.data as RrsigData).typeCovered === type);
}

/** A denial record with its RRSIGs. */
function signedRecord(z: SignedView, r: RR): RR[] {
  return [r, ...rrsigsFor(z, r.name, r.type)];
}

/** Records with their RRSIGs, each record once (one NSEC can prove two things). */
function proof(z: SignedView, records: readonly (RR | undefined)[]): RR[] {
  const seen = new Set<RR>();
  const out: RR[] = [];
  for (const r of records) {
    if (!r || seen.has(r)) continue;
    seen.add(r);
    out.push(...signedRecord(z, r));
  }
  return out;
}

export type DenialKind = 'nsec' | 'nsec3' | 'none';

export function denialOf(z: SignedView): DenialKind {
  if (z.records.some((r) => r.type === 'NSEC3')) return 'nsec3';
  if (z.records.some((r) => r.type === 'NSEC')) return 'nsec';
  return 'none';
}

// ---- NSEC (RFC 4034 §4, RFC 4035 §3.1.3)

const nsecs = (z: SignedView): RR[] => z.records.filter((r) => r.type === 'NSEC');

function nsecAt(z: SignedView, name: string): RR | undefined {
  return nsecs(z).find((r) => canonical(r.name) === canonical(name));
}

/** The NSEC whose owner sorts before `name` and whose next name after it (the last one wraps to the apex). */
function nsecCovering(z: SignedView, name: string): RR | undefined {
  return nsecs(z).find((r) => {
    const next = (r.data as NsecData).nextDomain;
    const afterOwner = compareCanonicalNames(r.name, name) < 0;
    const beforeNext = compareCanonicalNames(name, next) < 0;
    const wraps = compareCanonicalNames(next, r.name) <= 0;
    return wraps ? afterOwner || beforeNext : afterOwner && beforeNext;
  });
}

// ---- NSEC3 (RFC 5155)

interface Nsec3Index {
  /** NSEC3 records sorted by their owner's hash label (base32hex keeps the hash order). */
  sorted: { label: string; next: string; rr: RR }[];
  hash(name: string): string;
}

function nsec3Index(z: SignedView): Nsec3Index | null {
  const records = z.records.filter((r) => r.type === 'NSEC3');
  const first = records[0]?.data as Nsec3Data | undefined;
  if (!first) return null;
  const sorted = records
    .map((rr) => ({ label: labels(rr.name)[0]!, next: base32hex((rr.data as Nsec3Data).nextDomain), rr }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { sorted, hash: (name) => base32hex(nsec3Hash(name, first.salt, first.iterations, first.algorithm) ?? Buffer.alloc(0)) };
}

function nsec3Matching(ix: Nsec3Index, name: string): RR | undefined {
  const h = ix.hash(name);
  return ix.sorted.find((e) => e.label === h)?.rr;
}

/** RFC 5155 §1.3 "covers": the hash lies strictly between the owner's hash and the next one (wrapping at the end). */
function nsec3Covering(ix: Nsec3Index, name: string): RR | undefined {
  const h = ix.hash(name);
  return ix.sorted.find((e) => (e.next <= e.label ? h > e.label || h < e.next : h > e.label && h < e.next))?.rr;
}

/** `name` with its leftmost labels cut so it has `count` labels. */
function ancestorWith(name: string, count: number): string {
  const ls = labels(name);
  return count === 0 ? '.' : ls.slice(ls.length - count).join('.');
}

/**
 * RFC 5155 §7.2.1: the closest provable encloser (the longest ancestor of `name` with a matching NSEC3) and the
 * NSEC3 covering the next closer name, one label longer toward `name`.
 */
function closestEncloserProof(z: SignedView, ix: Nsec3Index, name: string): { encloser: string; records: (RR | undefined)[] } {
  const apexLabels = labels(z.origin).length;
  const nameLabels = labels(name).length;
  for (let count = nameLabels - 1; count >= apexLabels; count--) {
    const encloser = ancestorWith(name, count);
    const match = nsec3Matching(ix, encloser);
    if (match) return { encloser, records: [match, nsec3Covering(ix, ancestorWith(name, count + 1))] };
  }
  return { encloser: z.origin, records: [] };
}

const wildcardAt = (encloser: string): string => (canonical(encloser) === '.' ? '*' : `*.${canonical(encloser)}`);

// ---- The proofs a reply needs

/** RFC 4035 §3.1.3.2 / RFC 5155 §7.2.2: `name` does not exist, nor the wildcard that could have made it. */
export function nxdomainProof(z: SignedView, name: string, closestEncloser: string): RR[] {
  switch (denialOf(z)) {
    case 'nsec':
      return proof(z, [nsecCovering(z, name), nsecCovering(z, wildcardAt(closestEncloser))]);
    case 'nsec3': {
      const ix = nsec3Index(z)!;
      const ce = closestEncloserProof(z, ix, name);
      return proof(z, [...ce.records, nsec3Covering(ix, wildcardAt(ce.encloser))]);
    }
    case 'none':
      return [];
  }
}

/**
 * RFC 4035 §3.1.3.1 / RFC 5155 §7.2.3: `name` exists without the type asked. An empty non-terminal has no NSEC:
 * the NSEC covering it proves it owns nothing. With NSEC3 and no matching record (a DS query at an opted-out
 * delegation, RFC 5155 §7.2.4), the closest provable encloser proof, whose covering NSEC3 has Opt-Out set.
 */
export function nodataProof(z: SignedView, name: string): RR[] {
  switch (denialOf(z)) {
    case 'nsec':
      return proof(z, [nsecAt(z, name) ?? nsecCovering(z, name)]);
    case 'nsec3': {
      const ix = nsec3Index(z)!;
      const match = nsec3Matching(ix, name);
      return proof(z, match ? [match] : closestEncloserProof(z, ix, name).records);
    }
    case 'none':
      return [];
  }
}

/**
 * RFC 4035 §3.1.3.3 / RFC 5155 §7.2.6: an answer expanded from the wildcard at `closestEncloser` carries the
 * proof that no closer name exists: the NSEC covering `name`, or the NSEC3 covering the next closer name.
 */
export function wildcardAnswerProof(z: SignedView, name: string, closestEncloser: string): RR[] {
  switch (denialOf(z)) {
    case 'nsec':
      return proof(z, [nsecCovering(z, name)]);
    case 'nsec3': {
      const ix = nsec3Index(z)!;
      const nextCloser = ancestorWith(name, labels(closestEncloser).length + 1);
      return proof(z, [nsec3Covering(ix, nextCloser)]);
    }
    case 'none':
      return [];
  }
}

/**
 * RFC 4035 §3.1.3.4 / RFC 5155 §7.2.5: the wildcard exists but not with the type asked: no closer match (as for a
 * wildcard answer; NSEC3 adds the closest encloser's own record) and the wildcard's record without the type.
 */
export function wildcardNodataProof(z: SignedView, name: string, closestEncloser: string): RR[] {
  switch (denialOf(z)) {
    case 'nsec':
      return proof(z, [nsecCovering(z, name), nsecAt(z, wildcardAt(closestEncloser))]);
    case 'nsec3': {
      const ix = nsec3Index(z)!;
      const nextCloser = ancestorWith(name, labels(closestEncloser).length + 1);
      return proof(z, [nsec3Matching(ix, closestEncloser), nsec3Covering(ix, nextCloser), nsec3Matching(ix, wildcardAt(closestEncloser))]);
    }
    case 'none':
      return [];
  }
}

/**
 * RFC 4035 §3.1.4: a referral from a signed zone carries the DS RRset and its RRSIG, or the proof there is none
 * (the NSEC at the cut; the matching NSEC3, or with opt-out the closest provable encloser proof, RFC 5155 §7.2.7).
 */
export function referralDnssec(z: SignedView, cut: string): RR[] {
  const n = canonical(cut);
  const ds = z.records.filter((r) => r.type === 'DS' && canonical(r.name) === n);
  if (ds.length > 0) return [...ds, ...rrsigsFor(z, cut, 'DS')];
  return nodataProof(z, cut);
}
