// The DNSSEC validator behind the iterator's hook (RFC 4035 §5): every reply is judged before anything from it is
// cached or followed. A zone's keys come from a chain of trust — trust anchor → DNSKEY → DS → DNSKEY … — fetched
// through the request's side resolutions (`req.sub`), so DS and DNSKEY replies pass this same hook and are cached
// with their verdicts like any other data. Verdicts: secure, insecure (provably unsigned, or signed with what we
// cannot check: RFC 4035 §5.2, RFC 6840 §5.2), bogus (with the EDE and the zone, key tag and step that failed).
import type { DnskeyData, DsData, RrsigData } from 'dns-packet';
import type { Classification } from '../resolver/classify.js';
import type { Request } from '../resolver/request.js';
import type { Resolution } from '../resolver/resolution.js';
import type { ReplyContext, Validator, Verdict } from '../resolver/validate.js';
import type { Clock } from '../util/clock.js';
import { EdeCode } from '../wire/ede.js';
import { canonical, isInZone, labelCount, labels, suffixOf } from '../wire/names.js';
import { groupRRsets } from '../wire/rrset.js';
import { Rcode, type RR } from '../wire/types.js';
import { isSupportedAlgorithm } from './algorithms.js';
import type { TrustAnchors } from './anchors.js';
import type { AnchorTracker } from './rfc5011.js';
import { rrsigLabelCount } from './canonical.js';
import { nsec3Denial, nsec3NoCloserMatch, nsec3TypesAt, nsecDenial, nsecNoCloserMatch, type Denial, type DenialKind } from './denial.js';
import { isSupportedDigestType, matchDs } from './ds.js';
import { keyTag } from './keytag.js';
import { rrsigTimeStatus, verifyRrsig, type OwnedDnskey } from './verify.js';

export interface ValidatorLimits {
  /** KeyTrap (CVE-2023-50387): DNSKEYs tried for one RRSIG (keys sharing a key tag and algorithm). */
  maxKeysPerSignature: number;
  /** RRSIGs tried for one RRset. */
  maxSignaturesPerRrset: number;
  /** Signature verifications one client query may cost, side resolutions included. */
  maxVerificationsPerQuery: number;
  /** Labels below a signed zone probed with DS queries to find where unsigned data's zone starts. */
  maxProbeLabels: number;
}

export const DEFAULT_VALIDATOR_LIMITS: ValidatorLimits = { maxKeysPerSignature: 4, maxSignaturesPerRrset: 8, maxVerificationsPerQuery: 64, maxProbeLabels: 4 };

export interface ValidatorOptions {
  anchors: TrustAnchors;
  /** Negative trust anchors (RFC 7646): names at and below them are insecure, whatever a parent says. */
  insecure?: readonly string[];
  /** RFC 5011: keys rolled in (and revoked) since the anchors were configured. */
  tracker?: AnchorTracker;
  clock: Clock;
  limits?: Partial<ValidatorLimits>;
}

type Bogus = Extract<Verdict, { kind: 'bogus' }>;
type Insecure = Extract<Verdict, { kind: 'insecure' }>;

/** A zone's keys as the chain of trust gives them. */
type ZoneKeys = { kind: 'secure'; keys: OwnedDnskey[] } | Insecure | Bogus;

const bogus = (ede: number, reason: string): Bogus => ({ kind: 'bogus', ede, reason });
const insecure = (reason: string, ede?: number): Insecure => ({ kind: 'insecure', reason, ...(ede !== undefined ? { ede } : {}) });
const SECURE: Verdict = { kind: 'secure' };

const sigData = (r: RR): RrsigData => r.data as RrsigData;

/** The weaker of two verdicts: bogus before insecure before secure (the first bogus reason is kept). */
function weaker(a: Verdict, b: Verdict): Verdict {
  const rank = (v: Verdict): number => (v.kind === 'bogus' ? 0 : v.kind === 'unchecked' ? 1 : v.kind === 'insecure' ? 2 : 3);
  return rank(b) < rank(a) ? b : a;
}

/** The CNAMEs synthesised from a DNAME in the same chain (RFC 6672 §5.3.1: unsigned, checked against the DNAME). */
function synthesised(cnames: readonly RR[]): Set<RR> {
  const out = new Set<RR>();
  for (let i = 1; i < cnames.length; i++) if (cnames[i - 1]!.type === 'DNAME' && cnames[i]!.type === 'CNAME') out.add(cnames[i]!);
  return out;
}

export class DnssecValidator implements Validator {
  private readonly limits: ValidatorLimits;
  /** Signature verifications made (all requests): the cost the KeyTrap bounds hold down. */
  readonly tallies = { verifications: 0 };

  constructor(private readonly o: ValidatorOptions) {
    this.limits = { ...DEFAULT_VALIDATOR_LIMITS, ...o.limits };
  }

  /** Below a negative trust anchor (domain-insecure, forward and stub zones), or below no anchor at all. */
  private untrusted(name: string): string | null {
    const nta = (this.o.insecure ?? []).find((z) => isInZone(name, z));
    if (nta !== undefined) return `${canonical(nta)} is configured insecure (domain-insecure or a forward/stub zone)`;
    return this.o.anchors.closest(name) ? null : `no trust anchor above ${canonical(name)}`;
  }

  async check(c: Exclude<Classification, { kind: 'lame' }>, ctx: ReplyContext, req: Request): Promise<Verdict> {
    const untrusted = this.untrusted(ctx.qname);
    if (untrusted) return insecure(untrusted);
    if (c.kind === 'referral') return this.checkReferral(c, ctx, req);
    const sigs = c.signed?.sigs ?? [];
    const proof = c.signed?.proof ?? [];
    if (ctx.qtype === 'DNSKEY' && c.kind === 'answer' && c.records.length > 0 && canonical(c.records[0]!.name) === canonical(ctx.qname)) {
      return this.checkApexKeys(c.records, sigs, ctx.qname, req);
    }
    let verdict: Verdict = SECURE;
    const skip = synthesised(c.cnames);
    const positive = [...c.cnames.filter((r) => !skip.has(r)), ...(c.kind === 'answer' ? c.records : [])];
    for (const set of groupRRsets(positive)) {
      verdict = weaker(verdict, await this.checkRRset(set, sigs, proof, ctx, req));
      if (verdict.kind === 'bogus') return verdict;
    }
    if (c.kind === 'nxdomain' || c.kind === 'nodata') {
      verdict = weaker(verdict, await this.checkDenial(c.kind, c.name, ctx.qtype, c.soa, sigs, proof, ctx, req));
    }
    return verdict;
  }

  // ---- the chain of trust ----------------------------------------------------------------------------------

  /** The validated keys of `zone`: from its trust anchor, or from the DS its parent signed. */
  private async zoneKeys(zone: string, req: Request): Promise<ZoneKeys> {
    const z = canonical(zone);
    const untrusted = this.untrusted(z);
    if (untrusted) return insecure(untrusted);
    if (!this.o.anchors.at(z)) {
      const ds = await req.sub(z, 'DS');
      const judged = this.judgedSideResult(ds, z, 'DS');
      if (judged) return judged;
      if (ds.answer.every((r) => r.type !== 'DS')) return insecure(`${z} has no DS: an unsigned delegation`);
    }
    const keys = await req.sub(z, 'DNSKEY');
    const judged = this.judgedSideResult(keys, z, 'DNSKEY');
    if (judged) return judged;
    const dnskeys = keys.answer.filter((r) => r.type === 'DNSKEY' && canonical(r.name) === z);
    if (dnskeys.length === 0) return bogus(EdeCode.DNSKEY_MISSING, `${z}: no DNSKEY`);
    return { kind: 'secure', keys: dnskeys.map((r) => ({ name: z, data: r.data as DnskeyData })) };
  }

  /** What a side resolution's own verdict says, when that settles the question (null: secure data to use). */
  private judgedSideResult(r: Resolution, zone: string, type: string): ZoneKeys | null {
    if (r.rcode === Rcode.SERVFAIL) {
      const ede = r.ede?.code ?? EdeCode.DNSSEC_BOGUS;
      const dnssecCode = ede >= 1 && ede <= 12 ? ede : type === 'DNSKEY' ? EdeCode.DNSKEY_MISSING : EdeCode.DNSSEC_BOGUS;
      const text = r.ede?.text ?? 'lookup failed';
      // The side resolution's reason names its zone already when validation failed there.
      return bogus(dnssecCode, text.startsWith(`${zone} `) || text.startsWith(`${zone}:`) ? text : `${type} of ${zone}: ${text}`);
    }
    if (r.security === 'insecure' || r.security === 'unchecked') return r.ede ? insecure(r.ede.text, r.ede.code) : insecure(`${zone} is insecure`);
    if (r.security === 'bogus') return bogus(EdeCode.DNSSEC_BOGUS, `${type} of ${zone} is bogus`);
    if (r.rcode !== Rcode.NOERROR) return bogus(EdeCode.DNSSEC_BOGUS, `${type} of ${zone}: rcode ${r.rcode}`);
    return null;
  }

  /**
   * RFC 4035 §5.2: the DNSKEY RRset at a zone apex is secure when a key that its anchor (or its parent's DS)
   * names signed it. No DS with an algorithm and digest we support: the zone is insecure (EDE 1 or 2).
   */
  private async checkApexKeys(keyset: RR[], sigs: RR[], zone: string, req: Request): Promise<Verdict> {
    const z = canonical(zone);
    const anchor = this.o.anchors.at(z);
    let ds: DsData[];
    let trustedKeys: DnskeyData[] = [];
    if (anchor) {
      ds = anchor.ds;
      trustedKeys = [...anchor.dnskeys, ...(this.o.tracker?.trusted(z) ?? [])];
    } else {
      const parent = await req.sub(z, 'DS');
      const judged = this.judgedSideResult(parent, z, 'DS');
      if (judged) return judged.kind === 'secure' ? SECURE : judged;
      ds = parent.answer.filter((r) => r.type === 'DS').map((r) => r.data as DsData);
      if (ds.length === 0) return insecure(`${z} has no DS`);
    }
    const usableDs = ds.filter((d) => isSupportedDigestType(d.digestType) && isSupportedAlgorithm(d.algorithm));
    if (usableDs.length === 0 && trustedKeys.length === 0) {
      const digestOnly = ds.some((d) => isSupportedAlgorithm(d.algorithm));
      const ede = digestOnly ? EdeCode.UNSUPPORTED_DS_DIGEST : EdeCode.UNSUPPORTED_DNSKEY_ALGORITHM;
      req.step({ kind: 'dnssec', zone: z, check: 'ds', result: 'insecure', detail: digestOnly ? 'DS digest types unsupported' : 'DS algorithms unsupported', depth: req.depth });
      return insecure(`${z}: no DS with a supported algorithm and digest`, ede);
    }
    const keys = keyset.map((r) => ({ name: z, data: r.data as DnskeyData }));
    const revoked = (k: OwnedDnskey): boolean => anchor !== undefined && this.o.tracker?.isRevoked(z, k.data) === true;
    const entry = keys.filter((k) => !revoked(k)).filter((k) => trustedKeys.some((t) => t.algorithm === k.data.algorithm && t.key.equals(k.data.key)) || usableDs.some((d) => matchDs(d, z, k.data) === 'match'));
    if (entry.length === 0) {
      req.step({ kind: 'dnssec', zone: z, check: 'dnskey', result: 'bogus', detail: `no DNSKEY matches DS ${usableDs.map((d) => d.keyTag).join(', ')}`, depth: req.depth });
      return bogus(EdeCode.DNSKEY_MISSING, `${z}: no DNSKEY matches the DS (key tag ${usableDs.map((d) => d.keyTag).join(', ')})${anchor ? ' of the trust anchor' : ''}`);
    }
    const verdict = this.verifyWith(keyset, sigs, entry, req);
    if (anchor && verdict.kind === 'secure' && this.o.tracker) {
      // RFC 5011: a validated key set of an anchored zone is what rolls keys in and out.
      const selfSigned = (k: DnskeyData): boolean => this.verifyWith(keyset, sigs, [{ name: z, data: k }], req).kind === 'secure';
      void this.o.tracker.observe(z, keys.map((k) => k.data), selfSigned).catch(() => undefined);
    }
    const tags = entry.map((k) => keyTag(k.data)).join(', ');
    req.step({ kind: 'dnssec', zone: z, check: 'dnskey', result: verdict.kind === 'bogus' ? 'bogus' : 'secure', detail: verdict.kind === 'bogus' ? verdict.reason : `DNSKEY ${tags} matches ${anchor ? 'the trust anchor' : `DS ${tags}`}`, depth: req.depth });
    return verdict.kind === 'bogus' ? { ...verdict, reason: `${z} DNSKEY: ${verdict.reason}` } : verdict;
  }

  // ---- one RRset -------------------------------------------------------------------------------------------

  /** The RRSIGs over one RRset, from signers inside the bailiwick of the zone that answered. */
  private sigsFor(set: RR[], sigs: readonly RR[], zone: string): RR[] {
    const owner = canonical(set[0]!.name);
    const type = set[0]!.type;
    return sigs.filter((s) => canonical(s.name) === owner && sigData(s).typeCovered === type && isInZone(owner, sigData(s).signersName) && isInZone(sigData(s).signersName, zone));
  }

  private async checkRRset(set: RR[], sigs: readonly RR[], proof: readonly RR[], ctx: ReplyContext, req: Request): Promise<Verdict> {
    const own = this.sigsFor(set, sigs, ctx.zone);
    const owner = canonical(set[0]!.name);
    if (own.length === 0) return this.unsignedStatus(owner, set[0]!.type, ctx.zone, req);
    const signer = canonical(sigData(own[0]!).signersName);
    const keys = await this.zoneKeys(signer, req);
    if (keys.kind !== 'secure') return keys;
    const verdict = this.verifyWith(set, own.filter((s) => canonical(sigData(s).signersName) === signer), keys.keys, req);
    if (verdict.kind !== 'secure') return verdict.kind === 'bogus' ? { ...verdict, reason: `${owner} ${set[0]!.type}: ${verdict.reason}` } : verdict;
    // RFC 4035 §5.3.4: an RRset expanded from a wildcard is secure only with proof that no closer name exists.
    const used = own.find((s) => sigData(s).labels < rrsigLabelCount(owner));
    if (used && set[0]!.type !== 'NSEC' && set[0]!.type !== 'NSEC3') {
      const closer = await this.checkNoCloser(owner, sigData(used).labels, signer, sigs, proof, ctx, req);
      if (closer.kind !== 'secure') return closer;
    }
    req.step({ kind: 'dnssec', zone: signer, check: 'rrsig', result: 'secure', detail: `${owner} ${set[0]!.type} signed by ${signer} key ${sigData(own[0]!).keyTag}`, depth: req.depth });
    return verdict;
  }

  /** Tries the RRset's signatures against the keys (bounded: KeyTrap); secure with the first that verifies. */
  private verifyWith(set: RR[], sigs: readonly RR[], keys: readonly OwnedDnskey[], req: Request): Verdict {
    const nowSeconds = Math.floor(this.o.clock.nowMs() / 1000);
    let why: Bogus | null = null;
    let unsupported = 0;
    const tried = sigs.slice(0, this.limits.maxSignaturesPerRrset);
    for (const s of tried) {
      const rrsig = sigData(s);
      if (!isSupportedAlgorithm(rrsig.algorithm)) {
        unsupported++;
        continue;
      }
      const time = rrsigTimeStatus(rrsig, nowSeconds);
      if (time !== 'current') {
        why ??= time === 'expired' ? bogus(EdeCode.SIGNATURE_EXPIRED, `RRSIG by key ${rrsig.keyTag} expired`) : bogus(EdeCode.SIGNATURE_NOT_YET_VALID, `RRSIG by key ${rrsig.keyTag} not yet valid`);
        continue;
      }
      const candidates = keys.filter((k) => k.data.algorithm === rrsig.algorithm && keyTag(k.data) === rrsig.keyTag).slice(0, this.limits.maxKeysPerSignature);
      if (candidates.length === 0) why ??= bogus(EdeCode.DNSKEY_MISSING, `no DNSKEY with key tag ${rrsig.keyTag} in ${rrsig.signersName}`);
      for (const key of candidates) {
        if (!this.spend(req)) return bogus(EdeCode.DNSSEC_BOGUS, `more than ${this.limits.maxVerificationsPerQuery} signature checks for one query`);
        const check = verifyRrsig(set, rrsig, key);
        if (check.status === 'valid') return SECURE;
        if (check.status === 'invalid') why = bogus(EdeCode.DNSSEC_BOGUS, `RRSIG by key ${rrsig.keyTag} does not verify: ${check.reason}`);
      }
    }
    // RFC 4035 §5.2 / RFC 6840 §5.2: signatures only in algorithms we cannot check leave the data insecure.
    if (!why && unsupported > 0) return insecure(`signed only with unsupported algorithms`, EdeCode.UNSUPPORTED_DNSKEY_ALGORITHM);
    return why ?? bogus(EdeCode.RRSIGS_MISSING, 'no usable RRSIG');
  }

  private spend(req: Request): boolean {
    if (req.budget.signatureChecks >= this.limits.maxVerificationsPerQuery) return false;
    this.tallies.verifications++;
    req.budget.signatureChecks++;
    return true;
  }

  /**
   * Unsigned data from a zone: fine when that zone is insecure; from a secure zone only when a provably unsigned
   * delegation lies between it and the owner (a server serving parent and child answers from the child; a
   * forwarder answers for everything). The labels below are probed with DS queries, top down and bounded.
   */
  private async unsignedStatus(owner: string, type: string, zone: string, req: Request): Promise<Verdict> {
    const keys = await this.zoneKeys(zone, req);
    if (keys.kind !== 'secure') return keys;
    const depth = labelCount(zone);
    const last = Math.min(labelCount(owner), depth + this.limits.maxProbeLabels);
    for (let n = depth + 1; n <= last; n++) {
      const name = suffixOf(owner, n);
      const ds = await req.sub(name, 'DS');
      if (ds.rcode === Rcode.SERVFAIL || ds.security === 'bogus') return bogus(EdeCode.DNSSEC_BOGUS, `DS of ${name}: ${ds.ede?.text ?? 'bogus'}`);
      if (ds.security === 'insecure') return insecure(`${name} is under an insecure delegation`);
      const hasDs = ds.answer.some((r) => r.type === 'DS');
      if (hasDs) {
        const child = await this.zoneKeys(name, req);
        if (child.kind !== 'secure') return child;
        continue; // a signed zone further down: the data must be signed by it, or by a cut below it
      }
      if (ds.rcode === Rcode.NOERROR && isDelegationProof(ds.dnssec?.authority ?? [], name)) {
        req.step({ kind: 'dnssec', zone: name, check: 'ds', result: 'insecure', detail: `no DS at the delegation ${name}: unsigned zone`, depth: req.depth });
        return insecure(`${name} is an unsigned delegation`);
      }
    }
    return bogus(EdeCode.RRSIGS_MISSING, `${owner} ${type}: no RRSIG from the signed zone ${zone}`);
  }

  // ---- denials and wildcards -------------------------------------------------------------------------------

  /** Verifies the NSEC/NSEC3 RRsets and the SOA of a denial, then what they prove (RFC 4035 §5.4, RFC 5155 §8). */
  private async checkDenial(kind: DenialKind, name: string, qtype: string, soa: RR | null, sigs: readonly RR[], proof: readonly RR[], ctx: ReplyContext, req: Request): Promise<Verdict> {
    const zone = soa ? canonical(soa.name) : ctx.zone;
    const keys = await this.zoneKeys(zone, req);
    if (keys.kind !== 'secure') return keys;
    let verdict: Verdict = SECURE;
    if (soa) {
      verdict = weaker(verdict, await this.checkRRset([soa], sigs, [], ctx, req));
      if (verdict.kind === 'bogus') return verdict;
    }
    const checked = await this.checkedProof(proof, sigs, ctx, req);
    if (checked.kind === 'bogus') return checked;
    const denial = proveDenial(checked.records, zone, name, qtype, kind);
    const what = `${kind === 'nxdomain' ? 'NXDOMAIN' : 'NODATA'} for ${name} ${qtype}`;
    const v = denialVerdict(denial, what, zone);
    req.step({ kind: 'dnssec', zone, check: 'denial', result: v.kind === 'bogus' ? 'bogus' : v.kind === 'insecure' ? 'insecure' : 'secure', detail: v.kind === 'secure' ? `${what} proven by ${checked.records[0]?.type ?? 'NSEC'}` : (v as Bogus | Insecure).reason, depth: req.depth });
    return weaker(verdict, v);
  }

  private async checkNoCloser(owner: string, sigLabels: number, zone: string, sigs: readonly RR[], proof: readonly RR[], ctx: ReplyContext, req: Request): Promise<Verdict> {
    const checked = await this.checkedProof(proof, sigs, ctx, req);
    if (checked.kind === 'bogus') return checked;
    const nsec3 = checked.records.some((r) => r.type === 'NSEC3');
    const denial: Denial = nsec3
      ? nsec3NoCloserMatch(checked.records, zone, owner, sigLabels)
      : nsecNoCloserMatch(checked.records, owner)
        ? { kind: 'proven' }
        : { kind: 'unproven', reason: `no NSEC proves ${owner} does not exist` };
    return denialVerdict(denial, `wildcard answer for ${owner}`, zone);
  }

  /** The NSEC/NSEC3 records of a reply whose signatures verify (any that does not makes the reply bogus). */
  private async checkedProof(proof: readonly RR[], sigs: readonly RR[], ctx: ReplyContext, req: Request): Promise<{ kind: 'ok'; records: RR[] } | Bogus> {
    const out: RR[] = [];
    for (const set of groupRRsets(proof)) {
      const v = await this.checkRRset(set, sigs, [], ctx, req);
      if (v.kind === 'bogus') return v;
      if (v.kind === 'secure') out.push(...set);
    }
    return { kind: 'ok', records: out };
  }

  // ---- referrals -------------------------------------------------------------------------------------------

  /**
   * RFC 4035 §5.2: a referral's DS RRset, signed by the parent, links the child's keys; NSEC/NSEC3 proving no DS
   * make the child insecure. A referral with neither is judged later, when the child's keys are asked for.
   */
  private async checkReferral(c: Extract<Classification, { kind: 'referral' }>, ctx: ReplyContext, req: Request): Promise<Verdict> {
    const ds = c.signed?.ds ?? [];
    const sigs = c.signed?.sigs ?? [];
    const proof = c.signed?.proof ?? [];
    if (ds.length > 0) {
      const v = await this.checkRRset(ds, sigs, [], ctx, req);
      if (v.kind === 'secure') req.step({ kind: 'dnssec', zone: c.zone, check: 'ds', result: 'secure', detail: `DS ${ds.map((r) => (r.data as DsData).keyTag).join(', ')} from ${ctx.zone}`, depth: req.depth });
      return v;
    }
    if (proof.length === 0) return { kind: 'unchecked' };
    const keys = await this.zoneKeys(ctx.zone, req);
    if (keys.kind !== 'secure') return keys.kind === 'bogus' ? keys : { kind: 'unchecked' };
    const checked = await this.checkedProof(proof, sigs, ctx, req);
    if (checked.kind === 'bogus') return checked;
    const denial = proveDenial(checked.records, ctx.zone, c.zone, 'DS', 'nodata');
    if (denial.kind !== 'proven') return { kind: 'unchecked' };
    req.step({ kind: 'dnssec', zone: c.zone, check: 'ds', result: 'insecure', detail: `${ctx.zone} proves ${c.zone} has no DS: unsigned zone`, depth: req.depth });
    return SECURE; // the proof is secure: the child is provably insecure
  }
}

function proveDenial(records: readonly RR[], zone: string, name: string, qtype: string, kind: DenialKind): Denial {
  if (records.some((r) => r.type === 'NSEC3')) return nsec3Denial(records, zone, name, qtype, kind);
  if (records.some((r) => r.type === 'NSEC')) return nsecDenial(records, name, qtype, kind);
  return { kind: 'unproven', reason: 'no NSEC or NSEC3 records' };
}

function denialVerdict(d: Denial, what: string, zone: string): Verdict {
  switch (d.kind) {
    case 'proven':
      return d.optOut ? insecure(`${what}: an NSEC3 opt-out span of ${zone}`) : SECURE;
    case 'too-costly':
      return insecure(`${zone}: NSEC3 with ${d.iterations} iterations (RFC 9276)`, EdeCode.UNSUPPORTED_NSEC3_ITERATIONS);
    case 'unproven':
      return bogus(EdeCode.NSEC_MISSING, `${zone}: ${what} not proven: ${d.reason}`);
  }
}

/** Whether the proof shows `name` is a delegation (NS, no SOA) without DS, or lies in an NSEC3 opt-out span. */
function isDelegationProof(proof: readonly RR[], name: string): boolean {
  const n = canonical(name);
  const nsec = proof.find((r) => r.type === 'NSEC' && canonical(r.name) === n);
  if (nsec) {
    const t = (nsec.data as { rrtypes: string[] }).rrtypes;
    return t.includes('NS') && !t.includes('SOA') && !t.includes('DS');
  }
  const nsec3 = proof.filter((r) => r.type === 'NSEC3');
  if (nsec3.length === 0) return false;
  const zone = labels(nsec3[0]!.name).slice(1).join('.') || '.';
  const types = nsec3TypesAt(nsec3, zone, n);
  if (types) return types.includes('NS') && !types.includes('SOA') && !types.includes('DS');
  const d = nsec3Denial(nsec3, zone, n, 'DS', 'nodata');
  return d.kind === 'proven' && d.optOut === true;
}
