// Every cache write the iterator makes, in one place: RRsets with the rank their source gives them
// (RFC 2181 §5.4.1), negative answers with the zone's SOA (RFC 2308 §5), TTL rules on the cache side.
import type { NegativeCache } from '../cache/negative-cache.js';
import { Rank, type RankValue } from '../cache/rank.js';
import type { RRsetCache } from '../cache/rrset-cache.js';
import { canonical } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import type { Classification } from './classify.js';
import type { RRsetPresenter } from './present.js';
import type { Step } from './step.js';

type Referral = Extract<Classification, { kind: 'referral' }>;
export type Settled = Exclude<Classification, { kind: 'referral' | 'lame' }>;

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

  /** Caches what a non-referral reply says and turns it into a step. */
  reply(c: Settled, qtype: string): Step {
    const rank = c.authoritative ? Rank.ANSWER_AUTH : Rank.ANSWER_NONAUTH;
    this.store(c.cnames, rank);
    switch (c.kind) {
      case 'answer':
        this.store(c.records, rank);
        this.store(c.glue, Rank.ADDITIONAL);
        return { kind: 'answer', cnames: c.cnames, records: this.presenter.present(c.records) };
      case 'cname':
        return { kind: 'continue', cnames: c.cnames, target: c.target };
      case 'nxdomain':
      case 'nodata': {
        // RFC 2308 §5: negative answers are cached only with the zone's SOA, served with the cache's TTL.
        const soa = c.soa ? this.negatives.store(c.name, c.kind === 'nxdomain' ? null : qtype, c.soa) : null;
        return { kind: c.kind, cnames: c.cnames, soa };
      }
      default: {
        const never: never = c;
        throw new Error(`unhandled classification ${String(never)}`);
      }
    }
  }

  private store(records: readonly RR[], rank: RankValue): void {
    for (const set of groupRRsets(records)) this.rrsets.store(set, rank);
  }
}
