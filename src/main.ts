// The composition root: config → caches → resolver → pipeline → listeners. The only file that wires parts
// together and picks the real clock, randomness and network.
import { AnswerCache } from './cache/answer-cache.js';
import { InfraCache } from './cache/infra-cache.js';
import { NegativeCache } from './cache/negative-cache.js';
import { RRsetCache } from './cache/rrset-cache.js';
import type { Config } from './config/schema.js';
import { createLogger, type Logger } from './log.js';
import { Pipeline } from './pipeline.js';
import { createAcl } from './policy/acl.js';
import { LocalZones } from './policy/local-zones.js';
import { loadRootHints, type RootHints } from './resolver/hints.js';
import { limitsFromConfig } from './resolver/limits.js';
import { Resolver } from './resolver/resolver.js';
import { startListeners } from './server/listeners.js';
import { NetworkTransport } from './upstream/network.js';
import type { Transport } from './upstream/transport.js';
import { systemClock, type Clock } from './util/clock.js';
import { hostHasGlobalIpv6 } from './util/ipv6.js';
import { CryptoRandom, type Random } from './util/random.js';

/** Parts a caller may replace (tests, the lab); everything else is built from the config. */
export interface Overrides {
  transport?: Transport;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  hints?: RootHints;
  /** In a cluster worker: share the primary's sockets and leave the 'listening' log line to it. */
  clusterWorker?: boolean;
}

export interface Core {
  resolver: Resolver;
  pipeline: Pipeline;
  rrsets: RRsetCache;
  negatives: NegativeCache;
  answerCache: AnswerCache;
  logger: Logger;
}

/** Everything but the sockets: used by `serve`, by `query` (in-process) and by tests. */
export async function buildCore(config: Config, o: Overrides = {}): Promise<Core> {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? createLogger(config.logLevel, config.logFormat);
  const hints = o.hints ?? (await loadRootHints(config.rootHints));
  const bounds = { minTtl: config.minTtl, maxTtl: config.maxTtl };
  const rrsets = new RRsetCache(config.cacheSize, bounds, clock);
  const negatives = new NegativeCache(Math.max(1000, Math.floor(config.cacheSize / 4)), config.maxNegativeTtl, clock);
  const random = o.random ?? new CryptoRandom();
  const answerCache = new AnswerCache(config.cacheSize, clock, config.rrsetOrder, random);
  const useIpv6 = config.ipv6Upstream === 'auto' ? hostHasGlobalIpv6() : config.ipv6Upstream;
  const resolver = new Resolver({
    transport: o.transport ?? new NetworkTransport(),
    clock,
    random,
    rrsets,
    negatives,
    hints,
    limits: limitsFromConfig(config),
    infra: new InfraCache(clock),
    rrsetOrder: config.rrsetOrder,
    caseRandomisation: config.caseRandomisation,
    qnameMinimisation: config.qnameMinimisation,
    serveStale: config.serveStale ? { windowMs: config.staleWindow * 1000, answerAfterMs: config.staleAnswerTimeoutMs } : null,
    prefetch: config.prefetch,
    useIpv6,
    upstreamPort: config.upstreamPort,
  });
  const pipeline = new Pipeline({
    resolver,
    answerCache,
    acl: createAcl(config.allow),
    localZones: new LocalZones(config.localZones),
    logger,
    queryLog: config.queryLog,
    maxClientQueries: config.maxClientQueries,
    ede: config.ede,
  });
  return { resolver, pipeline, rrsets, negatives, answerCache, logger };
}

export interface RunningServer extends Core {
  /** Where we listen, as "ADDR:PORT" (actual ports when 0 was asked for). */
  addresses: string[];
  close(): Promise<void>;
}

export async function startServer(config: Config, o: Overrides = {}): Promise<RunningServer> {
  const core = await buildCore(config, o);
  const listeners = await startListeners(config.listen, core.pipeline.handle, {
    tcpIdleTimeoutMs: config.tcpIdleTimeoutMs,
    tcpMaxConnections: config.tcpMaxConnections,
    exclusive: !o.clusterWorker,
  });
  const addresses = listeners.bound.map((b) => (b.family === 6 ? `[${b.address}]:${b.port}` : `${b.address}:${b.port}`));
  if (!o.clusterWorker) core.logger.info({ event: 'listening', addresses }, 'listening');
  return { ...core, addresses, close: () => listeners.close() };
}
