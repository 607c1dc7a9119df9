// `rootline serve`: load config (file, then flags), start the listeners — in one process or in N cluster
// workers — log counters, and shut down cleanly on SIGINT/SIGTERM.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { joinCacheParts } from '../cache/cache-file.js';
import type { Command } from 'commander';
import { attachWorker, isWorker, reportToPrimary, resolveWorkerCount, startPrimary } from '../cluster.js';
import { loadConfigFile, mergeConfig } from '../config/load.js';
import { DEFAULTS, type Config, type LogFormat, type LogLevel } from '../config/schema.js';
import { ErrorCode, RootlineError } from '../errors.js';
import { answerLocally, type ControlledProcess, type ReloadResult } from '../control/answer.js';
import { controlSocketPath } from '../control/path.js';
import type { ControlReply, ControlRequest } from '../control/protocol.js';
import { startControlSocket, type ControlSocket } from '../control/socket.js';
import { createLogger, type Logger } from '../log.js';
import { startServer } from '../main.js';
import { answerMetricsRequests, localSource, startMetrics, workersSource } from '../observe/serve-metrics.js';
import { loadLocalData } from '../policy/local-data-load.js';
import { loadRootHints } from '../resolver/hints.js';
import { parseListenAddress } from '../server/listen-address.js';
import { planPrivilegeDrop } from '../server/privileges.js';
import type { Counters } from '../metrics.js';
import { webListenError } from '../config/web-address.js';
import type { MetricsSnapshot } from '../observe/snapshot.js';
import type { WebServer } from '../web/server.js';
import { collect, DEFAULT_ROOT_HINTS, exitWithError, LOG_FORMATS, LOG_LEVELS, parseOneOf, parseWholeNumber } from './common.js';

export interface ServeFlags {
  listen?: string[];
  rootHints?: string;
  cacheSize?: number;
  cacheMemory?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  queryLog?: boolean;
  config?: string;
  controlSocket?: string;
  cacheFile?: string;
  upstreamPort?: number;
  workers?: number | 'auto';
  statsInterval?: number;
  user?: string;
  group?: string;
  webListen?: string;
  /** commander sets false for --no-qname-minimisation. */
  qnameMinimisation?: boolean;
  trustAnchorFile?: string;
  /** commander sets false for --no-dnssec-validation. */
  dnssecValidation?: boolean;
}

/** Flags → the part of Config they set (only what was given, so the config file can fill the rest). */
export function flagsToConfig(f: ServeFlags): Partial<Config> {
  const out: Partial<Config> = {};
  if (f.listen) out.listen = f.listen;
  if (f.rootHints) out.rootHints = f.rootHints;
  if (f.cacheSize !== undefined) out.cacheSize = f.cacheSize;
  if (f.cacheMemory !== undefined) out.cacheMemory = f.cacheMemory;
  if (f.logLevel) out.logLevel = f.logLevel;
  if (f.logFormat) out.logFormat = f.logFormat;
  if (f.queryLog) out.queryLog = true;
  if (f.controlSocket) out.controlSocket = f.controlSocket;
  if (f.cacheFile) out.cacheFile = resolve(f.cacheFile);
  if (f.upstreamPort !== undefined) out.upstreamPort = f.upstreamPort;
  if (f.workers !== undefined) out.workers = f.workers;
  if (f.statsInterval !== undefined) out.statsInterval = f.statsInterval;
  if (f.user) out.user = f.user;
  if (f.group) out.group = f.group;
  if (f.qnameMinimisation === false) out.qnameMinimisation = false;
  if (f.webListen !== undefined) out.webListen = f.webListen;
  if (f.trustAnchorFile) out.trustAnchorFile = resolve(f.trustAnchorFile);
  if (f.dnssecValidation === false) out.dnssecValidation = false;
  return out;
}

export async function resolveConfig(f: ServeFlags): Promise<Config> {
  const file = f.config ? await loadConfigFile(f.config) : {};
  const config = mergeConfig(DEFAULTS, file, flagsToConfig(f));
  if (!config.rootHints) config.rootHints = DEFAULT_ROOT_HINTS;
  return config;
}

function parseWorkers(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new RootlineError(ErrorCode.BAD_ARGUMENT, `--workers takes a whole number ≥ 1 or 'auto', got '${value}'`);
  return Number(value);
}

export function addServeOptions(cmd: Command): Command {
  return cmd
    .option('-l, --listen <addr:port>', 'address to serve on, repeatable (default 127.0.0.1:53 and [::1]:53)', collect)
    .option('--root-hints <file>', 'root hints file in named.root format (default: the bundled IANA file)')
    .option('--cache-size <n>', 'most RRsets kept in cache', parseWholeNumber('--cache-size'))
    .option('--cache-memory <MB>', 'memory for all the caches together (default 64)', parseWholeNumber('--cache-memory'))
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent', parseOneOf('--log-level', LOG_LEVELS))
    .option('--log-format <format>', 'json, pretty or auto (pretty on a terminal)', parseOneOf('--log-format', LOG_FORMATS))
    .option('--query-log', 'log one line per client query')
    .option('--workers <n|auto>', 'processes serving the same sockets (default 1; auto = one per core)', parseWorkers)
    .option('--stats-interval <seconds>', 'log counters every N seconds (0 = only at shutdown)', parseWholeNumber('--stats-interval'))
    .option('--upstream-port <port>', 'port of upstream servers (53; another for a lab)', parseWholeNumber('--upstream-port'))
    .option('--no-qname-minimisation', 'send full query names to every server (RFC 9156 off)')
    .option('--trust-anchor-file <file>', 'DNSSEC trust anchors, DS or DNSKEY lines (default: the bundled root anchors)')
    .option('--no-dnssec-validation', 'do not validate DNSSEC (no AD bits, bogus answers accepted)')
    .option('--cache-file <file>', 'warm restart: load the caches from FILE at start, write them to it at a graceful stop')
    .option('--web-listen <addr:port>', 'serve the web dashboard here, e.g. 127.0.0.1:8053 (beyond loopback needs web-password)')
    .option('--control-socket <path|auto|off>', 'Unix socket for `rootline ctl` (default auto)')
    .option('--user <user>', 'run as this user once the sockets are bound (start as root)')
    .option('--group <group>', "with --user: run as this group (default: the user's primary group)")
    .option('-c, --config <file>', 'YAML config file (flags override it)');
}

function onSignals(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

/** The config file and flags again: what SIGHUP and `ctl reload` re-read (a bad file throws, naming key and line). */
function configReader(flags: ServeFlags): () => Promise<Config> {
  return () => resolveConfig(flags);
}

/** The control socket, when one is configured; a failure to create it is logged, the server runs on. */
async function openControl(config: Config, flags: ServeFlags, answer: (req: ControlRequest) => Promise<ControlReply>, logger: Logger): Promise<ControlSocket | null> {
  const path = controlSocketPath(config, flags.config);
  if (!path) return null;
  try {
    return await startControlSocket(path, answer, logger);
  } catch (e) {
    logger.warn({ event: 'control_unavailable', path, reason: (e as Error).message }, 'control_unavailable');
    return null;
  }
}

/** Graceful stop: write the caches (with workers, each writes a part and the primary joins them). */
async function saveCacheFile(answer: (req: ControlRequest) => Promise<ControlReply>, path: string, logger: Logger): Promise<void> {
  const reply = await answer({ cmd: 'dump-cache', path });
  if (reply.ok) logger.info({ event: 'cache_saved', ...(reply.result as object) }, 'cache_saved');
  else logger.error({ event: 'cache_save_failed', path, reason: reply.error }, 'cache_save_failed');
}

function logReload(logger: Logger, trigger: string, reply: ControlReply): void {
  if (reply.ok) logger.info({ event: 'reloaded', trigger, ...(reply.result as ReloadResult) }, 'reloaded');
  else logger.error({ event: 'reload_failed', trigger, reason: reply.error }, 'reload_failed');
}

/** The dashboard, when web-listen is set; loaded only then (the pages and the API cost nothing otherwise). */
async function openWeb(config: Config, answer: (req: ControlRequest) => Promise<ControlReply>, logger: Logger, metrics: (() => Promise<MetricsSnapshot>) | undefined): Promise<WebServer | null> {
  if (!config.webListen) return null;
  const { startWebServer } = await import('../web/server.js');
  return startWebServer({ listen: config.webListen, passwordHash: config.webPassword, token: config.webToken, control: answer, logger, ...(config.metricsListen && metrics ? { metrics } : {}) });
}

/** Refuses a dashboard that may not start (beyond loopback without a password…) before anything listens. */
function checkWeb(config: Config): void {
  const error = config.webListen ? webListenError(config.webListen, config.webPassword, config.webToken) : null;
  if (error) throw new RootlineError(ErrorCode.CONFIG_VALUE, error);
}

/** The primary of a multi-worker server: checks what it can up front, then forks, supervises and fans control out. */
async function runPrimary(config: Config, workers: number, flags: ServeFlags): Promise<void> {
  config.listen.forEach(parseListenAddress);
  await loadRootHints(config.rootHints);
  const logger = createLogger(config.logLevel, config.logFormat);
  // Local data once here, so a bad hosts file stops the start and its skipped lines are logged once, not per worker.
  await loadLocalData(config, logger);
  checkWeb(config);
  const drop = planPrivilegeDrop(config);
  drop?.beforeFork(workers);
  const metricsSource = config.metricsListen ? workersSource() : undefined;
  if (metricsSource) await startMetrics(config, logger, metricsSource);
  const primary = startPrimary(workers, logger, (message) => {
    process.stderr.write(`rootline: ${message}\n`);
    void primary.stop().then(() => process.exit(1));
  });
  const readConfig = configReader(flags);
  // A reload is checked here first: a broken file leaves every worker on the old config.
  const answer = async (req: ControlRequest): Promise<ControlReply> => {
    if (req.cmd === 'reload') {
      try {
        await readConfig();
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    }
    const reply = await primary.control(req);
    if (req.cmd !== 'dump-cache' || !reply.ok) return reply;
    const { parts, ...counts } = reply.result as { parts: string[] };
    try {
      await joinCacheParts(req.path, parts);
    } catch (e) {
      return { ok: false, error: `cannot write cache file ${req.path}: ${(e as Error).message}` };
    }
    return { ok: true, result: counts };
  };
  const control = await openControl(config, flags, async (req) => {
    const reply = await answer(req);
    if (req.cmd === 'reload') logReload(logger, 'ctl', reply);
    return reply;
  }, logger);
  const web = await openWeb(config, answer, logger, metricsSource);
  drop?.afterControl(control?.path ?? null, logger);
  const logStats = async (final: boolean): Promise<void> => {
    const reply = await primary.control({ cmd: 'stats' });
    logger.info({ event: 'stats', workers, final, ...(reply.ok ? (reply.result as Counters) : {}) }, 'stats');
  };
  if (config.statsInterval > 0) setInterval(() => void logStats(false), config.statsInterval * 1000).unref();
  process.on('SIGHUP', () => void answer({ cmd: 'reload' }).then((r) => logReload(logger, 'SIGHUP', r)));
  onSignals(async (signal) => {
    logger.info({ event: 'shutdown', signal }, 'shutdown');
    await logStats(true);
    if (config.cacheFile) await saveCacheFile(answer, config.cacheFile, logger);
    await control?.close();
    await web?.close();
    await primary.stop();
  });
}

export async function runServe(flags: ServeFlags): Promise<void> {
  try {
    const config = await resolveConfig(flags);
    const workers = resolveWorkerCount(config.workers, availableParallelism());
    if (workers > 1 && !isWorker()) return await runPrimary(config, workers, flags);
    if (!isWorker()) checkWeb(config);
    const drop = planPrivilegeDrop(config);
    const server = await startServer(config, { clusterWorker: isWorker() });
    const proc: ControlledProcess = {
      server,
      configFile: flags.config ?? null,
      readConfig: configReader(flags),
      startedMs: Date.now(),
      ...(isWorker() ? { dumpSuffix: `.part-${process.pid}` } : {}),
    };
    if (isWorker()) answerMetricsRequests(config, server);
    else await startMetrics(config, server.logger, localSource(server));
    const answer = (req: ControlRequest): Promise<ControlReply> => answerLocally(proc, req);
    const counters = (): Counters => server.core.pipeline.counters;
    let control: ControlSocket | null = null;
    let web: WebServer | null = null;
    if (isWorker()) {
      attachWorker(answer);
      reportToPrimary({ type: 'ready', addresses: server.addresses, ...server.encrypted });
    } else {
      control = await openControl(config, flags, async (req) => {
        const reply = await answer(req);
        if (req.cmd === 'reload') logReload(server.logger, 'ctl', reply);
        return reply;
      }, server.logger);
      web = await openWeb(config, answer, server.logger, localSource(server));
      drop?.apply(control?.path ?? null, server.logger);
      if (config.statsInterval > 0) {
        setInterval(() => server.logger.info({ event: 'stats', workers: 1, final: false, ...counters() }, 'stats'), config.statsInterval * 1000).unref();
      }
    }
    // SIGHUP re-reads the config; a broken one keeps the old (logged). A worker hears of a reload from the
    // primary; a SIGHUP sent to it too (pkill -f) must not end it.
    process.on('SIGHUP', isWorker() ? () => {} : () => void answer({ cmd: 'reload' }).then((r) => logReload(server.logger, 'SIGHUP', r)));
    onSignals(async (signal) => {
      if (!isWorker()) {
        server.logger.info({ event: 'shutdown', signal }, 'shutdown');
        server.logger.info({ event: 'stats', workers: 1, final: true, ...counters() }, 'stats');
        if (config.cacheFile) await saveCacheFile(answer, config.cacheFile, server.logger);
      }
      await control?.close();
      await web?.close();
      await server.close();
    });
  } catch (e) {
    if (isWorker()) {
      reportToPrimary({ type: 'fatal', message: e instanceof RootlineError ? `${e.message} [${e.code}]` : String(e) });
      process.exit(1);
    }
    exitWithError(e);
  }
}
