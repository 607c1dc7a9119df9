// Authenticated denial of existence: what a set of NSEC (RFC 4035 §5.4, RFC 4034 §4) or NSEC3 (RFC 5155 §8)
// records proves about a name. Pure functions over records whose signatures the caller has already checked;
// they answer "is this denial proven?", never "is it signed?".
import type { Nsec3Data, NsecData } from 'dns-packet';
import { canonical, isInZone, parentOf } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import { compareCanonicalNames } from './canonical.js';
import { base32hex, nsec3Hash } from './nsec3.js';

/** RFC 9276 §3.2: above this many extra iterations an NSEC3 denial is treated as insecure (EDE 27). */
export const MAX_NSEC3_ITERATIONS = 150;

export type DenialKind = 'nxdomain' | 'nodata';

export type Denial =
  /** Proven. `optOut`: an NSEC3 opt-out span covers the name, so an unsigned delegation may hide there (insecure). */
  | { kind: 'proven'; optOut?: boolean }
  | { kind: 'unproven'; reason: string }
  /** RFC 9276: the zone's NSEC3 parameters cost more than we compute; the answer is insecure, not bogus. */
  | { kind: 'too-costly'; iterations: number };

const labelsOf = (name: string): string[] => (canonical(name) === '.' ? [] : canonical(name).split('.'));

/** The ancestors of `name` from itself up to (and with) `zone`. */
function ancestorsTo(name: string, zone: string): string[] {
  const out: string[] = [];
  for (let n = canonical(name); ; n = parentOf(n)) {
    out.push(n);
    if (n === canonical(zone) || n === '.') return out;
  }
}

/** The wildcard name directly below `encloser` (RFC 4592 §2.1.1). */
const wildcardAt = (encloser: string): string => (canonical(encloser) === '.' ? '*' : `*.${canonical(encloser)}`);

/** The longest name that is an ancestor of (or equal to) both a and b. */
function commonAncestor(a: string, b: string): string {
  const la = labelsOf(a).reverse();
  const lb = labelsOf(b).reverse();
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  return i === 0 ? '.' : la.slice(0, i).reverse().join('.');
}

// ---- NSEC ----------------------------------------------------------------------------------------------------

const nsecData = (r: RR): NsecData => r.data as NsecData;

/** Whether `name` falls strictly between the NSEC's owner and its next name (the last NSEC wraps to the apex). */
export function nsecCovers(nsec: RR, name: string): boolean {
  const owner = nsec.name;
  const next = nsecData(nsec).nextDomain;
  const afterOwner = compareCanonicalNames(owner, name) < 0;
  const beforeNext = compareCanonicalNames(name, next) < 0;
  // RFC 4034 §4.1.1: the last NSEC of a zone points back to the apex.
  return compareCanonicalNames(owner, next) < 0 ? afterOwner && beforeNext : afterOwner || beforeNext;
}

const has = (types: readonly string[], t: string): boolean => types.includes(t);

/**
 * An NSEC owned by a delegation point (NS without SOA) speaks for the parent side only: it proves nothing about
 * names below the cut, nor about types other than DS there (RFC 6840 §4.1, §4.4).
 */
function isDelegationNsec(nsec: RR): boolean {
  const t = nsecData(nsec).rrtypes;
  return has(t, 'NS') && !has(t, 'SOA');
}

function nsecNoData(nsec: RR, qtype: string): boolean {
  const t = nsecData(nsec).rrtypes;
  if (has(t, qtype) || has(t, 'CNAME')) return false;
  if (qtype === 'DS') return !has(t, 'SOA'); // the child's apex NSEC says nothing of the parent's DS
  return !isDelegationNsec(nsec);
}

function coveringNsec(nsecs: readonly RR[], name: string): RR | undefined {
  return nsecs.find((n) => nsecCovers(n, name) && !(isDelegationNsec(n) && isInZone(name, n.name) && canonical(name) !== canonical(n.name)));
}

/** The closest encloser of `qname` a covering NSEC implies (RFC 4035 §5.4). */
function nsecClosestEncloser(covering: RR, qname: string): string {
  const a = commonAncestor(qname, covering.name);
  const b = commonAncestor(qname, nsecData(covering).nextDomain);
  return a.length >= b.length ? a : b;
}

/** RFC 4035 §5.4: NXDOMAIN or NODATA for (qname, qtype) from NSEC records. */
export function nsecDenial(nsecs: readonly RR[], qname: string, qtype: string, kind: DenialKind): Denial {
  const name = canonical(qname);
  const matching = nsecs.find((n) => canonical(n.name) === name);
  if (kind === 'nodata') {
    if (matching) return nsecNoData(matching, qtype) ? { kind: 'proven' } : { kind: 'unproven', reason: `the NSEC at ${name} lists ${qtype} or CNAME` };
    const covering = coveringNsec(nsecs, name);
    if (!covering) return { kind: 'unproven', reason: `no NSEC at or covering ${name}` };
    // An empty non-terminal: the next name lies below qname (RFC 4035 §3.1.3.2 / RFC 5155 §7.2.3's NSEC analogue).
    if (isInZone(nsecData(covering).nextDomain, name)) return { kind: 'proven' };
    // RFC 4035 §3.1.3.4: wildcard NODATA — the name is covered, and the wildcard at its closest encloser lacks qtype.
    const wildcard = wildcardAt(nsecClosestEncloser(covering, name));
    const atWildcard = nsecs.find((n) => canonical(n.name) === canonical(wildcard));
    if (atWildcard && nsecNoData(atWildcard, qtype)) return { kind: 'proven' };
    return { kind: 'unproven', reason: `no NSEC proves ${name} ${qtype} is empty` };
  }
  if (matching) return { kind: 'unproven', reason: `an NSEC says ${name} exists` };
  const covering = coveringNsec(nsecs, name);
  if (!covering) return { kind: 'unproven', reason: `no NSEC covers ${name}` };
  const encloser = nsecClosestEncloser(covering, name);
  const wildcard = wildcardAt(encloser);
  // RFC 4035 §3.1.3.2: the wildcard that could have matched does not exist either.
  if (nsecs.some((n) => canonical(n.name) === wildcard)) return { kind: 'unproven', reason: `the wildcard ${wildcard} exists` };
  if (!nsecs.some((n) => nsecCovers(n, wildcard))) return { kind: 'unproven', reason: `no NSEC covers the wildcard ${wildcard}` };
  return { kind: 'proven' };
}

/** RFC 4035 §5.3.4: a wildcard expansion is valid only if no closer name exists: an NSEC covers qname. */
export function nsecNoCloserMatch(nsecs: readonly RR[], qname: string): boolean {
  return coveringNsec(nsecs, canonical(qname)) !== undefined;
}

// ---- NSEC3 ---------------------------------------------------------------------------------------------------

const nsec3Data = (r: RR): Nsec3Data => r.data as Nsec3Data;
/** RFC 5155 §3.1.2.1: the Opt-Out flag. */
const OPT_OUT = 0x01;

interface Nsec3Set {
  zone: string;
  records: readonly RR[];
  salt: Buffer;
  iterations: number;
  algorithm: number;
  hashes: Map<string, string | null>;
}

function hashLabel(set: Nsec3Set, name: string): string | null {
  const key = canonical(name);
  if (!set.hashes.has(key)) {
    const h = nsec3Hash(key, set.salt, set.iterations, set.algorithm);
    set.hashes.set(key, h && base32hex(h));
  }
  return set.hashes.get(key)!;
}

const ownerLabel = (r: RR): string => canonical(r.name).split('.')[0]!;

function nsec3Matching(set: Nsec3Set, name: string): RR | undefined {
  const h = hashLabel(set, name);
  return h === null ? undefined : set.records.find((r) => ownerLabel(r) === h);
}

function nsec3Covering(set: Nsec3Set, name: string): RR | undefined {
  const h = hashLabel(set, name);
  if (h === null) return undefined;
  return set.records.find((r) => {
    const owner = ownerLabel(r);
    const next = base32hex(nsec3Data(r).nextDomain);
    // base32hex keeps the order of the hashes it encodes, so the labels compare as the hashes do.
    return owner < next ? owner < h && h < next : owner < h || h < next;
  });
}

/** The NSEC3 records of `zone` with one parameter set (RFC 5155 §8.2: others are ignored). */
function nsec3Set(records: readonly RR[], zone: string): Nsec3Set | null {
  const own = records.filter((r) => r.type === 'NSEC3' && canonical(parentOf(r.name)) === canonical(zone));
  const first = own[0];
  if (!first) return null;
  const p = nsec3Data(first);
  const same = own.filter((r) => nsec3Data(r).iterations === p.iterations && nsec3Data(r).algorithm === p.algorithm && nsec3Data(r).salt.equals(p.salt));
  return { zone: canonical(zone), records: same, salt: p.salt, iterations: p.iterations, algorithm: p.algorithm, hashes: new Map() };
}

interface EncloserProof {
  encloser: string;
  nextCloser: string;
  optOut: boolean;
}

/** RFC 5155 §8.3: the closest encloser (a matching NSEC3) and a covering NSEC3 for the next closer name. */
function closestEncloserProof(set: Nsec3Set, qname: string): EncloserProof | null {
  const chain = ancestorsTo(qname, set.zone);
  for (let i = 1; i < chain.length; i++) {
    const encloser = chain[i]!;
    if (!nsec3Matching(set, encloser)) continue;
    const nextCloser = chain[i - 1]!;
    const covering = nsec3Covering(set, nextCloser);
    if (!covering) return null;
    return { encloser, nextCloser, optOut: (nsec3Data(covering).flags & OPT_OUT) !== 0 };
  }
  return null;
}

function nsec3NoData(r: RR, qtype: string): boolean {
  const t = nsec3Data(r).rrtypes;
  if (has(t, qtype) || has(t, 'CNAME')) return false;
  return qtype === 'DS' ? !has(t, 'SOA') : !(has(t, 'NS') && !has(t, 'SOA'));
}

/** RFC 5155 §8.4–§8.7: NXDOMAIN or NODATA for (qname, qtype) in `zone` from NSEC3 records. */
export function nsec3Denial(records: readonly RR[], zone: string, qname: string, qtype: string, kind: DenialKind): Denial {
  const set = nsec3Set(records, zone);
  if (!set) return { kind: 'unproven', reason: `no NSEC3 of ${zone}` };
  if (set.iterations > MAX_NSEC3_ITERATIONS) return { kind: 'too-costly', iterations: set.iterations };
  if (set.algorithm !== 1) return { kind: 'unproven', reason: `NSEC3 hash algorithm ${set.algorithm} unknown` };
  const name = canonical(qname);
  const matching = nsec3Matching(set, name);
  if (kind === 'nodata') {
    // §8.5: a matching NSEC3 without the type (an empty non-terminal has one with no types at all).
    if (matching) return nsec3NoData(matching, qtype) ? { kind: 'proven' } : { kind: 'unproven', reason: `the NSEC3 for ${name} lists ${qtype} or CNAME` };
    const proof = closestEncloserProof(set, name);
    if (!proof) return { kind: 'unproven', reason: `no NSEC3 closest encloser proof for ${name}` };
    // §8.6: no DS at an opt-out span: the delegation is unsigned.
    if (qtype === 'DS' && proof.optOut) return { kind: 'proven', optOut: true };
    // §8.7: wildcard NODATA.
    const wildcard = nsec3Matching(set, wildcardAt(proof.encloser));
    if (wildcard && nsec3NoData(wildcard, qtype)) return { kind: 'proven' };
    return { kind: 'unproven', reason: `no NSEC3 proves ${name} ${qtype} is empty` };
  }
  if (matching) return { kind: 'unproven', reason: `an NSEC3 says ${name} exists` };
  // §8.4: closest encloser proof, and the wildcard at the closest encloser is covered.
  const proof = closestEncloserProof(set, name);
  if (!proof) return { kind: 'unproven', reason: `no NSEC3 closest encloser proof for ${name}` };
  const wildcard = wildcardAt(proof.encloser);
  if (!nsec3Covering(set, wildcard)) return { kind: 'unproven', reason: `no NSEC3 covers the wildcard ${wildcard}` };
  return proof.optOut ? { kind: 'proven', optOut: true } : { kind: 'proven' };
}

/**
 * RFC 5155 §8.8: a wildcard answer needs an NSEC3 covering the next closer name (one label below the wildcard's
 * closest encloser, the rightmost `encloserLabels` labels of qname).
 */
export function nsec3NoCloserMatch(records: readonly RR[], zone: string, qname: string, encloserLabels: number): Denial {
  const set = nsec3Set(records, zone);
  if (!set) return { kind: 'unproven', reason: `no NSEC3 of ${zone}` };
  if (set.iterations > MAX_NSEC3_ITERATIONS) return { kind: 'too-costly', iterations: set.iterations };
  const labels = labelsOf(qname);
  const nextCloser = labels.slice(labels.length - encloserLabels - 1).join('.');
  const covering = nsec3Covering(set, nextCloser);
  if (!covering) return { kind: 'unproven', reason: `no NSEC3 covers ${nextCloser}` };
  return (nsec3Data(covering).flags & OPT_OUT) !== 0 ? { kind: 'proven', optOut: true } : { kind: 'proven' };
}

/** The types the NSEC3 matching `name` lists, or null when none matches (or the parameters are too costly). */
export function nsec3TypesAt(records: readonly RR[], zone: string, name: string): string[] | null {
  const set = nsec3Set(records, zone);
  if (!set || set.iterations > MAX_NSEC3_ITERATIONS) return null;
  const m = nsec3Matching(set, name);
  return m ? nsec3Data(m).rrtypes : null;
}
