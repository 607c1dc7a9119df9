// `rootline ctl COMMAND`: one request over the control socket of a running server, its answer printed for a
// terminal (or as JSON with --json). Exit 0: done; 1: the server said no or could not be reached; 2: bad usage.
import { resolve } from 'node:path';
import type { CacheCounts, LoadCounts } from '../cache/cache-file.js';
import type { ServerHealth } from '../cache/infra-cache.js';
import type { CacheSizes, PolicyStatus, ProcessStatus, ReloadResult, TraceResult } from '../control/answer.js';
import type { QueryRow } from '../observe/query-ring.js';
import { sendControl } from '../control/client.js';
import type { ClusterStatus } from '../control/merge.js';
import { clientSocketPath } from '../control/path.js';
import type { ControlRequest } from '../control/protocol.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Counters } from '../metrics.js';
import { absolute, canonical } from '../wire/names.js';
import { formatServers } from './servers-table.js';

export interface CtlFlags {
  control?: string;
  config?: string;
  json?: boolean;
  zone?: string;
  timeout?: number;
}

const USAGE = 'use: status, stats, flush [NAME [TYPE]] | flush --zone ZONE, reload, query-log on|off, dump-cache FILE, load-cache FILE, trace NAME [TYPE], servers [ZONE], policy, blocklist enable|disable PATH, allow NAME, queries [N]';
const DEFAULT_TIMEOUT_MS = 10_000;

function usage(message: string): never {
  process.stderr.write(`rootline ctl: ${message} (${USAGE})\n`);
  process.exit(2);
}

/** The request a command line names, or a usage error. */
export function requestFor(command: string, args: readonly string[], flags: CtlFlags): ControlRequest {
  switch (command) {
    case 'status':
    case 'stats':
    case 'reload':
      if (args.length > 0) usage(`${command} takes no arguments`);
      return { cmd: command };
    case 'flush':
      if (flags.zone !== undefined) {
        if (args.length > 0) usage('flush --zone ZONE takes no other arguments');
        return { cmd: 'flush', target: { zone: canonical(flags.zone) } };
      }
      if (args.length === 0) return { cmd: 'flush' };
      if (args.length > 2) usage('flush takes NAME and an optional TYPE');
      return { cmd: 'flush', target: { name: canonical(args[0]!), ...(args[1] ? { type: args[1].toUpperCase() } : {}) } };
    case 'query-log':
      if (args.length !== 1 || (args[0] !== 'on' && args[0] !== 'off')) usage('query-log takes on or off');
      return { cmd: 'query-log', on: args[0] === 'on' };
    case 'servers':
      if (args.length > 1) usage('servers takes an optional ZONE');
      return { cmd: 'servers', ...(args[0] ? { zone: canonical(args[0]) } : {}) };
    case 'trace':
      if (args.length < 1 || args.length > 2) usage('trace takes NAME and an optional TYPE');
      if (args[1] && !/^[A-Za-z0-9]+$/.test(args[1])) usage(`not a record type: '${args[1]}'`);
      return { cmd: 'trace', name: args[0]!, type: (args[1] ?? 'A').toUpperCase() };
    case 'policy':
      if (args.length > 0) usage('policy takes no arguments');
      return { cmd: 'policy' };
    case 'blocklist':
      if (args.length !== 2 || (args[0] !== 'enable' && args[0] !== 'disable')) usage('blocklist takes enable or disable and the PATH of a configured list');
      // The server matches the path as its config names it (absolute once loaded).
      return { cmd: 'blocklist', path: resolve(args[1]!), enabled: args[0] === 'enable' };
    case 'allow':
      if (args.length !== 1) usage('allow takes a NAME');
      return { cmd: 'allow', name: args[0]! };
    case 'queries': {
      if (args.length > 1 || (args[0] !== undefined && !/^[1-9]\d{0,2}$/.test(args[0]))) usage('queries takes an optional count from 1 to 999');
      return { cmd: 'queries', filter: {}, limit: Number(args[0] ?? 20) };
    }
    case 'dump-cache':
    case 'load-cache':
      if (args.length !== 1) usage(`${command} takes a FILE`);
      // The server opens the file: give it the path as seen from here.
      return { cmd: command, path: resolve(args[0]!) };
    default:
      return usage(`unknown command '${command}'`);
  }
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [d ? `${d}d` : '', d || h ? `${h}h` : '', d || h || m ? `${m}m` : '', `${s}s`].filter(Boolean).join(' ');
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

function cacheLine(c: CacheSizes): string {
  return `${c.rrsets} RRsets, ${c.negative} negative answers, ${c.answers} cached responses, ${c.servers} servers`;
}

/** What a terminal shows for each command's result. */
export function formatResult(req: ControlRequest, result: unknown): string {
  switch (req.cmd) {
    case 'status': {
      const s = result as ProcessStatus & Partial<ClusterStatus>;
      const procs = s.pids ? `${s.workers} workers (pids ${s.pids.join(', ')})` : `pid ${s.pid}`;
      return [
        `rootline ${s.version}, ${procs}, up ${duration(s.uptimeSeconds)}`,
        `listening: ${s.addresses.join(', ')}`,
        `config: ${s.configFile ?? '(none: defaults and flags)'}`,
        `cache: ${cacheLine(s.cache)}`,
        `cache memory: ${mb(s.memory.rrsets)} RRsets, ${mb(s.memory.answers)} responses, ${mb(s.memory.negative)} negative (estimated)`,
      ].join('\n');
    }
    case 'stats': {
      const c = result as Counters;
      const width = Math.max(...Object.keys(c).map((k) => k.length));
      return Object.entries(c)
        .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
        .join('\n');
    }
    case 'flush': {
      const what = req.target ? ('zone' in req.target ? `zone ${absolute(req.target.zone)} and below` : `${absolute(req.target.name)}${req.target.type ? ` ${req.target.type}` : ''}`) : 'everything';
      return `flushed ${what}: ${cacheLine(result as CacheSizes)}`;
    }
    case 'reload': {
      const r = result as ReloadResult;
      return r.needsRestart.length === 0 ? 'reloaded' : `reloaded; needs restart (old value kept): ${r.needsRestart.join(', ')}`;
    }
    case 'query-log':
      return `query log ${req.on ? 'on' : 'off'} (until the next reload or restart)`;
    case 'dump-cache': {
      const r = result as CacheCounts;
      return `wrote ${r.rrsets} RRsets and ${r.negative} negative answers to ${req.path}`;
    }
    case 'servers':
      return formatServers(result as ServerHealth[]);
    case 'top':
      return JSON.stringify(result, null, 2); // `rootline top` draws it; ctl never sends it

    case 'trace': {
      const r = result as TraceResult;
      return [...r.lines, '', r.answer.trimEnd()].join('\n');
    }
    case 'policy': {
      const r = result as PolicyStatus;
      const lists = r.lists.map((l) => `  ${l.enabled ? 'on ' : 'off'} ${l.path}${l.rules === null ? '' : `: ${l.rules} rules${l.bad ? `, ${l.bad} bad lines` : ''}`}`);
      return [`blocklists (${r.mode}, ${r.blockedNames} names):`, ...(lists.length ? lists : ['  none']), `allowlist: ${r.allowlist.map((a) => a.name + (a.added ? ' (added)' : '')).join(', ') || 'none'}`].join('\n');
    }
    case 'blocklist': {
      const r = result as { path: string; enabled: boolean; changed: boolean };
      return `${r.path} ${r.enabled ? 'enabled' : 'disabled'}${r.changed ? '' : ' (already)'} (until the next restart)`;
    }
    case 'allow': {
      const r = result as { name: string; added: boolean };
      return `${r.name} ${r.added ? 'added to' : 'already in'} the allowlist (until the next restart)`;
    }
    case 'queries':
      return (result as QueryRow[]).map((q) => `${new Date(q.time).toISOString()} ${q.client} ${q.name} ${q.type} ${q.rcode}${q.cached ? ' cached' : ''}${q.ede ? ` (${q.ede})` : ''}`).join('\n');
    case 'load-cache': {
      const r = result as LoadCounts;
      return `loaded ${r.rrsets} RRsets and ${r.negative} negative answers from ${req.path} (${r.expired} expired, skipped)`;
    }
    default: {
      const never: never = req;
      return String(never);
    }
  }
}

export async function runCtl(command: string, args: string[], flags: CtlFlags): Promise<void> {
  const req = requestFor(command, args, flags);
  // The config only tells where the socket is; a file broken since the start is the server's to report (reload).
  const config: Partial<Config> | null = !flags.control && flags.config ? await loadConfigFile(flags.config).catch(() => null) : null;
  const path = flags.control ?? clientSocketPath(config?.controlSocket ? { controlSocket: config.controlSocket } : null, flags.config);
  const sent = await sendControl(path, req, flags.timeout ?? DEFAULT_TIMEOUT_MS);
  if (sent.kind === 'unreachable') {
    process.stderr.write(`rootline ctl: no answer on ${path} (${sent.why}): is rootline running? Point --control at its control-socket.\n`);
    process.exit(1);
  }
  if (!sent.reply.ok) {
    process.stderr.write(`rootline ctl: ${sent.reply.error}\n`);
    process.exit(1);
  }
  process.stdout.write((flags.json ? JSON.stringify(sent.reply.result, null, 2) : formatResult(req, sent.reply.result)) + '\n');
  process.exit(0);
}
