// Every cache write the iterator makes, in one place: RRsets with the rank their source gives them
// (RFC 2181 §5.4.1), negative answers with the zone's SOA (RFC 2308 §5), TTL rules on the cache side.
import type { NegativeCache } from '../cache/negative-cache.js';
import { Rank, type RankValue } from '../cache/rank.js';
import type { RRsetCache } from '../cache/rrset-cache.js';
import { canonical } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import type { Classification, Settled } from './classify.js';
import type { RRsetPresenter } from './present.js';
import type { Step } from './step.js';

type Referral = Extract<Classification, { kind: 'referral' }>;

function groupRRsets(records: readonly RR[]): RR[][] {
  const groups = new Map<string, RR[]>();
  for (const r of records) {
    const key = `${canonical(r.name)}|${r.type}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

export class Learner {
  constructor(
    private readonly rrsets: RRsetCache,
    private readonly negatives: NegativeCache,
    private readonly presenter: RRsetPresenter,
  ) {}

  /** A delegation: the child's NS set as non-authoritative data, its glue as additional data. */
  referral(c: Referral): void {
    this.store(c.ns, Rank.AUTHORITY_NONAUTH);
    this.store(c.glue, Rank.ADDITIONAL);
  }

  /**
   * Caches what a non-referral reply says and turns it into a step. What the step carries has the TTLs the cache
   * gives (min-ttl/max-ttl): the first answer and the cached ones agree.
   */
  reply(c: Settled, qtype: string): Step {
    const rank = c.authoritative ? Rank.ANSWER_AUTH : Rank.ANSWER_NONAUTH;
    this.store(c.cnames, rank);
    const cnames = this.bounded(c.cnames);
    switch (c.kind) {
      case 'answer':
        this.store(c.records, rank);
        this.store(c.glue, Rank.ADDITIONAL);
        this.store(c.apexNs, Rank.AUTHORITY_AUTH);
        this.store(c.apexGlue, Rank.ADDITIONAL);
        return { kind: 'answer', cnames, records: this.presenter.present(this.bounded(c.records)) };
      case 'cname':
        return { kind: 'continue', cnames, target: c.target };
      case 'nxdomain':
      case 'nodata': {
        // RFC 2308 §5: negative answers are cached with the zone's SOA, served with the cache's TTL; one that came
        // without an SOA (classify lets only an AA one through) briefly.
        const soa = this.negatives.store(c.name, c.kind === 'nxdomain' ? null : qtype, c.soa);
        return { kind: c.kind, cnames, soa };
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

  private store(records: readonly RR[], rank: RankValue): void {
    for (const set of groupRRsets(records)) {
      // A zone's own NS set replaces the parent's delegation but never outlives it: the old operator of a domain
      // moved at the parent (a "domain sale", the ghost-domain problem) cannot keep it alive by answering.
      const childNs = set[0]!.type === 'NS' && rank >= Rank.AUTHORITY_AUTH;
      this.rrsets.store(set, rank, childNs ? { notBeyondCached: true } : {});
    }
  }
}
