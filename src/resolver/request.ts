// One client query on its way through the resolver: what it may still spend (budget, deadline), which
// (name, type) pairs it is resolving right now (to break dependency cycles), its trace, and the two recursion
// points — side resolutions (`sub`: NS addresses today, DS/DNSKEY later) and `prefetch` — handed in by the
// facade, so the modules that use them never import the resolver.
import type { Question } from '../wire/types.js';
import { canonical } from '../wire/names.js';
import type { LimitHit } from './limits.js';
import type { Resolution } from './resolution.js';
import type { Trace, TraceEvent } from './trace.js';

/** What one request may still spend, and what went wrong: shared by the request and all its side resolutions. */
export interface Budget {
  readonly deadlineMs: number;
  upstreamQueries: number;
  /** Glueless NS-name lookups started per delegation (zone), across every visit of it by this request. */
  readonly nsLookupsByZone: Map<string, number>;
  readonly failures: string[];
  /** DNSSEC signature verifications made for this request (KeyTrap bound). */
  signatureChecks: number;
  /** Set when a limit stopped the request: nothing more is sent for it. */
  limitHit: LimitHit | null;
}

/** The resolver's entry points a request calls back into. */
export interface Recursion {
  /** Resolves (name, type), following CNAMEs, as part of `req`. */
  resolve(name: string, type: string, req: Request): Promise<Resolution>;
  /** Refreshes a question's near-expiry data in the background. */
  prefetch(q: Question): void;
  /** Every limit hit, stopping or not (one metric per limit). */
  onLimit(hit: LimitHit): void;
}

export interface RequestStart {
  deadlineMs: number;
  trace?: Trace;
  /** A background refresh: data near expiry counts as missing so it is fetched again. */
  refreshing?: boolean;
  /** 0 for a client's question; priming starts deeper so it never triggers prefetches. */
  depth?: number;
  /** RFC 4035 §3.2.2 CD=1: the client takes data that failed validation (it is still validated and marked). */
  checkingDisabled?: boolean;
}

const key = (name: string, type: string): string => `${canonical(name)}|${type}`;

export class Request {
  private constructor(
    readonly budget: Budget,
    /** 0 for the client's question; +1 for each nested side resolution. */
    readonly depth: number,
    private readonly inProgress: ReadonlySet<string>,
    readonly trace: Trace | undefined,
    readonly refreshing: boolean,
    private readonly recursion: Recursion,
    /** The one (name, type) this side resolution must fetch past the cache (a server address that went silent). */
    private readonly refetch: string | null = null,
    /** CD=1: bogus data is given to this request instead of a failure. */
    readonly checkingDisabled = false,
  ) {}

  /** A new request with a budget of its own. */
  static start(s: RequestStart, recursion: Recursion): Request {
    const budget: Budget = { deadlineMs: s.deadlineMs, upstreamQueries: 0, nsLookupsByZone: new Map(), failures: [], signatureChecks: 0, limitHit: null };
    return new Request(budget, s.depth ?? 0, new Set(), s.trace, s.refreshing ?? false, recursion, null, s.checkingDisabled ?? false);
  }

  /** True while (name, type) is being resolved further up this request's path: asking again would be a cycle. */
  isInProgress(name: string, type: string): boolean {
    return this.inProgress.has(key(name, type));
  }

  /**
   * The side resolutions from the one of (name, type) to here and back to it, e.g. "ns.b.test → ns.a.example →
   * ns.b.test": what a cycle looks like in an error. The in-progress set keeps the order the lookups started in.
   */
  cycleTo(name: string, type: string): string {
    const keys = [...this.inProgress];
    const from = keys.indexOf(key(name, type));
    return [...keys.slice(Math.max(0, from)), key(name, type)].map((k) => k.slice(0, k.lastIndexOf('|'))).join(' → ');
  }

  /**
   * A side resolution on the same budget, one level deeper, with (name, type) marked in progress. `refetch`: its
   * cached data counts as missing.
   */
  sub(name: string, type: string, refetch = false): Promise<Resolution> {
    const k = key(name, type);
    const inProgress = new Set(this.inProgress).add(k);
    return this.recursion.resolve(name, type, new Request(this.budget, this.depth + 1, inProgress, this.trace, this.refreshing, this.recursion, refetch ? k : null, this.checkingDisabled));
  }

  /** Whether cached data for (name, type) is to be ignored on this path. */
  mustRefetch(name: string, type: string): boolean {
    return this.refetch === key(name, type);
  }

  prefetch(q: Question): void {
    this.recursion.prefetch(q);
  }

  step(e: TraceEvent): void {
    this.trace?.step(e);
  }

  /** Something that did not work, for the failure's explanation. */
  failed(what: string): void {
    this.budget.failures.push(what);
  }

  /** A limit that stops the whole request: nothing more is sent for it. */
  stop(hit: LimitHit): void {
    this.budget.limitHit = hit;
    this.recursion.onLimit(hit);
  }

  /** A limit that cuts one path short (e.g. one NS lookup) while the request goes on with what is left. */
  skip(hit: LimitHit, what: string): void {
    this.failed(what);
    this.recursion.onLimit(hit);
  }

  /** Also for limits that end the request with a failure of their own (CNAME chain, referrals). */
  noteLimit(hit: LimitHit): void {
    this.recursion.onLimit(hit);
  }

  timeLeftMs(nowMs: number): number {
    return this.budget.deadlineMs - nowMs;
  }
}
