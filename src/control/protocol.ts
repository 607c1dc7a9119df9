// The control channel's messages: one JSON request per line from `rootline ctl`, one JSON reply line back.
// Every serving process answers the same requests; with workers the primary asks them all and merges.
import type { FlushTarget } from '../cache/rrset-cache.js';
import type { QueryFilter } from '../observe/query-ring.js';

export type ControlRequest =
  | { cmd: 'status' }
  | { cmd: 'stats' }
  /** No target: everything (RRsets, negative answers, the answer cache, server lame marks). */
  | { cmd: 'flush'; target?: FlushTarget }
  | { cmd: 'reload' }
  | { cmd: 'query-log'; on: boolean }
  /** Write the RRset and negative caches to a cache file (a path on the server's machine). */
  | { cmd: 'dump-cache'; path: string }
  /** Add a cache file's unexpired entries to the caches. */
  | { cmd: 'load-cache'; path: string }
  /** What `rootline top` draws: counters, answer times, top names, clients, SERVFAIL reasons, slow servers. */
  | { cmd: 'top' }
  /** The per-server health table; a zone limits it to servers asked for that zone or below. */
  | { cmd: 'servers'; zone?: string }
  /** Resolve in the running server (its cache, its policy) and report the journey; one worker answers. */
  | { cmd: 'trace'; name: string; type: string }
  /** The dashboard's query log (web-listen set): newest first, filtered, merged over workers. */
  | { cmd: 'queries'; filter: QueryFilter; limit: number }
  /** Blocklists (entries, when read, errors, on/off), the allowlist, local names and forward/stub zones in force. */
  | { cmd: 'policy' }
  /** Switch one configured blocklist off or on again; kept over reloads (not over a restart). */
  | { cmd: 'blocklist'; path: string; enabled: boolean }
  /** Add a name (and every name below it) to the allowlist; kept over reloads (not over a restart). */
  | { cmd: 'allow'; name: string };

export type ControlCommand = ControlRequest['cmd'];

export type ControlReply = { ok: true; result: unknown } | { ok: false; error: string };

const COMMANDS: readonly ControlCommand[] = ['status', 'stats', 'flush', 'reload', 'query-log', 'dump-cache', 'load-cache', 'trace', 'servers', 'top', 'queries', 'policy', 'blocklist', 'allow'];
/** Most rows one 'queries' request returns. */
export const MAX_QUERY_ROWS = 1000;

/** A request line as sent by a client, checked; a string says what is wrong with it. */
export function parseRequest(line: string): ControlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not a JSON request';
  }
  const r = value as { cmd?: unknown; target?: unknown; on?: unknown };
  if (typeof r !== 'object' || r === null || !COMMANDS.includes(r.cmd as ControlCommand)) return `unknown command (use ${COMMANDS.join(', ')})`;
  if (r.cmd === 'query-log' && typeof r.on !== 'boolean') return 'query-log needs on or off';
  if (r.cmd === 'trace' && (typeof (r as { name?: unknown }).name !== 'string' || typeof (r as { type?: unknown }).type !== 'string')) return 'trace needs a name and a type';
  if ((r.cmd === 'dump-cache' || r.cmd === 'load-cache') && typeof (r as { path?: unknown }).path !== 'string') return `${r.cmd} needs a file`;
  if (r.cmd === 'flush' && r.target !== undefined && !isFlushTarget(r.target)) return 'flush takes a name (and type) or a zone';
  if (r.cmd === 'queries') {
    const q = value as { filter?: unknown; limit?: unknown };
    if (typeof q.filter !== 'object' || q.filter === null) return 'queries needs a filter (an object, may be empty)';
    if (typeof q.limit !== 'number' || !Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_QUERY_ROWS) return `queries needs a limit from 1 to ${MAX_QUERY_ROWS}`;
  }
  if (r.cmd === 'blocklist') {
    const b = value as { path?: unknown; enabled?: unknown };
    if (typeof b.path !== 'string' || typeof b.enabled !== 'boolean') return 'blocklist needs a path and enabled (true or false)';
  }
  if (r.cmd === 'allow' && typeof (value as { name?: unknown }).name !== 'string') return 'allow needs a name';
  return value as ControlRequest;
}

function isFlushTarget(t: unknown): t is FlushTarget {
  const x = t as { name?: unknown; type?: unknown; zone?: unknown };
  if (typeof x !== 'object' || x === null) return false;
  if (typeof x.zone === 'string') return true;
  return typeof x.name === 'string' && (x.type === undefined || typeof x.type === 'string');
}
