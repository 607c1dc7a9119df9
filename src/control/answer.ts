// What one serving process answers on the control channel: its status, counters, cache flushes, a reload
// and the query-log switch. The primary of a multi-worker server merges these answers (merge.ts).
import { readCacheFile, restoreSnapshot, writeCacheFile, type CacheCounts, type LoadCounts } from '../cache/cache-file.js';
import type { ServerHealth } from '../cache/infra-cache.js';
import type { FlushTarget } from '../cache/rrset-cache.js';
import type { LiveSnapshot } from '../observe/live-view.js';
import type { Config } from '../config/schema.js';
import { formatAnswer, walk } from '../journey.js';
import type { RunningServer } from '../main.js';
import { isInZone } from '../wire/names.js';
import { listDomain } from '../policy/list-line.js';
import type { ZoneEntry } from '../config/schema.js';
import type { Counters } from '../metrics.js';
import { VERSION } from '../version.js';
import type { ControlReply, ControlRequest } from './protocol.js';

export interface ProcessStatus {
  version: string;
  pid: number;
  uptimeSeconds: number;
  addresses: string[];
  configFile: string | null;
  cache: CacheSizes;
  /** Estimated bytes per cache (cache-memory's split). */
  memory: CacheMemory;
}

export interface CacheMemory {
  rrsets: number;
  negative: number;
  answers: number;
}

export interface CacheSizes {
  rrsets: number;
  negative: number;
  answers: number;
  servers: number;
}

export type FlushCounts = CacheSizes;

export interface ReloadResult {
  needsRestart: string[];
}

/** `rootline top`'s data from one process (merged over workers by the primary). */
export interface TopView extends LiveSnapshot {
  uptimeSeconds: number;
  addresses: string[];
  workers: number;
  counters: Counters;
  slowServers: ServerHealth[];
}

/** The servers with the highest smoothed RTT that were asked more than once (one slow try is not news). */
export function slowest(all: readonly ServerHealth[], n = 5): ServerHealth[] {
  return all
    .filter((h) => h.srttMs !== null && h.sent > 1)
    .sort((a, b) => b.srttMs! - a.srttMs!)
    .slice(0, n);
}

/** The journey of one question through the running server, ready to print. */
export interface TraceResult {
  lines: string[];
  answer: string;
}

/** One configured blocklist as the Policy page shows it; rules and errors from when it was last read (null: off). */
export interface ListStatus {
  path: string;
  enabled: boolean;
  rules: number | null;
  bad: number | null;
  firstBad?: { line: number; reason: string };
  /** Epoch ms of the read (the last reload, or the switch that rebuilt the lists). */
  loadedMs: number | null;
}

export interface ZoneSummary {
  name: string;
  servers: string[];
  fallback: string;
  transport: 'udp' | 'tcp' | 'tls';
}

/** The policy in force: what `ctl policy` prints and the dashboard's Policy page shows. */
export interface PolicyStatus {
  mode: string;
  lists: ListStatus[];
  /** Distinct names blocked over every enabled list. */
  blockedNames: number;
  allowlist: { name: string; added: boolean }[];
  localData: string[];
  hostsFiles: string[];
  localZones: boolean | { name: string; type: string }[];
  forwardZones: ZoneSummary[];
  stubZones: ZoneSummary[];
}

function zoneSummary(z: ZoneEntry): ZoneSummary {
  return { name: z.name, servers: z.servers.map((s) => (s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`)), fallback: z.fallback, transport: z.tls ? 'tls' : z.tcp ? 'tcp' : 'udp' };
}

function policyStatus(server: RunningServer): PolicyStatus {
  const { core } = server;
  const { config } = core;
  const overrides = core.shared.policy;
  const stats = new Map((core.blocklist?.current.stats ?? []).map((s) => [s.path, s]));
  return {
    mode: config.blocklistMode,
    lists: config.blocklists.map((path) => {
      const s = stats.get(path);
      return { path, enabled: !overrides.disabledLists.has(path), rules: s?.rules ?? null, bad: s?.bad ?? null, ...(s?.firstBad ? { firstBad: s.firstBad } : {}), loadedMs: s ? core.blocklistsLoadedMs : null };
    }),
    blockedNames: core.blocklist?.current.blocked.size ?? 0,
    allowlist: overrides.allowlist(config.allowlist).map((name) => ({ name, added: !config.allowlist.includes(name) })),
    localData: config.localData,
    hostsFiles: config.hostsFiles,
    localZones: config.localZones,
    forwardZones: config.forwardZones.map(zoneSummary),
    stubZones: config.stubZones.map(zoneSummary),
  };
}

/** Rebuilds the core on its own config, so a policy override takes effect (the caches stay; answers are flushed). */
async function applyPolicy(p: ControlledProcess): Promise<void> {
  await p.server.reload(p.server.core.config);
}

/** What dump-cache wrote; `part`: a worker's own file, joined by the primary. */
export interface DumpResult extends CacheCounts {
  path: string;
  part?: string;
}

/** How a process re-reads its config (the same file and flags it started with). */
export interface ControlledProcess {
  server: RunningServer;
  configFile: string | null;
  readConfig(): Promise<Config>;
  startedMs: number;
  /** In a cluster worker: dumps go to FILE + this suffix, for the primary to join. */
  dumpSuffix?: string;
}

function sizes(server: RunningServer): CacheSizes {
  const { shared } = server.core;
  return { rrsets: shared.rrsets.size, negative: shared.negatives.size, answers: shared.answerCache.size, servers: shared.infra.size };
}

function flush(server: RunningServer, target: FlushTarget | undefined): FlushCounts {
  const { shared } = server.core;
  if (!target) {
    const before = sizes(server);
    shared.rrsets.clear();
    shared.negatives.clear();
    shared.nsecRanges.clear();
    shared.answerCache.flush();
    shared.infra.clear();
    return before;
  }
  const answersBefore = shared.answerCache.size;
  // The answer cache is keyed by wire question; a zone's names are found again from the RRsets, so it goes whole.
  if ('zone' in target) shared.answerCache.flush();
  else shared.answerCache.flush(target.name);
  // A flushed name must be asked again: cached NSEC ranges would otherwise keep denying it (RFC 8198).
  shared.nsecRanges.flush('zone' in target ? target.zone : target.name);
  return {
    rrsets: shared.rrsets.flush(target),
    negative: shared.negatives.flush(target),
    answers: answersBefore - shared.answerCache.size,
    servers: 'zone' in target ? shared.infra.forgetZone(target.zone) : 0,
  };
}

export async function answerLocally(p: ControlledProcess, req: ControlRequest): Promise<ControlReply> {
  try {
    switch (req.cmd) {
      case 'status': {
        const status: ProcessStatus = {
          version: VERSION,
          pid: process.pid,
          uptimeSeconds: Math.round((Date.now() - p.startedMs) / 1000),
          addresses: p.server.addresses,
          configFile: p.configFile,
          cache: sizes(p.server),
          memory: { rrsets: p.server.core.shared.rrsets.bytes, negative: p.server.core.shared.negatives.bytes, answers: p.server.core.shared.answerCache.bytes },
        };
        return { ok: true, result: status };
      }
      case 'stats':
        return { ok: true, result: { ...p.server.core.pipeline.counters } satisfies Counters };
      case 'flush':
        return { ok: true, result: flush(p.server, req.target) };
      case 'reload': {
        const outcome = await p.server.reload(await p.readConfig());
        return { ok: true, result: outcome satisfies ReloadResult };
      }
      case 'query-log':
        p.server.core.pipeline.setQueryLog(req.on);
        return { ok: true, result: { queryLog: req.on } };
      case 'dump-cache': {
        const file = req.path + (p.dumpSuffix ?? '');
        const counts = await writeCacheFile(file, p.server.core.shared.rrsets, p.server.core.shared.negatives);
        return { ok: true, result: { path: req.path, ...(p.dumpSuffix ? { part: file } : {}), ...counts } satisfies DumpResult };
      }
      case 'top': {
        const { shared } = p.server.core;
        shared.live.addHits(shared.answerCache.takeHits());
        const view: TopView = {
          uptimeSeconds: Math.round((Date.now() - p.startedMs) / 1000),
          addresses: p.server.addresses,
          workers: 1,
          counters: { ...shared.counters },
          ...shared.live.snapshot(),
          slowServers: slowest(shared.infra.health()),
        };
        return { ok: true, result: view };
      }
      case 'servers': {
        const all = p.server.core.shared.infra.health();
        const zone = req.zone;
        return { ok: true, result: zone === undefined ? all : all.filter((h) => h.zones.some((z) => isInZone(z, zone))) };
      }
      case 'trace': {
        const lines: string[] = [];
        const started = performance.now();
        const r = await walk({ policy: p.server.core.pipeline.policy, resolver: p.server.core.resolver }, { name: req.name, type: req.type, class: 'IN' }, (line) => lines.push(line));
        const answer = r === 'dropped' ? ';; no answer: a policy drops this query\n' : formatAnswer(req.name, req.type, r, Math.round(performance.now() - started));
        return { ok: true, result: { lines, answer } satisfies TraceResult };
      }
      case 'queries': {
        const ring = p.server.core.shared.queryRing;
        if (!ring) return { ok: false, error: 'no query log is kept: set web-listen (and web-query-log-size above 0)' };
        return { ok: true, result: ring.recent(req.filter, req.limit) };
      }
      case 'policy':
        return { ok: true, result: policyStatus(p.server) };
      case 'blocklist': {
        const { config, shared } = p.server.core;
        if (!config.blocklists.includes(req.path)) return { ok: false, error: `no blocklist ${req.path} in the config (lists: ${config.blocklists.join(', ') || 'none'})` };
        const was = !shared.policy.disabledLists.has(req.path);
        if (was !== req.enabled) {
          if (req.enabled) shared.policy.disabledLists.delete(req.path);
          else shared.policy.disabledLists.add(req.path);
          try {
            await applyPolicy(p);
          } catch (e) {
            // The lists could not be rebuilt: the switch is undone, the old core still answers.
            if (req.enabled) shared.policy.disabledLists.add(req.path);
            else shared.policy.disabledLists.delete(req.path);
            throw e;
          }
        }
        return { ok: true, result: { path: req.path, enabled: req.enabled, changed: was !== req.enabled } };
      }
      case 'allow': {
        const name = listDomain(req.name.trim());
        if (name === null) return { ok: false, error: `'${req.name}' is not a domain name` };
        const added = p.server.core.shared.policy.allow(name);
        if (added) {
          try {
            await applyPolicy(p);
          } catch (e) {
            p.server.core.shared.policy.allowed.splice(p.server.core.shared.policy.allowed.indexOf(name), 1);
            throw e;
          }
        }
        return { ok: true, result: { name, added } };
      }
      case 'load-cache': {
        const { rrsets, negatives } = p.server.core.shared;
        return { ok: true, result: restoreSnapshot(await readCacheFile(req.path), rrsets, negatives) satisfies LoadCounts };
      }
      default: {
        const never: never = req;
        return { ok: false, error: `unknown command ${JSON.stringify(never)}` };
      }
    }
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
