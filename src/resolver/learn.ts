// Every cache write the iterator makes, in one place: RRsets with the rank their source gives them
// (RFC 2181 §5.4.1), negative answers with the zone's SOA (RFC 2308 §5), TTL rules on the cache side.
import type { NegativeCache } from '../cache/negative-cache.js';
import { Rank, type RankValue } from '../cache/rank.js';
import type { RRsetCache } from '../cache/rrset-cache.js';
import { canonical } from '../wire/names.js';
import { groupRRsets } from '../wire/rrset.js';
import type { RR } from '../wire/types.js';
import type { RrsigData } from 'dns-packet';
import type { Clock } from '../util/clock.js';
import type { ExtendedError } from '../wire/edns.js';
import type { Classification, Settled } from './classify.js';
import type { RRsetPresenter } from './present.js';
import type { Security, Step } from './step.js';
import type { DenialSynthesiser } from './synthesis.js';
import type { Verdict } from './validate.js';

type Referral = Extract<Classification, { kind: 'referral' }>;

/** Whether an RRSIG covers the RRset `r` belongs to. */
function sameOwnerType(sig: RR, r: RR): boolean {
  return sig.type === 'RRSIG' && canonical(sig.name) === canonical(r.name) && (sig.data as RrsigData).typeCovered === r.type;
}

export interface LearnerOptions {
  clock: Clock;
  /** RFC 8198: told the NSEC records of every secure denial. */
  synthesiser?: DenialSynthesiser;
  /** Seconds bogus data is kept (so repeated queries do not storm the servers; it is never served as secure). */
  bogusTtl: number;
}

const securityOf = (v: Verdict): Security => (v.kind === 'unchecked' ? 'unchecked' : v.kind);
const UNCHECKED: Verdict = { kind: 'unchecked' };
/**
 * The EDE a verdict carries, kept with the data: why it is insecure (unsupported algorithm or digest, NSEC3 too
 * costly), or why it is bogus — so a repeat from the cache says what the first answer said.
 */
const noteOf = (v: Verdict): ExtendedError | undefined =>
  (v.kind === 'insecure' || v.kind === 'bogus') && v.ede !== undefined ? { code: v.ede, text: v.reason } : undefined;

export class Learner {
  constructor(
    private readonly rrsets: RRsetCache,
    private readonly negatives: NegativeCache,
    private readonly presenter: RRsetPresenter,
    private readonly o: LearnerOptions,
  ) {}

  /**
   * A delegation: the child's NS set as non-authoritative data, its glue as additional data; a validated DS set
   * (or the secure proof that there is none: the child is unsigned) for the chain of trust.
   */
  referral(c: Referral, verdict: Verdict = UNCHECKED): void {
    this.store(c.ns, Rank.AUTHORITY_NONAUTH);
    this.store(c.glue, Rank.ADDITIONAL);
    if (verdict.kind !== 'secure' || !c.signed) return;
    const sigs = c.signed.sigs;
    if (c.signed.ds.length > 0) {
      this.store(c.signed.ds, Rank.ANSWER_NONAUTH, sigs, verdict);
    } else if (c.signed.proof.length > 0) {
      const proof = [...c.signed.proof, ...sigs.filter((s) => c.signed!.proof.some((p) => sameOwnerType(s, p)))];
      this.negatives.store(c.zone, 'DS', null, { proof, security: 'secure', maxTtl: Math.min(...c.signed.proof.map((r) => r.ttl), this.sigLife(proof)) });
    }
  }

  /**
   * Caches what a non-referral reply says and turns it into a step. What the step carries has the TTLs the cache
   * gives (min-ttl/max-ttl): the first answer and the cached ones agree. The verdict goes with every RRset.
   */
  reply(c: Settled, qtype: string, verdict: Verdict = UNCHECKED): Step {
    const rank = c.authoritative ? Rank.ANSWER_AUTH : Rank.ANSWER_NONAUTH;
    const sigs = c.signed?.sigs ?? [];
    const security = securityOf(verdict);
    const note = noteOf(verdict);
    const signedParts = (records: readonly RR[]): RR[] => sigs.filter((s) => records.some((r) => sameOwnerType(s, r)));
    this.store(c.cnames, rank, sigs, verdict);
    const cnames = this.bounded(c.cnames);
    const dnssec = (records: readonly RR[], proof: readonly RR[]) => {
      const withSigs = [...proof, ...signedParts(proof)];
      return { security, sigs: signedParts([...c.cnames, ...records]), ...(withSigs.length > 0 ? { proof: withSigs } : {}), ...(note ? { note } : {}) };
    };
    switch (c.kind) {
      case 'answer':
        this.store(c.records, rank, sigs, verdict);
        this.store(c.glue, Rank.ADDITIONAL);
        this.store(c.apexNs, Rank.AUTHORITY_AUTH, sigs, verdict);
        this.store(c.apexGlue, Rank.ADDITIONAL);
        // A wildcard answer's proof that no closer name exists travels with it (RFC 4035 §3.1.3.3).
        return { kind: 'answer', cnames, records: this.presenter.present(this.bounded(c.records)), ...dnssec(c.records, c.signed?.proof ?? []) };
      case 'cname':
        return { kind: 'continue', cnames, target: c.target, ...dnssec([], []) };
      case 'nxdomain':
      case 'nodata': {
        // RFC 2308 §5: negative answers are cached with the zone's SOA, served with the cache's TTL; one that came
        // without an SOA (classify lets only an AA one through) briefly. RFC 4035 §3.1.3: with their proof.
        const parts = dnssec(c.soa ? [c.soa] : [], c.signed?.proof ?? []);
        const proof = [...(parts.proof ?? []), ...(c.soa ? signedParts([c.soa]) : [])];
        const maxTtl = verdict.kind === 'bogus' ? this.o.bogusTtl : this.sigLife(proof);
        const soa = this.negatives.store(c.name, c.kind === 'nxdomain' ? null : qtype, c.soa, { proof, security, maxTtl, ...(note ? { note } : {}) });
        if (security === 'secure' && c.soa) this.o.synthesiser?.learn(c.soa.name, c.soa, proof);
        return { kind: c.kind, cnames, soa, security, sigs: signedParts(c.cnames), ...(proof.length > 0 ? { proof: proof.map((r) => ({ ...r, ttl: soa?.ttl ?? r.ttl })) } : {}), ...(note ? { note } : {}) };
      }
      default: {
        const never: never = c;
        throw new Error(`unhandled classification ${String(never)}`);
      }
    }
  }

  /** Each RRset of `records` with its cache TTL, in the order given (a chain keeps its order). */
  private bounded(records: readonly RR[]): RR[] {
    const sets = new Map(groupRRsets(records).map((set) => [`${canonical(set[0]!.name)}|${set[0]!.type}`, this.rrsets.bounded(set)]));
    return records.map((r) => sets.get(`${canonical(r.name)}|${r.type}`)!.shift()!);
  }

  /**
   * RFC 4035 §5.3.3: validated data lives no longer than its signatures' original TTL and their expiry; bogus data
   * only bogus-ttl seconds.
   */
  private sigLife(sigs: readonly RR[]): number {
    const now = Math.floor(this.o.clock.nowMs() / 1000);
    let life = Infinity;
    for (const s of sigs) {
      if (s.type !== 'RRSIG') continue;
      const d = s.data as RrsigData;
      const left = (d.expiration - now) >>> 0; // RFC 1982 serial arithmetic: past expiry wraps above 2^31
      life = Math.min(life, d.originalTTL, left > 0x7fffffff ? 0 : left);
    }
    return life;
  }

  private store(records: readonly RR[], rank: RankValue, sigs: readonly RR[] = [], verdict: Verdict = UNCHECKED): void {
    for (const set of groupRRsets(records)) {
      // A zone's own NS set replaces the parent's delegation but never outlives it: the old operator of a domain
      // moved at the parent (a "domain sale", the ghost-domain problem) cannot keep it alive by answering.
      const childNs = set[0]!.type === 'NS' && rank >= Rank.AUTHORITY_AUTH;
      const own = sigs.filter((s) => sameOwnerType(s, set[0]!));
      const maxTtl = verdict.kind === 'bogus' ? this.o.bogusTtl : verdict.kind === 'secure' ? this.sigLife(own) : Infinity;
      const note = noteOf(verdict);
      this.rrsets.store(set, rank, {
        ...(childNs ? { notBeyondCached: true } : {}),
        ...(own.length > 0 ? { sigs: own } : {}),
        ...(verdict.kind !== 'unchecked' ? { security: securityOf(verdict) } : {}),
        ...(maxTtl !== Infinity ? { maxTtl } : {}),
        ...(note ? { note } : {}),
      });
    }
  }
}
