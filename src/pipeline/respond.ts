// The last step of the full path: encode the response, truncate it to the client's UDP limit (RFC 1035 §4.2.1,
// RFC 6891 §6.2.5), attach Extended DNS Errors only when enabled, keep it in the answer cache when that is safe,
// and write the query log line.
import { answerKey, type AnswerCache } from '../cache/answer-cache.js';
import type { Logger } from '../log.js';
import type { LiveView } from '../observe/live-view.js';
import type { QueryRing } from '../observe/query-ring.js';
import type { ClientInfo } from '../policy/stage.js';
import type { Resolution } from '../resolver/resolution.js';
import { encodeResponse, withRawQuestion, type ResponseSpec } from '../wire/build.js';
import type { ClientEdns, ExtendedError } from '../wire/edns.js';
import { skipName } from '../wire/patch.js';
import { Flag, HEADER_LEN, type PeekedQuery } from '../wire/question.js';
import { Rcode, type Question } from '../wire/types.js';

export interface RespondDeps {
  answerCache: AnswerCache | null;
  /** What `rootline top` shows: answer times, top names, clients and SERVFAIL reasons. */
  live?: LiveView;
  logger: Logger;
  queryLog: boolean;
  /** The dashboard's query log (web-listen set); absent: nothing is kept. */
  queryRing?: QueryRing | null;
  /** Attach RFC 8914 Extended DNS Errors to answers for EDNS clients. */
  ede: boolean;
}

/** One decoded query, as the responder needs it. */
export interface Asked {
  query: Buffer;
  /** The hand-peeked question (null when the peek failed): where the answer-cache key and offsets come from. */
  peeked: PeekedQuery | null;
  client: ClientInfo;
  /** The header fields and question every response to it echoes. */
  base: { id: number; opcode: number; rd: boolean; cd: boolean; question: Question | null };
  /** The client set AD=1: it understands AD in the answer (RFC 6840 §5.7) even without DO. */
  adAsked?: boolean;
  edns: ClientEdns;
  /** The client's UDP size; undefined over TCP (no limit but the 64 KiB frame). */
  limit: number | undefined;
  /** performance.now() when decoding was done, for the log's ms. */
  started: number;
  /** The gate, stage or filter that decided the answer, if one did (the query log names it). */
  policy?: string;
}

/** What the query log adds beyond the basics: the policy step that decided, and the EDE it gave. */
export interface LoggedPolicy {
  policy?: string;
  ede?: ExtendedError;
}

export function logQuery(logger: Logger, client: ClientInfo, name: string, type: string, rcode: number | 'dropped', answers: number, ms: number, cached: boolean, p: LoggedPolicy = {}): void {
  const why = { ...(p.policy ? { policy: p.policy } : {}), ...(p.ede ? { ede: `${p.ede.code} ${p.ede.text}` } : {}) };
  logger.info({ event: 'query', client: client.address, transport: client.transport, name, type, rcode, answers, ms, cached, ...why }, 'query');
}

export class Responder {
  constructor(private readonly d: RespondDeps) {}

  /** An answer with no records: an error, or a refusal (its EDE only when enabled). Logged when a policy said it. */
  rcode(a: Asked, rcode: number, ede?: ExtendedError): Buffer {
    const spec: ResponseSpec = { ...a.base, rcode, answer: [], authority: [], edns: a.edns, ...(ede && this.d.ede ? { ede } : {}) };
    if (a.policy) this.log(a, rcode, 0, ede);
    return encodeResponse(spec, a.limit);
  }

  /** Nothing sent, by a policy's decision (deny, drop, a rate limit): still a query log line. */
  dropped(a: Asked): null {
    this.log(a, 'dropped', 0);
    return null;
  }

  private log(a: Asked, rcode: number | 'dropped', answers: number, ede?: ExtendedError): void {
    if ((!this.d.queryLog && !this.d.queryRing) || !a.base.question) return;
    const ms = Math.round((performance.now() - a.started) * 100) / 100;
    const q = a.base.question;
    this.d.queryRing?.push(a.client.address, a.client.transport, q.name, q.type, rcode, answers, ms, false, a.policy, ede ? `${ede.code} ${ede.text}` : undefined);
    if (!this.d.queryLog) return;
    logQuery(this.d.logger, a.client, a.base.question.name, a.base.question.type, rcode, answers, ms, false, { ...(a.policy ? { policy: a.policy } : {}), ...(ede ? { ede } : {}) });
  }

  /** An empty answer with TC=1 (RFC 1035 §4.1.1): "ask again over TCP". */
  truncated(a: Asked): Buffer {
    const out = encodeResponse({ ...a.base, rcode: Rcode.NOERROR, answer: [], authority: [], edns: a.edns }, a.limit);
    out.writeUInt16BE(out.readUInt16BE(2) | Flag.TC, 2);
    return out;
  }

  /**
   * A refusal for a question dns-packet cannot encode: sent without the decoded question, the client's raw
   * question bytes spliced back in when they were peeked. Carries its EDE whatever the switch says.
   */
  withRawQuestion(a: Asked, rcode: number, ede: ExtendedError): Buffer {
    const out = encodeResponse({ ...a.base, question: null, rcode, answer: [], authority: [], edns: a.edns, ede });
    return a.peeked ? withRawQuestion(out, a.query, a.peeked.questionEnd) : out;
  }

  /**
   * The answer to a query: encoded in full, stored when cacheable, truncated for UDP, logged. `fromResolver`:
   * the resolver made it, so a hit near expiry may refresh it; a stage's answer is never sent upstream.
   */
  resolution(a: Asked, result: Resolution, aa: boolean, cacheable: boolean, fromResolver: boolean): Buffer {
    // RFC 4035 §3.2.1: a DO=1 client gets the RRSIGs and denial proofs; §3.2.3, RFC 6840 §5.7: AD only on secure
    // data, and only to clients that said they understand it (DO or AD set).
    const dnssec = a.edns.dnssecOk ? result.dnssec : undefined;
    const ad = result.security === 'secure' && (a.edns.dnssecOk || a.adAsked === true);
    const spec: ResponseSpec = {
      ...a.base,
      rcode: result.rcode,
      answer: dnssec && dnssec.answer.length > 0 ? [...result.answer, ...dnssec.answer] : result.answer,
      authority: dnssec && dnssec.authority.length > 0 ? [...result.authority, ...dnssec.authority] : result.authority,
      edns: a.edns,
      ...(aa ? { aa: true } : {}),
      ...(ad ? { ad: true } : {}),
      ...(result.ede && this.d.ede ? { ede: result.ede } : {}),
    };
    const full = encodeResponse(spec);
    // A stale answer (RFC 8767) is a stopgap, not something to serve again from the hot path.
    if (cacheable && a.peeked && !result.stale) this.storeAnswer(a, a.peeked, result.rcode, full, fromResolver);
    const out = a.limit !== undefined && full.length > a.limit ? encodeResponse(spec, a.limit) : full;
    this.log(a, result.rcode, result.answer.length, result.ede);
    if (this.d.live && a.base.question) {
      // The reason without the servers' details, so one failing zone is one line in `top`.
      const why = result.rcode === Rcode.SERVFAIL ? (result.ede?.text.split(': ')[0] ?? 'no reason given') : null;
      this.d.live.noteAnswer(a.base.question.name, a.client.address, performance.now() - a.started, why);
    }
    return out;
  }

  /** Keeps a full response for the hot path when it is worth keeping (an answer or a negative answer). */
  private storeAnswer(a: Asked, peeked: PeekedQuery, rcode: number, full: Buffer, refreshable: boolean): void {
    if (!this.d.answerCache || (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN)) return;
    // Only when the encoded question has exactly the client's length, so cached offsets fit every hit.
    if (skipName(full, HEADER_LEN) + 4 !== peeked.questionEnd) return;
    const key = answerKey(a.query, peeked.questionEnd, a.edns.dnssecOk, a.base.cd, a.edns.present, a.adAsked === true);
    this.d.answerCache.store(key, full, peeked.questionEnd, refreshable);
  }
}
