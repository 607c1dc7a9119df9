// The chain every client query goes through: gates → answer-cache hit (hot path) → decode → protocol checks →
// stages → admission and the resolver → respond. The one place that decides FORMERR/NOTIMP/REFUSED/SERVFAIL
// answers (respond.ts encodes them). The order of policy is in stages.ts.
import type { AnswerCache } from '../cache/answer-cache.js';
import type { Logger } from '../log.js';
import { newCounters, type Counters } from '../metrics.js';
import { HIT_SAMPLE } from '../observe/live-view.js';
import { countResponse, edeSlot, newPipelineTallies, QTYPE_SLOTS, qtypeSlot, transportIndex, type PipelineTallies } from '../observe/tallies.js';
import { CONTINUE, type ClientInfo, type Decision, type Gate, type GateDecision, type QueryContext, type ResultFilter, type Stage } from '../policy/stage.js';
import type { Resolution } from '../resolver/resolution.js';
import type { Resolver } from '../resolver/resolver.js';
import { encodeBareError } from '../wire/build.js';
import { decodePacket } from '../wire/decode.js';
import { readClientEdns, udpLimit } from '../wire/edns.js';
import { Flag, opcodeOf, peekHeader, peekQuery, type PeekedQuery } from '../wire/question.js';
import { Rcode, type Question } from '../wire/types.js';
import { countOpt, DOTTED_LABEL_EDE, isPlainName, isResponse, messageError, questionError } from './checks.js';
import type { Acl } from '../policy/acl.js';
import { ChaosAnswers } from './chaos.js';
import { fromAnswerCache } from './hot-path.js';
import { Responder, type Asked, type RespondDeps } from './respond.js';
import { buildSteps, filtered, firstDecision, firstVerdict, policyView, type PolicyView, type StageDeps } from './stages.js';

export interface PipelineDeps extends StageDeps, RespondDeps {
  resolver: Resolver;
  answerCache: AnswerCache | null;
  logger: Logger;
  /** Client queries being resolved at once; past it new ones are dropped (the client retries). */
  maxClientQueries: number;
  /** Who may ask CHAOS questions (the journey of a name shows what the cache holds). */
  debugAcl: Acl;
  /** hostname.bind / id.server. */
  identity: string;
  /** Counters and tallies to bump: a reloaded pipeline keeps counting where the old one left off. */
  counters?: Counters;
  tallies?: PipelineTallies;
}

export class Pipeline {
  private resolving = 0;
  /** Answer-cache hits so far, for sampling one client in HIT_SAMPLE into the live view. */
  private hitsSeen = 0;
  readonly counters: Counters;
  /** By transport, qtype, rcode and EDE: small fixed arrays bumped in place (observe/tallies.ts); kept over reloads. */
  readonly tallies: PipelineTallies;
  private readonly gates: readonly Gate[];
  private readonly stages: readonly Stage[];
  private readonly filters: readonly ResultFilter[];
  private readonly respond: Responder;
  private readonly chaos: ChaosAnswers;
  /** The stages and filters seen from outside a query (traces, journeys). */
  readonly policy: PolicyView;

  constructor(private readonly d: PipelineDeps) {
    this.counters = d.counters ?? newCounters();
    this.tallies = d.tallies ?? newPipelineTallies();
    ({ gates: this.gates, stages: this.stages, filters: this.filters } = buildSteps(d));
    this.respond = new Responder(d);
    this.policy = policyView({ stages: this.stages, filters: this.filters });
    this.chaos = new ChaosAnswers({ policy: this.policy, resolver: d.resolver }, d.identity, d.debugAcl);
  }

  /**
   * Bytes in, bytes out (null: send nothing). Never throws. A cache hit is answered synchronously: no promise,
   * no decode, no encode.
   */
  readonly handle = (query: Buffer, client: ClientInfo): Buffer | null | Promise<Buffer | null> => {
    this.counters.queries++;
    const via = transportIndex(client.transport);
    try {
      // Gates once, before the hot path: a client they turn away is never served from the answer cache.
      const gate = firstVerdict(this.gates, client);
      const peeked = peekQuery(query);
      if (peeked) this.tallies.queries[via * QTYPE_SLOTS + qtypeSlot(peeked.qtype)]!++;
      const hit = peeked && gate === CONTINUE ? fromAnswerCache(this.d, this.counters, query, client, peeked) : null;
      if (hit) {
        countResponse(this.counters, this.tallies, via, hit[3]! & 0x0f);
        if ((++this.hitsSeen & (HIT_SAMPLE - 1)) === 0) this.d.live?.sampleHitClient(client.address);
        return hit;
      }
      return this.process(query, client, peeked, gate).then(
        (out) => this.counted(out, via),
        (e: unknown) => this.failed(e, client),
      );
    } catch (e) {
      return this.failed(e, client);
    }
  };

  /** `ctl query-log on|off`: from now until the next reload or restart. */
  setQueryLog(on: boolean): void {
    this.d.queryLog = on;
  }

  private counted(out: Buffer | null, via: number): Buffer | null {
    if (out === null) this.counters.dropped++;
    else if (out.length >= 4) countResponse(this.counters, this.tallies, via, out[3]! & 0x0f);
    return out;
  }

  /** A bug, not bad input: log it and answer nothing rather than crash the server. */
  private failed(e: unknown, client: ClientInfo): null {
    this.d.logger.error({ event: 'pipeline_error', err: e, client: client.address }, 'pipeline_error');
    this.counters.dropped++;
    return null;
  }

  /** The full path. `gate` is the gates' verdict, applied after the checks that do not depend on the client. */
  private async process(query: Buffer, client: ClientInfo, peeked: PeekedQuery | null, gate: GateDecision): Promise<Buffer | null> {
    const header = peekHeader(query);
    if (!header) return null; // not even a header: nothing to answer to
    if (isResponse(header.flags)) return null;

    const decoded = decodePacket(query);
    if (!decoded.ok) return encodeBareError(header.id, header.flags, Rcode.FORMERR);
    const packet = decoded.packet;
    const question = packet.questions?.[0] as Question | undefined;
    const edns = readClientEdns(packet);
    const rd = (header.flags & Flag.RD) !== 0;
    const cd = (header.flags & Flag.CD) !== 0;
    const asked: Asked = {
      query,
      peeked,
      client,
      base: { id: header.id, opcode: opcodeOf(header.flags), rd, cd, question: question ?? null },
      adAsked: (header.flags & Flag.AD) !== 0,
      edns,
      limit: client.transport === 'udp' ? udpLimit(edns) : undefined,
      started: performance.now(),
    };

    // The message first: a malformed query earns FORMERR (NOTIMP, BADVERS) whoever sends it.
    const malformed = messageError(asked.base.opcode, packet.questions?.length ?? 0, countOpt(packet), edns);
    if (malformed !== null) return this.respond.rcode(asked, malformed);
    if (!question) return this.respond.rcode(asked, Rcode.FORMERR);
    // Then the gates' verdict, then what we do not serve to anyone.
    const denied = this.apply(asked, gate);
    if (denied !== undefined) return denied;
    // CHAOS: version.bind and friends, and the journey of a name (chaos.ts); never cached.
    if (question.class === 'CH') return this.answer(asked, await this.chaos.answer(question, client), false, false, false);
    const refused = questionError(question);
    if (refused !== null) return this.respond.rcode(asked, refused);
    // A dot or nothing inside a label cannot be carried in presentation-form names: say so (RFC 8914 §4.22).
    if (!isPlainName(question.name)) return this.respond.withRawQuestion(asked, Rcode.REFUSED, DOTTED_LABEL_EDE);

    const ctx: QueryContext = { client, question, rd, cd, edns };
    const decision = firstDecision(this.stages, ctx);
    const out = this.apply(asked, decision);
    if (out !== undefined) return out;

    // Admission: past max-client-queries a query is dropped and the client retries.
    if (this.resolving >= this.d.maxClientQueries) return null;
    this.resolving++;
    let result: Resolution;
    try {
      result = await this.d.resolver.resolve(question, undefined, { checkingDisabled: cd });
    } finally {
      this.resolving--;
    }
    const after = filtered(this.filters, ctx, result);
    if (after.by) asked.policy = after.by;
    return this.answer(asked, after.result, false, !after.replaced, true);
  }

  /** What a decision sends: bytes, null (nothing), or undefined to go on to the next step. */
  private apply(asked: Asked, decision: Decision): Buffer | null | undefined {
    if (decision.kind !== 'continue' && decision.by) asked.policy = decision.by;
    switch (decision.kind) {
      case 'continue':
        return undefined;
      case 'answer':
        // A stage's answer: its hits are never refreshed through the resolver (that would send a local name upstream).
        return this.answer(asked, decision.resolution, decision.aa, decision.cacheable, false);
      case 'refuse':
        return this.respond.rcode(asked, Rcode.REFUSED, decision.ede);
      case 'drop':
        return this.respond.dropped(asked);
      case 'truncate':
        return asked.client.transport === 'udp' ? this.respond.truncated(asked) : this.respond.dropped(asked);
      default: {
        const never: never = decision;
        throw new Error(`unknown decision ${JSON.stringify(never)}`);
      }
    }
  }

  private answer(asked: Asked, result: Resolution, aa: boolean, cacheable: boolean, fromResolver: boolean): Buffer {
    if (result.stale) this.counters.staleAnswers++;
    if (result.rcode === Rcode.SERVFAIL) this.tallies.servfailByEde[edeSlot(result.ede?.code)]!++;
    return this.respond.resolution(asked, result, aa, cacheable, fromResolver);
  }
}
