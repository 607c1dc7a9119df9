// RFC 4034 §6: canonical names, the canonical form and order of an RRset's records, and the bytes an RRSIG
// signs (§3.1.8.1). Signer and validator both build those bytes here, so they cannot drift apart.
import type { RrsigData } from 'dns-packet';
import * as dnsClasses from 'dns-packet/classes.js';
import * as dnsTypes from 'dns-packet/types.js';
import type { RR } from '../wire/types.js';
import { encodeName, encodeRdata } from './wire-codec.js';

/** Input that has no canonical form (a compressed name inside raw RDATA, an RRSIG that cannot cover the RRset). */
class CanonicalFormError extends Error {}

/** RFC 4034 §6.1: only the 26 US-ASCII capitals change. A label length is at most 63, so it is never one of them. */
function lowerAsciiBytes(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    if (b >= 0x41 && b <= 0x5a) out[i] = b | 0x20;
  }
  return out;
}

/** As lowerAsciiBytes, on a name string (String.toLowerCase would also fold non-ASCII letters). */
function lowerAscii(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** RFC 4034 §6.2 items 1–2: a name as uncompressed wire labels, in lower case. */
export function canonicalNameWire(name: string): Buffer {
  return lowerAsciiBytes(encodeName(name));
}

/** The labels of a name in canonical form, leftmost first (the root has none). */
function canonicalLabels(name: string): Buffer[] {
  const wire = canonicalNameWire(name);
  const labels: Buffer[] = [];
  for (let off = 0; (wire[off] ?? 0) !== 0; off += wire[off]! + 1) labels.push(wire.subarray(off + 1, off + 1 + wire[off]!));
  return labels;
}

/**
 * RFC 4034 §6.1 canonical name order: compare label by label from the rightmost, each label as lower-cased
 * unsigned octets (a shorter label that is a prefix sorts first); a name that runs out of labels sorts first.
 */
export function compareCanonicalNames(a: string, b: string): number {
  const la = canonicalLabels(a).reverse();
  const lb = canonicalLabels(b).reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const c = Buffer.compare(la[i]!, lb[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(la.length - lb.length);
}

/** RFC 4034 §3.1.3: the RRSIG Labels value of an owner name — the root and a leading "*" label are not counted. */
export function rrsigLabelCount(owner: string): number {
  const labels = canonicalLabels(owner);
  return labels[0]?.equals(Buffer.from('*')) ? labels.length - 1 : labels.length;
}

/**
 * RFC 4035 §5.3.2: the owner name the signature was made over. With fewer RRSIG labels than the owner has, the
 * RRset was expanded from a wildcard, and the signed owner is "*." + the owner's rightmost `rrsigLabels` labels.
 * Null when the RRSIG claims more labels than the owner has (RFC 4035 §5.3.1: it cannot cover this RRset).
 */
export function signedOwnerName(owner: string, rrsigLabels: number): string | null {
  const count = rrsigLabelCount(owner);
  if (rrsigLabels > count) return null;
  if (rrsigLabels === count) return owner;
  const labels = owner === '.' ? [] : owner.replace(/\.$/, '').split('.');
  return ['*', ...labels.slice(labels.length - rrsigLabels)].join('.');
}

type DataLowering = (data: unknown) => unknown;

/** A lowering for record data that is itself a name (NS, CNAME, …). */
const nameItself: DataLowering = (data) => lowerAscii(data as string);

/** A lowering for record data that is an object with name-valued fields. */
function nameFields(...fields: string[]): DataLowering {
  return (data) => {
    const copy = { ...(data as Record<string, unknown>) };
    for (const f of fields) copy[f] = lowerAscii(copy[f] as string);
    return copy;
  };
}

/**
 * RFC 4034 §6.2 item 3, amended by RFC 6840 §5.1, for the types dns-packet decodes into fields: names inside their
 * RDATA are lowered. Not NSEC (RFC 6840 §5.1: its Next Domain Name keeps its case), not HINFO (it holds no name).
 * RRSIG is on the list; its signer name is lowered again when the signed data is built.
 */
const LOWER_NAMES_IN: Readonly<Record<string, DataLowering>> = {
  NS: nameItself,
  CNAME: nameItself,
  DNAME: nameItself,
  PTR: nameItself,
  SOA: nameFields('mname', 'rname'),
  MX: nameFields('exchange'),
  SRV: nameFields('target'),
  RP: nameFields('mbox', 'txt'),
  NAPTR: nameFields('replacement'),
  RRSIG: nameFields('signersName'),
};

/** A raw RDATA layout: a number skips that many octets, 'name' is an uncompressed domain name; the rest is kept. */
type RawLayout = readonly (number | 'name')[];

/**
 * The other §6.2 types, which dns-packet hands over as raw RDATA (by type code): MD, MF, MB, MG, MR, MINFO, AFSDB,
 * RT, SIG, PX, NXT, KX. A6 (historic, RFC 6563) is not lowered; its layout depends on its prefix length.
 */
const RAW_NAME_LAYOUTS: Readonly<Record<number, RawLayout>> = {
  3: ['name'],
  4: ['name'],
  7: ['name'],
  8: ['name'],
  9: ['name'],
  14: ['name', 'name'],
  18: [2, 'name'],
  21: [2, 'name'],
  24: [18, 'name'],
  26: [2, 'name', 'name'],
  30: ['name'],
  36: [2, 'name'],
};

function lowerRawNames(rdata: Buffer, layout: RawLayout, type: string): Buffer {
  const out = Buffer.from(rdata);
  let off = 0;
  for (const field of layout) {
    if (field !== 'name') {
      off += field;
      continue;
    }
    while (off < out.length && out[off] !== 0) {
      const len = out[off]!;
      // A pointer cannot be followed without the message it points into.
      if (len & 0xc0) throw new CanonicalFormError(`compressed name in ${type} RDATA`);
      out.set(lowerAsciiBytes(out.subarray(off + 1, off + 1 + len)), off + 1);
      off += len + 1;
    }
    off++;
  }
  if (off > out.length) throw new CanonicalFormError(`${type} RDATA too short`);
  return out;
}

/** RFC 4034 §6.2 items 2–3: a record's RDATA with names uncompressed and, for the listed types, in lower case. */
export function canonicalRdata(rr: RR): Buffer {
  const lower = LOWER_NAMES_IN[rr.type];
  if (lower) return encodeRdata(rr.type, lower(rr.data));
  if (Buffer.isBuffer(rr.data)) {
    const layout = RAW_NAME_LAYOUTS[dnsTypes.toType(rr.type)];
    return layout ? lowerRawNames(rr.data, layout, rr.type) : Buffer.from(rr.data);
  }
  return encodeRdata(rr.type, rr.data);
}

/**
 * RFC 4034 §6.3: an RRset's RDATA in canonical order — sorted as left-justified unsigned octet sequences (a missing
 * octet sorts before a zero octet) — with duplicates removed, as §6.3 requires before signing or verifying.
 */
export function canonicalRdataOrder(rrset: readonly RR[]): Buffer[] {
  const sorted = rrset.map(canonicalRdata).sort(Buffer.compare);
  return sorted.filter((rdata, i) => i === 0 || !rdata.equals(sorted[i - 1]!));
}

/** RFC 4034 §6.2: owner | type | class | TTL | RDLENGTH | RDATA, every part in canonical form. */
export function canonicalRrWire(owner: string, type: string, klass: string, ttl: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(dnsTypes.toType(type), 0);
  fixed.writeUInt16BE(dnsClasses.toClass(klass), 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([canonicalNameWire(owner), fixed, rdata]);
}

/** RFC 4034 §3.1.8.1: the RRSIG RDATA up to the signature, the signer's name uncompressed and in lower case. */
export function rrsigRdataWithoutSignature(rrsig: RrsigData): Buffer {
  return encodeRdata('RRSIG', { ...rrsig, signersName: lowerAscii(rrsig.signersName), signature: Buffer.alloc(0) });
}

export type SignedData = { ok: true; data: Buffer } | { ok: false; reason: string };

/** Why these records cannot be one RRset covered by this RRSIG, or null when they can. */
function rrsetMismatch(rrset: readonly RR[], rrsig: RrsigData): string | null {
  const first = rrset[0];
  if (!first) return 'empty RRset';
  const owner = canonicalNameWire(first.name);
  const type = dnsTypes.toType(first.type);
  for (const rr of rrset) {
    if (!canonicalNameWire(rr.name).equals(owner) || dnsTypes.toType(rr.type) !== type || rr.class !== first.class) {
      return 'records of more than one RRset';
    }
  }
  // RFC 4035 §5.3.1: the RRSIG's Type Covered must be the RRset's type.
  if (dnsTypes.toType(rrsig.typeCovered) !== type) return `RRSIG covers ${rrsig.typeCovered}, not ${first.type}`;
  return null;
}

/**
 * RFC 4034 §3.1.8.1: signature = sign(RRSIG_RDATA | RR(1) | RR(2) | …), each RR in canonical form and order with
 * the RRSIG's Original TTL, its owner name as RFC 4035 §5.3.2 rebuilds it from the Labels field.
 */
export function rrsigSignedData(rrset: readonly RR[], rrsig: RrsigData): SignedData {
  const mismatch = rrsetMismatch(rrset, rrsig);
  if (mismatch) return { ok: false, reason: mismatch };
  const first = rrset[0]!;
  const owner = signedOwnerName(first.name, rrsig.labels);
  if (owner === null) return { ok: false, reason: `RRSIG labels ${rrsig.labels} exceed those of ${first.name}` };
  try {
    const records = canonicalRdataOrder(rrset).map((rdata) =>
      canonicalRrWire(owner, first.type, first.class, rrsig.originalTTL, rdata),
    );
    return { ok: true, data: Buffer.concat([rrsigRdataWithoutSignature(rrsig), ...records]) };
  } catch (e) {
    if (e instanceof CanonicalFormError) return { ok: false, reason: e.message };
    throw e;
  }
}
