// The ordered chain every client query goes through: peek → acl → answer cache (hot path) → decode → resolve →
// encode (+ store in the answer cache). Exactly one place writes FORMERR/NOTIMP/REFUSED/SERVFAIL: this file.
import { answerKey, type AnswerCache } from './cache/answer-cache.js';
import { typeName } from './wire/types.js';
import type { Logger } from './log.js';
import { countRcode, newCounters, type Counters } from './metrics.js';
import type { LocalZones } from './policy/local-zones.js';
import type { Resolution } from './resolver/resolution.js';
import type { Resolver } from './resolver/resolver.js';
import type { ClientInfo } from './server/types.js';
import { encodeBareError, encodeResponse, withRawQuestion, type ResponseSpec } from './wire/build.js';
import { decodePacket, type WirePacket } from './wire/decode.js';
import { EdeCode } from './wire/ede.js';
import { CLASSIC_UDP_SIZE, OUR_UDP_SIZE, readClientEdns, udpLimit, type ClientEdns } from './wire/edns.js';
import { skipName } from './wire/patch.js';
import { Flag, HEADER_LEN, opcodeOf, peekHeader, peekOpt, peekQuery, readQname, type PeekedQuery } from './wire/question.js';
import { Rcode, type Question } from './wire/types.js';

export interface ClientAcl {
  allows(address: string): boolean;
}

export interface PipelineDeps {
  resolver: Resolver;
  answerCache: AnswerCache | null;
  acl: ClientAcl;
  localZones: LocalZones;
  logger: Logger;
  queryLog: boolean;
  /** Client queries being resolved at once; past it new ones are dropped (the client retries). */
  maxClientQueries: number;
  /** Attach RFC 8914 Extended DNS Errors to answers for EDNS clients. */
  ede: boolean;
}

/** Query types a recursive resolver does not serve (RFC 5936 §4: zone transfers are for authoritative servers). */
const REFUSED_TYPES = new Set(['AXFR', 'IXFR']);

/** True when every label is non-empty (so no label held a dot). */
function isPlainName(name: string): boolean {
  return name === '.' || !(name.startsWith('.') || name.includes('..'));
}

function countOpt(packet: WirePacket): number {
  let n = 0;
  for (const r of packet.additionals ?? []) if ((r as { type: string }).type === 'OPT') n++;
  return n;
}

export class Pipeline {
  private resolving = 0;
  readonly counters: Counters = newCounters();

  constructor(private readonly d: PipelineDeps) {}

  /** Bytes in, bytes out (null: send nothing). Never throws. */
  /**
   * Bytes in, bytes out (null: send nothing). Never throws. A cache hit is answered synchronously: no promise,
   * no decode, no encode.
   */
  readonly handle = (query: Buffer, client: ClientInfo): Buffer | null | Promise<Buffer | null> => {
    this.counters.queries++;
    try {
      const peeked = peekQuery(query);
      const hit = peeked ? this.fromAnswerCache(query, client, peeked) : null;
      if (hit) {
        countRcode(this.counters, hit[3]! & 0x0f);
        return hit;
      }
      return this.process(query, client, peeked).then(
        (out) => this.counted(out),
        (e: unknown) => this.failed(e, client),
      );
    } catch (e) {
      return this.failed(e, client);
    }
  };

  private counted(out: Buffer | null): Buffer | null {
    if (out === null) this.counters.dropped++;
    else if (out.length >= 4) countRcode(this.counters, out[3]! & 0x0f);
    return out;
  }

  /** A bug, not bad input: log it and answer nothing rather than crash the server. */
  private failed(e: unknown, client: ClientInfo): null {
    this.d.logger.error({ event: 'pipeline_error', err: e, client: client.address }, 'pipeline_error');
    this.counters.dropped++;
    return null;
  }

  /**
   * The hot path: a plain query (one question, at most an OPT) from an allowed client whose answer is cached
   * gets patched cached bytes. Anything else returns null and takes the full path.
   */
  private fromAnswerCache(query: Buffer, client: ClientInfo, p: PeekedQuery): Buffer | null {
    if (!this.d.answerCache) return null;
    if ((p.flags & (Flag.QR | Flag.RD)) !== Flag.RD || opcodeOf(p.flags) !== 0 || p.qdcount !== 1 || p.ancount !== 0 || p.nscount !== 0 || p.arcount > 1) {
      return null;
    }
    let limit = CLASSIC_UDP_SIZE;
    let dnssecOk = false;
    if (p.arcount === 1) {
      const opt = peekOpt(query, p.questionEnd);
      if (!opt || opt.version !== 0) return null;
      limit = Math.min(opt.udpSize, OUR_UDP_SIZE);
      dnssecOk = opt.dnssecOk;
    } else if (p.questionEnd !== query.length) {
      return null;
    }
    if (!this.d.acl.allows(client.address)) return null;
    const key = answerKey(query, p.questionEnd, dnssecOk, (p.flags & Flag.CD) !== 0, p.arcount === 1);
    const hit = this.d.answerCache.lookup(key, query, p.id, (p.flags & Flag.RD) !== 0, p.questionEnd);
    // Too big for this client's UDP size: the full path sends it truncated.
    if (!hit || (client.transport === 'udp' && hit.bytes.length > limit)) return null;
    const out = hit.bytes;
    this.counters.answerCacheHits++;
    if (hit.wantsRefresh) this.d.resolver.prefetch({ name: readQname(query), type: typeName(p.qtype), class: 'IN' });
    if (this.d.queryLog) this.logQuery(client, readQname(query), typeName(p.qtype), out[3]! & 0x0f, out.readUInt16BE(6), 0, true);
    return out;
  }

  /** Keeps a full response for the hot path when it is worth keeping (an answer or a negative answer). */
  private storeAnswer(query: Buffer, peeked: PeekedQuery, edns: ClientEdns, cd: boolean, rcode: number, full: Buffer): void {
    if (!this.d.answerCache || (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN)) return;
    // Only when the encoded question has exactly the client's length, so cached offsets fit every hit.
    if (skipName(full, HEADER_LEN) + 4 !== peeked.questionEnd) return;
    const key = answerKey(query, peeked.questionEnd, edns.dnssecOk, cd, edns.present);
    this.d.answerCache.store(key, full, peeked.questionEnd);
  }

  private logQuery(client: ClientInfo, name: string, type: string, rcode: number, answers: number, ms: number, cached: boolean): void {
    this.d.logger.info({ event: 'query', client: client.address, transport: client.transport, name, type, rcode, answers, ms, cached }, 'query');
  }

  private async process(query: Buffer, client: ClientInfo, peeked: PeekedQuery | null): Promise<Buffer | null> {
    const header = peekHeader(query);
    if (!header) return null; // not even a header: nothing to answer to
    if ((header.flags & Flag.QR) !== 0) return null; // a response sent to us: drop (RFC 5452 hygiene)

    const decoded = decodePacket(query);
    if (!decoded.ok) return encodeBareError(header.id, header.flags, Rcode.FORMERR);
    const packet = decoded.packet;
    const started = performance.now();
    const question = packet.questions?.[0] as Question | undefined;
    const opcode = opcodeOf(header.flags);
    const base = {
      id: header.id,
      opcode,
      rd: (header.flags & Flag.RD) !== 0,
      cd: (header.flags & Flag.CD) !== 0,
      question: question ?? null,
    };
    const optCount = countOpt(packet);
    const edns: ClientEdns = readClientEdns(packet);
    const limit = client.transport === 'udp' ? udpLimit(edns) : undefined;
    const reply = (rcode: number, extra: Partial<ResponseSpec> = {}): Buffer =>
      encodeResponse({ ...base, rcode, answer: [], authority: [], edns, ...extra }, limit);

    // RFC 1035 §4.1.1: only standard queries; RFC 6891 §6.1.1: at most one OPT.
    if (opcode !== 0) return reply(Rcode.NOTIMP);
    if (packet.questions?.length !== 1 || !question || optCount > 1) return reply(Rcode.FORMERR);
    // RFC 6891 §6.1.3: a version we do not implement gets BADVERS, with our OPT saying version 0.
    if (edns.present && edns.version > 0) return reply(Rcode.BADVERS);
    if (!this.d.acl.allows(client.address)) return reply(Rcode.REFUSED);
    if (question.class !== 'IN' || REFUSED_TYPES.has(question.type)) return reply(Rcode.REFUSED);
    // A dot or nothing inside a label cannot be carried in presentation-form names: say so (RFC 8914 §4.22).
    if (!isPlainName(question.name)) {
      const refused = encodeResponse({ ...base, question: null, rcode: Rcode.REFUSED, answer: [], authority: [], edns, ede: { code: EdeCode.NOT_SUPPORTED, text: 'labels containing dots are not supported' } });
      return peeked ? withRawQuestion(refused, query, peeked.questionEnd) : refused;
    }

    const local = this.d.localZones.answer(question);
    let result: Resolution;
    if (local) {
      result = local;
    } else {
      // Like Unbound's 'allow': no recursion asked (RD=0) means no answers from the resolver or its cache.
      if (!base.rd) return reply(Rcode.REFUSED);
      if (this.resolving >= this.d.maxClientQueries) return null;
      this.resolving++;
      try {
        result = await this.d.resolver.resolve(question);
      } finally {
        this.resolving--;
      }
    }
    const spec: ResponseSpec = {
      ...base,
      rcode: result.rcode,
      answer: result.answer,
      authority: result.authority,
      edns,
      ...(local ? { aa: true } : {}),
      ...(result.ede && this.d.ede ? { ede: result.ede } : {}),
    };
    const full = encodeResponse(spec);
    if (result.stale) this.counters.staleAnswers++;
    if (peeked && !result.stale) this.storeAnswer(query, peeked, edns, base.cd, result.rcode, full);
    const out = limit !== undefined && full.length > limit ? encodeResponse(spec, limit) : full;
    if (this.d.queryLog) {
      const ms = Math.round((performance.now() - started) * 100) / 100;
      this.logQuery(client, question.name, question.type, result.rcode, result.answer.length, ms, false);
    }
    return out;
  }
}
