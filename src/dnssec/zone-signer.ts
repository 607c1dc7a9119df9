// Signing a whole zone for the lab and for validator tests (RFC 4035 §2): DNSKEYs at the apex, an RRSIG over every
// authoritative RRset (not the NS at a cut, not glue), the NSEC or NSEC3 chain, and the DS the parent publishes —
// with switches to break the result the ways real zones break (expired, missing or corrupt signatures, a stale DS).
import type { DsData, RrsigData } from 'dns-packet';
import { canonical, isInZone } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import { nsec3Chain, nsecChain, type ChainOwner, type Denial } from './denial-chain.js';
import { DNSKEY_FLAGS } from './dnskey.js';
import { makeDs } from './ds.js';
import { generateSigningKey, signRrset, type SignatureWindow, type SigningAlgorithm, type SigningKey } from './sign.js';

export type { Denial, Nsec3Params } from './denial-chain.js';

/** A zone as the lab's answerer holds it (src/lab/answerer.ts has the same shape). */
export interface Zone {
  origin: string;
  records: RR[];
}

/** An RRset by owner name, or every RRset at the name when `type` is left out. */
export interface RrsetRef {
  name: string;
  type?: string;
}

export interface SignZoneOptions {
  /** Default: one fresh combined (flags 257) key of `algorithm`. */
  keys?: SigningKey[];
  /** The default key's algorithm; 13, ECDSAP256SHA256 (RFC 8624 §3.1: MUST for signing). */
  algorithm?: SigningAlgorithm;
  denial: Denial;
  /** Inception and expiration of every RRSIG: a window in the past gives expired signatures (EDE 7), one in the future not-yet-valid ones (EDE 8). */
  window: SignatureWindow;
  /** RRsets left without their RRSIGs (a validator reports EDE 10, RRSIGs Missing). */
  stripRrsigs?: RrsetRef[];
  /** RRsets whose RRSIGs get one signature bit flipped (EDE 6, DNSSEC Bogus). */
  corruptRrsigs?: RrsetRef[];
  /**
   * The DS handed to the parent: 'unknown-key' is the DS of a key the zone does not publish (a KSK rollover gone
   * wrong), 'wrong-digest' names the real key but carries a digest that does not match it.
   */
  ds?: 'match' | 'unknown-key' | 'wrong-digest';
  /** TTL of the DNSKEY and DS RRsets; default the SOA's TTL. */
  keyTtl?: number;
}

export interface SignedZone {
  zone: Zone;
  keys: SigningKey[];
  /** DS records (SHA-256, RFC 4509) for the parent to publish at the cut, owned by the zone's apex. */
  ds: RR[];
}

/** RFC 4509: SHA-256, the DS digest every validator must support (RFC 8624 §3.3). */
const SHA256 = 2;
/** Records a signer makes: signing again replaces them. */
const SIGNER_TYPES = new Set(['DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM']);

/** A window that ended `agoSeconds` ago: every signature made with it is expired. */
export function expiredWindow(nowMs: number, agoSeconds = 86400): SignatureWindow {
  const now = Math.floor(nowMs / 1000);
  return { inception: now - 30 * 86400, expiration: now - agoSeconds };
}

/** A window that starts `inSeconds` from now: every signature made with it is not yet valid. */
export function futureWindow(nowMs: number, inSeconds = 86400): SignatureWindow {
  const now = Math.floor(nowMs / 1000);
  return { inception: now + inSeconds, expiration: now + inSeconds + 30 * 86400 };
}

const keyOf = (name: string, type: string): string => `${canonical(name)}|${type}`;

/** The records grouped into RRsets (owner and type; case-insensitive owner), in first-seen order. */
function rrsets(records: readonly RR[]): RR[][] {
  const sets = new Map<string, RR[]>();
  for (const r of records) {
    const k = keyOf(r.name, r.type);
    const set = sets.get(k);
    if (set) set.push(r);
    else sets.set(k, [r]);
  }
  return [...sets.values()];
}

/** Where an owner name sits: RFC 4035 §2.2 signs authoritative data only, and a cut's NS and glue are not. */
type Placement = 'apex' | 'data' | 'cut' | 'glue' | 'outside';

function placer(origin: string, records: readonly RR[]): (name: string) => Placement {
  const apex = canonical(origin);
  const cuts = new Set(records.filter((r) => r.type === 'NS' && canonical(r.name) !== apex && isInZone(r.name, apex)).map((r) => canonical(r.name)));
  return (name) => {
    const n = canonical(name);
    if (!isInZone(n, apex)) return 'outside';
    if (n === apex) return 'apex';
    if (cuts.has(n)) return 'cut';
    for (const cut of cuts) if (isInZone(n, cut)) return 'glue';
    return 'data';
  };
}

/** The parent side of a cut holds its NS and DS; anything else there is glue (RFC 4035 §2.2). */
const PARENT_SIDE_AT_CUT = new Set(['NS', 'DS']);

function chainOwners(records: readonly RR[], place: (name: string) => Placement): ChainOwner[] {
  const owners = new Map<string, ChainOwner>();
  for (const r of records) {
    const p = place(r.name);
    if (p === 'glue' || p === 'outside' || (p === 'cut' && !PARENT_SIDE_AT_CUT.has(r.type))) continue;
    const k = canonical(r.name);
    const o = owners.get(k) ?? { name: r.name, types: [], kind: p === 'cut' ? 'unsigned-cut' : p };
    if (!o.types.includes(r.type)) o.types.push(r.type);
    if (p === 'cut' && r.type === 'DS') o.kind = 'signed-cut';
    owners.set(k, o);
  }
  return [...owners.values()];
}

function isSigned(rrset: readonly RR[], place: (name: string) => Placement): boolean {
  const first = rrset[0]!;
  switch (place(first.name)) {
    case 'apex':
    case 'data':
      return true;
    case 'cut':
      return first.type === 'DS' || first.type === 'NSEC'; // RFC 4035 §2.2: not the NS set at a delegation
    case 'glue':
    case 'outside':
      return false;
  }
}

/** RFC 4035 §2.1 and common practice: SEP keys sign the DNSKEY RRset, the others the rest; one kind signs both. */
function signersFor(type: string, keys: readonly SigningKey[]): SigningKey[] {
  const sep = keys.filter((k) => (k.dnskey.flags & DNSKEY_FLAGS.SEP) !== 0);
  const other = keys.filter((k) => (k.dnskey.flags & DNSKEY_FLAGS.SEP) === 0);
  if (type === 'DNSKEY') return sep.length > 0 ? sep : other;
  return other.length > 0 ? other : sep;
}

const refersTo = (ref: RrsetRef, rrsig: RR): boolean =>
  canonical(ref.name) === canonical(rrsig.name) && (ref.type === undefined || ref.type === (rrsig.data as RrsigData).typeCovered);

/** Applies one break option: every reference must hit at least one RRSIG, so a typo cannot leave a zone intact. */
function breakRrsigs(records: RR[], refs: readonly RrsetRef[], what: string, change: (rrsig: RR) => RR | null): RR[] {
  let out = records;
  for (const ref of refs) {
    let hit = false;
    out = out.flatMap((r) => {
      if (r.type !== 'RRSIG' || !refersTo(ref, r)) return [r];
      hit = true;
      const changed = change(r);
      return changed ? [changed] : [];
    });
    if (!hit) throw new Error(`${what}: no RRSIG at ${ref.name}${ref.type ? ` covering ${ref.type}` : ''}`);
  }
  return out;
}

function corrupt(rrsig: RR): RR {
  const data = rrsig.data as RrsigData;
  const signature = Buffer.from(data.signature);
  signature[signature.length - 1]! ^= 0x01;
  return { ...rrsig, data: { ...data, signature } };
}

function dsRecords(origin: string, keys: readonly SigningKey[], ttl: number, how: SignZoneOptions['ds']): RR[] {
  const dsKeys = signersFor('DNSKEY', keys);
  const record = (data: DsData): RR => ({ name: origin, type: 'DS', class: 'IN', ttl, data });
  switch (how ?? 'match') {
    case 'match':
      return dsKeys.map((k) => record(makeDs(origin, k.dnskey, SHA256)!));
    case 'unknown-key':
      return dsKeys.map((k) => record(makeDs(origin, generateSigningKey(origin, k.dnskey.algorithm, k.dnskey.flags).dnskey, SHA256)!));
    case 'wrong-digest':
      return dsKeys.map((k) => {
        const ds = makeDs(origin, k.dnskey, SHA256)!;
        const digest = Buffer.from(ds.digest);
        digest[0]! ^= 0xff;
        return record({ ...ds, digest });
      });
  }
}

/** Signs `zone` (any DNSSEC records it already holds are replaced). The input is not changed. */
export function signZone(zone: Zone, o: SignZoneOptions): SignedZone {
  const origin = canonical(zone.origin);
  const keys = o.keys ?? [generateSigningKey(origin, o.algorithm ?? 13)];
  if (keys.length === 0) throw new Error(`signZone ${origin}: no keys`);
  for (const k of keys) if (canonical(k.owner) !== origin) throw new Error(`signZone ${origin}: key ${k.keyTag} belongs to ${k.owner}`);
  const base = zone.records.filter((r) => !SIGNER_TYPES.has(r.type));
  const soa = base.find((r) => r.type === 'SOA' && canonical(r.name) === origin);
  if (!soa) throw new Error(`signZone ${origin}: the zone has no SOA at its apex`);
  const keyTtl = o.keyTtl ?? soa.ttl;
  const negativeTtl = Math.min(soa.ttl, (soa.data as { minimum: number }).minimum);
  const dnskeys: RR[] = keys.map((k) => ({ name: origin, type: 'DNSKEY', class: 'IN', ttl: keyTtl, data: k.dnskey }));
  const withKeys = [...base, ...dnskeys];
  const place = placer(origin, withKeys);
  const owners = chainOwners(withKeys, place);
  const denial = o.denial === 'nsec' ? nsecChain(owners, negativeTtl) : nsec3Chain(origin, owners, o.denial.nsec3, negativeTtl);
  const unsigned = [...withKeys, ...denial];
  // NSEC3 owners are hashed names that placer sees as data under the apex: exactly how they are signed.
  const signatures = rrsets(unsigned)
    .filter((set) => isSigned(set, place))
    .flatMap((set) => signersFor(set[0]!.type, keys).map((k) => signRrset(set, k, o.window)));
  let records = [...unsigned, ...signatures];
  records = breakRrsigs(records, o.stripRrsigs ?? [], 'stripRrsigs', () => null);
  records = breakRrsigs(records, o.corruptRrsigs ?? [], 'corruptRrsigs', corrupt);
  return { zone: { origin, records }, keys, ds: dsRecords(origin, keys, keyTtl, o.ds) };
}

/**
 * The parent zone with the child's DS RRset at the cut (replacing any it had), ready to be signed: the parent's
 * RRSIG over it is what links the chain of trust (RFC 4035 §2.4). The child must be delegated from the parent.
 */
export function withDelegationDs(parent: Zone, childName: string, ds: readonly RR[]): Zone {
  const child = canonical(childName);
  if (child === canonical(parent.origin) || !isInZone(child, parent.origin)) {
    throw new Error(`withDelegationDs: ${childName} is not below ${parent.origin}`);
  }
  if (!parent.records.some((r) => r.type === 'NS' && canonical(r.name) === child)) {
    throw new Error(`withDelegationDs: ${parent.origin} has no delegation (NS) at ${childName}`);
  }
  const kept = parent.records.filter((r) => !(r.type === 'DS' && canonical(r.name) === child));
  return { ...parent, records: [...kept, ...ds.map((r) => ({ ...r, name: child, type: 'DS' }))] };
}
