// A Pipeline over a scripted resolver, for testing the client-facing rules and the answer cache without sockets.
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { AnswerCache } from '../../src/cache/answer-cache.js';
import type { Config, RotateMode } from '../../src/config/schema.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { Acl } from '../../src/policy/acl.js';
import type { Blocklist } from '../../src/policy/blocklist.js';
import type { Gate, ResultFilter } from '../../src/policy/stage.js';
import { LocalData } from '../../src/policy/local-data.js';
import { LocalZones } from '../../src/policy/local-zones.js';
import type { ClientInfo } from '../../src/server/types.js';
import { SeededRandom } from '../../src/util/random.js';
import { decodePacket, type WirePacket } from '../../src/wire/decode.js';
import { makeResolver, type TestResolver } from './resolver.js';

export const LOCAL_UDP: ClientInfo = { address: '127.0.0.1', port: 40000, transport: 'udp' };
export const LOCAL_TCP: ClientInfo = { address: '127.0.0.1', port: 40000, transport: 'tcp' };

export interface TestPipeline extends TestResolver {
  pipeline: Pipeline;
  answerCache: AnswerCache;
  ask(q: dnsPacket.Packet | Buffer, client?: ClientInfo): Promise<WirePacket | null>;
}

export function makePipeline(rootAddress: string, opts: { acl?: Acl; order?: RotateMode; maxClientQueries?: number; config?: Partial<Config>; blocklist?: Blocklist; localData?: LocalData; rebindingGuard?: ResultFilter; outsideClients?: 'refuse' | 'drop'; rateLimit?: Gate; localZones?: LocalZones; logger?: pino.Logger } = {}): TestPipeline {
  const t = makeResolver(rootAddress, { config: { rrsetOrder: opts.order ?? 'rotate', ...opts.config } });
  const answerCache = new AnswerCache(1000, t.clock, opts.order ?? 'rotate', new SeededRandom(3));
  const pipeline = new Pipeline({
    resolver: t.resolver,
    answerCache,
    acl: opts.acl ?? { allows: () => true },
    debugAcl: { allows: (address: string) => address.startsWith('127.') },
    identity: 'test-host',
    localData: opts.localData ?? new LocalData(),
    localZones: opts.localZones ?? new LocalZones(true),
    logger: opts.logger ?? pino({ level: 'silent' }),
    queryLog: opts.logger !== undefined,
    maxClientQueries: opts.maxClientQueries ?? 1000,
    ede: true,
    blocklist: opts.blocklist ?? null,
    rebindingGuard: opts.rebindingGuard ?? null,
    outsideClients: opts.outsideClients ?? 'refuse',
    rateLimit: opts.rateLimit ?? null,
  });
  const ask = async (q: dnsPacket.Packet | Buffer, client: ClientInfo = LOCAL_UDP): Promise<WirePacket | null> => {
    const bytes = Buffer.isBuffer(q) ? q : dnsPacket.encode(q);
    const out = await pipeline.handle(bytes, client);
    if (!out) return null;
    const d = decodePacket(out);
    if (!d.ok) throw new Error(`pipeline sent undecodable bytes: ${d.reason}`);
    return d.packet;
  };
  return { ...t, pipeline, answerCache, ask };
}

export function query(name: string, type = 'A', extra: Partial<dnsPacket.Packet> = {}): dnsPacket.Packet {
  return { type: 'query', id: 0xbeef, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }], ...extra };
}

export function ednsOpt(udpPayloadSize = 1232, flags = 0, ednsVersion = 0): dnsPacket.Answer {
  return { type: 'OPT', name: '.', udpPayloadSize, extendedRcode: 0, ednsVersion, flags, flag_do: false, options: [] } as dnsPacket.Answer;
}
