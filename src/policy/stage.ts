// What policy decisions see and say: the client, the query context, and the Decision a gate or stage returns.
// It lives with policy, not with the pipeline, so that policy never imports the pipeline that runs it.
import type { Resolution } from '../resolver/resolution.js';
import type { ClientEdns, ExtendedError } from '../wire/edns.js';
import type { Question } from '../wire/types.js';

/** Who sent a query, and how. */
export interface ClientInfo {
  address: string;
  port: number;
  /** tls: DNS over TLS (RFC 7858); https: DNS over HTTPS (RFC 8484). Only udp answers are truncated to fit. */
  transport: 'udp' | 'tcp' | 'tls' | 'https';
}

/** What a stage needs to decide about one decoded, well-formed query. */
export interface QueryContext {
  client: ClientInfo;
  question: Question;
  /** RD: the client asks for recursion (RFC 1035 §4.1.1). */
  rd: boolean;
  /** CD: the client does its own DNSSEC checking (RFC 4035 §3.2.2). */
  cd: boolean;
  /** The client's OPT record, or its absence (RFC 6891). */
  edns: ClientEdns;
}

/**
 * `by`: the gate, stage or filter that decided, for the query log and the trace (filled in by the pipeline for
 * stages; gates name themselves, their decisions being shared constants).
 * continue: no opinion, the next stage decides. answer: this is the answer (aa: we are its authority;
 * cacheable: it may go into the shared answer cache, i.e. it does not depend on who asked). refuse: REFUSED,
 * with an Extended DNS Error when the client speaks EDNS and EDE is on. drop: send nothing. truncate: an empty
 * answer with TC=1 over UDP (the client must come back over TCP, which a spoofed source cannot), nothing over TCP.
 */
export type Decision =
  | { readonly kind: 'continue' }
  | { readonly kind: 'answer'; readonly resolution: Resolution; readonly aa: boolean; readonly cacheable: boolean; readonly by?: string }
  | { readonly kind: 'refuse'; readonly ede?: ExtendedError; readonly by?: string }
  | { readonly kind: 'drop'; readonly by?: string }
  | { readonly kind: 'truncate'; readonly by?: string };

/** What a gate may say: everything but an answer (a gate knows nothing of the question). */
export type GateDecision = Exclude<Decision, { kind: 'answer' }>;

/** The decisions without a payload, shared so that deciding them allocates nothing (gates run on the hot path). */
export const CONTINUE = Object.freeze({ kind: 'continue' as const });
export const REFUSE = Object.freeze({ kind: 'refuse' as const });
export const DROP = Object.freeze({ kind: 'drop' as const });
export const TRUNCATE = Object.freeze({ kind: 'truncate' as const });

/**
 * A decision on the client alone (ACL; later rate limits), made once per query before the answer-cache hit path,
 * so a cached answer never reaches a client a gate turned away. Anything but continue sends the query down the
 * full path, where the verdict takes effect after the protocol checks (a malformed query still gets FORMERR):
 * refuse answers REFUSED, drop sends nothing.
 */
export interface Gate {
  readonly name: string;
  decide(client: ClientInfo): GateDecision;
}

/** A decision on a decoded query, on the full path. Synchronous: a promise per stage would cost every query. */
export interface Stage {
  readonly name: string;
  decide(ctx: QueryContext): Decision;
}

/**
 * A look at the resolver's result before it is sent (CNAME cloaking, later the rebinding guard): null leaves it
 * as it is; a replacement is sent instead and is never kept in the shared answer cache.
 */
export interface ResultFilter {
  readonly name: string;
  filter(ctx: QueryContext, result: Resolution): Resolution | null;
}
