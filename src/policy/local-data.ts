// Local data (`local-data` records and `hosts-files`) as a stage: a name that has local data is answered here,
// authoritatively and without recursion, like Unbound's local-data in an implicit transparent zone at that name.
// One Map lookup per query, keyed by the canonical name; names without data of their own go on to the next stage.
import type { Resolution } from '../resolver/resolution.js';
import { canonical } from '../wire/names.js';
import { Rcode, type Question, type RR } from '../wire/types.js';
import { CONTINUE, type Stage } from './stage.js';

/** Links of a CNAME chain followed inside local data; a longer chain (or a loop) is answered as far as it got. */
export const MAX_LOCAL_CHAIN = 8;

/** Everything held for one name: its RRsets by type (records as configured), or a single CNAME. */
interface LocalName {
  readonly rrsets: Map<string, RR[]>;
  cname: RR | null;
}

export type AddResult = { ok: true; added: boolean } | { ok: false; reason: string };

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The records of every local name, and the answers they give. Built once at start-up; fixed afterwards. */
export class LocalData {
  private readonly names = new Map<string, LocalName>();
  /** Every proper ancestor of a local name (canonical, the root left out): the names with local names below. */
  private readonly ancestors = new Set<string>();
  private records = 0;

  /** Names held. */
  get nameCount(): number {
    return this.names.size;
  }

  /** Records held. */
  get recordCount(): number {
    return this.records;
  }

  /**
   * Adds one record. A CNAME must be alone at its name (RFC 1034 §3.6.2): a CNAME next to other data, or other
   * data next to a CNAME, is refused. A record already held is ignored (added: false). The records of one RRset
   * share the lowest TTL given for them (RFC 2181 §5.2).
   */
  add(rr: RR): AddResult {
    const key = canonical(rr.name);
    let node = this.names.get(key);
    if (node?.cname) {
      if (rr.type === 'CNAME' && sameData(node.cname.data, rr.data)) return { ok: true, added: false };
      return { ok: false, reason: `${key} already has a CNAME, which must be alone at its name (RFC 1034 §3.6.2)` };
    }
    if (rr.type === 'CNAME' && node && node.rrsets.size > 0) {
      return { ok: false, reason: `${key} already has other data, so it cannot have a CNAME (RFC 1034 §3.6.2)` };
    }
    if (!node) {
      node = { rrsets: new Map(), cname: null };
      this.names.set(key, node);
      for (let dot = key.indexOf('.'); dot !== -1; dot = key.indexOf('.', dot + 1)) this.ancestors.add(key.slice(dot + 1));
    }
    const record: RR = { name: rr.name, type: rr.type, class: 'IN', ttl: rr.ttl, data: rr.data };
    if (rr.type === 'CNAME') {
      node.cname = record;
      this.records++;
      return { ok: true, added: true };
    }
    const set = node.rrsets.get(rr.type);
    if (!set) {
      node.rrsets.set(rr.type, [record]);
      this.records++;
      return { ok: true, added: true };
    }
    if (set.some((r) => sameData(r.data, rr.data))) return { ok: true, added: false };
    set.push(record);
    this.records++;
    const ttl = Math.min(...set.map((r) => r.ttl));
    for (const r of set) r.ttl = ttl;
    return { ok: true, added: true };
  }

  /**
   * Whether local names lie below this canonical name: an empty non-terminal when it has no data of its own,
   * which exists (RFC 8020 §2) and must not be answered NXDOMAIN by a locally served zone.
   */
  hasNamesBelow(name: string): boolean {
    return this.ancestors.has(name);
  }

  /** Adds a record only when its name has no data of that type and no CNAME yet (generated PTRs: local-data wins). */
  addIfAbsent(rr: RR): AddResult {
    const node = this.names.get(canonical(rr.name));
    if (node && (node.cname || node.rrsets.has(rr.type))) return { ok: true, added: false };
    return this.add(rr);
  }

  /**
   * The answer for a question whose name has local data, or null (not ours: the next stage decides). AA answers:
   * the RRset of the asked type; at a CNAME, the CNAME followed through local data as far as it goes (a target
   * outside local data is left to the client); ANY: every RRset at the name; any other type: NODATA (NOERROR, no
   * records, no SOA — as Unbound answers local data outside a zone that has a SOA). Owner names are written as
   * asked, like the resolver's answers (a later hit from the answer cache gets its question's case back).
   */
  answer(q: Question): Resolution | null {
    const first = this.names.get(canonical(q.name));
    if (!first) return null;
    const answer: RR[] = [];
    let node: LocalName = first;
    let owner = q.name;
    const seen = new Set<LocalName>();
    for (let links = 0; ; links++) {
      seen.add(node);
      if (node.cname) {
        answer.push({ ...node.cname, name: owner });
        if (q.type === 'CNAME' || links >= MAX_LOCAL_CHAIN) break;
        const target = node.cname.data as string;
        const next = this.names.get(canonical(target));
        if (!next || seen.has(next)) break;
        node = next;
        owner = target;
        continue;
      }
      if (q.type === 'ANY') {
        for (const set of node.rrsets.values()) for (const r of set) answer.push({ ...r, name: owner });
      } else {
        const set = node.rrsets.get(q.type);
        if (set) for (const r of set) answer.push({ ...r, name: owner });
      }
      break;
    }
    return { rcode: Rcode.NOERROR, answer, authority: [] };
  }
}

/**
 * Local data as a stage: an authoritative answer for names that have local data. It depends only on the question
 * and the data is fixed at start-up, so it is cacheable (whoever changes the data must flush the answer cache).
 */
export function localDataStage(data: LocalData): Stage {
  return {
    name: 'local-data',
    decide(ctx) {
      const local = data.answer(ctx.question);
      return local ? { kind: 'answer', resolution: local, aa: true, cacheable: true } : CONTINUE;
    },
  };
}
