// The cache-hit path: a plain query whose answer is in the answer cache gets patched cached bytes, synchronously,
// without a decode or an encode. Runs after the gates and before every stage (see stages.ts for why that is safe).
import { answerKey, type AnswerCache } from '../cache/answer-cache.js';
import type { Logger } from '../log.js';
import type { Counters } from '../metrics.js';
import type { QueryRing } from '../observe/query-ring.js';
import type { ClientInfo } from '../policy/stage.js';
import type { Resolver } from '../resolver/resolver.js';
import { CLASSIC_UDP_SIZE, OUR_UDP_SIZE } from '../wire/edns.js';
import { Flag, opcodeOf, peekOpt, readQname, type PeekedQuery } from '../wire/question.js';
import { typeName } from '../wire/types.js';
import { logQuery } from './respond.js';

export interface HotPathDeps {
  answerCache: AnswerCache | null;
  resolver: Pick<Resolver, 'prefetch'>;
  logger: Logger;
  queryLog: boolean;
  /** The dashboard's query log (web-listen set); absent: nothing is kept. */
  queryRing?: QueryRing | null;
}

/**
 * A plain query (RD=1, one question, at most an OPT of version 0) whose answer is cached: the patched bytes.
 * Anything else, or an answer too big for the client's UDP size, returns null and takes the full path.
 * No promise; allocates the key, the copy and the hit record, nothing else.
 */
export function fromAnswerCache(d: HotPathDeps, counters: Counters, query: Buffer, client: ClientInfo, p: PeekedQuery): Buffer | null {
  if (!d.answerCache) return null;
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
  const key = answerKey(query, p.questionEnd, dnssecOk, (p.flags & Flag.CD) !== 0, p.arcount === 1, (p.flags & Flag.AD) !== 0);
  const hit = d.answerCache.lookup(key, query, p.id, (p.flags & Flag.RD) !== 0, p.questionEnd);
  // Too big for this client's UDP size: the full path sends it truncated.
  if (!hit || (client.transport === 'udp' && hit.bytes.length > limit)) return null;
  const out = hit.bytes;
  counters.answerCacheHits++;
  if (hit.wantsRefresh) d.resolver.prefetch({ name: readQname(query), type: typeName(p.qtype), class: 'IN' });
  if (d.queryLog) logQuery(d.logger, client, readQname(query), typeName(p.qtype), out[3]! & 0x0f, out.readUInt16BE(6), 0, true);
  // The entry's key stands for the name: making the name string here would cost more than the rest of the hit,
  // and a fresh string kept for 10,000 queries would be copied by every young-generation GC.
  if (d.queryRing) d.queryRing.pushHit(client.address, client.transport, hit.key, out[3]! & 0x0f, out.readUInt16BE(6));
  return out;
}
