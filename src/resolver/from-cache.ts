// One resolution step from the caches alone: cached data, a cached CNAME to follow, or a cached negative
// answer (RFC 2308) — and a prefetch when the data is near expiry.
import type { NegativeCache } from '../cache/negative-cache.js';
import { MIN_ANSWER_RANK } from '../cache/rank.js';
import { RRsetCache } from '../cache/rrset-cache.js';
import type { RRsetPresenter } from './present.js';
import type { Request } from './request.js';
import type { Step } from './step.js';
import type { DenialSynthesiser } from './synthesis.js';
import { EdeCode } from '../wire/ede.js';

/** Prefetch when less than this fraction of the original TTL is left (Unbound: 10%). */
const PREFETCH_FRACTION = 0.1;

/** Data cached as bogus (for bogus-ttl): SERVFAIL without asking again (RFC 4035 §4.7), unless CD=1. */
function bogusStep(name: string, qtype: string): Step {
  const reason = `${name} ${qtype} failed DNSSEC validation (cached as bogus)`;
  return { kind: 'fail', reason, ede: { code: EdeCode.DNSSEC_BOGUS, text: reason } };
}

export class CacheReader {
  constructor(
    private readonly rrsets: RRsetCache,
    private readonly negatives: NegativeCache,
    private readonly presenter: RRsetPresenter,
    private readonly prefetch: boolean,
    /** RFC 8198: denials from cached NSEC ranges (when validating). */
    private readonly synthesiser?: DenialSynthesiser,
  ) {}

  step(name: string, qtype: string, req: Request): Step | null {
    if (req.mustRefetch(name, qtype)) return null;
    const hit = this.rrsets.get(name, qtype, MIN_ANSWER_RANK);
    const nearExpiry = hit !== null && this.prefetch && RRsetCache.remainingFraction(hit) < PREFETCH_FRACTION;
    if (hit && nearExpiry && req.refreshing) return null; // a prefetch fetches it again
    if (hit) {
      if (hit.entry.security === 'bogus' && !req.checkingDisabled) return bogusStep(name, qtype);
      if (nearExpiry && req.depth === 0) req.prefetch({ name, type: qtype, class: 'IN' });
      req.step({ kind: 'cache', qname: name, qtype, what: 'answer', depth: req.depth });
      return { kind: 'answer', cnames: [], records: this.presenter.present(hit.records), security: hit.entry.security ?? 'unchecked', ...(hit.sigs ? { sigs: hit.sigs } : {}), ...(hit.entry.note ? { note: hit.entry.note } : {}) };
    }
    if (qtype !== 'CNAME') {
      const cname = this.rrsets.get(name, 'CNAME', MIN_ANSWER_RANK);
      const first = cname?.records[0];
      if (first) {
        if (cname.entry.security === 'bogus' && !req.checkingDisabled) return bogusStep(name, 'CNAME');
        req.step({ kind: 'cache', qname: name, qtype, what: 'cname', depth: req.depth });
        return { kind: 'continue', cnames: [first], target: first.data as string, security: cname.entry.security ?? 'unchecked', ...(cname.sigs ? { sigs: cname.sigs } : {}) };
      }
    }
    const neg = this.negatives.get(name, qtype);
    if (neg) {
      if (neg.security === 'bogus' && !req.checkingDisabled) return bogusStep(name, qtype);
      req.step({ kind: 'cache', qname: name, qtype, what: neg.kind, depth: req.depth });
      return { kind: neg.kind, cnames: [], soa: neg.soa, security: neg.security ?? 'unchecked', ...(neg.proof ? { proof: neg.proof } : {}), ...(neg.note ? { note: neg.note } : {}) };
    }
    const made = this.synthesiser?.synthesise(name, qtype);
    if (made) {
      req.step({ kind: 'cache', qname: name, qtype, what: made.kind, depth: req.depth, synthesised: true });
      return { kind: made.kind, cnames: [], soa: made.soa, security: 'secure', proof: made.proof };
    }
    return null;
  }
}
