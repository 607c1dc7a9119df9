// The composition root: config → caches → resolver → pipeline → listeners. The only file that wires parts
// together and picks the real clock, randomness and network.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { AnswerCache } from './cache/answer-cache.js';
import { CacheFileError, readCacheFile, restoreSnapshot } from './cache/cache-file.js';
import { shareOf } from './cache/sizes.js';
import { InfraCache } from './cache/infra-cache.js';
import { NegativeCache } from './cache/negative-cache.js';
import { RRsetCache } from './cache/rrset-cache.js';
import { DEFAULTS, type Config } from './config/schema.js';
import { ErrorCode, RootlineError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { countLimit, newCounters, type Counters } from './metrics.js';
import { LiveView } from './observe/live-view.js';
import { QueryRing } from './observe/query-ring.js';
import { newPipelineTallies, newTcpTallies, newUpstreamTallies, type PipelineTallies, type TcpTallies, type UpstreamTallies } from './observe/tallies.js';
import { Pipeline } from './pipeline/pipeline.js';
import { createAcl } from './policy/acl.js';
import { Blocklist } from './policy/blocklist.js';
import { loadBlocklists, type Blocklists } from './policy/blocklist-load.js';
import { loadLocalData } from './policy/local-data-load.js';
import { PolicyOverrides } from './policy/overrides.js';
import { rateLimitGate } from './policy/ratelimit.js';
import { DEFAULT_PRIVATE_ADDRESSES, rebindingGuard } from './policy/rebinding.js';
import type { Gate, ResultFilter } from './policy/stage.js';
import { LocalZones } from './policy/local-zones.js';
import { ConfiguredZones } from './resolver/configured-zones.js';
import { loadRootHints, type RootHints } from './resolver/hints.js';
import { loadTrustAnchors } from './dnssec/anchor-file.js';
import type { TrustAnchors } from './dnssec/anchors.js';
import { DnssecValidator } from './dnssec/validator.js';
import { AnchorTracker } from './dnssec/rfc5011.js';
import { AggressiveNsec } from './dnssec/aggressive.js';
import { resolverOptions } from './resolver/options.js';
import { Resolver } from './resolver/resolver.js';
import { startEncrypted } from './server/encrypted.js';
import { startListeners, type Listeners } from './server/listeners.js';
import { createProxyGate } from './server/proxy-gate.js';
import { NetworkTransport } from './upstream/network.js';
import { PLAIN_HOLD_MS } from './upstream/tls-fallback.js';
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
  /** Trust anchors in place of the config's (tests). */
  trustAnchors?: TrustAnchors;
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
  /** The caches, network and counters this core was built on (a reload builds the next core on the same). */
  shared: Shared;
  config: Config;
  /** The blocklists this core matches against (null: none configured or all switched off), and when they were read. */
  blocklist: Blocklist | null;
  blocklistsLoadedMs: number;
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

async function loadBlocklist(config: Config, overrides: PolicyOverrides, onBlocked: () => void): Promise<Blocklist | null> {
  const lists = overrides.enabledLists(config.blocklists);
  if (lists.length === 0) return null;
  return new Blocklist(await loadBlocklists(lists, overrides.allowlist(config.allowlist)), config.blocklistMode, onBlocked);
}

function logBlocklists(logger: Logger, lists: Blocklists, event: string): void {
  for (const s of lists.stats) {
    logger.info({ event, list: s.path, rules: s.rules, bad: s.bad, ...(s.firstBad ? { firstBad: s.firstBad } : {}) }, event);
  }
  logger.info({ event, blocked: lists.blocked.size, allowed: lists.allowed.size, bytes: lists.blocked.byteSize + lists.allowed.byteSize }, event);
}


/**
 * What outlives a reload: the caches, the network and the counters. Built once from the first config; the
 * settings they are made from (cache size, TTL bounds, rrset order) need a restart to change.
 */
export interface Shared {
  clock: Clock;
  random: Random;
  transport: Transport;
  rrsets: RRsetCache;
  negatives: NegativeCache;
  answerCache: AnswerCache;
  infra: InfraCache;
  /** RFC 8198: validated NSEC ranges (a cache like the others: flushed with them, kept over reloads). */
  nsecRanges: AggressiveNsec;
  counters: Counters;
  live: LiveView;
  pipelineTallies: PipelineTallies;
  upstreamTallies: UpstreamTallies;
  /** The dashboard's query log, when web-listen is set (sized by web-query-log-size). */
  queryRing: QueryRing | null;
  /** Lists switched off and names allowed at run time (control channel): every rebuilt core applies them. */
  policy: PolicyOverrides;
}

/**
 * How `cache-memory` is split (after Unbound's rrset-cache at twice its msg-cache): RRsets hold the data,
 * answers are ready responses made from them, negatives are many and small, the infra cache is one entry a server.
 */
const CACHE_SHARES = { rrsets: 0.45, answers: 0.3, negatives: 0.2, infra: 0.05 } as const;
/** An infra entry, estimated (RTT state, a few zones and lame marks): the infra cache is bounded by count. */
const INFRA_ENTRY_BYTES = 400;

function buildShared(config: Config, o: Overrides, logger: Logger): Shared {
  const memory = config.cacheMemory * 1024 * 1024;
  const clock = o.clock ?? systemClock;
  const random = o.random ?? new CryptoRandom();
  const counters = newCounters();
  return {
    clock,
    random,
    transport:
      o.transport ??
      new NetworkTransport(random, {
        // tls-fallback: plain — the privacy was given up for a while: say so once per server and hold period.
        onTlsFallback: (e) => logger.warn({ event: 'upstream_tls_fallback', server: e.server, reason: e.reason, plainForMs: PLAIN_HOLD_MS }, 'upstream_tls_fallback'),
        onPlainFallbackQuery: () => void counters.upstreamTlsFallbacks++,
      }),
    rrsets: new RRsetCache(config.cacheSize, { minTtl: config.minTtl, maxTtl: config.maxTtl }, clock, shareOf(memory, CACHE_SHARES.rrsets)),
    negatives: new NegativeCache(Math.max(1000, Math.floor(config.cacheSize / 4)), config.maxNegativeTtl, clock, shareOf(memory, CACHE_SHARES.negatives)),
    answerCache: new AnswerCache(config.cacheSize, clock, config.rrsetOrder, random, shareOf(memory, CACHE_SHARES.answers)),
    nsecRanges: new AggressiveNsec(clock),
    infra: new InfraCache(clock, undefined, Math.max(100, Math.floor(shareOf(memory, CACHE_SHARES.infra) / INFRA_ENTRY_BYTES))),
    counters,
    live: new LiveView(),
    pipelineTallies: newPipelineTallies(),
    upstreamTallies: newUpstreamTallies(),
    queryRing: config.webListen && config.webQueryLogSize > 0 ? new QueryRing(config.webQueryLogSize) : null,
    policy: new PolicyOverrides(),
  };
}

/** The RFC 5011 state; a damaged file is a one-line start error, not a silent reset of the hold-down timers. */
function loadTracker(path: string, clock: Clock): AnchorTracker {
  try {
    return AnchorTracker.load(path, clock);
  } catch (e) {
    throw new RootlineError(ErrorCode.CONFIG_VALUE, `trust-anchor-state: ${(e as Error).message}`);
  }
}

/** Everything but the sockets: used by `serve`, by `query` (in-process) and by tests. `shared`: a reload's. */
export async function buildCore(config: Config, o: Overrides = {}, shared?: Shared): Promise<Core> {
  const reloading = shared !== undefined;
  const logger = o.logger ?? createLogger(config.logLevel, config.logFormat);
  shared ??= buildShared(config, o, logger);
  const { clock, random, rrsets, negatives, answerCache, infra, counters } = shared;
  const hints = o.hints ?? (await loadRootHints(config.rootHints));
  const localData = await loadLocalData(config, logger, o.clusterWorker);
  const useIpv6 = config.ipv6Upstream === 'auto' ? hostHasGlobalIpv6() : config.ipv6Upstream;
  const options = resolverOptions(config, useIpv6);
  const configured = options.configuredZones ?? ConfiguredZones.none();
  // DNSSEC: the validator behind the iterator's hook, from the configured trust anchors.
  // Forward and stub zones (but a forward of '.') are insecure: a router's LAN answers are unsigned (RFC 7646).
  const insecure = [...config.domainInsecure, ...[...config.forwardZones, ...config.stubZones].map((z) => z.name).filter((n) => n !== '.' && n !== '')];
  const validator = config.dnssecValidation
    ? new DnssecValidator({
        anchors: o.trustAnchors ?? (await loadTrustAnchors(config.trustAnchorFile, config.trustAnchors)),
        insecure,
        clock,
        ...(config.trustAnchorState ? { tracker: loadTracker(config.trustAnchorState, clock) } : {}),
      })
    : undefined;
  const resolver = new Resolver({
    transport: shared.transport,
    ...(validator ? { validator } : {}),
    ...(validator && config.aggressiveNsec ? { synthesiser: shared.nsecRanges } : {}),
    clock,
    random,
    rrsets,
    negatives,
    hints,
    infra,
    ...options,
    onLimit: (hit) => countLimit(counters, hit.limit),
    tallies: shared.upstreamTallies,
  });

  const blocklist = await loadBlocklist(config, shared.policy, () => counters.blocked++);
  const pipeline = new Pipeline({
    blocklist,
    rebindingGuard: buildRebindingGuard(config, configured),
    rateLimit: buildRateLimit(config, clock, () => counters.ratelimited++),
    resolver,
    answerCache,
    acl: createAcl(config.allow, config.deny),
    debugAcl: createAcl(config.debugClients),
    identity: config.identity || hostname(),
    outsideClients: config.outsideClients,
    localData,
    localZones: new LocalZones(config.localZones, (name, zone) => configured.claimsWithin(name, zone)),
    logger,
    queryLog: config.queryLog,
    queryRing: shared.queryRing,
    maxClientQueries: config.maxClientQueries,
    ede: config.ede,
    counters,
    live: shared.live,
    tallies: shared.pipelineTallies,
  });
  // A reload builds the new lists beside the old ones (the old core keeps answering until the swap).
  if (blocklist) logBlocklists(logger, blocklist.current, reloading ? 'blocklists_reloaded' : 'blocklists_loaded');
  return { resolver, pipeline, rrsets, negatives, answerCache, logger, shared, config, blocklist, blocklistsLoadedMs: Date.now() };
}

/** Settings a running server cannot change: a reload reports them as needing a restart and keeps the old. */
const RESTART_KEYS: readonly (keyof Config)[] = ['listen', 'workers', 'cacheSize', 'minTtl', 'maxTtl', 'maxNegativeTtl', 'rrsetOrder', 'tcpIdleTimeoutMs', 'tcpMaxConnections', 'cacheMemory', 'controlSocket', 'logFormat', 'user', 'group', 'metricsListen', 'metricsAllowRemote', 'tlsListen', 'httpsListen', 'httpsPath', 'httpListen', 'trustedProxies', 'proxyProtocolFrom', 'webListen', 'webPassword', 'webToken', 'webQueryLogSize'];

export interface ReloadOutcome {
  /** Keys whose new value waits for a restart (the old one stays in force). */
  needsRestart: string[];
}

export interface RunningServer {
  /** Where we listen, as "ADDR:PORT" (actual ports when 0 was asked for). */
  addresses: string[];
  /** The core answering now: a reload replaces it, the caches and counters stay. */
  readonly core: Core;
  readonly logger: Logger;
  readonly rrsets: RRsetCache;
  /**
   * Builds a core from a new config on the same caches and swaps it in; queries in flight finish on the old one.
   * Throws (the old core stays) when the new config cannot be built, e.g. a hosts file or list cannot be read.
   */
  reload(next: Config): Promise<ReloadOutcome>;
  /** The answering core's parts, as the metrics snapshot reads them (they follow a reload). */
  readonly pipeline: Core['pipeline'];
  readonly resolver: Core['resolver'];
  readonly answerCache: AnswerCache;
  readonly negatives: NegativeCache;
  /** Client TCP connections over every listen address (metrics). */
  tcp: TcpTallies;
  /** Where DNS over TLS, DNS over HTTPS and plaintext DoH for a proxy are served, "ADDR:PORT" (empty lists when off). */
  encrypted: { tls: string[]; https: string[]; http: string[] };
  close(): Promise<void>;
}

/**
 * Warm start from `cache-file`, before the first query is answered: a missing file is a first start; a damaged
 * one is reported in one line and the start is cold. With workers, each loads the whole file.
 */
async function warmStart(core: Core, path: string): Promise<void> {
  if (!existsSync(path)) {
    core.logger.info({ event: 'cache_file_absent', path }, 'cache_file_absent');
    return;
  }
  try {
    const counts = restoreSnapshot(await readCacheFile(path), core.shared.rrsets, core.shared.negatives);
    core.logger.info({ event: 'cache_loaded', path, ...counts }, 'cache_loaded');
  } catch (e) {
    if (!(e instanceof CacheFileError)) throw e;
    core.logger.warn({ event: 'cache_file_ignored', path, reason: e.message }, 'cache_file_ignored');
  }
}

export async function startServer(config: Config, o: Overrides = {}): Promise<RunningServer> {
  let core = await buildCore(config, o);
  if (config.cacheFile) await warmStart(core, config.cacheFile);
  // One indirection so a reload can swap the pipeline under the listeners.
  const handle: typeof core.pipeline.handle = (query, client) => core.pipeline.handle(query, client);
  const tcp = newTcpTallies();
  // The listeners outlive reloads, so the gate counts into the shared counters and logs with the first logger.
  const proxy = config.proxyProtocolFrom.length > 0 ? createProxyGate(parseCidrs('proxy-protocol-from', config.proxyProtocolFrom), core.shared.counters, core.logger) : undefined;
  const options = { tcpIdleTimeoutMs: config.tcpIdleTimeoutMs, tcpMaxConnections: config.tcpMaxConnections, exclusive: !o.clusterWorker, tcpTallies: tcp, proxy };
  const listeners: Listeners[] = [];
  if (config.listen.join() === DEFAULTS.listen.join()) {
    // The defaults include [::1]: a host without IPv6 loopback still starts, on 127.0.0.1 alone.
    for (const addr of config.listen) {
      try {
        listeners.push(await startListeners([addr], handle, options));
      } catch (e) {
        if (!(e instanceof RootlineError && e.code === ErrorCode.ADDR_NOT_AVAILABLE && listeners.length > 0)) {
          await Promise.all(listeners.map((l) => l.close()));
          throw e;
        }
        core.logger.warn({ event: 'listen_skipped', address: addr, reason: e.message }, 'listen_skipped');
      }
    }
  } else {
    listeners.push(await startListeners(config.listen, handle, options));
  }
  const encrypted = await startEncrypted(config, handle, !o.clusterWorker).catch(async (e: unknown) => {
    await Promise.all(listeners.map((l) => l.close()));
    throw e;
  });
  const addresses = listeners.flatMap((l) => l.bound).map((b) => (b.family === 6 ? `[${b.address}]:${b.port}` : `${b.address}:${b.port}`));
  const encryptedAt = { tls: encrypted?.tls ?? [], https: encrypted?.https ?? [], http: encrypted?.http ?? [] };
  if (!o.clusterWorker) core.logger.info({ event: 'listening', addresses, ...encryptedAt }, 'listening');
  const reload = async (next: Config): Promise<ReloadOutcome> => {
    const needsRestart = RESTART_KEYS.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(core.config[k]));
    // What cannot change live keeps its old value, so the new core is built on what is really in force.
    const effective: Config = { ...next, ...Object.fromEntries(needsRestart.map((k) => [k, core.config[k]])) };
    // Certificates are read first: a bad one fails the reload before anything changed.
    const swapCertificates = encrypted?.prepareReload(effective);
    core = await buildCore(effective, { ...o, logger: core.logger }, core.shared);
    swapCertificates?.();
    // Answers given under the old policy (lists, local data, forward zones) must not outlive it.
    core.answerCache.flush();
    return { needsRestart: needsRestart.map(String) };
  };
  return {
    addresses,
    get core() {
      return core;
    },
    get logger() {
      return core.logger;
    },
    get pipeline() {
      return core.pipeline;
    },
    get resolver() {
      return core.resolver;
    },
    rrsets: core.rrsets,
    answerCache: core.answerCache,
    negatives: core.negatives,
    tcp,
    encrypted: encryptedAt,
    reload,
    close: async () => void (await Promise.all([...listeners.map((l) => l.close()), encrypted?.close()])),
  };
}
