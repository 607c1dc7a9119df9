// The composition root: config → caches → resolver → pipeline → listeners. The only file that wires parts
// together and picks the real clock, randomness and network.
import { AnswerCache } from './cache/answer-cache.js';
import { InfraCache } from './cache/infra-cache.js';
import { NegativeCache } from './cache/negative-cache.js';
import { RRsetCache } from './cache/rrset-cache.js';
import { DEFAULTS, type Config } from './config/schema.js';
import { ErrorCode, RootlineError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { countLimit } from './metrics.js';
import { newTcpTallies, type TcpTallies } from './observe/tallies.js';
import { Pipeline } from './pipeline/pipeline.js';
import { createAcl } from './policy/acl.js';
import { Blocklist } from './policy/blocklist.js';
import { loadBlocklists, type Blocklists } from './policy/blocklist-load.js';
import { loadLocalData } from './policy/local-data-load.js';
import { rateLimitGate } from './policy/ratelimit.js';
import { DEFAULT_PRIVATE_ADDRESSES, rebindingGuard } from './policy/rebinding.js';
import type { Gate, ResultFilter } from './policy/stage.js';
import { LocalZones } from './policy/local-zones.js';
import { ConfiguredZones } from './resolver/configured-zones.js';
import { loadRootHints, type RootHints } from './resolver/hints.js';
import { resolverOptions } from './resolver/options.js';
import { Resolver } from './resolver/resolver.js';
import { startListeners, type Listeners } from './server/listeners.js';
import { NetworkTransport } from './upstream/network.js';
import type { Transport } from './upstream/transport.js';
import { parseCidrs } from './util/cidr.js';
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
  /** Re-reads the blocklist files (SIGHUP); a file that cannot be read leaves the old lists in place and throws. */
  reloadBlocklists(): Promise<void>;
  resolver: Resolver;
  pipeline: Pipeline;
  rrsets: RRsetCache;
  negatives: NegativeCache;
  answerCache: AnswerCache;
  logger: Logger;
}

/** The per-client rate limit, when ratelimit is set. */
function buildRateLimit(config: Config, clock: Clock, onLimited: () => void): Gate | null {
  if (config.ratelimit === 0) return null;
  const exempt = parseCidrs('ratelimit-exempt', config.ratelimitExempt);
  return rateLimitGate({ rate: config.ratelimit, burst: config.ratelimitBurst, action: config.ratelimitAction, exempt, nowMs: () => clock.nowMs(), onLimited });
}

/**
 * The rebinding guard, when private-addresses names any network. Forward and stub zones may answer with
 * private addresses (the router's LAN domain does), except a forward of '.', which would turn the guard off.
 */
function buildRebindingGuard(config: Config, configured: ConfiguredZones): ResultFilter | null {
  if (config.privateAddresses.length === 0) return null;
  const networks = parseCidrs('private-addresses', config.privateAddresses.flatMap((t) => (t === 'default' ? DEFAULT_PRIVATE_ADDRESSES : [t])));
  return rebindingGuard(networks, [...config.privateDomains, ...configured.names().filter((z) => z !== '.')]);
}

async function loadBlocklist(config: Config, onBlocked: () => void): Promise<Blocklist | null> {
  if (config.blocklists.length === 0) return null;
  return new Blocklist(await loadBlocklists(config.blocklists, config.allowlist), config.blocklistMode, onBlocked);
}

function logBlocklists(logger: Logger, lists: Blocklists, event: string): void {
  for (const s of lists.stats) {
    logger.info({ event, list: s.path, rules: s.rules, bad: s.bad, ...(s.firstBad ? { firstBad: s.firstBad } : {}) }, event);
  }
  logger.info({ event, blocked: lists.blocked.size, allowed: lists.allowed.size, bytes: lists.blocked.byteSize + lists.allowed.byteSize }, event);
}


/** Everything but the sockets: used by `serve`, by `query` (in-process) and by tests. */
export async function buildCore(config: Config, o: Overrides = {}): Promise<Core> {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? createLogger(config.logLevel, config.logFormat);
  const hints = o.hints ?? (await loadRootHints(config.rootHints));
  const localData = await loadLocalData(config, logger, o.clusterWorker);
  const bounds = { minTtl: config.minTtl, maxTtl: config.maxTtl };
  const rrsets = new RRsetCache(config.cacheSize, bounds, clock);
  const negatives = new NegativeCache(Math.max(1000, Math.floor(config.cacheSize / 4)), config.maxNegativeTtl, clock);
  const random = o.random ?? new CryptoRandom();
  const answerCache = new AnswerCache(config.cacheSize, clock, config.rrsetOrder, random);
  const useIpv6 = config.ipv6Upstream === 'auto' ? hostHasGlobalIpv6() : config.ipv6Upstream;
  const options = resolverOptions(config, useIpv6);
  const configured = options.configuredZones ?? ConfiguredZones.none();
  const resolver = new Resolver({
    transport: o.transport ?? new NetworkTransport(random),
    clock,
    random,
    rrsets,
    negatives,
    hints,
    infra: new InfraCache(clock),
    ...options,
    onLimit: (hit) => countLimit(pipeline.counters, hit.limit),
  });

  const blocklist = await loadBlocklist(config, () => pipeline.counters.blocked++);
  const pipeline = new Pipeline({
    blocklist,
    rebindingGuard: buildRebindingGuard(config, configured),
    rateLimit: buildRateLimit(config, clock, () => pipeline.counters.ratelimited++),
    resolver,
    answerCache,
    acl: createAcl(config.allow, config.deny),
    outsideClients: config.outsideClients,
    localData,
    localZones: new LocalZones(config.localZones, (name, zone) => configured.claimsWithin(name, zone)),
    logger,
    queryLog: config.queryLog,
    maxClientQueries: config.maxClientQueries,
    ede: config.ede,
  });
  /** Builds the new lists beside the old, swaps them in at once, and forgets answers given under the old ones. */
  const reloadBlocklists = async (): Promise<void> => {
    if (!blocklist) return;
    blocklist.swap(await loadBlocklists(config.blocklists, config.allowlist));
    answerCache.flush();
    logBlocklists(logger, blocklist.current, 'blocklists_reloaded');
  };
  if (blocklist) logBlocklists(logger, blocklist.current, 'blocklists_loaded');
  return { resolver, pipeline, rrsets, negatives, answerCache, logger, reloadBlocklists };
}

export interface RunningServer extends Core {
  /** Where we listen, as "ADDR:PORT" (actual ports when 0 was asked for). */
  addresses: string[];
  /** Client TCP connections over every listen address (metrics). */
  tcp: TcpTallies;
  close(): Promise<void>;
}

export async function startServer(config: Config, o: Overrides = {}): Promise<RunningServer> {
  const core = await buildCore(config, o);
  const tcp = newTcpTallies();
  const options = { tcpIdleTimeoutMs: config.tcpIdleTimeoutMs, tcpMaxConnections: config.tcpMaxConnections, exclusive: !o.clusterWorker, tcpTallies: tcp };
  const listeners: Listeners[] = [];
  if (config.listen.join() === DEFAULTS.listen.join()) {
    // The defaults include [::1]: a host without IPv6 loopback still starts, on 127.0.0.1 alone.
    for (const addr of config.listen) {
      try {
        listeners.push(await startListeners([addr], core.pipeline.handle, options));
      } catch (e) {
        if (!(e instanceof RootlineError && e.code === ErrorCode.ADDR_NOT_AVAILABLE && listeners.length > 0)) {
          await Promise.all(listeners.map((l) => l.close()));
          throw e;
        }
        core.logger.warn({ event: 'listen_skipped', address: addr, reason: e.message }, 'listen_skipped');
      }
    }
  } else {
    listeners.push(await startListeners(config.listen, core.pipeline.handle, options));
  }
  const addresses = listeners.flatMap((l) => l.bound).map((b) => (b.family === 6 ? `[${b.address}]:${b.port}` : `${b.address}:${b.port}`));
  if (!o.clusterWorker) core.logger.info({ event: 'listening', addresses }, 'listening');
  return { ...core, addresses, tcp, close: async () => void (await Promise.all(listeners.map((l) => l.close()))) };
}
