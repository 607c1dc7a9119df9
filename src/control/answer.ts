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
