// RFC 8767 serve-stale: the answer expired cache can still give when resolution fails or is slow.
import { MIN_ANSWER_RANK } from '../cache/rank.js';
import type { RRsetCache } from '../cache/rrset-cache.js';
import { EdeCode } from '../wire/ede.js';
import { Rcode, type Question, type RR } from '../wire/types.js';
import type { Resolution } from './resolution.js';

/** RFC 8767 §4: the TTL of stale answers. */
export const STALE_TTL = 30;

/** The stale answer for q (TTL 30, EDE 3 Stale Answer), following CNAMEs up to maxCnameChain; null if none. */
export function staleAnswer(rrsets: RRsetCache, q: Question, windowMs: number, maxCnameChain: number, why: string): Resolution | null {
  const answer: RR[] = [];
  let name = q.name;
  for (let i = 0; i <= maxCnameChain; i++) {
    const data = rrsets.getStale(name, q.type, MIN_ANSWER_RANK, windowMs, STALE_TTL);
    // Data that failed validation is never a stopgap (a stale answer carries no AD either).
    if (data?.entry.security === 'bogus') return null;
    if (data) {
      return { rcode: Rcode.NOERROR, answer: answer.concat(data.records), authority: [], stale: true, ede: { code: EdeCode.STALE_ANSWER, text: `stale answer: ${why}` } };
    }
    const cname = q.type === 'CNAME' ? null : rrsets.getStale(name, 'CNAME', MIN_ANSWER_RANK, windowMs, STALE_TTL);
    const first = cname?.records[0];
    if (!first || cname?.entry.security === 'bogus') return null;
    answer.push(first);
    name = first.data as string;
  }
  return null;
}
