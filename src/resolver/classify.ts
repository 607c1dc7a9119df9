// What an upstream reply means for the question we asked (RFC 1034 §5.3.3 step 4, RFC 2308 §2):
// an answer, a CNAME to follow, NXDOMAIN, NODATA, a referral to a deeper zone, or a lame/useless reply.
import type { WirePacket } from '../wire/decode.js';
import { canonical, isInZone } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import { largestRRset, scrubReply } from './scrub.js';

/** The DNSSEC records of a reply (scrubbed like the rest): judged by the validator hook, kept with the data. */
export interface ReplySigs {
  /** Every RRSIG in the answer and authority sections. */
  sigs: RR[];
  /** NSEC and NSEC3 records from the authority section (denials, wildcard answers, unsigned delegations). */
  proof: RR[];
  /** A referral's DS RRset for the child (RFC 4035 §3.1.4). */
  ds: RR[];
}

type Judged<T> = T & { signed?: ReplySigs };

export type Classification =
  | Judged<{
      kind: 'answer'; cnames: RR[]; records: RR[]; authoritative: boolean; glue: RR[];
      /** The zone's own NS set from the authority section of an authoritative answer, and its addresses. */
      apexNs: RR[]; apexGlue: RR[];
    }>
  | Judged<{ kind: 'cname'; cnames: RR[]; target: string; authoritative: boolean }>
  | Judged<{ kind: 'nxdomain'; cnames: RR[]; name: string; soa: RR | null; authoritative: boolean }>
  | Judged<{ kind: 'nodata'; cnames: RR[]; name: string; soa: RR | null; authoritative: boolean }>
  | Judged<{ kind: 'referral'; zone: string; ns: RR[]; glue: RR[] }>
  | { kind: 'lame'; reason: string; recursionLame?: true };

/** A reply that ends the question at this zone: neither a referral nor lame. */
export type Settled = Exclude<Classification, { kind: 'referral' | 'lame' }>;

/** How good a settled reply is as a last resort: data, then a CNAME to follow, then a denial. */
export function usefulness(c: Settled): number {
  return c.kind === 'answer' ? 3 : c.kind === 'cname' ? 2 : 1;
}

const RECURSION_LAME = 'not authoritative (recursion available, AA clear)';
const recursionLame = { kind: 'lame', reason: RECURSION_LAME, recursionLame: true } as const;

const ok = (rcode: string | undefined): boolean => rcode === 'NOERROR' || rcode === 'NXDOMAIN';

/** RFC 1035 §3.2.3: QTYPE * (ANY) is answered by an RRset of any type. */
function answersType(type: string, qtype: string): boolean {
  return type === qtype || (qtype === 'ANY' && type !== 'CNAME' && type !== 'DNAME');
}

function sameName(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/** The zone's SOA from the authority section: owned by an ancestor of (or equal to) `name`. */
function findSoa(authority: RR[], name: string): RR | null {
  return authority.find((r) => r.type === 'SOA' && isInZone(name, r.name)) ?? null;
}

/** RFC 6672 §2.2: the CNAME a DNAME implies for a name below its owner. */
export function synthesiseCname(dname: RR, name: string): RR | undefined {
  const owner = canonical(dname.name);
  const prefix = canonical(name).slice(0, -(owner.length + 1));
  const target = canonical(dname.data as string);
  const synthesised = target === '.' ? prefix : `${prefix}.${target}`;
  // RFC 6672 §2.2: a result longer than 255 octets is YXDOMAIN; treat it as no redirection.
  if (synthesised.length > 253) return undefined;
  return { name: canonical(name), type: 'CNAME', class: 'IN', ttl: dname.ttl, data: synthesised };
}

/** Additional-section A/AAAA records for the targets of the given NS records (already scrubbed). */
function glueFor(ns: RR[], additional: RR[]): RR[] {
  const targets = new Set(ns.map((r) => canonical(r.data as string)));
  return additional.filter((r) => (r.type === 'A' || r.type === 'AAAA') && targets.has(canonical(r.name)));
}

export interface ClassifyOptions {
  /** Most records accepted in one RRset. */
  maxRrsetSize?: number;
  /**
   * The server is a forwarder of `zone` (asked with RD=1): it answers from its cache with AA clear, which is
   * not lameness; it has no business sending referrals; an empty NOERROR is NODATA even without an SOA.
   */
  forwarded?: boolean;
}

/**
 * Classifies a reply from a server of `zone` to the question (qname, qtype).
 * Only in-bailiwick records are looked at; CNAMEs are followed inside the reply while they stay in the zone.
 * For a forwarder the zone is the forward zone: it cannot plant data outside the subtree it was configured for.
 */
export function classifyReply(packet: WirePacket, zone: string, qname: string, qtype: string, options: ClassifyOptions = {}): Classification {
  if (!ok(packet.rcode)) return { kind: 'lame', reason: `rcode ${packet.rcode ?? 'unknown'}` };
  const scrubbed = scrubReply(packet, zone);
  const c = classifyScrubbed(packet, scrubbed, zone, qname, qtype, options);
  if (c.kind === 'lame') return c;
  const { answer, authority } = scrubbed;
  const sigs = [...answer, ...authority].filter((r) => r.type === 'RRSIG');
  const proof = authority.filter((r) => r.type === 'NSEC' || r.type === 'NSEC3');
  const ds = c.kind === 'referral' ? authority.filter((r) => r.type === 'DS' && sameName(r.name, c.zone)) : [];
  return sigs.length + proof.length + ds.length === 0 ? c : { ...c, signed: { sigs, proof, ds } };
}

function classifyScrubbed(packet: WirePacket, scrubbed: ReturnType<typeof scrubReply>, zone: string, qname: string, qtype: string, options: ClassifyOptions): Classification {
  const { maxRrsetSize = Infinity, forwarded = false } = options;
  const { answer, authority, additional } = scrubbed;
  if (largestRRset(scrubbed) > maxRrsetSize) return { kind: 'lame', reason: `RRset larger than ${maxRrsetSize} records` };
  const authoritative = packet.flag_aa === true;
  // A server delegated the zone that answers with RA set and AA clear is a recursive resolver answering from its
  // cache, not an authority: lame for this zone (Unbound's "recursive lame"). A referral never sets AA, so it is
  // judged below by its contents instead. From a forwarder that is exactly what we asked for.
  const recursiveLame = !forwarded && !authoritative && packet.flag_ra === true;

  // Follow the chain from qname through the answer section (RFC 1034 §4.3.2 step 3a).
  const cnames: RR[] = [];
  const seen = new Set<string>();
  let name = qname;
  for (;;) {
    const data = answer.filter((r) => answersType(r.type, qtype) && sameName(r.name, name));
    if (data.length > 0) {
      if (recursiveLame) return recursionLame;
      const nsInAnswer = qtype === 'NS' ? data : [];
      // RFC 2181 §5.4.1: the child's own NS set (AA) ranks above the parent's delegation; a forwarder's is hearsay.
      const apexNs = authoritative && !forwarded ? authority.filter((r) => r.type === 'NS' && sameName(r.name, zone)) : [];
      return { kind: 'answer', cnames, records: data, authoritative, glue: glueFor(nsInAnswer, additional), apexNs, apexGlue: glueFor(apexNs, additional) };
    }
    if (qtype === 'CNAME') break;
    // RFC 6672 §3.4: a DNAME above the name redirects it; the CNAME is synthesised here, not trusted as sent (a
    // sent one that disagrees is dropped, as in Unbound). A DNAME owned elsewhere is off the question and ignored.
    const dname = qtype === 'DNAME' ? undefined : answer.find((r) => r.type === 'DNAME' && !sameName(r.name, name) && isInZone(name, r.name));
    // RFC 6672 §2.4: one DNAME per owner. More is a broken reply (Unbound's scrubber rejects it): ask another server.
    if (dname && answer.filter((r) => r.type === 'DNAME' && sameName(r.name, dname.name)).length > 1) {
      return { kind: 'lame', reason: `DNAME RRset of ${dname.name} with more than one record` };
    }
    const cname = dname ? synthesiseCname(dname, name) : answer.find((r) => r.type === 'CNAME' && sameName(r.name, name));
    if (!cname) break;
    if (dname) cnames.push(dname);
    cnames.push(cname);
    seen.add(canonical(name));
    name = cname.data as string;
    if (seen.has(canonical(name)) || !isInZone(name, zone)) break;
  }

  if (recursiveLame && (packet.rcode === 'NXDOMAIN' || cnames.length > 0)) {
    return recursionLame;
  }
  if (packet.rcode === 'NXDOMAIN') {
    const soa = findSoa(authority, name);
    // Like an empty NOERROR below: a denial with neither the zone's SOA nor AA is no authority's word (RFC 2308 §2.1).
    if (!soa && !authoritative && !forwarded) return { kind: 'lame', reason: 'not authoritative (NXDOMAIN without SOA or AA)' };
    return { kind: 'nxdomain', cnames, name, soa, authoritative };
  }
  if (cnames.length > 0) {
    const soa = findSoa(authority, name);
    // A chain that ends inside the zone with an SOA is NODATA for the target; otherwise keep following.
    if (soa && isInZone(name, zone) && (authoritative || forwarded) && !seen.has(canonical(name))) {
      return { kind: 'nodata', cnames, name, soa, authoritative };
    }
    return { kind: 'cname', cnames, target: name, authoritative };
  }

  if (forwarded) {
    // A recursive server answers or denies. NS records without an SOA mean it is not recursing for us.
    const soa = findSoa(authority, qname);
    if (!soa && authority.some((r) => r.type === 'NS')) return { kind: 'lame', reason: 'forwarder sent a referral instead of an answer' };
    return { kind: 'nodata', cnames, name: qname, soa, authoritative };
  }

  // A referral: NS records for a zone strictly below ours that contains qname (RFC 1034 §4.3.2 step 3b).
  const cut = authority.find((r) => r.type === 'NS' && !sameName(r.name, zone) && isInZone(qname, r.name));
  if (cut) {
    const ns = authority.filter((r) => r.type === 'NS' && sameName(r.name, cut.name));
    return { kind: 'referral', zone: canonical(cut.name), ns, glue: glueFor(ns, additional) };
  }

  const soa = findSoa(authority, qname);
  if (recursiveLame) return recursionLame;
  // A real NODATA carries the zone's SOA (RFC 2308 §2.2) or at least AA; without either it only looks like one.
  // Whatever is still in the answer section here is off the question (another type, another name): it is
  // scrubbed — none of it is served or cached — and the rest of the reply decides, as in Unbound's scrubber.
  if (soa || authoritative) {
    return { kind: 'nodata', cnames, name: qname, soa, authoritative };
  }
  // Neither an answer, a negative answer nor a downward referral: an upward referral or a lame server.
  const referral = (packet.authorities ?? []).some((r) => (r as RR).type === 'NS');
  return { kind: 'lame', reason: referral ? 'upward referral' : 'not authoritative' };
}
