// `rootline serve`: load config (file, then flags), start the listeners, shut down cleanly on SIGINT/SIGTERM.
import type { Command } from 'commander';
import { loadConfigFile, mergeConfig } from '../config/load.js';
import { DEFAULTS, type Config, type LogFormat, type LogLevel } from '../config/schema.js';
import { startServer } from '../main.js';
import { collect, DEFAULT_ROOT_HINTS, exitWithError, parseWholeNumber } from './common.js';

export interface ServeFlags {
  listen?: string[];
  rootHints?: string;
  cacheSize?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  queryLog?: boolean;
  config?: string;
  upstreamPort?: number;
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
  if (f.qnameMinimisation === false) out.qnameMinimisation = false;
  return out;
}

export async function resolveConfig(f: ServeFlags): Promise<Config> {
  const file = f.config ? await loadConfigFile(f.config) : {};
  const config = mergeConfig(DEFAULTS, file, flagsToConfig(f));
  if (!config.rootHints) config.rootHints = DEFAULT_ROOT_HINTS;
  return config;
}

export function addServeOptions(cmd: Command): Command {
  return cmd
    .option('-l, --listen <addr:port>', 'address to serve on, repeatable (default 127.0.0.1:53 and [::1]:53)', collect)
    .option('--root-hints <file>', 'root hints file in named.root format (default: the bundled IANA file)')
    .option('--cache-size <n>', 'most RRsets kept in cache', parseWholeNumber('--cache-size'))
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent')
    .option('--log-format <format>', 'json, pretty or auto (pretty on a terminal)')
    .option('--query-log', 'log one line per client query')
    .option('--upstream-port <port>', 'port of upstream servers (53; another for a lab)', parseWholeNumber('--upstream-port'))
    .option('--no-qname-minimisation', 'send full query names to every server (RFC 9156 off)')
    .option('-c, --config <file>', 'YAML config file (flags override it)');
}

export async function runServe(flags: ServeFlags): Promise<void> {
  try {
    const config = await resolveConfig(flags);
    const server = await startServer(config);
    let closing = false;
    const shutdown = (signal: string): void => {
      if (closing) return;
      closing = true;
      server.logger.info({ event: 'shutdown', signal }, 'shutdown');
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  } catch (e) {
    exitWithError(e);
  }
}
