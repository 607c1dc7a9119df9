// The blocklist stage: a question for a blocked name, or a name below one, is answered per `blocklist-mode`
// (0.0.0.0/::, NXDOMAIN, NODATA or REFUSED) with EDE 15 Blocked (RFC 8914 §4.16) naming the list, the line and
// the rule; allowlisted names always pass. Its filter blocks answers whose CNAME chain leads to a blocked name
// (CNAME cloaking). Lists are swapped whole on reload: queries see the old set until the new one is built.
import { EdeCode } from '../wire/ede.js';
import type { ExtendedError } from '../wire/edns.js';
import { canonical } from '../wire/names.js';
import { Rcode, type Question, type RR } from '../wire/types.js';
import type { Resolution } from '../resolver/resolution.js';
import type { Blocklists } from './blocklist-load.js';
import type { DomainMatch } from './domain-set.js';
import { CONTINUE, type Decision, type QueryContext, type ResultFilter, type Stage } from './stage.js';

export type BlockMode = 'null-ip' | 'nxdomain' | 'nodata' | 'refuse';
export const BLOCK_MODES: readonly BlockMode[] = ['null-ip', 'nxdomain', 'nodata', 'refuse'];

/** TTL of blocked answers: short, so an allowlist change reaches clients soon (AdGuard Home uses 10 s too). */
export const BLOCKED_TTL = 10;

export class Blocklist {
  readonly stage: Stage;
  readonly filter: ResultFilter;

  constructor(
    private readonly lists: Blocklists,
    private readonly mode: BlockMode,
    /** Told of every blocked query (the `blocked` counter). */
    private readonly onBlocked: () => void = () => {},
  ) {
    this.stage = { name: 'blocklist', decide: (ctx) => this.decide(ctx) };
    this.filter = { name: 'cname-cloaking', filter: (ctx, r) => this.uncloak(ctx, r) };
  }

  get current(): Blocklists {
    return this.lists;
  }

  /** The rule blocking name (canonical), or null when nothing blocks it or the allowlist lets it through. */
  ruleFor(name: string): DomainMatch | null {
    const match = this.lists.blocked.match(name);
    if (match === null || this.lists.allowed.has(name)) return null;
    return match;
  }

  private decide(ctx: QueryContext): Decision {
    const rule = this.ruleFor(canonical(ctx.question.name));
    return rule ? this.blocked(ctx.question, this.explain(rule)) : CONTINUE;
  }

  /** CNAME cloaking: a tracker behind a CNAME of an innocent-looking name is blocked like the tracker itself. */
  private uncloak(ctx: QueryContext, result: Resolution): Resolution | null {
    for (const rr of result.answer) {
      if (rr.type !== 'CNAME') continue;
      const target = canonical(rr.data as string);
      const rule = this.ruleFor(target);
      if (!rule) continue;
      const decision = this.blocked(ctx.question, `${this.explain(rule)} (CNAME target ${target})`);
      if (decision.kind === 'answer') return decision.resolution;
      return { rcode: Rcode.REFUSED, answer: [], authority: [], ...(decision.kind === 'refuse' && decision.ede ? { ede: decision.ede } : {}) };
    }
    return null;
  }

  private explain(rule: DomainMatch): string {
    return `blocked by ${this.lists.sources[rule.source] ?? 'a list'} line ${rule.line}: ${rule.name}`;
  }

  /** Blocked answers are not cacheable: every blocked query is counted, and an allowlist change acts at once. */
  private blocked(q: Question, why: string): Decision {
    this.onBlocked();
    const ede: ExtendedError = { code: EdeCode.BLOCKED, text: why };
    const answer = (rcode: number, records: RR[]): Decision => ({ kind: 'answer', resolution: { rcode, answer: records, authority: [], ede }, aa: false, cacheable: false });
    switch (this.mode) {
      case 'null-ip':
        if (q.type === 'A') return answer(Rcode.NOERROR, [{ name: q.name, type: 'A', class: 'IN', ttl: BLOCKED_TTL, data: '0.0.0.0' } as RR]);
        if (q.type === 'AAAA') return answer(Rcode.NOERROR, [{ name: q.name, type: 'AAAA', class: 'IN', ttl: BLOCKED_TTL, data: '::' } as RR]);
        return answer(Rcode.NOERROR, []);
      case 'nxdomain':
        return answer(Rcode.NXDOMAIN, []);
      case 'nodata':
        return answer(Rcode.NOERROR, []);
      case 'refuse':
        return { kind: 'refuse', ede };
      default: {
        const never: never = this.mode;
        throw new Error(`unhandled block mode ${String(never)}`);
      }
    }
  }
}
