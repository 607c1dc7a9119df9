// Merging the answers of every worker into one reply: counters and cache sizes summed, a reload failed when one
// worker's failed, the restart list the union of theirs.
import { addCounters, newCounters, type Counters } from '../metrics.js';
import type { LoadCounts } from '../cache/cache-file.js';
import type { ServerHealth } from '../cache/infra-cache.js';
import { mergeTops } from '../observe/live-view.js';
import { mergeRows, type QueryRow } from '../observe/query-ring.js';
import { slowest, type CacheSizes, type DumpResult, type ProcessStatus, type ReloadResult, type TopView } from './answer.js';
import type { ControlReply, ControlRequest } from './protocol.js';

export interface ClusterStatus extends Omit<ProcessStatus, 'pid'> {
  workers: number;
  pids: number[];
}

function sumSizes(all: CacheSizes[]): CacheSizes {
  return all.reduce((a, b) => ({ rrsets: a.rrsets + b.rrsets, negative: a.negative + b.negative, answers: a.answers + b.answers, servers: a.servers + b.servers }), {
    rrsets: 0,
    negative: 0,
    answers: 0,
    servers: 0,
  });
}

/**
 * Each worker learns about servers on its own: counts are summed, RTT figures taken from the worker that asked
 * the server most, a bad mark (lame, held down, EDNS or 0x20 off) kept when any worker has it.
 */
export function mergeHealth(all: readonly ServerHealth[]): ServerHealth[] {
  const byServer = new Map<string, ServerHealth>();
  for (const h of all) {
    const seen = byServer.get(h.server);
    if (!seen) {
      byServer.set(h.server, { ...h, zones: [...h.zones], lame: { ...h.lame } });
      continue;
    }
    const busiest = h.sent > seen.sent ? h : seen;
    byServer.set(h.server, {
      ...busiest,
      zones: [...new Set([...seen.zones, ...h.zones])],
      sent: seen.sent + h.sent,
      timeouts: seen.timeouts + h.timeouts,
      timeoutsInARow: Math.max(seen.timeoutsInARow, h.timeoutsInARow),
      heldDown: seen.heldDown || h.heldDown,
      lame: { ...seen.lame, ...h.lame },
      edns: seen.edns === false || h.edns === false ? false : (seen.edns ?? h.edns),
      preservesCase: seen.preservesCase === false || h.preservesCase === false ? false : (seen.preservesCase ?? h.preservesCase),
    });
  }
  return [...byServer.values()].sort((a, b) => b.sent - a.sent);
}

function sum<K extends string>(all: readonly Record<K, number>[], key: K): number {
  return all.reduce((n, r) => n + r[key], 0);
}

export function mergeReplies(req: ControlRequest, replies: ControlReply[], expected: number): ControlReply {
  const failed = replies.find((r): r is Extract<ControlReply, { ok: false }> => !r.ok);
  if (failed) return failed;
  if (replies.length < expected) return { ok: false, error: `${expected - replies.length} of ${expected} workers did not answer` };
  const results = replies.map((r) => (r as Extract<ControlReply, { ok: true }>).result);
  switch (req.cmd) {
    case 'status': {
      const all = results as ProcessStatus[];
      const first = all[0]!;
      const merged: ClusterStatus = {
        version: first.version,
        uptimeSeconds: Math.max(...all.map((s) => s.uptimeSeconds)),
        addresses: first.addresses,
        configFile: first.configFile,
        cache: sumSizes(all.map((s) => s.cache)),
        memory: { rrsets: sum(all.map((s) => s.memory), 'rrsets'), negative: sum(all.map((s) => s.memory), 'negative'), answers: sum(all.map((s) => s.memory), 'answers') },
        workers: all.length,
        pids: all.map((s) => s.pid),
      };
      return { ok: true, result: merged };
    }
    case 'stats':
      return { ok: true, result: (results as Counters[]).reduce(addCounters, newCounters()) };
    case 'flush':
      return { ok: true, result: sumSizes(results as CacheSizes[]) };
    case 'reload':
      return { ok: true, result: { needsRestart: [...new Set((results as ReloadResult[]).flatMap((r) => r.needsRestart))] } satisfies ReloadResult };
    case 'query-log':
    case 'trace':
    case 'blocklist':
    case 'allow':
    case 'policy':
      // Every worker applied the same change (or holds the same config): the first answer stands for all.
      return { ok: true, result: results[0] };
    case 'queries':
      return { ok: true, result: mergeRows(results as QueryRow[][], req.limit) };
    case 'servers':
      return { ok: true, result: mergeHealth((results as ServerHealth[][]).flat()) };
    case 'top': {
      const all = results as TopView[];
      const merged: TopView = {
        uptimeSeconds: Math.max(...all.map((v) => v.uptimeSeconds)),
        addresses: all[0]!.addresses,
        workers: all.length,
        counters: all.map((v) => v.counters).reduce(addCounters, newCounters()),
        latency: all[0]!.latency.map((_, b) => sum(all.map((v) => ({ n: v.latency[b]! })), 'n')),
        topNames: mergeTops(all.map((v) => v.topNames)),
        topClients: mergeTops(all.map((v) => v.topClients)),
        topServfail: mergeTops(all.map((v) => v.topServfail)),
        slowServers: slowest(mergeHealth(all.flatMap((v) => v.slowServers))),
      };
      return { ok: true, result: merged };
    }
    case 'dump-cache': {
      const all = results as DumpResult[];
      const parts = all.flatMap((r) => (r.part ? [r.part] : []));
      return { ok: true, result: { path: req.path, parts, rrsets: sum(all, 'rrsets'), negative: sum(all, 'negative') } };
    }
    case 'load-cache': {
      const all = results as LoadCounts[];
      return { ok: true, result: { rrsets: sum(all, 'rrsets'), negative: sum(all, 'negative'), expired: sum(all, 'expired') } satisfies LoadCounts };
    }
    default: {
      const never: never = req;
      return { ok: false, error: `unknown command ${JSON.stringify(never)}` };
    }
  }
}
