// `rootline serve`: load config (file, then flags), start the listeners — in one process or in N cluster
// workers — log counters, and shut down cleanly on SIGINT/SIGTERM.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { attachWorker, isWorker, reportToPrimary, resolveWorkerCount, startPrimary } from '../cluster.js';
import { loadConfigFile, mergeConfig } from '../config/load.js';
import { DEFAULTS, type Config, type LogFormat, type LogLevel } from '../config/schema.js';
import { ErrorCode, RootlineError } from '../errors.js';
import { createLogger } from '../log.js';
import { startServer } from '../main.js';
import { answerMetricsRequests, localSource, startMetrics, workersSource } from '../observe/serve-metrics.js';
import { loadLocalData } from '../policy/local-data-load.js';
import { loadRootHints } from '../resolver/hints.js';
import { parseListenAddress } from '../server/listen-address.js';
import type { Counters } from '../metrics.js';
import { collect, DEFAULT_ROOT_HINTS, exitWithError, LOG_FORMATS, LOG_LEVELS, parseOneOf, parseWholeNumber } from './common.js';

export interface ServeFlags {
  listen?: string[];
  rootHints?: string;
  cacheSize?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  queryLog?: boolean;
  config?: string;
  upstreamPort?: number;
  workers?: number | 'auto';
  statsInterval?: number;
  /** commander sets false for --no-qname-minimisation. */
  qnameMinimisation?: boolean;
}

/** Flags → the part of Config they set (only what was given, so the config file can fill the rest). */
export function flagsToConfig(f: ServeFlags): Partial<Config> {
  const out: Partial<Config> = {};
  if (f.listen) out.listen = f.listen;
  if (f.rootHints) out.rootHints = f.rootHints;
  if (f.cacheSize !== undefined) out.cacheSize = f.cacheSize;
  if (f.logLevel) out.logLevel = f.logLevel;
  if (f.logFormat) out.logFormat = f.logFormat;
  if (f.queryLog) out.queryLog = true;
  if (f.upstreamPort !== undefined) out.upstreamPort = f.upstreamPort;
  if (f.workers !== undefined) out.workers = f.workers;
  if (f.statsInterval !== undefined) out.statsInterval = f.statsInterval;
  if (f.qnameMinimisation === false) out.qnameMinimisation = false;
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
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent', parseOneOf('--log-level', LOG_LEVELS))
    .option('--log-format <format>', 'json, pretty or auto (pretty on a terminal)', parseOneOf('--log-format', LOG_FORMATS))
    .option('--query-log', 'log one line per client query')
    .option('--workers <n|auto>', 'processes serving the same sockets (default 1; auto = one per core)', parseWorkers)
    .option('--stats-interval <seconds>', 'log counters every N seconds (0 = only at shutdown)', parseWholeNumber('--stats-interval'))
    .option('--upstream-port <port>', 'port of upstream servers (53; another for a lab)', parseWholeNumber('--upstream-port'))
    .option('--no-qname-minimisation', 'send full query names to every server (RFC 9156 off)')
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

/** The primary of a multi-worker server: checks what it can up front, then forks and supervises. */
async function runPrimary(config: Config, workers: number): Promise<void> {
  config.listen.forEach(parseListenAddress);
  await loadRootHints(config.rootHints);
  const logger = createLogger(config.logLevel, config.logFormat);
  // Local data once here, so a bad hosts file stops the start and its skipped lines are logged once, not per worker.
  await loadLocalData(config, logger);
  await startMetrics(config, logger, workersSource());
  const primary = startPrimary(workers, logger, (message) => {
    process.stderr.write(`rootline: ${message}\n`);
    void primary.stop().then(() => process.exit(1));
  });
  const logStats = async (final: boolean): Promise<void> => {
    logger.info({ event: 'stats', workers, final, ...(await primary.stats()) }, 'stats');
  };
  if (config.statsInterval > 0) setInterval(() => void logStats(false), config.statsInterval * 1000).unref();
  process.on('SIGHUP', () => {
    logger.info({ event: 'reload', signal: 'SIGHUP', workers }, 'reload');
    primary.reload();
  });
  onSignals(async (signal) => {
    logger.info({ event: 'shutdown', signal }, 'shutdown');
    await logStats(true);
    await primary.stop();
  });
}

export async function runServe(flags: ServeFlags): Promise<void> {
  try {
    const config = await resolveConfig(flags);
    const workers = resolveWorkerCount(config.workers, availableParallelism());
    if (workers > 1 && !isWorker()) return await runPrimary(config, workers);
    const server = await startServer(config, { clusterWorker: isWorker() });
    const counters = (): Counters => server.pipeline.counters;
    // SIGHUP (or the primary's word) reloads the blocklists; a list that cannot be read keeps the old ones.
    const reload = (): void => {
      server.reloadBlocklists().catch((e: unknown) => server.logger.error({ event: 'reload_failed', reason: (e as Error).message }, 'reload_failed'));
    };
    if (isWorker()) answerMetricsRequests(config, server);
    else await startMetrics(config, server.logger, localSource(server));
    if (isWorker()) {
      attachWorker(counters, reload);
      reportToPrimary({ type: 'ready', addresses: server.addresses });
    } else if (config.statsInterval > 0) {
      setInterval(() => server.logger.info({ event: 'stats', workers: 1, final: false, ...counters() }, 'stats'), config.statsInterval * 1000).unref();
    }
    // A worker hears of a reload from the primary; a SIGHUP sent to it too (pkill -f) must not end it.
    process.on('SIGHUP', isWorker() ? () => {} : reload);
    onSignals(async (signal) => {
      if (!isWorker()) {
        server.logger.info({ event: 'shutdown', signal }, 'shutdown');
        server.logger.info({ event: 'stats', workers: 1, final: true, ...counters() }, 'stats');
      }
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
